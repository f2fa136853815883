package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"cocreate/internal/export"
	"cocreate/internal/store"
)

// The shortlist's material is kept per call between downloads, the way the
// dashboard keeps its table. On the embedded engine reading a call's notes
// and reviews is a scan that decodes every document, seconds for a call of
// a few thousand notes (docs/performance.md, Exports), which a download
// cannot afford every time. So the first download
// reads them all once, and later ones re-read only the notes the store's
// change log names (store.ChangesSince), with their reviews, by _id. Every
// change of a note moves the log, and so does every save of a submitted
// review (SaveReview bumps it even when the note's figures stay the same,
// as when only a comment is revised). On MongoDB the log cannot tell, and
// every download reads the call again. What is kept is a compact copy of
// each note's row and of its counted reviews, not the notes; submitters and
// reviewer names are looked up at each download, so an account's change
// shows at once.

// slNote is one note's shortlist material.
type slNote struct {
	row     export.Row // without rank and submitter
	owner   string
	reviews []slReview // the submitted reviews that count, as stored
}

// slReview is a counted review.
type slReview struct {
	reviewer, sector string
	scores           map[string]int
	comment          string
	submittedAt      time.Time
}

// slCall is one call's kept material.
type slCall struct {
	mu      sync.Mutex // one refresh at a time
	built   bool
	cursor  int64 // the change-log position the notes are at
	version int   // the call's version they were read under
	notes   map[string]*slNote
}

var slCaches sync.Map // *App → *sync.Map of call id → *slCall

func (a *App) slCall(callID string) *slCall {
	m, _ := slCaches.LoadOrStore(a, &sync.Map{})
	c, _ := m.(*sync.Map).LoadOrStore(callID, &slCall{})
	return c.(*slCall)
}

// shortlistNotes returns the material of every submitted note of c, read
// whole the first time and patched from the change log afterwards.
func (a *App) shortlistNotes(ctx context.Context, c *store.Call) ([]*slNote, error) {
	sc := a.slCall(c.ID)
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.built && sc.version == c.Version {
		if ids, now, ok := a.Store.ChangesSince(c.ID, sc.cursor); ok {
			for _, id := range ids {
				n, err := a.Store.NoteByID(ctx, id)
				if store.IsNotFound(err) {
					delete(sc.notes, id)
					continue
				}
				if err != nil {
					return nil, err
				}
				e := slNoteOf(n)
				if e == nil {
					delete(sc.notes, id)
					continue
				}
				rs, err := a.Store.ReviewsOf(ctx, n.ID, countedReviewers(n))
				if err != nil {
					return nil, err
				}
				for _, r := range rs {
					e.add(r)
				}
				sc.notes[id] = e
			}
			sc.cursor = now
			return snapshot(sc.notes), nil
		}
	}
	// Take the position before reading, so a change made during the scan is
	// applied again next time (reading a note twice is harmless).
	_, cursor, _ := a.Store.ChangesSince(c.ID, 0)
	notes := map[string]*slNote{}
	counted := map[string]map[string]bool{}
	err := a.Store.StreamNotes(ctx, c.ID, func(n *store.Note) error {
		if e := slNoteOf(n); e != nil {
			notes[n.ID] = e
			set := map[string]bool{}
			for _, id := range countedReviewers(n) {
				set[id] = true
			}
			counted[n.ID] = set
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the notes of %s: %w", c.Slug, err)
	}
	err = a.Store.StreamSubmittedReviews(ctx, c.ID, func(r *store.Review) error {
		if counted[r.NoteID][r.ReviewerID] {
			notes[r.NoteID].add(r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the reviews of %s: %w", c.Slug, err)
	}
	sc.notes, sc.cursor, sc.version, sc.built = notes, cursor, c.Version, true
	return snapshot(notes), nil
}

// slNoteOf is n's material, nil for a note that never reached the committee.
func slNoteOf(n *store.Note) *slNote {
	if neverSubmitted(n.State, n.SubmittedAt != nil) {
		return nil
	}
	r := export.Row{Ref: n.Ref, Title: n.Title, PolicyArea: n.PolicyArea, Values: n.Values, LeadAgency: n.LeadAgency,
		Score: n.Score, State: n.State}
	if d := n.Decision; d != nil {
		r.Decided, r.ReasonCode, r.Rationale = d.Class, d.ReasonCode, d.Rationale
	}
	return &slNote{row: r, owner: n.Owner}
}

// countedReviewers are n's assigned reviewers whose submitted review counts.
func countedReviewers(n *store.Note) []string {
	var ids []string
	for _, as := range n.Assignments {
		if as.ReviewState == store.ReviewSubmitted && !n.HasConflict(as.ReviewerID) {
			ids = append(ids, as.ReviewerID)
		}
	}
	return ids
}

func (e *slNote) add(r *store.Review) {
	if r.State != store.ReviewSubmitted || r.SubmittedAt == nil {
		return
	}
	e.reviews = append(e.reviews, slReview{reviewer: r.ReviewerID, sector: r.ReviewerSector, scores: r.Scores,
		comment: r.Comment, submittedAt: *r.SubmittedAt})
}

// snapshot lists the kept notes; entries are replaced, never changed, so
// the list stays valid after the lock is released.
func snapshot(m map[string]*slNote) []*slNote {
	out := make([]*slNote, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	return out
}
