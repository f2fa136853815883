package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// errInjected is the failure the tests' faults report.
var errInjected = errors.New("injected write failure")

// faultSwitch makes the next write to a chosen collection fail, once.
type faultSwitch struct {
	mu     sync.Mutex
	before string // collection whose next write fails with nothing written
	after  string // collection whose next write is applied but reported failed
}

func (f *faultSwitch) faults() store.Faults {
	return store.Faults{
		Before: func(w store.Write) error { return f.take(&f.before, w) },
		After:  func(w store.Write) error { return f.take(&f.after, w) },
	}
}

func (f *faultSwitch) take(slot *string, w store.Write) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if *slot != "" && *slot == w.Collection {
		*slot = ""
		return errInjected
	}
	return nil
}

func (f *faultSwitch) set(slot *string, coll string) {
	f.mu.Lock()
	*slot = coll
	f.mu.Unlock()
}

// TestCancelledWritesFinishOrNeverStart races increments and submissions
// whose contexts end after 0–2 ms. A write either reports success and is
// stored, or reports an error and left nothing: the count equals the
// acknowledged increments exactly, and a submission that answered an error
// left its note a draft. Before writes ran detached from the request, the
// driver gave up mid-write while the engine went on (acknowledged
// increments were lost, and submissions answered errors though they had
// happened).
func TestCancelledWritesFinishOrNeverStart(t *testing.T) {
	s := testdb.Open(t)
	ctx := context.Background()

	t.Run("increments", func(t *testing.T) {
		if err := store.RawInsert(ctx, s, "cancel_docs", bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 0}}); err != nil {
			t.Fatal(err)
		}
		var acked atomic.Int64
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range 150 {
					wctx, cancel := ctx, context.CancelFunc(func() {})
					if g%2 == 0 {
						wctx, cancel = context.WithTimeout(ctx, time.Duration(i%3)*time.Millisecond)
					}
					if err := store.RawInc(wctx, s, "cancel_docs", "a", "n"); err == nil {
						acked.Add(1)
					}
					cancel()
				}
			})
		}
		wg.Wait()
		got := rawField(t, s, "cancel_docs", "a", "n")
		if got != acked.Load() {
			t.Fatalf("the counter is %d after %d acknowledged increments", got, acked.Load())
		}
	})

	t.Run("submissions", func(t *testing.T) {
		call, drafts := newCallAndDrafts(t, s, 60)
		var wg sync.WaitGroup
		errs := make([]error, len(drafts))
		for i, d := range drafts {
			wg.Go(func() {
				wctx, cancel := context.WithTimeout(ctx, time.Duration(i%3)*time.Millisecond)
				defer cancel()
				_, errs[i] = submit(wctx, s, call, d)
			})
		}
		wg.Wait()
		refs := map[string]bool{}
		for i, d := range drafts {
			n, err := s.NoteByID(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := s.SummaryByID(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if sum.State != n.State || sum.Ref != n.Ref {
				t.Errorf("note %d is %s %q but its summary says %s %q", i, n.State, n.Ref, sum.State, sum.Ref)
			}
			if errs[i] != nil && n.State != "draft" {
				t.Errorf("submission %d answered %v but the note is %s with %q", i, errs[i], n.State, n.Ref)
			}
			if errs[i] == nil && (n.State != "submitted" || n.Ref == "") {
				t.Errorf("submission %d succeeded but the note is %s with %q", i, n.State, n.Ref)
			}
			if n.Ref != "" {
				if refs[n.Ref] {
					t.Errorf("reference %s given twice", n.Ref)
				}
				refs[n.Ref] = true
			}
		}
	})
}

func rawField(t *testing.T, s *store.Store, coll, id, field string) int64 {
	t.Helper()
	raw, err := s.DB().Collection(coll).FindOne(context.Background(), bson.D{{Key: "_id", Value: id}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	v, _ := raw.Lookup(field).AsInt64OK()
	return v
}

// TestFailedSubmissionWrites makes the note's write of a submission fail,
// once with nothing written and once applied with its answer lost.
func TestFailedSubmissionWrites(t *testing.T) {
	ctx := context.Background()
	var f faultSwitch
	s := testdb.OpenWith(t, f.faults())
	call, drafts := newCallAndDrafts(t, s, 3)
	notesColl := store.NoteColl(s, drafts[0].ID).Name()

	// Nothing written: the note stays a draft, its number is not burned
	// on the embedded engine (the next submission gets it), and no
	// reference is ever given twice.
	f.set(&f.before, notesColl)
	if _, err := submit(ctx, s, call, drafts[0]); !errors.Is(err, errInjected) {
		t.Fatalf("the failed submission answered %v", err)
	}
	n0, _ := s.NoteByID(ctx, drafts[0].ID)
	if n0.State != "draft" || n0.Ref != "" {
		t.Fatalf("a submission that failed left the note %s with %q", n0.State, n0.Ref)
	}
	n1, err := submit(ctx, s, call, drafts[1])
	if err != nil {
		t.Fatal(err)
	}
	if s.Embedded() && n1.Ref != "DV-0001" {
		t.Fatalf("the next submission got %s; the failed one's number was burned", n1.Ref)
	}

	// Applied but the answer lost: on the embedded engine the store reads
	// the note back under the lock and answers the submission as done; on
	// MongoDB the outcome stays unknown to the caller, but the summary
	// shows the note as it is.
	f.set(&f.after, notesColl)
	n2, err := submit(ctx, s, call, drafts[2])
	if s.Embedded() {
		if err != nil || n2.State != "submitted" || n2.Ref == "" {
			t.Fatalf("an applied submission whose answer was lost: %v, %+v", err, n2)
		}
	} else if !errors.Is(err, errInjected) {
		t.Fatalf("the lost answer came back as %v", err)
	}
	stored, _ := s.NoteByID(ctx, drafts[2].ID)
	sum, _ := s.SummaryByID(ctx, drafts[2].ID)
	if stored.State != "submitted" || sum.State != "submitted" || sum.Ref != stored.Ref || stored.Ref == n1.Ref {
		t.Fatalf("after a lost answer the note is %s %q and its summary %s %q (other note %q)",
			stored.State, stored.Ref, sum.State, sum.Ref, n1.Ref)
	}
}

// TestFailedReviewReplaceIsSettled makes a review's replacement fail after
// it was applied: on the embedded engine the store sees the stored
// version and counts the save as done, so the reviewer is not told a
// stale version on the next save.
func TestFailedReviewReplaceIsSettled(t *testing.T) {
	ctx := context.Background()
	var f faultSwitch
	s := testdb.OpenWith(t, f.faults())
	r := &store.Review{NoteID: "n1", CallID: "c1", ReviewerID: "r1", State: store.ReviewDraft, Scores: map[string]int{"problem": 1}}
	if err := s.SaveReview(ctx, r, 0); err != nil {
		t.Fatal(err)
	}
	r.Scores = map[string]int{"problem": 2}
	f.set(&f.after, "reviews")
	err := s.SaveReview(ctx, r, 1)
	got, gerr := s.ReviewOf(ctx, "n1", "r1")
	if gerr != nil || got.Version != 2 || got.Scores["problem"] != 2 {
		t.Fatalf("the replaced review: %+v %v", got, gerr)
	}
	if s.Embedded() && err != nil {
		t.Fatalf("an applied replacement whose answer was lost answered %v", err)
	}
	if !s.Embedded() && !errors.Is(err, errInjected) {
		t.Fatalf("the lost answer came back as %v", err)
	}
}

// TestSummaryNeverGoesBack stores a note's summary, then an older copy of
// it, as a slow writer or a rebuild racing a change would: the newer one
// stays, on either engine.
func TestSummaryNeverGoesBack(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	call, drafts := newCallAndDrafts(t, s, 1)
	old := store.SummaryOf(drafts[0])
	n, err := submit(ctx, s, call, drafts[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PutSummary(ctx, s, old); err != nil {
		t.Fatal(err)
	}
	sum, err := s.SummaryByID(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.State != "submitted" || sum.Ref != n.Ref || sum.Rev != n.Rev {
		t.Fatalf("an older summary replaced the newer: %+v (note rev %d)", sum, n.Rev)
	}
	// A newer one does replace it.
	newer := store.SummaryOf(n)
	newer.Rev++
	newer.Title = "newer"
	if err := store.PutSummary(ctx, s, newer); err != nil {
		t.Fatal(err)
	}
	if sum, _ := s.SummaryByID(ctx, n.ID); sum.Title != "newer" {
		t.Fatalf("a newer summary was refused: %+v", sum)
	}
}
