package store_test

import (
	"context"
	"slices"
	"testing"

	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// TestStreamNotesReadsTheCallAsItIsNow streams a call's notes (from the
// engine's files on the embedded engine): exactly that call's notes, each
// as last written, and its submitted reviews only.
func TestStreamNotesReadsTheCallAsItIsNow(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	call, drafts := newCallAndDrafts(t, s, 12)
	other := &store.Note{CallID: "another-call", Owner: "o", State: "draft"}
	if err := s.CreateNote(ctx, other); err != nil {
		t.Fatal(err)
	}
	sub, err := submit(ctx, s, call, drafts[3])
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*store.Note{}
	if err := s.StreamNotes(ctx, call.ID, func(n *store.Note) error { got[n.ID] = n; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(drafts) || got[other.ID] != nil {
		t.Fatalf("streamed %d notes, want the call's %d", len(got), len(drafts))
	}
	if n := got[sub.ID]; n == nil || n.State != "submitted" || n.Ref != sub.Ref || n.Rev != sub.Rev {
		t.Fatalf("the submitted note streamed as %+v", n)
	}
	for _, r := range []*store.Review{
		{NoteID: sub.ID, CallID: call.ID, ReviewerID: "r1", State: store.ReviewSubmitted},
		{NoteID: sub.ID, CallID: call.ID, ReviewerID: "r2", State: store.ReviewDraft},
		{NoteID: other.ID, CallID: "another-call", ReviewerID: "r1", State: store.ReviewSubmitted},
	} {
		if err := s.SaveReview(ctx, r, 0); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	if err := s.StreamSubmittedReviews(ctx, call.ID, func(r *store.Review) error { ids = append(ids, r.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []string{store.ReviewID(sub.ID, "r1")}) {
		t.Fatalf("streamed reviews %v", ids)
	}
}
