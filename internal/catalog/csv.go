package catalog

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// parseCSV reads the CSV catalog format: a header row naming the columns
// (the JSON field names, in any order; title and starts_at required), then
// one webinar per row. It is what a spreadsheet exports, so it is lenient
// where spreadsheets are sloppy (a BOM, header case, blank rows, unnamed
// empty columns, times without an offset) and strict everywhere else.
func parseCSV(data []byte, opts Options) (_ *Catalog, err error) {
	defer func() { err = oneLineErr(err) }()
	src := opts.source()
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		// Excel on Windows saves "CSV" in a legacy code page by default;
		// guessing which one would garble names, so ask for UTF-8.
		line := bytes.Count(data[:invalidUTF8At(data)], []byte("\n")) + 1
		return nil, fmt.Errorf("%s:%d: not valid UTF-8 (save the file as \"CSV UTF-8\")", src, line)
	}

	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = false
	header, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file: want a header row like %s", src, strings.Join(knownFields, ","))
	}
	if err != nil {
		return nil, csvError(src, err, 0)
	}

	// cols maps a field name to its column index; unnamed columns are
	// tolerated as long as they stay empty (a trailing comma in the header).
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if name == "" {
			continue
		}
		line, col := r.FieldPos(i)
		if !isKnownField(name) {
			return nil, fmt.Errorf("%s:%d:%d: unknown column %q (want %s)", src, line, col, h, strings.Join(knownFields, ", "))
		}
		if prev, dup := cols[name]; dup {
			return nil, fmt.Errorf("%s:%d:%d: column %q appears twice (columns %d and %d)", src, line, col, name, prev+1, i+1)
		}
		cols[name] = i
	}
	for _, required := range []string{fieldTitle, fieldStartsAt} {
		if _, ok := cols[required]; !ok {
			return nil, fmt.Errorf("%s:1: missing column %q (the header is %q)", src, required, shorten(strings.Join(header, ",")))
		}
	}

	loc := opts.location()
	parseStart := localTimeParser(loc)
	cat := &Catalog{Webinars: []Webinar{}}
	type use struct{ n, line int }
	firstUse := map[string]use{}
	n := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(src, err, len(header))
		}
		if blankRecord(rec) {
			continue
		}
		n++
		line, _ := r.FieldPos(0)
		cell := func(field string) string {
			if i, ok := cols[field]; ok {
				return rec[i]
			}
			return ""
		}
		// where points at the cell of field, or at the row when the
		// column is absent.
		where := func(field string) string {
			if i, ok := cols[field]; ok {
				l, c := r.FieldPos(i)
				return fmt.Sprintf("%s:%d:%d", src, l, c)
			}
			return fmt.Sprintf("%s:%d", src, line)
		}
		for i, v := range rec {
			if strings.TrimSpace(header[i]) == "" && strings.TrimSpace(v) != "" {
				l, c := r.FieldPos(i)
				return nil, fmt.Errorf("%s:%d:%d: value %q in column %d, which has no name in the header", src, l, c, shorten(v), i+1)
			}
		}

		e := entry{
			ID:           cell(fieldID),
			Title:        cell(fieldTitle),
			Speaker:      cell(fieldSpeaker),
			StartsAt:     cell(fieldStartsAt),
			URL:          cell(fieldURL),
			RecordingURL: cell(fieldRecordingURL),
			Description:  cell(fieldDescription),
		}
		if e.Duration, err = parseMinutes(cell(fieldDuration)); err != nil {
			return nil, fmt.Errorf("%s: %s: %s: %v", where(fieldDuration), e.label(n), fieldDuration, err)
		}
		if e.Cancelled, err = parseBool(cell(fieldCancelled)); err != nil {
			return nil, fmt.Errorf("%s: %s: %s: %v", where(fieldCancelled), e.label(n), fieldCancelled, err)
		}
		w, derived, ferr := validate(e, parseStart, loc)
		if ferr != nil {
			return nil, fmt.Errorf("%s: %s: %w", where(ferr.Field), e.label(n), ferr)
		}
		if prev, dup := firstUse[w.ID]; dup {
			ferr := duplicateID(w.ID, derived, fmt.Sprintf("webinar %d on line %d", prev.n, prev.line))
			return nil, fmt.Errorf("%s: %s: %w", where(ferr.Field), e.label(n), ferr)
		}
		firstUse[w.ID] = use{n, line}
		cat.Webinars = append(cat.Webinars, w)
	}
	sortWebinars(cat.Webinars)
	return cat, nil
}

// csvError formats an encoding/csv error as file:line:column.
func csvError(src string, err error, fields int) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", src, err)
	}
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		return fmt.Errorf("%s:%d: wrong number of fields: the header has %d (a comma inside a value needs \"quotes\")", src, pe.StartLine, fields)
	}
	return fmt.Errorf("%s:%d:%d: %v", src, pe.Line, pe.Column, pe.Err)
}

// blankRecord reports a row with nothing in it; spreadsheets export them
// after the last real row.
func blankRecord(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(data)
}
