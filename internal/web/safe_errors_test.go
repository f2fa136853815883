package web

import (
	"strings"
	"testing"
)

// TestRefusalsSayOneSentence checks that a refusal reaches people as the
// rule's own sentence, never as the wrap chain the log gets ("withdraw
// note 665f…: only the note's owner …").
func TestRefusalsSayOneSentence(t *testing.T) {
	ts := newTestServer(t)
	callID := ts.makeCall("safe-errors", nil)
	_, owner := ts.user("Olga Owner", "Civic Group", "civil_society", "participant")
	_, chair := ts.user("Chas Chair", "Office", "government", "chair")
	id, v := ts.submitted(callID, owner)

	r := ts.api("POST", "/api/v1/notes/"+id+"/withdraw", chair, map[string]any{"version": v})
	msg := ""
	if e, ok := r.Body["error"].(map[string]any); ok {
		msg, _ = e["message"].(string)
	}
	if r.Status != 403 || msg != "Only the note's owner can withdraw it." {
		t.Fatalf("a chair withdrawing another's note: %d %q", r.Status, msg)
	}
	if strings.Contains(string(r.Raw), id) || strings.Contains(strings.ToLower(msg), "note "+id) {
		t.Fatalf("the refusal names the internal chain: %s", r.Raw)
	}

	login := ts.api("POST", "/api/v1/login", "", map[string]any{"email": "olga.owner@example.org", "password": "not the password"})
	if e, _ := login.Body["error"].(map[string]any); login.Status != 401 || e["message"] != "The e-mail address or password is not right." {
		t.Fatalf("a wrong password: %d %s", login.Status, login.Raw)
	}
}
