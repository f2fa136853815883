package web

import (
	"strings"
	"testing"

	"cocreate/internal/app"
)

// TestDraftsAreBounded stores what once went through: a title of one
// 1,000,000-character word, and drafts without end. Both are refused with
// a clear message (400 with the field, as for any draft that cannot be
// stored), and nothing is stored.
func TestDraftsAreBounded(t *testing.T) {
	ts := newTestServer(t)
	callID := ts.makeCall("bounded", nil)
	_, tok := ts.user("Pat", "Group", "civil_society", "participant")

	r := ts.api("POST", "/api/v1/calls/"+callID+"/notes", tok, map[string]any{"title": strings.Repeat("a", 1_000_000)})
	if r.Status != 400 || !strings.Contains(fmt_(r.errFields()["title"]), "far too long") {
		t.Fatalf("a huge title: %d %.300s", r.Status, r.Raw)
	}
	id, v := ts.draft(callID, tok, map[string]any{"title": "Open budgets"})
	if r := ts.api("PUT", "/api/v1/notes/"+id, tok, map[string]any{"version": v, "problem": strings.Repeat("word ", 600)}); r.Status != 400 || r.errFields()["problem"] == nil {
		t.Fatalf("a huge problem on save: %d %.300s", r.Status, r.Raw)
	}
	for i := 1; i < app.MaxDraftsPerCall; i++ {
		ts.draft(callID, tok, map[string]any{"title": "Draft"})
	}
	r = ts.api("POST", "/api/v1/calls/"+callID+"/notes", tok, map[string]any{"title": "One too many"})
	if r.Status != 422 || !strings.Contains(string(r.Raw), "drafts in this call") {
		t.Fatalf("draft %d: %d %s", app.MaxDraftsPerCall+1, r.Status, r.Raw)
	}
	if n := ts.note(id); n.Problem != "" {
		t.Fatalf("a refused save was stored: %.50q", n.Problem)
	}
}

func fmt_(v any) string { s, _ := v.(string); return s }
