package app

import (
	"cmp"
	"context"
	"slices"

	"cocreate/internal/review"
	"cocreate/internal/store"
)

// ReviewItem is a submitted review as the committee reads it.
type ReviewItem struct {
	*store.Review
	ReviewerName string
	Total        float64 // weighted total on 0–100
}

// NoteReviews is a note with the submitted reviews the viewer may read.
type NoteReviews struct {
	Note  *store.Note
	Call  *store.Call
	Owner *store.User
	Items []ReviewItem
}

// ReviewsFor returns the submitted reviews of note id for u: the chair and
// coordinators always; a reviewer only after submitting their own review of
// it and never with a conflict of interest (domain.md, scoring rubric).
func (a *App) ReviewsFor(ctx context.Context, u *store.User, id string) (*NoteReviews, error) {
	if !u.IsCommittee() && !u.Has("coordinator") {
		return nil, denied("reviews are for the committee and coordinators")
	}
	n, c, err := a.NoteFor(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if n.Owner == u.ID {
		return nil, denied("this is your own note: its reviews are not shown to you")
	}
	owner, err := a.Store.UserByID(ctx, n.Owner)
	if err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	if why := ConflictWhy(u, owner, n); why != "" {
		return nil, denied("%s, so its reviews are not shown to you", why)
	}
	// The reviews themselves say who submitted (the assignments' review
	// states are derived from them and may lag after a failed write).
	ids := make([]string, 0, len(n.Assignments))
	for _, as := range n.Assignments {
		if !n.HasConflict(as.ReviewerID) {
			ids = append(ids, as.ReviewerID)
		}
	}
	rs, err := a.Store.ReviewsOf(ctx, n.ID, ids)
	if err != nil {
		return nil, err
	}
	if !u.Has("chair") && !u.Has("coordinator") {
		own := slices.IndexFunc(rs, func(r *store.Review) bool { return r.ReviewerID == u.ID && r.State == store.ReviewSubmitted })
		if n.AssignedTo(u.ID) == nil || own < 0 {
			return nil, denied("the other reviews of a note are shown once you have submitted your own review of it")
		}
	}
	out := &NoteReviews{Note: n, Call: c, Owner: owner, Items: []ReviewItem{}}
	for _, r := range rs {
		if r.State == store.ReviewSubmitted {
			out.Items = append(out.Items, ReviewItem{Review: r, ReviewerName: a.nameOf(ctx, r.ReviewerID),
				Total: review.Total(r.Scores, c.Criteria)})
		}
	}
	slices.SortFunc(out.Items, func(x, y ReviewItem) int {
		return cmp.Or(cmp.Compare(x.ReviewerName, y.ReviewerName), cmp.Compare(x.ReviewerID, y.ReviewerID))
	})
	return out, nil
}

// QueueItem is one note in a reviewer's queue with the state of their review.
type QueueItem struct {
	store.Summary
	ReviewState string // assigned, draft or submitted
}

// ReviewQueue is a reviewer's assigned notes in a call: those still to do
// first, then the submitted ones, each by reference; and how many are submitted.
func (a *App) ReviewQueue(ctx context.Context, u *store.User, c *store.Call) ([]QueueItem, int, error) {
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: c.ID, Reviewer: u.ID})
	if err != nil {
		return nil, 0, err
	}
	out := make([]QueueItem, 0, len(sums))
	done := 0
	for _, s := range sums {
		st := s.ReviewStates[u.ID]
		if st == "" {
			st = store.ReviewAssigned // a summary written before review states were kept
		}
		if st == store.ReviewSubmitted {
			done++
		}
		out = append(out, QueueItem{Summary: s, ReviewState: st})
	}
	rank := map[string]int{store.ReviewDraft: 0, store.ReviewAssigned: 1, store.ReviewSubmitted: 2}
	slices.SortFunc(out, func(x, y QueueItem) int {
		return cmp.Or(cmp.Compare(rank[x.ReviewState], rank[y.ReviewState]), cmp.Compare(x.Ref, y.Ref))
	})
	return out, done, nil
}
