package store

import (
	"context"
	"errors"

	"cocreate/internal/apperr"
)

// A retried request (same caller, route, key and body) must answer as the
// first attempt would have, also when the first attempt's answer was lost:
// the process stopped, the client gave up, or the answer could not be
// stored. So what a keyed request changes carries the request's digest
// (a hash of its idempotency record's id and fingerprint), and a retry finds
// its own effect in the data:
//   - every note history entry the request appends names it (Request), so a
//     change refused because the note moved on is recognised as this
//     request's own (MadeBy);
//   - a draft it creates takes the digest as its id, so a second insert
//     meets the first draft instead of making another (CreateNote).

type requestKey struct{}

// WithRequest marks ctx as answering the keyed request with digest d
// (24 hexadecimal digits).
func WithRequest(ctx context.Context, d string) context.Context {
	return context.WithValue(ctx, requestKey{}, d)
}

// RequestOf is the digest of the keyed request ctx answers, or "".
func RequestOf(ctx context.Context) string {
	d, _ := ctx.Value(requestKey{}).(string)
	return d
}

// MadeBy reports whether n's history holds event by user by, made by the
// keyed request ctx answers: a retry whose effect already happened.
func MadeBy(ctx context.Context, n *Note, event, by string) bool {
	d := RequestOf(ctx)
	if d == "" {
		return false
	}
	for _, h := range n.History {
		if h.Request == d && h.Event == event && h.By == by {
			return true
		}
	}
	return false
}

// newNoteID is the id of a note created under ctx: the request's digest
// for a keyed request, so that its retry cannot make a second draft, or a
// new object id. A request creates at most one note (a draft); one that
// made several would need an id per note.
func newNoteID(ctx context.Context) string {
	if d := RequestOf(ctx); d != "" {
		return d
	}
	return NewID()
}

// sameDraft settles an insert of n that failed with err: when it met a note
// with the same id made by the same owner in the same call (the first
// attempt of this keyed request), n becomes that note and the answer is
// success; otherwise err stands.
func (s *Store) sameDraft(ctx context.Context, n *Note, err error) bool {
	if !errors.Is(err, apperr.ErrDuplicate) || RequestOf(ctx) != n.ID {
		return false
	}
	cur, gerr := s.NoteByID(context.WithoutCancel(ctx), n.ID)
	if gerr != nil || cur.Owner != n.Owner || cur.CallID != n.CallID {
		return false
	}
	*n = *cur
	return true
}
