package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"cocreate/internal/enum"
	"cocreate/internal/store"
)

// reviewWorld is a call with a committee, for assignment and scoring tests.
type reviewWorld struct {
	ts       *testServer
	callID   string
	coordTok string
	chair    *store.User
	chairTok string
	revs     []*store.User
	tok      map[string]string // user id → bearer token
}

// seat describes a committee member: name, organisation, sector.
type seat struct{ name, org, sector string }

// newReviewWorld creates a call (extra overrides its fields), a coordinator,
// a chair who screens, and reviewers as described.
func newReviewWorld(t *testing.T, extra map[string]any, members ...seat) *reviewWorld {
	t.Helper()
	return newReviewWorldOn(newTestServer(t), extra, members...)
}

// newReviewWorldOn is newReviewWorld on a given test server.
func newReviewWorldOn(ts *testServer, extra map[string]any, members ...seat) *reviewWorld {
	t := ts.t
	t.Helper()
	w := &reviewWorld{ts: ts, tok: map[string]string{}}
	_, w.coordTok = ts.user("Cora Coordinator", "Open Government Programme", "government", "coordinator")
	w.chair, w.chairTok = ts.user("Chas Chair", "Office of the Prime Minister", "government", "chair")
	r := ts.api("POST", "/api/v1/calls", w.coordTok, callBody("plan-2026", extra))
	if r.Status != 201 {
		t.Fatalf("create call: %d %s", r.Status, r.Raw)
	}
	w.callID = r.obj("call")["id"].(string)
	for _, m := range members {
		u, tok := ts.user(m.name, m.org, m.sector, "reviewer")
		w.revs = append(w.revs, u)
		w.tok[u.ID] = tok
	}
	return w
}

// screenedNote has a new participant of org submit a note, which the chair passes at screening.
func (w *reviewWorld) screenedNote(name, org string) *store.Note {
	w.ts.t.Helper()
	_, tok := w.ts.user(name, org, "civil_society", "participant")
	return w.screenedNoteBy(tok)
}

// screenedNoteBy submits a note with tok and passes it at screening.
func (w *reviewWorld) screenedNoteBy(tok string) *store.Note {
	w.ts.t.Helper()
	id, v := w.ts.submitted(w.callID, tok)
	r := w.ts.api("POST", "/api/v1/notes/"+id+"/screen", w.chairTok, map[string]any{"version": v, "outcome": "pass", "checklist": checklist()})
	if r.Status != 200 {
		w.ts.t.Fatalf("screen: %d %s", r.Status, r.Raw)
	}
	return w.note(id)
}

func (w *reviewWorld) note(id string) *store.Note {
	w.ts.t.Helper()
	n, err := w.ts.store.NoteByID(context.Background(), id)
	if err != nil {
		w.ts.t.Fatal(err)
	}
	return n
}

// auto runs automatic assignment as the coordinator.
func (w *reviewWorld) auto(body any) apiResp {
	w.ts.t.Helper()
	return w.ts.api("POST", "/api/v1/calls/"+w.callID+"/assignments/auto", w.coordTok, body)
}

func reviewerIDs(n *store.Note) []string {
	out := []string{}
	for _, a := range n.Assignments {
		out = append(out, a.ReviewerID)
	}
	slices.Sort(out)
	return out
}

func TestAutoAssignBalancesMixesAndExcludes(t *testing.T) {
	w := newReviewWorld(t, nil,
		seat{"Gus Gov", "Ministry of Finance", "government"}, seat{"Gia Gov", "Ministry of Health", "government"},
		seat{"Gil Gov", "Statistical Institute", "government"}, seat{"Nat Ngo", "  Open  Data   BELIZE ", "civil_society"},
		seat{"Uma Uni", "University of Belize", "academia"}, seat{"Pia Priv", "Chamber of Commerce", "private_sector"})
	uma := w.revs[4]
	// Uma also writes a note: she must never review it.
	umaParticipant, err := w.ts.store.UpdateUser(context.Background(), uma.ID, store.UserPatch{Roles: []string{"reviewer", "participant"}})
	if err != nil || !umaParticipant.Has("participant") {
		t.Fatal(err)
	}
	own := w.screenedNoteBy(w.ts.freshToken(uma))
	openData := w.screenedNote("Olga Open", "open data belize")
	var all []*store.Note
	for _, org := range []string{"Toledo Women's Group", "Cayo Youth", "Press Union", "Fishers' Cooperative", "Teachers' Union", "Green Belize"} {
		all = append(all, w.screenedNote("Someone of "+org, org))
	}
	all = append(all, own, openData)
	unscreened, _ := w.ts.submitted(w.callID, w.ts.freshToken(umaParticipant))

	r := w.auto(map[string]any{})
	if r.Status != 200 {
		t.Fatalf("auto: %d %s", r.Status, r.Raw)
	}
	if r.Body["assigned"] != 24.0 || r.Body["notes"] != 8.0 || r.Body["reviewers"] != 6.0 || len(r.Body["short"].([]any)) != 0 {
		t.Fatalf("answer: %s", r.Raw)
	}
	load := map[string]int{}
	for _, before := range all {
		n := w.note(before.ID)
		ids := reviewerIDs(n)
		if len(slices.Compact(slices.Clone(ids))) != 3 {
			t.Errorf("note %s has reviewers %v, want 3 distinct", n.Ref, ids)
		}
		gov, nonGov := 0, 0
		for _, a := range n.Assignments {
			load[a.ReviewerID]++
			if enum.IsGovernment(a.Sector) {
				gov++
			} else {
				nonGov++
			}
			if a.ReviewState != store.ReviewAssigned {
				t.Errorf("new assignment state %q", a.ReviewState)
			}
		}
		if gov == 0 || nonGov == 0 {
			t.Errorf("note %s is not mixed: %d government, %d not", n.Ref, gov, nonGov)
		}
		if n.Version != before.Version {
			t.Errorf("assignment moved the version of %s from %d to %d", n.Ref, before.Version, n.Version)
		}
	}
	if slices.Contains(reviewerIDs(w.note(own.ID)), uma.ID) {
		t.Error("the author was assigned her own note")
	}
	if slices.Contains(reviewerIDs(w.note(openData.ID)), w.revs[3].ID) {
		t.Error("a reviewer of the submitter's organisation (odd case and spaces) was assigned")
	}
	lo, hi := 99, 0
	for _, u := range w.revs {
		lo, hi = min(lo, load[u.ID]), max(hi, load[u.ID])
	}
	if hi-lo > 1 {
		t.Errorf("load not balanced: %v", load)
	}
	if len(w.note(unscreened).Assignments) != 0 {
		t.Error("a note awaiting screening got reviewers")
	}

	// A second run changes nothing.
	before := map[string][]string{}
	for _, n := range all {
		before[n.ID] = reviewerIDs(w.note(n.ID))
	}
	if r := w.auto(nil); r.Status != 200 || r.Body["assigned"] != 0.0 {
		t.Fatalf("re-run: %d %s", r.Status, r.Raw)
	}
	for _, n := range all {
		if got := reviewerIDs(w.note(n.ID)); !slices.Equal(got, before[n.ID]) {
			t.Errorf("re-run changed %s: %v → %v", n.Ref, before[n.ID], got)
		}
	}
}

func TestAssignmentReRunFillsGapsAndKeepsStartedReviews(t *testing.T) {
	w := newReviewWorld(t, nil,
		seat{"Ann", "Org A", "government"}, seat{"Ben", "Org B", "civil_society"},
		seat{"Cid", "Org C", "academia"}, seat{"Dee", "Org D", "government"})
	n := w.screenedNote("Pat", "Org P")
	if r := w.auto(nil); r.Status != 200 || r.Body["assigned"] != 3.0 {
		t.Fatalf("auto: %d %s", r.Status, r.Raw)
	}
	ids := reviewerIDs(w.note(n.ID))
	drafter, submitter, idle := ids[0], ids[1], ids[2]
	if r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/review", w.tok[drafter], map[string]any{"scores": map[string]int{"problem": 2}}); r.Status != 200 {
		t.Fatalf("draft: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/review", w.tok[submitter], fullReview(3, true)); r.Status != 200 {
		t.Fatalf("submit: %d %s", r.Status, r.Raw)
	}
	// Unassigning someone who submitted is refused, with their name.
	r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/assignments", w.coordTok, map[string]any{"reviewer_ids": []string{drafter, idle}})
	if r.Status != 409 || r.errCode() != "review_submitted" || !strings.Contains(r.Raw2(), nameOf(w, submitter)) {
		t.Fatalf("unassign a submitted reviewer: %d %s", r.Status, r.Raw)
	}
	// Unassigning the idle one leaves a gap, which a re-run fills and nothing else.
	r = w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/assignments", w.coordTok, map[string]any{"reviewer_ids": []string{drafter, submitter}})
	if r.Status != 200 || len(r.obj("note")["assignments"].([]any)) != 2 {
		t.Fatalf("unassign: %d %s", r.Status, r.Raw)
	}
	r = w.auto(nil)
	if r.Status != 200 || r.Body["assigned"] != 1.0 {
		t.Fatalf("re-run: %d %s", r.Status, r.Raw)
	}
	got := w.note(n.ID)
	if len(got.Assignments) != 3 || got.AssignedTo(drafter).ReviewState != store.ReviewDraft ||
		got.AssignedTo(submitter).ReviewState != store.ReviewSubmitted {
		t.Fatalf("after re-run: %+v", got.Assignments)
	}
}

func TestAssignmentShortfallsAreExplained(t *testing.T) {
	w := newReviewWorld(t, nil, seat{"Ann", "Org A", "government"}, seat{"Ben", "Org B", "civil_society"})
	plain := w.screenedNote("Pat", "Org P")
	clash := w.screenedNote("Quin", " org  b")
	r := w.auto(map[string]any{"per_note": 3})
	if r.Status != 200 {
		t.Fatalf("auto: %d %s", r.Status, r.Raw)
	}
	short := map[string]map[string]any{}
	for _, s := range r.Body["short"].([]any) {
		m := s.(map[string]any)
		short[m["note_id"].(string)] = m
	}
	if s := short[plain.ID]; s == nil || s["have"] != 2.0 || s["need"] != 3.0 || s["ref"] != plain.Ref ||
		!strings.Contains(s["reason"].(string), "the committee has 2 reviewers in all") {
		t.Errorf("plain note: %v", s)
	}
	if s := short[clash.ID]; s == nil || s["have"] != 1.0 || !strings.Contains(s["reason"].(string), "1 shares the submitter's organisation") {
		t.Errorf("note with an organisation clash: %v", s)
	}
	b := w.ts.browser()
	coord, _ := w.ts.user("Page Coordinator", "OGP", "government", "coordinator")
	b.signIn(coord.Email, "a long enough password")
	p := b.get("/admin/calls/" + w.callID + "/assignments")
	if p.Status != 200 || !strings.Contains(p.text(), "1 shares the submitter's organisation") || !strings.Contains(p.text(), "2 short of reviewers") {
		t.Fatalf("assignment page: %d\n%s", p.Status, p.Body)
	}
}

func TestManualAssignmentRules(t *testing.T) {
	w := newReviewWorld(t, nil, seat{"Ann", "Org A", "government"}, seat{"Ben", "ORG B ", "civil_society"})
	n := w.screenedNote("Pat", "org b")
	_, partTok := w.ts.user("Pete", "Elsewhere", "individual", "participant")
	ann, ben := w.revs[0], w.revs[1]
	cases := []struct {
		name   string
		tok    string
		body   any
		status int
		code   string
		field  string
	}{
		{"a reviewer of the submitter's organisation", w.coordTok, map[string]any{"reviewer_ids": []string{ben.ID}}, 422, "validation_failed", "reviewer_ids"},
		{"no such reviewer", w.coordTok, map[string]any{"reviewer_ids": []string{"nobody"}}, 422, "validation_failed", "reviewer_ids"},
		{"not a list", w.coordTok, map[string]any{"reviewer_ids": "x"}, 400, "bad_request", ""},
		{"missing list", w.coordTok, map[string]any{}, 400, "bad_request", ""},
		{"a reviewer may not assign", w.tok[ann.ID], map[string]any{"reviewer_ids": []string{ann.ID}}, 403, "forbidden", ""},
		{"a participant may not assign", partTok, map[string]any{"reviewer_ids": []string{ann.ID}}, 403, "forbidden", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/assignments", tc.tok, tc.body)
			if r.Status != tc.status || r.errCode() != tc.code || (tc.field != "" && r.errFields()[tc.field] == nil) {
				t.Fatalf("%d %s", r.Status, r.Raw)
			}
		})
	}
	if r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/assignments", w.coordTok, map[string]any{"reviewer_ids": []string{ann.ID}}); r.Status != 200 {
		t.Fatalf("assign: %d %s", r.Status, r.Raw)
	}
	// Only screened notes take reviewers.
	id, _ := w.ts.submitted(w.callID, w.ts.freshToken(mustUser(w, "Pat")))
	r := w.ts.api("PUT", "/api/v1/notes/"+id+"/assignments", w.coordTok, map[string]any{"reviewer_ids": []string{ann.ID}})
	if r.Status != http.StatusConflict || r.errCode() != "invalid_transition" || !strings.Contains(r.Raw2(), "screened") {
		t.Fatalf("assign on a submitted note: %d %s", r.Status, r.Raw)
	}
	for _, per := range []any{0, 21, -1} {
		if r := w.auto(map[string]any{"per_note": per}); r.Status != 422 || r.errFields()["per_note"] == nil {
			t.Errorf("per_note %v: %d %s", per, r.Status, r.Raw)
		}
	}
	if r := w.auto(map[string]any{"per_note": "3"}); r.Status != 400 {
		t.Errorf("per_note as text: %d %s", r.Status, r.Raw)
	}
}

func TestConflictDeclarationUnassignsAndFlags(t *testing.T) {
	w := newReviewWorld(t, nil, seat{"Ann", "Org A", "government"}, seat{"Ben", "Org B", "civil_society"},
		seat{"Cid", "Org C", "academia"}, seat{"Dee", "Org D", "government"})
	n := w.screenedNote("Pat", "Org P")
	w.auto(nil)
	x := reviewerIDs(w.note(n.ID))[0]
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/conflict", w.tok[x], map[string]any{"reason": "  "}); r.Status != 422 || r.errFields()["reason"] == nil {
		t.Fatalf("empty reason: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/conflict", w.tok[x], map[string]any{"reason": "I advised the submitter last year"}); r.Status != 204 {
		t.Fatalf("declare: %d %s", r.Status, r.Raw)
	}
	got := w.note(n.ID)
	if got.AssignedTo(x) != nil || !got.HasConflict(x) || !got.NeedsReassign || len(got.Assignments) != 2 {
		t.Fatalf("after the declaration: %+v conflicts %v flagged %v", got.Assignments, got.Conflicts, got.NeedsReassign)
	}
	if r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/review", w.tok[x], fullReview(2, true)); r.Status != 403 || !strings.Contains(r.Raw2(), "conflict") {
		t.Errorf("conflicted reviewer scores: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("GET", "/api/v1/notes/"+n.ID+"/reviews", w.tok[x], nil); r.Status != 403 || !strings.Contains(r.Raw2(), "conflict") {
		t.Errorf("conflicted reviewer reads reviews: %d %s", r.Status, r.Raw)
	}
	if r := w.auto(nil); r.Status != 200 || r.Body["assigned"] != 1.0 {
		t.Fatalf("re-run: %d %s", r.Status, r.Raw)
	}
	got = w.note(n.ID)
	if got.AssignedTo(x) != nil || got.NeedsReassign || len(got.Assignments) != 3 {
		t.Fatalf("after the re-run: %+v flagged %v", got.Assignments, got.NeedsReassign)
	}
	if r := w.ts.api("PUT", "/api/v1/notes/"+n.ID+"/assignments", w.coordTok, map[string]any{"reviewer_ids": append(reviewerIDs(got), x)}); r.Status != 422 {
		t.Errorf("manual assignment of a conflicted reviewer: %d %s", r.Status, r.Raw)
	}
}

// Raw2 is the raw answer as a string.
func (r apiResp) Raw2() string { return string(r.Raw) }

func nameOf(w *reviewWorld, id string) string {
	u, err := w.ts.store.UserByID(context.Background(), id)
	if err != nil {
		w.ts.t.Fatal(err)
	}
	return u.Name
}

func mustUser(w *reviewWorld, name string) *store.User {
	list, _, err := w.ts.store.ListUsers(context.Background(), "participant", 0, 0)
	if err != nil {
		w.ts.t.Fatal(err)
	}
	for _, u := range list {
		if u.Name == name {
			return u
		}
	}
	w.ts.t.Fatalf("no participant named %s", name)
	return nil
}

// fullReview scores every default criterion v, submitted or not.
func fullReview(v int, submit bool) map[string]any {
	s := map[string]int{}
	for _, o := range enum.Criteria {
		s[o.Value] = v
	}
	return map[string]any{"scores": s, "comment": "Scored in a test.", "submit": submit}
}
