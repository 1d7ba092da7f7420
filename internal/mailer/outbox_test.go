package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestOutboxSend(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox", "nested")
	o, err := NewOutbox(dir)
	if err != nil {
		t.Fatalf("NewOutbox: %v", err)
	}
	defer o.Close()

	recipients := []string{"c@example.com", "a@example.com", "b@example.com"}
	var raws [][]byte
	for _, to := range recipients {
		raw, err := testMessage(to).Bytes(nil)
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, raw)
		if err := o.Send(context.Background(), Envelope{From: "bounce@bottega.example.it", To: to}, raw); err != nil {
			t.Fatalf("Send(%s) = %v", to, err)
		}
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != len(recipients) {
		t.Fatalf("outbox holds %v; want %d .eml files and nothing else", names, len(recipients))
	}
	// ReadDir sorts by name: the sending order must survive.
	for i, name := range names {
		if !strings.HasSuffix(name, "-"+recipients[i]+".eml") {
			t.Errorf("file %d = %s; want …-%s.eml", i, name, recipients[i])
		}
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, raws[i]) {
			t.Errorf("%s differs from the message sent", name)
		}
		fi, _ := os.Stat(filepath.Join(dir, name))
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v; want 0600 (it names a subscriber)", name, fi.Mode().Perm())
		}
	}
}

func TestOutboxConcurrentNamesNeverCollide(t *testing.T) {
	dir := t.TempDir()
	o, err := NewOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			// Same recipient everywhere: only the timestamp can keep names apart.
			errs <- o.Send(context.Background(), Envelope{To: "same@example.com"}, fmt.Appendf(nil, "message %d\r\n", i))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != n {
		t.Fatalf("%d files; want %d", len(entries), n)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if seen[string(b)] {
			t.Errorf("content %q written twice", b)
		}
		seen[string(b)] = true
	}
}

func TestOutboxRecipientCannotEscape(t *testing.T) {
	tests := []struct {
		to       string
		wantName string // suffix of the file name; "" when Send must refuse
	}{
		{"mario.rossi+news@example.com", "-mario.rossi+news@example.com.eml"},
		{"o'brien@example.com", "-o_brien@example.com.eml"},
		{"a/b@example.com", "-a_b@example.com.eml"},
		{"a/.x/passwd@example.com", "-a_.x_passwd@example.com.eml"},
		{"../../etc/passwd@example.com", ""}, // not a dot-atom: refused before naming
		{"x@[127.0.0.1]", "-x@_127.0.0.1_.eml"},
		{`..\..\x@example.com`, ""},
		{"../../../etc/passwd", ""},
		{"", ""},
		{"a@example.com\r\nBcc: x@y", ""},
	}
	for _, tt := range tests {
		t.Run(tt.to, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "out")
			o, err := NewOutbox(dir)
			if err != nil {
				t.Fatal(err)
			}
			err = o.Send(context.Background(), Envelope{To: tt.to}, []byte("x\r\n"))
			if tt.wantName == "" {
				if !errors.Is(err, ErrInvalidAddress) {
					t.Errorf("Send(%q) = %v; want ErrInvalidAddress", tt.to, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send(%q) = %v", tt.to, err)
			}
			// Whatever was written is directly inside dir, nowhere else.
			var files []string
			filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					files = append(files, path)
				}
				return nil
			})
			if len(files) != 1 || filepath.Dir(files[0]) != dir || !strings.HasSuffix(files[0], tt.wantName) {
				t.Errorf("files = %v; want one %s in %s", files, tt.wantName, dir)
			}
		})
	}
}

func TestOutboxLongRecipientName(t *testing.T) {
	dir := t.TempDir()
	o, _ := NewOutbox(dir)
	to := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + ".example"
	if err := o.Send(context.Background(), Envelope{To: to}, []byte("x\r\n")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || len(entries[0].Name()) > 19+1+maxNameRecipient+4 {
		t.Errorf("entries = %v; want one name of at most %d bytes", entries, 19+1+maxNameRecipient+4)
	}
}

func TestOutboxErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"", file, filepath.Join(file, "sub")} {
		if _, err := NewOutbox(dir); err == nil {
			t.Errorf("NewOutbox(%q) = nil error", dir)
		}
	}

	o, _ := NewOutbox(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.Send(ctx, Envelope{To: "a@example.com"}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Send(cancelled ctx) = %v; want context.Canceled", err)
	}

	// A directory that vanished under the outbox: Send reports it.
	gone := filepath.Join(t.TempDir(), "gone")
	o, _ = NewOutbox(gone)
	os.Remove(gone)
	if err := o.Send(context.Background(), Envelope{To: "a@example.com"}, []byte("x")); err == nil {
		t.Error("Send into a removed directory = nil error")
	}
}

func TestFileSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"mario@example.com", "mario@example.com"},
		{"a/b", "a_b"},
		{`a\b`, "a_b"},
		{"a\x00b", "a_b"},
		{"é@x", "_@x"},
		{"a b:c", "a_b_c"},
		{strings.Repeat("x", 150), strings.Repeat("x", maxNameRecipient)},
	}
	for _, tt := range tests {
		if got := fileSafe(tt.in); got != tt.want {
			t.Errorf("fileSafe(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
