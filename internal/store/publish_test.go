package store_test

import (
	"context"
	"testing"
	"time"

	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// classifiedNotes stores total classified notes of call "bench", each with
// a decision, note 7 reopened (screened) by the chair.
func classifiedNotes(tb testing.TB, st *store.Store, total int) []*store.Note {
	tb.Helper()
	ns := testdb.SubmittedNotes(total)
	for _, n := range ns {
		n.ID = store.NewID()
		n.State = "classified"
		n.Decision = &store.Decision{Class: "A", ReasonCode: "included", Rationale: "Clear and dated."}
	}
	ns[7].State = "screened"
	if err := st.InsertNotes(context.Background(), ns); err != nil {
		tb.Fatal(err)
	}
	return ns
}

// TestPublishingEveryClassifiedNote publishes a call of 200 classified
// notes, one of them reopened before publication: every classified one is
// published and counted, the reopened one is not.
func TestPublishingEveryClassifiedNote(t *testing.T) {
	st := testdb.Open(t)
	ctx := context.Background()
	ns := classifiedNotes(t, st, 200)
	n, err := st.PublishDecisions(ctx, "bench", time.Now())
	if err != nil || n != 199 {
		t.Fatalf("published %d, %v; want 199", n, err)
	}
	for _, i := range []int{0, 7, 100, 199} {
		got, err := st.NoteByID(ctx, ns[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if (got.Published != nil) != (i != 7) {
			t.Errorf("note %d (%s): published %v", i, got.State, got.Published)
		}
	}
}

// BenchmarkPublishDecisions publishes a call of 1,000 classified notes
// (run with -benchtime=1x: each run needs notes not yet published).
func BenchmarkPublishDecisions(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		st := testdb.Open(b)
		classifiedNotes(b, st, 1000)
		b.StartTimer()
		if n, err := st.PublishDecisions(context.Background(), "bench", time.Now()); err != nil || n != 999 {
			b.Fatalf("published %d, %v", n, err)
		}
	}
}
