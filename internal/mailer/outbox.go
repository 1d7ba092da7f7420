package mailer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// Outbox is a transport that writes each message to a directory as an .eml
// file instead of sending it: for previews, tests, and handing mail to
// another program. It is safe for concurrent use.
type Outbox struct {
	dir string
	// last is the newest timestamp handed out; names use max(now, last+1)
	// so they are unique within the process and sort in sending order even
	// when the clock is coarse or steps back.
	last atomic.Int64
}

// maxNameRecipient caps the recipient part of a file name, well under the
// usual 255-byte name limit.
const maxNameRecipient = 100

// NewOutbox returns an Outbox writing into dir, creating it if needed.
func NewOutbox(dir string) (*Outbox, error) {
	if dir == "" {
		return nil, errors.New("outbox: no directory")
	}
	// Owner-only: every message names a subscriber.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("outbox %s: not a directory", dir)
	}
	removeStaleTemps(dir, time.Now())
	return &Outbox{dir: dir}, nil
}

// tempPattern names the files a message is written to before its rename.
// It does not end in ".eml", so a program picking up "*.eml" never takes a
// copy that a killed run left half-written (or whole but unrecorded).
const tempPattern = ".venerdi-tmp-*"

// staleTemp is how old a temporary file must be before a later outbox
// removes it: older than any write in progress could be.
const staleTemp = 10 * time.Minute

// removeStaleTemps deletes what a killed run left behind.
func removeStaleTemps(dir string, now time.Time) {
	names, _ := filepath.Glob(filepath.Join(dir, tempPattern))
	for _, name := range names {
		if fi, err := os.Lstat(name); err == nil && fi.Mode().IsRegular() && now.Sub(fi.ModTime()) > staleTemp {
			os.Remove(name)
		}
	}
}

// Dir returns the directory the outbox writes to.
func (o *Outbox) Dir() string { return o.dir }

// Send writes raw to "<unix-nanos>-<recipient>.eml" in the outbox directory.
// The file appears atomically (written to a hidden temporary file, synced,
// then renamed), so a reader never sees a partial message. The recipient is
// sanitised for the name and cannot leave the directory.
func (o *Outbox) Send(ctx context.Context, env Envelope, raw []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !validAddrSpec(env.To) {
		return &addressError{field: "to", value: env.To}
	}
	name := fmt.Sprintf("%019d-%s.eml", o.next(), fileSafe(env.To))
	tmp, err := os.CreateTemp(o.dir, tempPattern)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	// Until the rename succeeds the temporary file is ours to remove.
	if err := writeAndClose(tmp, raw); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("outbox write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(o.dir, name)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

func writeAndClose(f *os.File, data []byte) error {
	// CreateTemp makes 0600 files, and so they stay: a message holds a
	// subscriber's address and personal unsubscribe link.
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close does nothing; it exists so Outbox and Conn can be used alike.
func (o *Outbox) Close() error { return nil }

// next returns a strictly increasing Unix nanosecond timestamp.
func (o *Outbox) next() int64 {
	for {
		now := time.Now().UnixNano()
		last := o.last.Load()
		if now <= last {
			now = last + 1
		}
		if o.last.CompareAndSwap(last, now) {
			return now
		}
	}
}

// fileSafe maps an address to a file name fragment: letters, digits and
// ".@+_-" stay, everything else (path separators included) becomes '_'.
func fileSafe(addr string) string {
	if len(addr) > maxNameRecipient {
		addr = addr[:maxNameRecipient]
	}
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
			return r
		case strings.ContainsRune(".@+_-", r):
			return r
		}
		return '_'
	}, addr)
}
