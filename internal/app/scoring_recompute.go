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
	Notes    int // notes of the call
	Reviews  int // submitted reviews counted
	Written  int // notes whose stored score changed
	Repaired int // notes whose assignments' review states did not match their reviews
}

// RecomputeCall rebuilds the scores of every note of a call from its
// submitted reviews (one query on the reviews collection) and stores those
// that differ, so running it twice writes nothing the second time. Only
// reviews of reviewers still assigned count. The reviews are the record:
// an assignment whose review state disagrees with its review (a write
// between the two that failed) is set right first. With full, it reads the notes
// themselves rather than their summaries and rebuilds every summary too
// (the `cocreate recompute` command).
func (a *App) RecomputeCall(ctx context.Context, callID string, full bool) (Recomputed, error) {
	var out Recomputed
	c, err := a.Store.CallByID(ctx, callID)
	if err != nil {
		return out, err
	}
	reviews, err := a.Store.CallReviews(ctx, c.ID)
	if err != nil {
		return out, err
	}
	stateOf := map[string]string{} // review id → the state its assignment should show
	var all []*store.Review
	for _, r := range reviews {
		if r.State == store.ReviewDraft || r.State == store.ReviewSubmitted {
			stateOf[r.ID] = r.State
		}
		if r.State == store.ReviewSubmitted {
			all = append(all, r)
		}
	}
	stored := map[string]*review.Score{}
	assigned := map[string]bool{}
	var stray []string // notes whose review states need repair
	keep := func(id string, sc *review.Score, states map[string]string) {
		stored[id] = sc
		wrong := false
		for r, st := range states {
			assigned[store.ReviewID(id, r)] = true
			if want := cmp.Or(stateOf[store.ReviewID(id, r)], store.ReviewAssigned); st != want {
				wrong = true
			}
		}
		if wrong {
			stray = append(stray, id)
		}
	}
	if full {
		err = a.Store.EachNote(ctx, c.ID, nil, func(n *store.Note) error {
			states := map[string]string{}
			for _, as := range n.Assignments {
				if !n.HasConflict(as.ReviewerID) {
					states[as.ReviewerID] = as.ReviewState
				}
			}
			keep(n.ID, n.Score, states)
			return nil
		})
	} else {
		var sums []store.Summary
		sums, err = a.Store.Summaries(ctx, store.SummaryFilter{CallID: c.ID})
		for _, s := range sums {
			states := map[string]string{}
			for _, r := range s.Reviewers {
				states[r] = s.ReviewStates[r]
			}
			keep(s.ID, s.Score, states)
		}
	}
	if err != nil {
		return out, fmt.Errorf("recompute call %s: %w", c.ID, err)
	}
	for _, id := range stray {
		fixed, err := a.repairReviewStates(ctx, id)
		if err != nil {
			return out, fmt.Errorf("recompute call %s: %w", c.ID, err)
		}
		if fixed {
			out.Repaired++
		}
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

// repairReviewStates sets each assignment of note id to the state of its
// reviewer's review ("assigned" when there is none). The reviews are read
// afresh inside the edit, so a review saved since the call's reviews were
// read is not set back.
func (a *App) repairReviewStates(ctx context.Context, id string) (bool, error) {
	changed := false
	_, err := a.Store.EditAssignments(ctx, id, func(n *store.Note) error {
		changed = false
		for i := range n.Assignments {
			as := &n.Assignments[i]
			want := store.ReviewAssigned
			r, err := a.Store.ReviewOf(ctx, n.ID, as.ReviewerID)
			if err != nil && !store.IsNotFound(err) {
				return err
			}
			if r != nil && (r.State == store.ReviewDraft || r.State == store.ReviewSubmitted) {
				want = r.State
			}
			if as.ReviewState != want {
				as.ReviewState, changed = want, true
			}
		}
		if !changed {
			return store.ErrNoChange
		}
		return nil
	})
	return changed && err == nil, err
}
