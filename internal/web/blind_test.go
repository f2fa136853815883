package web

import (
	"strings"
	"testing"
)

// TestBlindReviewLeaksNothing gives a note's owner a distinctive name,
// organisation, e-mail, phone and conflict declaration, and checks that no
// page or API answer a plain reviewer gets contains any of them, while the
// chair's answers do (so the check can fail).
func TestBlindReviewLeaksNothing(t *testing.T) {
	w := newReviewWorld(t, map[string]any{"blind_review": true}, seat{"Ann", "Org A", "government"},
		seat{"Ben", "Org B", "civil_society"}, seat{"Cid", "Org C", "academia"})
	secrets := map[string]string{
		"name":         "Zebulon Quaxworth",
		"organisation": "Fennimore Quillworks Trust",
		"e-mail":       "zq.blind@quillworks.example",
		"phone":        "+501 622 9917",
		"declaration":  "My cousin chairs the Xylander Fund",
	}
	reg := w.ts.api("POST", "/api/v1/register", "", map[string]any{"email": secrets["e-mail"], "password": "a long enough password",
		"name": secrets["name"], "organization": secrets["organisation"], "sector": "civil_society", "district": "toledo", "phone": secrets["phone"]})
	if reg.Status != 201 {
		t.Fatalf("register: %d %s", reg.Status, reg.Raw)
	}
	w.ts.verifyEmail(secrets["e-mail"]) // the call requires a verified address (issue 11)
	ownerTok := w.ts.login(secrets["e-mail"], "a long enough password").Body["token"].(string)
	id, v := w.ts.draft(w.callID, ownerTok, withFields("conflict_declaration", secrets["declaration"]))
	if r := w.ts.api("POST", "/api/v1/notes/"+id+"/submit", ownerTok, map[string]any{"version": v}); r.Status != 200 {
		t.Fatalf("submit: %d %s", r.Status, r.Raw)
	}
	n := w.note(id)
	if r := w.ts.api("POST", "/api/v1/notes/"+id+"/screen", w.chairTok, map[string]any{"version": n.Version, "outcome": "pass", "checklist": checklist()}); r.Status != 200 {
		t.Fatalf("screen: %d %s", r.Status, r.Raw)
	}
	w.auto(nil)
	rev := w.revs[0]
	tok := w.tok[rev.ID]

	// Before and after the reviewer submits: both views must be clean.
	var got []string
	collect := func(stage string) {
		for _, path := range []string{"/api/v1/notes/" + id, "/api/v1/notes?call_id=" + w.callID, "/api/v1/notes/" + id + "/reviews",
			"/api/v1/notes/" + id + "/history", "/api/v1/notes/" + id + "/comments"} {
			r := w.ts.api("GET", path, tok, nil)
			got = append(got, stage+" GET "+path+"\n"+r.Raw2())
		}
		b := w.ts.browser()
		b.signIn(rev.Email, "a long enough password")
		for _, path := range []string{"/committee", "/committee?sort=normalised&dir=desc", "/committee/reviews", "/notes/" + id + "/review",
			"/notes/" + id + "/reviews", "/notes/" + id + "/conflict", "/committee/notes/" + id, "/notes/" + id, "/notes/" + id + "/print",
			"/committee/screening?call=" + w.callID} {
			p := b.get(path)
			got = append(got, stage+" page "+path+"\n"+p.text())
		}
	}
	collect("before submitting")
	r := w.ts.api("PUT", "/api/v1/notes/"+id+"/review", tok, fullReview(3, true))
	if r.Status != 200 {
		t.Fatalf("review: %d %s", r.Status, r.Raw)
	}
	got = append(got, "PUT review\n"+r.Raw2())
	collect("after submitting")
	for _, answer := range got {
		for what, s := range secrets {
			if strings.Contains(strings.ToLower(answer), strings.ToLower(s)) {
				head, _, _ := strings.Cut(answer, "\n")
				i := strings.Index(strings.ToLower(answer), strings.ToLower(s))
				t.Errorf("the submitter's %s leaks to a plain reviewer in %s: …%s…", what, head, answer[max(0, i-200):min(len(answer), i+60)])
			}
		}
	}

	// The chair is not blinded: the same note names the submitter.
	chairView := w.ts.api("GET", "/api/v1/notes/"+id, w.chairTok, nil).Raw2()
	for _, what := range []string{"name", "organisation", "e-mail", "phone", "declaration"} {
		if !strings.Contains(chairView, secrets[what]) {
			t.Errorf("the chair's view lacks the submitter's %s, so this test could not see a leak", what)
		}
	}
}
