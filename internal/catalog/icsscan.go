package catalog

// Getting a document through go-ical safely.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-ical"
)

// decodeICS runs go-ical's decoder, which panics on some malformed
// parameter lists (a parameter at the end of a line with no value).
func decodeICS(data []byte) (cal *ical.Calendar, err error) {
	defer func() {
		if r := recover(); r != nil {
			cal, err = nil, errors.New("malformed property parameters")
		}
	}()
	cal, err = ical.NewDecoder(bytes.NewReader(data)).Decode()
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, errors.New("unexpected end of file (is END:VCALENDAR missing?)")
	}
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "ical: "))
	}
	return cal, nil
}

// prescanICS refuses what would make go-ical misbehave before it runs:
// components nested deeper than any real calendar (its decoder recurses per
// level, and a stack overflow cannot be recovered) and very long parameter
// lists (it builds them a byte at a time). Lines are unfolded as the
// decoder does. It returns the line of the problem.
func prescanICS(data []byte) (int, error) {
	var (
		depth, lineNo, startLine int
		prefix                   []byte // first bytes of the logical line
		paramsLen                int
		inQuote, paramsDone      bool
	)
	feed := func(b []byte) error {
		for _, c := range b {
			if len(prefix) < 6 {
				prefix = append(prefix, c)
			}
			if paramsDone {
				continue
			}
			switch {
			case c == '"':
				inQuote = !inQuote
			case c == ':' && !inQuote:
				paramsDone = true
			}
			paramsLen++
			if paramsLen > maxParamsLen {
				return fmt.Errorf("property name and parameters longer than %d bytes", maxParamsLen)
			}
		}
		return nil
	}
	finish := func() error {
		switch {
		case len(prefix) >= 6 && strings.EqualFold(string(prefix[:6]), "BEGIN:"):
			depth++
			if depth > maxNesting {
				return fmt.Errorf("components nested more than %d deep", maxNesting)
			}
		case len(prefix) >= 4 && strings.EqualFold(string(prefix[:4]), "END:"):
			if depth > 0 {
				depth--
			}
		}
		prefix, paramsLen, inQuote, paramsDone = prefix[:0], 0, false, false
		return nil
	}
	started := false
	for len(data) > 0 {
		lineNo++
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if started && len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			if err := feed(line[1:]); err != nil {
				return startLine, err
			}
			continue
		}
		if started {
			if err := finish(); err != nil {
				return startLine, err
			}
		}
		// A blank line starts a logical line too: the decoder lets the
		// next line continue it.
		started, startLine = true, lineNo
		if err := feed(line); err != nil {
			return startLine, err
		}
	}
	if started {
		if err := finish(); err != nil {
			return startLine, err
		}
	}
	return 0, nil
}
