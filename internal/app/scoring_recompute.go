package app

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"

	"cocreate/internal/review"
	"cocreate/internal/store"
)

// Recomputed reports what RecomputeCall did.
type Recomputed struct {
	Notes   int // notes of the call
	Reviews int // submitted reviews counted
	Written int // notes whose stored score changed
}

// RecomputeCall rebuilds the scores of every note of a call from its
// submitted reviews (one query on the reviews collection) and stores those
// that differ, so running it twice writes nothing the second time. Only
// reviews of reviewers still assigned count. With full, it reads the notes
// themselves rather than their summaries and rebuilds every summary too
// (the `cocreate recompute` command).
func (a *App) RecomputeCall(ctx context.Context, callID string, full bool) (Recomputed, error) {
	var out Recomputed
	c, err := a.Store.CallByID(ctx, callID)
	if err != nil {
		return out, err
	}
	all, err := a.Store.SubmittedReviews(ctx, c.ID)
	if err != nil {
		return out, err
	}
	stored := map[string]*review.Score{}
	assigned := map[string]bool{}
	keep := func(id string, sc *review.Score, reviewers []string) {
		stored[id] = sc
		for _, r := range reviewers {
			assigned[store.ReviewID(id, r)] = true
		}
	}
	if full {
		err = a.Store.EachNote(ctx, c.ID, nil, func(n *store.Note) error {
			ids := make([]string, 0, len(n.Assignments))
			for _, as := range n.Assignments {
				if !n.HasConflict(as.ReviewerID) {
					ids = append(ids, as.ReviewerID)
				}
			}
			keep(n.ID, n.Score, ids)
			return nil
		})
	} else {
		var sums []store.Summary
		sums, err = a.Store.Summaries(ctx, store.SummaryFilter{CallID: c.ID})
		for _, s := range sums {
			keep(s.ID, s.Score, s.Reviewers)
		}
	}
	if err != nil {
		return out, fmt.Errorf("recompute call %s: %w", c.ID, err)
	}
	counted := all[:0]
	for _, r := range all {
		if assigned[r.ID] {
			counted = append(counted, r)
		}
	}
	fresh := review.AggregateCall(submittedInputs(counted), c.Criteria, c.MinReviews)
	changes := map[string]*review.Score{}
	for id, old := range stored {
		var want *review.Score
		if s, ok := fresh[id]; ok {
			nm := review.Round1(*s.NormalisedMean)
			s.NormalisedMean = &nm
			want = &s
		}
		if !reflect.DeepEqual(old, want) {
			changes[id] = want
		}
	}
	out.Notes, out.Reviews = len(stored), len(counted)
	if out.Written, err = a.Store.SetScores(ctx, c.ID, changes); err != nil {
		return out, err
	}
	if full {
		if _, err := a.Store.RebuildSummaries(ctx, c.ID); err != nil {
			return out, err
		}
	}
	return out, nil
}

// submittedInputs are the submitted reviews among rs as aggregation reads
// them, in (note, reviewer) order so every path sums in the same order.
func submittedInputs(rs []*store.Review) []review.Input {
	out := make([]review.Input, 0, len(rs))
	for _, r := range rs {
		if r.State == store.ReviewSubmitted {
			out = append(out, r.Input())
		}
	}
	slices.SortFunc(out, func(x, y review.Input) int {
		return cmp.Or(cmp.Compare(x.NoteID, y.NoteID), cmp.Compare(x.ReviewerID, y.ReviewerID))
	})
	return out
}
