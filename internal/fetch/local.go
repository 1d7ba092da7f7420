package fetch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// readLocal reads a file with the same size cap as a download. Files have
// no validators: reading one is cheap, so it is simply read every time.
func readLocal(ctx context.Context, src, path string, opts Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", src, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", src, plainPathError(err))
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil {
		if info.IsDir() {
			return nil, fmt.Errorf("fetch %s: is a directory, not a file", src)
		}
		if info.Size() > opts.MaxBytes {
			return nil, tooLarge(src, opts.MaxBytes)
		}
	}
	body, err := readCapped(f, opts.MaxBytes)
	if errors.Is(err, ErrTooLarge) {
		return nil, tooLarge(src, opts.MaxBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", src, plainPathError(err))
	}
	return &Result{Body: body, FinalURL: src}, nil
}

// plainPathError drops the *fs.PathError wrapper, whose text repeats the
// path the caller already names ("open /x: no such file or directory"),
// keeping the underlying error so errors.Is(err, fs.ErrNotExist) still works.
func plainPathError(err error) error {
	var perr *fs.PathError
	if errors.As(err, &perr) {
		if errors.Is(perr.Err, fs.ErrNotExist) {
			return &friendlyError{"no such file", perr.Err}
		}
		if errors.Is(perr.Err, fs.ErrPermission) {
			return &friendlyError{"permission denied", perr.Err}
		}
		return perr.Err
	}
	return err
}
