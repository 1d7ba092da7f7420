package store

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// ErrIssueExists is returned by CreateIssue when the week already has one.
var ErrIssueExists = errors.New("an issue for this week already exists")

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}
