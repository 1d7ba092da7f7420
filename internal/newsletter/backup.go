package newsletter

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrBackupExists is returned by Backup when the destination exists and
// overwriting was not asked for.
var ErrBackupExists = errors.New("already exists")

// Backup writes a consistent copy of the live database to dest: the
// database as of one moment, while serve answers and a send records its
// ledger (SQLite's VACUUM INTO, one read transaction). The copy is
// owner-only (0600) from its first byte, since it holds the list and the
// signing secret, and appears at dest whole or not at all. An existing dest
// is refused with ErrBackupExists unless overwrite; the live database
// itself is refused always. It returns the copy's size.
func (n *Newsletter) Backup(ctx context.Context, dest string, overwrite bool) (int64, error) {
	live, err := os.Stat(n.st.Path())
	if err != nil {
		return 0, err
	}
	switch fi, err := os.Stat(dest); {
	case err == nil && (os.SameFile(fi, live) || sameFile(dest, n.st.Path()+"-wal")):
		return 0, fmt.Errorf("%s is the live database: back it up to another file", dest)
	case err == nil && fi.IsDir():
		return 0, fmt.Errorf("%s is a directory: name the backup file", dest)
	case err == nil && !overwrite:
		return 0, fmt.Errorf("%s %w; pass --force to replace it", dest, ErrBackupExists)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return 0, err
	}
	// Written beside dest and then moved, so a failure or a crash halfway
	// never leaves a truncated backup under the real name.
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*.tmp") // 0600
	if err != nil {
		return 0, err
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name) // gone after the move; cleans up after a failure
	if err := n.st.Backup(ctx, name); err != nil {
		return 0, err
	}
	if err := syncFile(name); err != nil {
		return 0, err
	}
	fi, err := os.Stat(name)
	if err != nil {
		return 0, err
	}
	if overwrite {
		err = os.Rename(name, dest)
	} else if err = os.Link(name, dest); errors.Is(err, fs.ErrExist) {
		// Created by someone else while we copied.
		return 0, fmt.Errorf("%s %w; pass --force to replace it", dest, ErrBackupExists)
	} else if err != nil {
		// A file system without hard links: the check above stands in.
		err = os.Rename(name, dest)
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), syncDir(filepath.Dir(dest))
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes the new name durable; a directory that cannot be synced
// (some file systems) is not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	d.Sync()
	return d.Close()
}
