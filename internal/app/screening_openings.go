package app

import (
	"context"
	"slices"
	"sync"
	"time"

	"cocreate/internal/store"
)

// OpenedWindow is how long an opened screening form counts as open: the
// queue names whoever opened a note within it.
const OpenedWindow = 30 * time.Minute

// Recording an opening is one upsert by _id on the main database, which
// the embedded engine serialises with every other write there. So that
// opening a form never queues behind a long write, the write waits for the
// lock at most openingWait and is skipped otherwise; and a member's repeated
// openings of one note within openingEvery are not written again (the
// queue shows the first opening of the window, which is still inside it).
const (
	openingWait  = 250 * time.Millisecond
	openingEvery = 5 * time.Minute
)

// openingsSeen is when this process last recorded each member's opening of each note.
type openingsSeen struct {
	mu sync.Mutex
	at map[string]time.Time // note id "/" user id → time recorded
}

// Opener is a committee member who opened a note's screening form recently.
type Opener struct {
	UserID, Name string
	At           time.Time
}

// RecordScreenOpening notes that u opened the screening form of n now. It
// is best effort: a failure is logged and the page goes on.
func (a *App) RecordScreenOpening(ctx context.Context, u *store.User, n *store.Note) {
	now := a.Now()
	key := n.ID + "/" + u.ID
	a.opened.mu.Lock()
	if last, ok := a.opened.at[key]; ok && now.Sub(last) < openingEvery && !now.Before(last) {
		a.opened.mu.Unlock()
		return
	}
	a.opened.mu.Unlock()
	wctx, cancel := context.WithTimeout(ctx, openingWait)
	defer cancel()
	if err := a.Store.RecordOpening(wctx, n.CallID, n.ID, u.ID, now); err != nil {
		a.Log.Info("screening opening not recorded", "note", n.ID, "err", err)
		return
	}
	a.opened.mu.Lock()
	a.opened.at[key] = now
	a.opened.mu.Unlock()
}

// recentOpeners returns, by note id, who opened the call's screening forms
// within OpenedWindow before now, most recent first.
func (a *App) recentOpeners(ctx context.Context, callID string) (map[string][]Opener, error) {
	now := a.Now()
	open, err := a.Store.OpeningsSince(ctx, callID, now.Add(-OpenedWindow))
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, list := range open {
		for _, o := range list {
			if !slices.Contains(ids, o.UserID) {
				ids = append(ids, o.UserID)
			}
		}
	}
	users, err := a.Store.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]Opener, len(open))
	for noteID, list := range open {
		for _, o := range list {
			if o.At.After(now) {
				continue // a clock moved back: not an opening of the last half hour
			}
			name := "A committee member"
			if u := users[o.UserID]; u != nil {
				name = u.Name
			}
			out[noteID] = append(out[noteID], Opener{UserID: o.UserID, Name: name, At: o.At})
		}
		slices.SortFunc(out[noteID], func(x, y Opener) int { return y.At.Compare(x.At) })
	}
	return out, nil
}

// OthersOpening returns the other committee members who opened n's
// screening form within OpenedWindow, most recent first, for the form to
// warn that someone else may be screening it.
func (a *App) OthersOpening(ctx context.Context, u *store.User, n *store.Note) ([]Opener, error) {
	all, err := a.recentOpeners(ctx, n.CallID)
	if err != nil {
		return nil, err
	}
	var out []Opener
	for _, o := range all[n.ID] {
		if o.UserID != u.ID {
			out = append(out, o)
		}
	}
	return out, nil
}
