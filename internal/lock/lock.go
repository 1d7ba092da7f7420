// Package lock makes sure only one venerdi run works on a database at a
// time, whatever path reaches it. It holds an exclusive flock on the
// database file itself, so a second run that opens the same file through a
// symlink, a bind mount or another relative path is refused just the same,
// and deleting a lock file cannot let two runs in. The kernel releases the
// flock when the holder dies, however it dies, so a stale lock is taken over
// without any guessing about PIDs.
//
// Beside the database, "<db>.lock" records who holds the lock, so a refused
// run can name the holder. It is information only: the lock is the flock.
package lock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// HeldError is returned when another live run holds the lock.
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
	return fmt.Sprintf("%s is already running on this database (%s)", who, e.Path)
}

// Lock is a held lock.
type Lock struct {
	h    *handle
	info string
	// TookOver is true when the holder file named a run that has since
	// died without releasing the lock.
	TookOver bool
}

// handle is this process's one descriptor of a database file. It is never
// closed: closing any descriptor of a file drops every POSIX lock the
// process holds on it, SQLite's own included (the well-known fcntl
// pitfall), so the flock is released with LOCK_UN instead.
type handle struct {
	f    *os.File
	held bool // by a run in this process; flock does not exclude ourselves
}

var (
	mu      sync.Mutex
	handles = map[fileID]*handle{}
)

type fileID struct{ dev, ino uint64 }

// Acquire takes the lock of the database at dbPath without waiting. The
// database file must exist.
func Acquire(dbPath, command string, now time.Time) (*Lock, error) {
	real, err := filepath.EvalSymlinks(dbPath)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dbPath, err)
	}
	info := real + ".lock"
	mu.Lock()
	defer mu.Unlock()
	h, err := handleOf(real)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dbPath, err)
	}
	if h.held {
		return nil, readHolder(info)
	}
	if err := syscall.Flock(int(h.f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, readHolder(info)
		}
		return nil, fmt.Errorf("lock %s: %w", dbPath, err)
	}
	h.held = true
	l := &Lock{h: h, info: info, TookOver: readHolder(info).PID > 0}
	writeHolder(info, fmt.Sprintf("%d %d %s\n", os.Getpid(), now.Unix(), command))
	return l, nil
}

// handleOf returns the process's descriptor of the file at path, opening
// it the first time. A cached descriptor of a file since deleted (whose
// inode number a new file may reuse) is replaced.
func handleOf(path string) (*handle, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, errors.New("no file identity on this system")
	}
	id := fileID{uint64(st.Dev), uint64(st.Ino)}
	if h := handles[id]; h != nil {
		var cur syscall.Stat_t
		if err := syscall.Fstat(int(h.f.Fd()), &cur); err == nil && cur.Nlink > 0 {
			return h, nil
		}
		if !h.held {
			h.f.Close() // the file is gone; no SQLite lock can be on it
		}
		delete(handles, id)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	h := &handle{f: f}
	handles[id] = h
	return h, nil
}

// Release clears the holder line and drops the lock.
func (l *Lock) Release() error {
	if l == nil || l.h == nil {
		return nil
	}
	mu.Lock()
	defer mu.Unlock()
	writeHolder(l.info, "")
	err := syscall.Flock(int(l.h.f.Fd()), syscall.LOCK_UN)
	l.h.held = false
	l.h = nil
	return err
}

// writeHolder replaces the holder file's content; owner-only whatever the
// umask, as it sits beside the list. Best effort: it only names the holder.
func writeHolder(path, line string) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	f.Chmod(0o600)
	f.Truncate(0)
	f.WriteAt([]byte(line), 0)
	f.Sync()
}

func readHolder(path string) *HeldError {
	h := &HeldError{Path: path}
	b, _ := os.ReadFile(path)
	fields := strings.Fields(string(b))
	if len(fields) >= 3 {
		h.PID, _ = strconv.Atoi(fields[0])
		if sec, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
			h.Started = time.Unix(sec, 0)
		}
		h.Command = fields[2]
	}
	return h
}
