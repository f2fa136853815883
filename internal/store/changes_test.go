package store_test

import (
	"context"
	"slices"
	"testing"

	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// TestChangesSinceNamesTheNotesThatChanged checks the change log that lets
// the dashboard re-read only changed summaries on the embedded engine.
func TestChangesSinceNamesTheNotesThatChanged(t *testing.T) {
	s := testdb.Open(t)
	if !s.Embedded() {
		if _, _, ok := s.ChangesSince("c", 0); ok {
			t.Fatal("on MongoDB other processes write too: the log must say it cannot tell")
		}
		t.Skip("the change log is kept on the embedded engine only")
	}
	ctx := context.Background()
	if ids, now, ok := s.ChangesSince("c", 0); !ok || len(ids) != 0 || now != 0 {
		t.Fatalf("empty log: %v %d %v", ids, now, ok)
	}
	for _, id := range []string{"a", "b", "a"} {
		if err := s.BumpCallRev(ctx, "c", id); err != nil {
			t.Fatal(err)
		}
	}
	ids, now, ok := s.ChangesSince("c", 0)
	if !ok || now != 3 || !slices.Equal(ids, []string{"a", "b"}) {
		t.Fatalf("after a, b, a: %v %d %v", ids, now, ok)
	}
	if ids, _, ok := s.ChangesSince("c", 2); !ok || !slices.Equal(ids, []string{"a"}) {
		t.Fatalf("since 2: %v %v", ids, ok)
	}
	if ids, _, ok := s.ChangesSince("c", 3); !ok || len(ids) != 0 {
		t.Fatalf("nothing new: %v %v", ids, ok)
	}
	if _, _, ok := s.ChangesSince("c", 4); ok {
		t.Fatal("a position the log has not reached must not be trusted")
	}
	if _, _, ok := s.ChangesSince("other", 0); !ok {
		t.Fatal("a call with no changes has nothing to say, and can say so")
	}
	// A change of unknown notes (publication, a rebuild) forces a full read.
	if err := s.BumpCallRev(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if _, now, ok := s.ChangesSince("c", 3); ok || now != 4 {
		t.Fatalf("after an unknown change: %d %v", now, ok)
	}
	if ids, _, ok := s.ChangesSince("c", 4); !ok || len(ids) != 0 {
		t.Fatalf("after the unknown change was read: %v %v", ids, ok)
	}
	// Readers of a call see its revision move with every change.
	call := &store.Call{Slug: "rev", Title: "Rev", RefPrefix: "RV", TimeZone: "UTC"}
	if err := s.CreateCall(ctx, call); err != nil {
		t.Fatal(err)
	}
	before, err := s.CallByID(ctx, call.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.BumpCallRev(ctx, call.ID, "x"); err != nil {
		t.Fatal(err)
	}
	after, err := s.CallByID(ctx, call.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Rev != before.Rev+1 {
		t.Fatalf("rev %d then %d", before.Rev, after.Rev)
	}
}
