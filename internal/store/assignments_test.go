package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/review"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// TestEditAssignmentsLosesNothing races edits that each add one reviewer
// to the same note: every one must land, and the version must not move.
func TestEditAssignmentsLosesNothing(t *testing.T) {
	s := testdb.Open(t)
	ctx := context.Background()
	n := &store.Note{CallID: "c1", State: "screened", Owner: "o1"}
	if err := s.CreateNote(ctx, n); err != nil {
		t.Fatal(err)
	}
	const racers = 6
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			id := fmt.Sprintf("r%d", i)
			_, err := s.EditAssignments(ctx, n.ID, func(n *store.Note) error {
				n.Assignments = append(n.Assignments, store.Assignment{ReviewerID: id, ReviewState: store.ReviewAssigned})
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := s.NoteByID(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Assignments) != racers {
		t.Fatalf("%d assignments after %d racing edits: %+v", len(got.Assignments), racers, got.Assignments)
	}
	if got.Version != n.Version {
		t.Errorf("version moved from %d to %d: assignments are not state changes", n.Version, got.Version)
	}
	sums, err := s.Summaries(ctx, store.SummaryFilter{CallID: "c1", Reviewer: "r3"})
	if err != nil || len(sums) != 1 || sums[0].ReviewStates["r3"] != store.ReviewAssigned {
		t.Fatalf("summary not refreshed: %+v %v", sums, err)
	}
	// The summary is the last write's, not an older racer's.
	if len(sums[0].Reviewers) != racers {
		t.Fatalf("summary lists %d reviewers, the note has %d", len(sums[0].Reviewers), racers)
	}
}

// TestEditAssignmentsRespectsState refuses to write when the note's state
// moved between the read and the write, and re-applies the edit instead.
func TestEditAssignmentsRespectsState(t *testing.T) {
	s := testdb.Open(t)
	ctx := context.Background()
	n := &store.Note{CallID: "c1", State: "screened", Owner: "o1"}
	if err := s.CreateNote(ctx, n); err != nil {
		t.Fatal(err)
	}
	calls := 0
	_, err := s.EditAssignments(ctx, n.ID, func(cur *store.Note) error {
		calls++
		if calls == 1 {
			// Someone classifies the note between our read and our write.
			if _, err := s.ApplyChange(ctx, n.ID, store.Change{States: []string{"screened"}, Version: cur.Version,
				To: "classified"}); err != nil {
				t.Fatal(err)
			}
		}
		if cur.State != "screened" {
			return fmt.Errorf("not screened: %s", cur.State)
		}
		cur.Assignments = append(cur.Assignments, store.Assignment{ReviewerID: "r1"})
		return nil
	})
	if err == nil || calls != 2 {
		t.Fatalf("edit on a note classified meanwhile: err %v after %d attempts", err, calls)
	}
}

// TestWithdrawReview records a conflict on a review that does not exist yet
// and reports whether a withdrawn review had been submitted.
func TestWithdrawReview(t *testing.T) {
	s := testdb.Open(t)
	ctx := context.Background()
	n := &store.Note{ID: "n1", CallID: "c1", State: "screened"}
	was, err := s.WithdrawReview(ctx, n, "r1", "My sister wrote it")
	if err != nil || was {
		t.Fatalf("conflict without a review: %v %v", was, err)
	}
	r, err := s.ReviewOf(ctx, "n1", "r1")
	if err != nil || r.State != store.ReviewWithdrawn || r.ConflictReason != "My sister wrote it" || r.CallID != "c1" {
		t.Fatalf("declared conflict not recorded: %+v %v", r, err)
	}
	sub := &store.Review{NoteID: "n1", CallID: "c1", ReviewerID: "r2", State: store.ReviewSubmitted, Scores: map[string]int{"problem": 3}}
	if err := s.SaveReview(ctx, sub, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveReview(ctx, &store.Review{NoteID: "n1", ReviewerID: "r2"}, 0); err == nil {
		t.Fatal("a second first save of one review was not refused")
	}
	if was, err := s.WithdrawReview(ctx, n, "r2", ""); err != nil || !was {
		t.Fatalf("withdrawing a submitted review: %v %v", was, err)
	}
	if was, err := s.WithdrawReview(ctx, n, "nobody", ""); err != nil || was {
		t.Fatalf("withdrawing no review: %v %v", was, err)
	}
	all, err := s.CallReviews(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if r.State == store.ReviewSubmitted {
			t.Fatalf("withdrawn review %s still submitted", r.ID)
		}
	}
}

// TestSetScoresKeepsVersion stores a score and its summary without moving the version.
func TestSetScoresKeepsVersion(t *testing.T) {
	s := testdb.Open(t)
	ctx := context.Background()
	n := &store.Note{CallID: "c1", State: "screened", Owner: "o1"}
	if err := s.CreateNote(ctx, n); err != nil {
		t.Fatal(err)
	}
	sc := &review.Score{Reviews: 1, Mean: 62.5, Median: 62.5, PerCriterion: map[string]float64{"problem": 2}, Flags: []string{}}
	if w, err := s.SetScores(ctx, "c1", map[string]*review.Score{n.ID: sc, "missing": sc}); err != nil || w != 1 {
		t.Fatalf("SetScores: %d %v", w, err)
	}
	got, _ := s.NoteByID(ctx, n.ID)
	if got.Version != n.Version || got.Score == nil || got.Score.Mean != 62.5 {
		t.Fatalf("after SetScores: version %d→%d, score %+v", n.Version, got.Version, got.Score)
	}
	sums, _ := s.Summaries(ctx, store.SummaryFilter{CallID: "c1"})
	if len(sums) != 1 || sums[0].Score == nil || sums[0].Score.Mean != 62.5 {
		t.Fatalf("summary score: %+v", sums)
	}
}

func bsonState(s string) bson.D { return bson.D{{Key: "state", Value: s}} }
