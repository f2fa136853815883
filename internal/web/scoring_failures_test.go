package web

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
)

// TestReviewSavedButNoteWriteFailed makes the note's write after a review
// save fail, as a crash between the two would leave it: the review says
// submitted, the note's assignment still says assigned. The review is
// the record: the reviewer can save again (no stale version), the reviews
// list shows it, and recompute sets the assignment right.
func TestReviewSavedButNoteWriteFailed(t *testing.T) {
	var failNotes atomic.Bool
	faults := store.Faults{Before: func(w store.Write) error {
		if w.Collection == "notes" && failNotes.CompareAndSwap(true, false) {
			return fmt.Errorf("%w: injected", apperr.ErrUnavailable)
		}
		return nil
	}}
	for _, repair := range []string{"save again", "recompute"} {
		t.Run(repair, func(t *testing.T) {
			ts := newTestServerWith(t, serverOptions{faults: faults})
			w := newReviewWorldOn(ts, map[string]any{"min_reviews": 1}, seat{"Ann", "Org A", "government"},
				seat{"Ben", "Org B", "civil_society"}, seat{"Cid", "Org C", "academia"})
			n := w.screenedNote("Pat", "Org P")
			if r := w.auto(map[string]any{}); r.Status != 200 {
				t.Fatalf("auto-assign: %d %s", r.Status, r.Raw)
			}
			rev := w.note(n.ID).Assignments[0].ReviewerID

			failNotes.Store(true)
			if r := ts.api("PUT", "/api/v1/notes/"+n.ID+"/review", w.tok[rev], fullReview(3, true)); r.Status != 503 {
				t.Fatalf("the save whose note write failed answered %d %s", r.Status, r.Raw)
			}
			if got, err := ts.store.ReviewOf(context.Background(), n.ID, rev); err != nil || got.State != store.ReviewSubmitted {
				t.Fatalf("the review itself: %+v %v", got, err)
			}
			if as := w.note(n.ID).AssignedTo(rev); as.ReviewState != store.ReviewAssigned {
				t.Fatalf("the note's assignment already says %s", as.ReviewState)
			}
			// The chair reads the review from the reviews themselves.
			if r := ts.api("GET", "/api/v1/notes/"+n.ID+"/reviews", w.chairTok, nil); r.Status != 200 || len(r.Body["items"].([]any)) != 1 {
				t.Fatalf("reviews list: %d %s", r.Status, r.Raw)
			}

			switch repair {
			case "save again":
				if r := ts.api("PUT", "/api/v1/notes/"+n.ID+"/review", w.tok[rev], fullReview(3, true)); r.Status != 200 {
					t.Fatalf("saving again answered %d %s", r.Status, r.Raw)
				}
				if got, _ := ts.store.ReviewOf(context.Background(), n.ID, rev); len(got.Revisions) != 0 {
					t.Fatalf("the same review saved again became a revision: %+v", got.Revisions)
				}
			case "recompute":
				res, err := ts.app.RecomputeCall(context.Background(), w.callID, true)
				if err != nil || res.Repaired != 1 {
					t.Fatalf("recompute: %+v %v", res, err)
				}
				if res, err := ts.app.RecomputeCall(context.Background(), w.callID, true); err != nil || res.Repaired != 0 {
					t.Fatalf("a second recompute repaired again: %+v %v", res, err)
				}
			}
			after := w.note(n.ID)
			if as := after.AssignedTo(rev); as.ReviewState != store.ReviewSubmitted {
				t.Fatalf("after %s the assignment says %s", repair, as.ReviewState)
			}
			if after.Score == nil || after.Score.Reviews != 1 {
				t.Fatalf("after %s the score is %+v", repair, after.Score)
			}
			sum, _ := ts.store.SummaryByID(context.Background(), n.ID)
			if sum.ReviewsDone != 1 || sum.ReviewStates[rev] != store.ReviewSubmitted {
				t.Fatalf("after %s the summary says %d done, %v", repair, sum.ReviewsDone, sum.ReviewStates)
			}
		})
	}
}
