package web

import (
	"net/url"
	"strings"
	"testing"

	"cocreate/internal/store"
)

// formWith is a scoring form post: action, comment and score_<key> values.
func formWith(csrf, action string, scores map[string]string) url.Values {
	v := url.Values{"csrf_token": {csrf}, "action": {action}, "comment": {"Kept when the form comes back"}}
	for k, s := range scores {
		v.Set("score_"+k, s)
	}
	return v
}

func TestScoringPages(t *testing.T) {
	w, n, ids, _ := scoredWorld(t)
	me := userByID(t, w, ids[0])
	b := w.ts.browser()
	b.signIn(me.Email, "a long enough password")

	q := b.get("/committee/reviews")
	if q.Status != 200 || !strings.Contains(q.text(), "0 of 1 reviews submitted") || !strings.Contains(q.Body, "/notes/"+n.ID+"/review") {
		t.Fatalf("queue: %d\n%s", q.Status, q.text())
	}
	form := b.get("/notes/" + n.ID + "/review")
	for _, want := range []string{"clear, with baseline and affected groups", "binding, institutionalised change", `type="radio"`,
		"Save draft", "Submit review", "Declare a conflict of interest", n.Title} {
		if !strings.Contains(form.text(), want) {
			t.Errorf("scoring form lacks %q", want)
		}
	}
	csrf := b.csrf("/notes/" + n.ID + "/review")

	// Submitting with a criterion missing: the form comes back with the choices kept.
	p := b.post("/notes/"+n.ID+"/review", formWith(csrf, "submit", map[string]string{"problem": "3", "relevance": "2"}))
	if p.Status != 422 || !strings.Contains(p.text(), "Choose a score from 0 to 4 for") || !strings.Contains(p.Body, `id="ambition-error"`) ||
		!strings.Contains(p.Body, `name="score_problem" value="3" checked`) || !strings.Contains(p.text(), "Kept when the form comes back") {
		t.Fatalf("incomplete submission: %d\n%s", p.Status, p.Body)
	}
	if p := b.post("/notes/"+n.ID+"/review", formWith(csrf, "draft", map[string]string{"problem": "9"})); p.Status != 422 || !strings.Contains(p.text(), "9 is not one of them") {
		t.Fatalf("a score of 9: %d", p.Status)
	}
	if p := b.post("/notes/"+n.ID+"/review", formWith(csrf, "draft", map[string]string{"problem": "3"})); p.Status != 303 || !strings.HasSuffix(p.Location, "/review") {
		t.Fatalf("draft: %d %s", p.Status, p.Location)
	}
	if got := w.note(n.ID).AssignedTo(me.ID).ReviewState; got != store.ReviewDraft {
		t.Fatalf("after the draft: %s", got)
	}
	all := map[string]string{"problem": "3", "relevance": "2", "ambition": "4", "verifiability": "1", "feasibility": "0"}
	if p := b.post("/notes/"+n.ID+"/review", formWith(csrf, "submit", all)); p.Status != 303 || !strings.Contains(p.Location, "/committee/reviews") {
		t.Fatalf("submit: %d %s", p.Status, p.Location)
	}
	if q := b.get("/committee/reviews"); !strings.Contains(q.text(), "1 of 1 reviews submitted") || !strings.Contains(q.text(), "was submitted") {
		t.Fatalf("queue after submitting:\n%s", q.text())
	}
	if f := b.get("/notes/" + n.ID + "/review"); !strings.Contains(f.text(), "Submit revised review") || strings.Contains(f.text(), "Save draft") {
		t.Error("a submitted review's form still offers a draft")
	}
	r := b.get("/notes/" + n.ID + "/reviews")
	if r.Status != 200 || !strings.Contains(r.text(), me.Name) || !strings.Contains(r.text(), "Kept when the form comes back") {
		t.Fatalf("reviews page: %d\n%s", r.Status, r.text())
	}

	// Another assigned reviewer sees no reviews before submitting, and may declare a conflict.
	other := w.ts.browser()
	other.signIn(userByID(t, w, ids[1]).Email, "a long enough password")
	if p := other.get("/notes/" + n.ID + "/reviews"); p.Status != 403 || !strings.Contains(p.text(), "once you have submitted your own review") {
		t.Fatalf("reviews before submitting: %d", p.Status)
	}
	ocsrf := other.csrf("/notes/" + n.ID + "/conflict")
	if p := other.post("/notes/"+n.ID+"/conflict", url.Values{"csrf_token": {ocsrf}, "reason": {""}}); p.Status != 422 || !strings.Contains(p.text(), "Say briefly") {
		t.Fatalf("empty conflict reason: %d", p.Status)
	}
	if p := other.post("/notes/"+n.ID+"/conflict", url.Values{"csrf_token": {ocsrf}, "reason": {"We worked together"}}); p.Status != 303 {
		t.Fatalf("conflict: %d", p.Status)
	}
	if p := other.get("/notes/" + n.ID + "/review"); p.Status != 403 || !strings.Contains(p.text(), "conflict of interest") {
		t.Fatalf("scoring after the conflict: %d", p.Status)
	}
}

func TestAssignmentPage(t *testing.T) {
	w := newReviewWorld(t, nil, seat{"Ann", "Org A", "government"}, seat{"Ben", "Org B", "civil_society"},
		seat{"Cid", "Org C", "academia"}, seat{"Dee", "Org D", "government"})
	n := w.screenedNote("Pat", "Org P")
	coord, _ := w.ts.user("Page Coordinator", "OGP", "government", "coordinator")
	b := w.ts.browser()
	b.signIn(coord.Email, "a long enough password")
	page := "/admin/calls/" + w.callID + "/assignments"
	p := b.get(page)
	if p.Status != 200 || !strings.Contains(p.text(), "1 short of reviewers") || !strings.Contains(p.text(), "Assign automatically") {
		t.Fatalf("assignment page: %d\n%s", p.Status, p.text())
	}
	csrf := b.csrf(page)
	if p := b.post(page+"/auto", url.Values{"csrf_token": {csrf}, "per_note": {"x"}}); p.Status != 422 || !strings.Contains(p.text(), "whole number") {
		t.Fatalf("bad per-note: %d", p.Status)
	}
	if p := b.post(page+"/auto", url.Values{"csrf_token": {csrf}, "per_note": {"3"}}); p.Status != 303 {
		t.Fatalf("auto: %d", p.Status)
	}
	p = b.get(page)
	if !strings.Contains(p.text(), "made 3 new assignments") || !strings.Contains(p.text(), "every one has enough reviewers") {
		t.Fatalf("after auto:\n%s", p.text())
	}
	got := w.note(n.ID)
	out := reviewerIDs(got)[0]
	if p := b.post(page+"/note", url.Values{"csrf_token": {csrf}, "note_id": {n.ID}, "remove": {out}}); p.Status != 303 {
		t.Fatalf("unassign: %d", p.Status)
	}
	if len(w.note(n.ID).Assignments) != 2 {
		t.Fatal("not unassigned")
	}
	if p := b.post(page+"/note", url.Values{"csrf_token": {csrf}, "note_id": {n.ID}, "add": {out}}); p.Status != 303 || len(w.note(n.ID).Assignments) != 3 {
		t.Fatalf("assign: %d", p.Status)
	}
	if p := b.post(page+"/note", url.Values{"csrf_token": {csrf}, "note_id": {n.ID}, "add": {out}}); p.Status != 303 {
		t.Fatalf("assigning again is harmless: %d", p.Status)
	}
	rev := w.ts.browser()
	rev.signIn(userByID(t, w, out).Email, "a long enough password")
	if p := rev.get(page); p.Status != 403 {
		t.Errorf("a reviewer reaches the assignment page: %d", p.Status)
	}
}

func userByID(t *testing.T, w *reviewWorld, id string) *store.User {
	t.Helper()
	u, err := w.ts.store.UserByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
