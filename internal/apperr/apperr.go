// Package apperr holds the errors a user must hear about, shared by the
// store, the domain packages and the web layer, which maps them to statuses.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

var (
	// ErrNotFound means no such object, or one the caller may not know exists.
	ErrNotFound = errors.New("not found")
	// ErrForbidden means the caller's role or ownership does not allow the action.
	ErrForbidden = errors.New("you are not allowed to do that")
	// ErrDuplicate means a unique value (such as an e-mail address) is taken.
	ErrDuplicate = errors.New("already exists")
	// ErrStaleVersion means the object changed since the caller read it.
	ErrStaleVersion = errors.New("this was changed by someone else since you opened it; reload to see the latest version")
	// ErrUnavailable means the database cannot be reached.
	ErrUnavailable = errors.New("the service is temporarily unavailable; try again in a moment")
	// ErrNoSpace means the database refused a write because its disk (or
	// its file's size limit) is full; nothing of the write was stored. The
	// store wraps it together with ErrUnavailable, so code that only knows
	// "unavailable" still treats it as such.
	ErrNoSpace = errors.New("the database has no space left to save")
	// ErrUnauthenticated means no valid session or token.
	ErrUnauthenticated = errors.New("sign in to continue")
)

// Fields is a validation failure: field key → a message saying how to fix it.
type Fields map[string]string

// Error lists the messages in key order.
func (f Fields) Error() string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + f[k]
	}
	return "validation failed: " + strings.Join(parts, "; ")
}

// Invalid is a validation failure with a message and optional fields.
type Invalid struct {
	Message string
	Fields  map[string]string
}

func (e *Invalid) Error() string { return e.Message }

// Invalidf builds an Invalid with no fields.
func Invalidf(format string, a ...any) error { return &Invalid{Message: fmt.Sprintf(format, a...)} }

// BadRequest is a malformed request (bad JSON, wrong type, unknown value).
type BadRequest struct{ Message string }

func (e *BadRequest) Error() string { return e.Message }

// Conflict is a 409 with a specific code and message (e.g. invalid_transition).
type Conflict struct {
	Code    string
	Message string
	Extra   map[string]any
}

func (e *Conflict) Error() string { return e.Message }

// Safe is an error whose message is written for the person who caused it.
// Its Error text may be wrapped with context for the log
// (fmt.Errorf("submit note %s: %w", id, err)); SafeMessage finds the
// sentence meant for people inside such a chain.
type Safe interface {
	error
	SafeMessage() string
}

// SafeMessage returns the message for people of the first Safe error in
// err's chain, and whether there is one.
func SafeMessage(err error) (string, bool) {
	var s Safe
	if errors.As(err, &s) {
		return s.SafeMessage(), true
	}
	return "", false
}

// Said is an error of a kind (a sentinel such as ErrForbidden, which
// decides the status) with a sentence for people.
type Said struct {
	Kind error
	Text string
}

func (e *Said) Error() string { return e.Text }

// SafeMessage is the sentence for people.
func (e *Said) SafeMessage() string { return e.Text }

// Unwrap makes the error match its kind.
func (e *Said) Unwrap() error { return e.Kind }

// Say builds a Said error of kind with a formatted sentence.
func Say(kind error, format string, a ...any) error {
	return &Said{Kind: kind, Text: fmt.Sprintf(format, a...)}
}
