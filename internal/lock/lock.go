// Package lock makes sure only one venerdi run works on a database at a
// time. It holds an exclusive flock on "<db>.lock": the kernel releases it
// when the holder dies, however it dies, so a stale lock is taken over
// without any guessing about PIDs. The file also records who holds it, so a
// refused run can name the holder.
package lock

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// HeldError is returned when another live process holds the lock.
type HeldError struct {
	Path    string
	PID     int
	Started time.Time
	Command string
}

func (e *HeldError) Error() string {
	who := "another venerdi run"
	if e.PID > 0 {
		who = fmt.Sprintf("venerdi %s (PID %d, started %s)", e.Command, e.PID, e.Started.Local().Format(time.RFC3339))
	}
	return fmt.Sprintf("%s is already running on this database (lock %s)", who, e.Path)
}

// Lock is a held lock.
type Lock struct {
	f    *os.File
	path string
	// TookOver is true when the file named a holder that has since died.
	TookOver bool
}

// Acquire takes the lock at path without waiting.
func Acquire(path, command string, now time.Time) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		held := readHolder(f, path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, held
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	prev := readHolder(f, path)
	l := &Lock{f: f, path: path, TookOver: prev.PID > 0}
	f.Truncate(0)
	fmt.Fprintf(f, "%d %d %s\n", os.Getpid(), now.Unix(), command)
	f.Sync()
	return l, nil
}

// Release clears the holder line and drops the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := l.f.Close() // closing the descriptor releases the flock
	l.f = nil
	return err
}

func readHolder(f *os.File, path string) *HeldError {
	h := &HeldError{Path: path}
	b := make([]byte, 256)
	n, _ := f.ReadAt(b, 0)
	fields := strings.Fields(string(b[:n]))
	if len(fields) >= 3 {
		h.PID, _ = strconv.Atoi(fields[0])
		if sec, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
			h.Started = time.Unix(sec, 0)
		}
		h.Command = fields[2]
	}
	return h
}
