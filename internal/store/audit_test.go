package store_test

import (
	"context"
	"testing"
	"time"

	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// TestAuditIsReadBack appends entries and reads them back, newest first,
// by event and by user.
func TestAuditIsReadBack(t *testing.T) {
	s := testdb.Open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	for i, e := range []store.AuditEntry{
		{Event: "export.shortlist", UserID: "u1", By: "u1", IP: "192.0.2.1", At: t0, Detail: map[string]string{"call": "plan", "filters": "class A"}},
		{Event: "export.shortlist", UserID: "u2", By: "u2", IP: "192.0.2.2", At: t0.Add(time.Minute)},
		{Event: "import.scoring_sheet", UserID: "u1", By: "u1", At: t0.Add(2 * time.Minute)},
	} {
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	got, err := s.AuditEntries(ctx, "export.shortlist", "", 0)
	if err != nil || len(got) != 2 || got[0].UserID != "u2" || got[1].Detail["filters"] != "class A" || got[1].IP != "192.0.2.1" ||
		!got[1].At.Equal(t0) || got[1].By != "u1" {
		t.Fatalf("by event: %+v %v", got, err)
	}
	got, err = s.AuditEntries(ctx, "", "u1", 1)
	if err != nil || len(got) != 1 || got[0].Event != "import.scoring_sheet" {
		t.Fatalf("by user, newest first: %+v %v", got, err)
	}
}
