package web

import (
	"strings"
	"testing"
)

// TestScreeningRespectsConflicts has committee members with a conflict of
// interest try to screen a note, through the API and the page: a declared
// conflict or the submitter's organisation refuses them, as scoring does,
// and the note stays submitted.
func TestScreeningRespectsConflicts(t *testing.T) {
	ts := newTestServer(t)
	callID := ts.makeCall("screen-conflicts", nil)
	_, owner := ts.user("Pat Participant", "Clean Water Trust", "civil_society", "participant")
	sameOrg, sameOrgTok := ts.user("Sam Same", " clean water  trust ", "civil_society", "reviewer")
	_, declTok := ts.user("Dee Declared", "Other Org", "government", "reviewer")
	_, freeTok := ts.user("Fay Free", "Third Org", "academia", "reviewer")
	id, v := ts.submitted(callID, owner)
	if r := ts.api("POST", "/api/v1/notes/"+id+"/conflict", declTok, map[string]any{"reason": "I advised the submitter"}); r.Status != 204 {
		t.Fatalf("declare a conflict: %d %s", r.Status, r.Raw)
	}
	body := map[string]any{"version": v, "outcome": "pass", "checklist": checklist()}
	for name, tok := range map[string]string{"same organisation": sameOrgTok, "declared": declTok} {
		r := ts.api("POST", "/api/v1/notes/"+id+"/screen", tok, body)
		if r.Status != 403 || !strings.Contains(string(r.Raw), "conflict of interest") {
			t.Errorf("%s: %d %s", name, r.Status, r.Raw)
		}
	}
	b := ts.browser()
	b.signIn(sameOrg.Email, "a long enough password")
	if p := b.get("/notes/" + id + "/screen"); p.Status != 403 {
		t.Errorf("the screening page for the same organisation: %d", p.Status)
	}
	if n := ts.note(id); n.State != "submitted" {
		t.Fatalf("a conflicted screening moved the note to %s", n.State)
	}
	if r := ts.api("POST", "/api/v1/notes/"+id+"/screen", freeTok, body); r.Status != 200 {
		t.Fatalf("a reviewer without a conflict: %d %s", r.Status, r.Raw)
	}
}
