package web

import (
	"strings"
	"testing"
)

// TestMyNotesOffersANewNoteOnlyToParticipants: My notes links to starting a
// note in each open call for a participant; a reviewer, who may not start
// one (the link would answer 403), is not offered it.
func TestMyNotesOffersANewNoteOnlyToParticipants(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", nil)
	const start = `href="/calls/bz/notes/new"`
	p, _, _ := ts.participant("Maria Chan")
	if page := p.get("/notes"); page.Status != 200 || !strings.Contains(page.Body, start) {
		t.Errorf("a participant's My notes (%d) offers no new note in the open call", page.Status)
	}
	rev, _ := ts.user("Rita Reviewer", "Galen University", "academia", "reviewer")
	b := ts.browser()
	b.signIn(rev.Email, testPassword)
	if page := b.get("/notes"); page.Status != 200 || strings.Contains(page.Body, start) {
		t.Errorf("a reviewer's My notes (%d) offers a new note, which the reviewer may not start", page.Status)
	}
	if got := b.get("/calls/bz/notes/new").Status; got != 403 {
		t.Errorf("a reviewer starting a note gets %d, want 403: the link's absence is no longer the rule", got)
	}
}
