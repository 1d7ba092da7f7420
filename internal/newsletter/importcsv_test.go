package newsletter

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/store"
)

// importRow renders a row for comparison: address, quoted name, then the
// status and the consent time when there are any.
func importRow(r store.ImportRow) string {
	s := r.Email + " " + strconv.Quote(r.Name)
	if r.Status != "" {
		s += " " + string(r.Status)
	}
	if !r.ConsentAt.IsZero() {
		s += " " + r.ConsentAt.Format(time.RFC3339Nano)
		if r.ConsentAt.Location() != time.UTC {
			s += " (not UTC)"
		}
	}
	return s
}

func importRows(rows []store.ImportRow) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, importRow(r))
	}
	return out
}

type importCase struct {
	rows    []string
	bad     []RowError
	wantErr string // the whole error, when the file is refused
}

func checkImport(t *testing.T, name string, rows []store.ImportRow, bad []RowError, err error, want importCase) {
	t.Helper()
	if want.wantErr != "" {
		if err == nil || err.Error() != want.wantErr {
			t.Fatalf("readSubscribersCSV(%s) error = %v; want %s", name, err, want.wantErr)
		}
		if rows != nil || bad != nil {
			t.Errorf("readSubscribersCSV(%s) = %v, %v with an error; want nothing", name, importRows(rows), bad)
		}
		return
	}
	if err != nil {
		t.Fatalf("readSubscribersCSV(%s) error = %v; want none", name, err)
	}
	if got := importRows(rows); !reflect.DeepEqual(got, want.rows) {
		t.Errorf("readSubscribersCSV(%s) rows =\n\t%s\nwant\n\t%s", name, strings.Join(got, "\n\t"), strings.Join(want.rows, "\n\t"))
	}
	if len(bad) != 0 || len(want.bad) != 0 {
		if !reflect.DeepEqual(bad, want.bad) {
			t.Errorf("readSubscribersCSV(%s) bad = %v; want %v", name, bad, want.bad)
		}
	}
}

const notUTF8 = `not UTF-8 text; save it as "CSV UTF-8" and import again`

// TestReadSubscribersCSVFiles reads one fixture per tool and per encoding.
func TestReadSubscribersCSVFiles(t *testing.T) {
	tests := map[string]importCase{
		"mailchimp_subscribed.csv": {rows: []string{
			`giulia.rinaldi@example.it "Giulia Rinaldi" 2021-03-04T08:17:42Z`, // CONFIRM_TIME beats OPTIN_TIME
			`marco.esposito@example.com "Marco Esposito" 2020-11-20T19:02:11Z`,
			`francesca.deluca@example.org "Francesca De Luca" 2022-05-01T07:00:00Z`,
			`lorenzo.bianchi@example.it ""`,
		}},
		"mailchimp_unsubscribed.csv": {rows: []string{
			`chiara.fontana@example.com "Chiara Fontana" unsubscribed 2020-02-02T10:00:00Z`,
			`info@ceramiche-sartori.example.it "Ceramiche Sartori" unsubscribed 2019-05-05T05:06:00Z`,
			`pietro.ferrari@example.it "Pietro Ferrari" unsubscribed`, // no UNSUB_TIME: still the unsubscribed file
		}},
		"mailchimp_cleaned.csv": {rows: []string{
			`vecchio.indirizzo@example.it "Mario Vecchi" bounced 2018-04-04T04:04:04Z`,
			`casella.piena@example.com "" bounced 2018-05-05T05:05:05Z`,
			`dominio.scaduto@example.org "Anna Scaduti" bounced`,
		}},
		"mailpoet.csv": {rows: []string{
			`anna.ferri@example.it "Anna Ferri" 2022-02-01T10:05:00Z`,
			`bruno.galli@example.it "Bruno Galli" unsubscribed 2021-06-01T09:00:00Z`,
			`carla.moretti@example.it "Carla Moretti" bounced 2021-07-01T09:30:00Z`,
			`dario.conti@example.it "Dario Conti" pending 2023-01-10T18:00:00Z`,
			`elena.ricci@example.it "Elena Ricci" pending 2020-01-01T08:01:00Z`,
		}},
		"listmonk.csv": {rows: []string{
			`giorgio.marino@example.it "Giorgio Marino" 2023-02-03T10:11:12.345678Z`,
			`ilaria.bruno@example.it "Ilaria Bruno" unsubscribed 2022-09-09T07:09:09Z`,
			`luca.romano@example.it "Luca Romano" pending 2021-12-01T08:00:00Z`,
			`martina.sala@example.it "Martina Sala" 2024-04-04T04:04:04.5Z`,
		}},
		"substack.csv": {rows: []string{
			`paola.greco@example.it "" 2024-01-15T10:00:00Z`,
			`stefano.lombardi@example.it "" 2023-06-01T08:30:00Z`,
			`valentina.costa@example.it "" unsubscribed 2022-03-03T03:03:03Z`,
		}},
		"ghost.csv": {rows: []string{
			`matteo.colombo@example.it "Matteo Colombo" 2023-04-01T12:00:00Z`,
			`sara.fontana@example.it "Sara Fontana" unsubscribed 2022-08-15T09:30:00Z`,
			`alessio.villa@example.it "Alessio Villa" 2021-01-20T07:45:00Z`,
			`beatrice.caruso@example.it "Beatrice Caruso" unsubscribed 2020-10-10T10:10:10Z`,
		}},
		"buttondown.csv": {rows: []string{
			`federica.rizzi@example.it "" 2023-05-05T10:00:00Z`,
			`tommaso.gallo@example.it "" 2023-05-06T11:00:00Z`,
			`chiara.leone@example.it "" unsubscribed 2023-05-07T12:00:00.123456Z`,
			`davide.serra@example.it "" pending 2023-05-08T13:00:00Z`,
			`bot123@example.com "" unsubscribed 2023-05-09T13:00:00Z`,
		}},
		"keila.csv": {rows: []string{
			`roberta.pellegrini@example.it "Roberta Pellegrini"`,
			`simone.marchetti@example.it "Simone Marchetti" unsubscribed`,
			`giada.barbieri@example.it "Giada Barbieri" bounced`,
		}},
		"italiano.csv": {rows: []string{
			`niccolo.barberi@example.it "Niccolò Bàrberi"`,
			`mg.damico@example.it "Maria Grazia D’Amico"`,
			`luca.bianchi@example.it "Luca Bianchi"`,
		}},
		"cp1252.csv": {rows: []string{
			`niccolo.barberi@example.it "Niccolò Bàrberi"`,
			`mg.damico@example.it "Maria Grazia D’Amico"`,
			`andrea.bianchi@example.it "Andrea Bianchi"`,
		}},
		"macroman.csv": {wantErr: "macroman.csv:2: " + notUTF8},
		"utf16le.csv": {rows: []string{
			`niccolo.barberi@example.it "Niccolò Bàrberi"`,
			`zoe.kovac@example.it "Zoë Kovač"`,
			`info@omega.example.com "Ωmega Ltd"`,
		}},
		"broken.csv": {
			rows: []string{
				`carla@example.it "Carla Verdi"`,
				`mario.rossi@example.it "Mario Rossi"`,
			},
			bad: []RowError{
				{3, `"not-an-address" is not an email address`},
				{4, `bare " in non-quoted-field`},
				{5, "no address"},
			},
		},
		"noaddress.csv": {wantErr: `noaddress.csv:1: no address column ("email", "Email Address", "E-mail", "Indirizzo email") in the header; its columns are "Nome", "Cognome", "Telefono"`},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "import", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, ok := tests[filepath.Base(f)]; !ok {
			t.Errorf("%s has no test case", f)
		}
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "import", name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, bad, err := readSubscribersCSV(f, name)
			checkImport(t, name, rows, bad, err, want)
		})
	}
}

// TestReadSubscribersCSVCases covers what is easier to read inline.
func TestReadSubscribersCSVCases(t *testing.T) {
	tests := []struct {
		name, in string
		want     importCase
	}{
		{"plain", "email,name\nanna@example.it,Anna\n", importCase{rows: []string{`anna@example.it "Anna"`}}},
		{"email address and first/last", "Email Address,First Name,Last Name\nanna@example.it,Anna,Neri\n",
			importCase{rows: []string{`anna@example.it "Anna Neri"`}}},
		{"name beats first and last", "email,name,first name,last name\nanna@example.it,Anna Maria Neri,Anna,Neri\n",
			importCase{rows: []string{`anna@example.it "Anna Maria Neri"`}}},
		{"domain lower-cased", "email\nAnna@EXAMPLE.IT\n", importCase{rows: []string{`Anna@example.it ""`}}},
		{"no header", "", importCase{wantErr: "x.csv: no header row: EOF"}},
		{"excel sep line", "sep=;\r\nE-mail;Nome e cognome\r\nanna@example.it;Anna Neri\r\nbad;Bad\r\n",
			importCase{rows: []string{`anna@example.it "Anna Neri"`}, bad: []RowError{{4, `"bad" is not an email address`}}}},
		{"semicolon wins", "Indirizzo email;Nome;Note\nanna@example.it;Anna;a, b, c\n",
			importCase{rows: []string{`anna@example.it "Anna"`}}},
		{"quoted delimiters do not count", "\"a;b;c\",email\nx,anna@example.it\n",
			importCase{rows: []string{`anna@example.it ""`}}},
		{"tab keeps empty fields", "Nome\tCognome\tE-mail\n\tNeri\tanna@example.it\n",
			importCase{rows: []string{`anna@example.it "Neri"`}}},
		{"headers without case accents or spaces", "  INDIRIZZO E-MAIL  ,  Nome E Cognome \nanna@example.it,Anna\n",
			importCase{rows: []string{`anna@example.it "Anna"`}}},
		{"bare CR lines", "email,name\ranna@example.it,Anna\rbruno@example.it,Bruno\r",
			importCase{rows: []string{`anna@example.it "Anna"`, `bruno@example.it "Bruno"`}}},
		{"display name as a fallback", "email,name\nAnna Neri <anna@example.it>,\n",
			importCase{rows: []string{`anna@example.it "Anna Neri"`}}},
		{"name cleaned", "email,name\nanna@example.it,\"Anna\n  Neri\t\u202e\ufeff\"\n",
			importCase{rows: []string{`anna@example.it "Anna Neri"`}}},
		{"quoted local part refused", "email\n\"\"\"a,b\"\"@example.it\"\n",
			importCase{rows: []string{}, bad: []RowError{{2, `"\"a,b\"@example.it" is not an email address: it has a local part with characters or dots an address cannot have unquoted`}}}},
		{"duplicates: last name, strictest status, first opt-in",
			"email,name,status,created_at\nanna@example.it,Anna,active,2022-01-01\nANNA@example.it,,unsubscribed,2021-01-01\nanna@example.it,Anna Neri,active,2023-01-01\n",
			importCase{rows: []string{`anna@example.it "Anna Neri" unsubscribed 2021-01-01T00:00:00Z`}}},
		{"unknown status is a bad row", "email,status\nanna@example.it,VIP\nbruno@example.it,subscribed\n",
			importCase{rows: []string{`bruno@example.it ""`}, bad: []RowError{{2, `column "status": unknown status "VIP"; the row is skipped rather than risk mailing it`}}}},
		{"unknown status of a known tool", "Email,First name,Last name,Data,Status\nanna@example.it,Anna,,,paused2\n",
			importCase{rows: []string{}, bad: []RowError{{2, `column "Status" of the Keila export: unknown status "paused2"; the row is skipped rather than risk mailing it`}}}},
		{"Italian words", "E-mail;Stato globale;Data iscrizione\nanna@example.it;Disiscritto;15/01/2023 10:20\nbruno@example.it;In attesa;2/3/2022\n",
			importCase{rows: []string{`anna@example.it "" unsubscribed 2023-01-15T10:20:00Z`, `bruno@example.it "" pending 2022-03-02T00:00:00Z`}}},
		{"Excel booleans", "email;subscribed_to_emails;created_at\nanna@example.it;VERO;\nbruno@example.it;FALSO;\ncarla@example.it;forse;\n",
			importCase{rows: []string{`anna@example.it ""`, `bruno@example.it "" unsubscribed`},
				bad: []RowError{{4, `column "subscribed_to_emails" of the Ghost export: "forse" is neither true nor false`}}}},
		{"an unreadable opt-in time is no opt-in time", "email,created_at\nanna@example.it,ieri\nbruno@example.it,0001-01-01 00:00:00 +0000 UTC\n",
			importCase{rows: []string{`anna@example.it ""`, `bruno@example.it ""`}}},
		{"generic unsubscribed_at", "email,unsubscribed_at\nanna@example.it,\nbruno@example.it,2024-01-01\n",
			importCase{rows: []string{`anna@example.it ""`, `bruno@example.it "" unsubscribed`}}},
		{"blank rows skipped", "email,name\n,\n , \nanna@example.it,Anna\n",
			importCase{rows: []string{`anna@example.it "Anna"`}}},
		{"UTF-8 BOM", "\ufeffemail,name\nanna@example.it,Niccolò\n", importCase{rows: []string{`anna@example.it "Niccolò"`}}},
		{"UTF-8 BOM then not UTF-8", "\ufeffemail,name\nanna@example.it,Niccol\xf2\n", importCase{wantErr: "x.csv:2: not UTF-8 text, though it starts like UTF-8; save it as \"CSV UTF-8\" and import again"}},
		{"mixed UTF-8 and cp1252", "email,name\nanna@example.it,Niccolò\nbruno@example.it,B\xe0rberi\n", importCase{wantErr: "x.csv:3: " + notUTF8}},
		{"cp1252 all capitals", "email;name\r\nanna@example.it;NICCOL\xd2 B\xc0RBERI\r\n", importCase{rows: []string{`anna@example.it "NICCOLÒ BÀRBERI"`}}},
		{"cp1252 with C1 byte", "email;name\r\nanna@example.it;Niccol\xf2\x81\r\n", importCase{wantErr: "x.csv:2: " + notUTF8}},
		{"UTF-16BE", "\xfe\xff\x00e\x00m\x00a\x00i\x00l\x00\n\x00a\x00@\x00b\x00.\x00i\x00t\x00\n", importCase{rows: []string{`a@b.it ""`}}},
		{"UTF-16 lone surrogate", "\xff\xfee\x00m\x00a\x00i\x00l\x00\n\x00\x00\xd8a\x00\n\x00", importCase{wantErr: "x.csv:2: not UTF-16 text, though it starts like UTF-16; save it as \"CSV UTF-8\" and import again"}},
		{"UTF-16 without BOM", "e\x00m\x00a\x00i\x00l\x00\n\x00", importCase{wantErr: "x.csv:1: NUL bytes: not CSV text (UTF-16 without a byte-order mark?); save it as \"CSV UTF-8\" and import again"}},
		{"xlsx", "PK\x03\x04\x14\x00\x06\x00", importCase{wantErr: "x.csv: a ZIP archive (an Excel .xlsx or OpenDocument workbook?), not CSV text; save it as \"CSV UTF-8\" and import again"}},
		{"xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", importCase{wantErr: "x.csv: an Excel .xls workbook, not CSV text; save it as \"CSV UTF-8\" and import again"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, bad, err := readSubscribersCSV(strings.NewReader(tt.in), "x.csv")
			checkImport(t, tt.name, rows, bad, err, tt.want)
		})
	}
}

func TestPlausibleCP1252(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Niccol\xf2 B\xe0rberi", true},
		{"D\x92Angelo, L\x92Aquila", true},
		{"NICCOL\xd2 B\xc0RBERI", true},
		{"\xc8 pi\xf9 bello, perch\xe9", true},
		{"\xabBottega\xbb \x96 10\x80, n\xb0 5", true},
		{"Niccol\x98 B\x88rberi", false}, // Mac Roman
		{"D\xd5Angelo", false},           // Mac Roman ’
		{"Luned\x93", false},             // Mac Roman ì
		{"Piet\x85", false},              // DOS à
		{"NICCOL\xf2", false},
		{"Niccol\xc3\xb2 B\xe0rberi", false}, // part UTF-8
		{"Ma\x8Arco", false},                 // Š
		{"x\x81y", false},                    // undefined
	}
	for _, tt := range tests {
		if got := plausibleCP1252([]byte(tt.in)); got != tt.want {
			t.Errorf("plausibleCP1252(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

// TestImportSubscribersStatuses checks, against a real store, that what an
// export says about an address survives the import: nobody who was not
// mailed before is mailed now.
func TestImportSubscribersStatuses(t *testing.T) {
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "venerdi.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 3, 6, 9, 0, 0, 0, time.UTC)
	f, err := os.Open(filepath.Join("testdata", "import", "mailpoet.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, bad, err := readSubscribersCSV(f, "mailpoet.csv")
	if err != nil || len(bad) > 0 {
		t.Fatalf("readSubscribersCSV(mailpoet.csv) = %v, %v", bad, err)
	}
	if _, err := st.ImportSubscribers(ctx, rows, "import mailpoet.csv", now); err != nil {
		t.Fatalf("ImportSubscribers = %v", err)
	}
	got := map[string]store.SubscriberStatus{}
	if err := st.EachSubscriber(ctx, nil, func(s store.Subscriber) error {
		got[s.Email] = s.Status
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := map[string]store.SubscriberStatus{
		"anna.ferri@example.it":    store.Active,
		"bruno.galli@example.it":   store.Unsubscribed,
		"carla.moretti@example.it": store.Bounced,
		"dario.conti@example.it":   store.Pending,
		"elena.ricci@example.it":   store.Pending,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("statuses after importing mailpoet.csv = %v; want %v", got, want)
	}
}
