package app

import (
	"context"

	"cocreate/internal/store"
)

// replayed answers a retried transition whose effect already happened: the
// note's history holds the event by u, made by this very keyed request (its
// first answer was lost to a crash, a client that gave up, or a store that
// could not keep the answer). It returns the note as it is now, so the retry
// gets the success the first attempt had, not a refusal because the note
// moved on.
func (a *App) replayed(ctx context.Context, u *store.User, id string, tr Transition) (*store.Note, bool) {
	if store.RequestOf(ctx) == "" {
		return nil, false
	}
	n, err := a.Store.NoteByID(ctx, id)
	if err != nil || !store.MadeBy(ctx, n, string(tr.Event), u.ID) {
		return nil, false
	}
	return n, true
}
