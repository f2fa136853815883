package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cocreate/internal/notes"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// classifyBodyFor is a valid classification of n as class with code.
func classifyBodyFor(n *store.Note, class, code string) map[string]any {
	return map[string]any{"version": n.Version, "class": class, "reason_code": code,
		"rationale": "The note opens contract data with a clear owner. It goes forward to co-creation."}
}

func TestClassifyRulesThroughTheAPI(t *testing.T) {
	w := newCommitteeWorld(t)
	other := w.newCall(t, "other-call", "OT2026")
	elsewhere := w.note(t, other, "screened", "Elsewhere", "justice", time.Hour)
	target := w.scored(t, "Merge target", 3, 60)
	long := strings.Repeat("Too long. ", 101)
	cases := []struct {
		name    string
		reviews int
		edit    func(b map[string]any, n *store.Note)
		status  int
		field   string
	}{
		{"classify", 3, nil, 200, ""},
		{"below the minimum without an override", 2, nil, 422, "override_reason"},
		{"below the minimum with an override", 2, func(b map[string]any, _ *store.Note) { b["override_reason"] = "The third reviewer withdrew." }, 200, ""},
		{"merged needs its target", 3, func(b map[string]any, _ *store.Note) { b["reason_code"] = "merged"; b["class"] = "B" }, 422, "merged_into"},
		{"not merged into itself", 3, func(b map[string]any, n *store.Note) { b["reason_code"] = "merged"; b["merged_into"] = n.ID }, 422, "merged_into"},
		{"merged within the call", 3, func(b map[string]any, _ *store.Note) { b["reason_code"] = "merged"; b["merged_into"] = elsewhere.ID }, 422, "merged_into"},
		{"merged into an unknown note", 3, func(b map[string]any, _ *store.Note) { b["reason_code"] = "merged"; b["merged_into"] = "nope" }, 422, "merged_into"},
		{"a target only for a merge", 3, func(b map[string]any, _ *store.Note) { b["merged_into"] = target.ID }, 422, "merged_into"},
		{"merged", 3, func(b map[string]any, _ *store.Note) { b["reason_code"] = "merged"; b["merged_into"] = target.ID }, 200, ""},
		{"a rationale is required", 3, func(b map[string]any, _ *store.Note) { b["rationale"] = "  " }, 422, "rationale"},
		{"the rationale is short", 3, func(b map[string]any, _ *store.Note) { b["rationale"] = long }, 422, "rationale"},
		{"a class is required", 3, func(b map[string]any, _ *store.Note) { delete(b, "class") }, 422, "class"},
		{"unknown class", 3, func(b map[string]any, _ *store.Note) { b["class"] = "E" }, 400, ""},
		{"unknown reason code", 3, func(b map[string]any, _ *store.Note) { b["reason_code"] = "liked_it" }, 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := w.scored(t, "Open contracts", tc.reviews, 75)
			b := classifyBodyFor(n, "A", "included")
			if tc.edit != nil {
				tc.edit(b, n)
			}
			r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, b)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
			}
			after := w.fresh(t, n.ID)
			if tc.status != 200 {
				if _, ok := r.errFields()[tc.field]; tc.status == 422 && !ok {
					t.Fatalf("want a message for %s: %s", tc.field, r.Raw)
				}
				if after.State != "screened" || after.Decision != nil {
					t.Fatalf("a refused classification changed the note: %+v", after.Decision)
				}
				return
			}
			d := after.Decision
			if after.State != "classified" || d == nil || d.Class != b["class"] || d.ReasonCode != b["reason_code"] || d.By != w.chair.ID {
				t.Fatalf("decision not stored: %s %+v", after.State, d)
			}
			if mi, _ := b["merged_into"].(string); d.MergedInto != mi {
				t.Fatalf("merged_into %q, want %q", d.MergedInto, mi)
			}
			if got := r.obj("note")["decision"].(map[string]any)["class"]; got != b["class"] {
				t.Fatalf("answer's decision %v", got)
			}
		})
	}
}

func TestOnlyTheChairClassifies(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.scored(t, "Open contracts", 3, 75)
	for name, tok := range map[string]string{"reviewer": w.rev1Tok, "coordinator": w.coordTok, "participant": w.ownerTok} {
		r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", tok, classifyBodyFor(n, "A", "included"))
		if r.Status != 403 {
			t.Fatalf("%s classifying: %d %s", name, r.Status, r.Raw)
		}
	}
	// A note that is not screened yet answers 409 naming its state.
	sub := w.note(t, w.call, "submitted", "Not screened", "justice", time.Hour)
	r := w.ts.api("POST", "/api/v1/notes/"+sub.ID+"/classify", w.chairTok, classifyBodyFor(sub, "A", "included"))
	if r.Status != 409 || r.errCode() != "invalid_transition" {
		t.Fatalf("classifying a submitted note: %d %s", r.Status, r.Raw)
	}
}

func TestBulkClassifyItemsStandAlone(t *testing.T) {
	w := newCommitteeWorld(t)
	other := w.newCall(t, "other-call", "OT2026")
	good := w.scored(t, "Good", 3, 75)
	short := w.scored(t, "Short of reviews", 1, 75)
	sub := w.note(t, w.call, "submitted", "Not screened", "justice", time.Hour)
	foreign := w.note(t, other, "screened", "Other call", "justice", time.Hour)
	noRationale := w.scored(t, "No rationale", 3, 40)
	item := func(n *store.Note, class string) map[string]any {
		b := classifyBodyFor(n, class, "included")
		b["id"] = n.ID
		return b
	}
	bad := item(noRationale, "D")
	bad["rationale"] = ""
	r := w.ts.api("POST", "/api/v1/calls/"+w.call.ID+"/classify", w.chairTok, map[string]any{"items": []any{
		item(good, "A"), item(short, "A"), item(sub, "B"), item(foreign, "B"), bad}})
	if r.Status != 200 {
		t.Fatalf("bulk: %d %s", r.Status, r.Raw)
	}
	items := r.Body["items"].([]any)
	want := []struct {
		id   string
		ok   bool
		code string
	}{{good.ID, true, ""}, {short.ID, false, "validation_failed"}, {sub.ID, false, "invalid_transition"},
		{foreign.ID, false, "not_found"}, {noRationale.ID, false, "validation_failed"}}
	if len(items) != len(want) {
		t.Fatalf("%d items: %s", len(items), r.Raw)
	}
	for i, wt := range want {
		it := items[i].(map[string]any)
		if it["id"] != wt.id || it["ok"] != wt.ok {
			t.Fatalf("item %d: %v", i, it)
		}
		if wt.ok {
			if it["note"].(map[string]any)["state"] != "classified" {
				t.Fatalf("item %d: %v", i, it)
			}
			continue
		}
		if code := it["error"].(map[string]any)["code"]; code != wt.code {
			t.Fatalf("item %d: code %v, want %s", i, code, wt.code)
		}
	}
	if w.fresh(t, good.ID).State != "classified" || w.fresh(t, short.ID).State != "screened" || w.fresh(t, noRationale.ID).State != "screened" {
		t.Fatal("the items did not stand alone")
	}
	// The bulk route is the chair's too.
	if r := w.ts.api("POST", "/api/v1/calls/"+w.call.ID+"/classify", w.rev1Tok, map[string]any{"items": []any{item(short, "A")}}); r.Status != 403 {
		t.Fatalf("reviewer bulk: %d", r.Status)
	}
}

func TestReopenAndReinstateNeedReasons(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.scored(t, "Open contracts", 3, 75)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, classifyBodyFor(n, "A", "included")); r.Status != 200 {
		t.Fatalf("classify: %d %s", r.Status, r.Raw)
	}
	n = w.fresh(t, n.ID)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/reopen", w.chairTok, map[string]any{"version": n.Version, "reason": " "}); r.Status != 422 || r.errFields()["reason"] == nil {
		t.Fatalf("reopen without a reason: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/reopen", w.rev1Tok, map[string]any{"version": n.Version, "reason": "New facts"}); r.Status != 403 {
		t.Fatalf("reviewer reopening: %d", r.Status)
	}
	r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/reopen", w.chairTok, map[string]any{"version": n.Version, "reason": "The ministry has since offered funding."})
	if r.Status != 200 || r.obj("note")["state"] != "screened" {
		t.Fatalf("reopen: %d %s", r.Status, r.Raw)
	}
	after := w.fresh(t, n.ID)
	if after.Decision == nil || after.Decision.Class != "A" {
		t.Fatal("the decision should stay recorded after a reopen")
	}
	if last := after.History[len(after.History)-1]; last.Event != "reopen" || last.Reason != "The ministry has since offered funding." {
		t.Fatalf("history: %+v", last)
	}

	f := w.note(t, w.call, "submitted", "Failed note", "justice", time.Hour)
	if r := w.ts.api("POST", "/api/v1/notes/"+f.ID+"/screen", w.rev1Tok, map[string]any{"version": f.Version, "outcome": "fail", "checklist": checklist("appropriate")}); r.Status != 200 {
		t.Fatalf("fail: %d %s", r.Status, r.Raw)
	}
	f = w.fresh(t, f.ID)
	if r := w.ts.api("POST", "/api/v1/notes/"+f.ID+"/reinstate", w.chairTok, map[string]any{"version": f.Version}); r.Status != 422 {
		t.Fatalf("reinstate without a reason: %d %s", r.Status, r.Raw)
	}
	r = w.ts.api("POST", "/api/v1/notes/"+f.ID+"/reinstate", w.chairTok, map[string]any{"version": f.Version, "reason": "The screener misread the funding section."})
	if r.Status != 200 || r.obj("note")["state"] != "submitted" {
		t.Fatalf("reinstate: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("POST", "/api/v1/notes/"+f.ID+"/reinstate", w.chairTok, map[string]any{"version": f.Version + 1, "reason": "Again"}); r.Status != 409 || r.errCode() != "invalid_transition" {
		t.Fatalf("reinstating a submitted note: %d %s", r.Status, r.Raw)
	}
}

func TestClassifyThroughThePage(t *testing.T) {
	w := newCommitteeWorld(t)
	b := w.ts.browser()
	b.signIn(w.chair.Email, "a long enough password")

	n := w.scored(t, "Short of reviews", 2, 75)
	page := b.get("/notes/" + n.ID + "/classify")
	if page.Status != 200 || !strings.Contains(page.Body, "No class is suggested yet: the note has 2 of the 3") || !strings.Contains(page.Body, `id="override_reason"`) {
		t.Fatalf("classify page: %d\n%s", page.Status, page.Body)
	}
	form := url.Values{"csrf_token": {csrfRe.FindStringSubmatch(page.Body)[1]}, "version": {fmt.Sprint(n.Version)},
		"class": {"B"}, "reason_code": {"merged"}, "rationale": {"Similar to another note; develop them together."}}
	p := b.post("/notes/"+n.ID+"/classify", form)
	if p.Status != 422 {
		t.Fatalf("status %d\n%s", p.Status, p.Body)
	}
	for _, want := range []string{"<title>Error: Classify note", `id="merged_into-error"`, `id="override_reason-error"`,
		"Similar to another note; develop them together.", `value="B" checked`, `name="reason_code_B" value="merged" checked`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	target := w.scored(t, "The note it joins", 3, 65)
	form.Set("merged_into", target.ID)
	form.Set("override_reason", "Merged notes are scored together.")
	form.Set("csrf_token", csrfRe.FindStringSubmatch(p.Body)[1])
	if p := b.post("/notes/"+n.ID+"/classify", form); p.Status != http.StatusSeeOther {
		t.Fatalf("classify: %d\n%s", p.Status, p.Body)
	}
	d := w.fresh(t, n.ID).Decision
	if d == nil || d.MergedInto != target.ID || d.Override != "Merged notes are scored together." {
		t.Fatalf("decision: %+v", d)
	}

	// The suggestion is explained when the reviews are in.
	a := w.scored(t, "Strong note", 3, 80)
	if p := b.get("/notes/" + a.ID + "/classify"); !strings.Contains(p.Body, "Suggested A: the mean score is 80.0") {
		t.Fatalf("no explained suggestion:\n%s", p.Body)
	}
	// Reopen through its page: the reason is asked for, and kept on an error.
	cur := w.fresh(t, n.ID)
	rp := b.get("/notes/" + n.ID + "/reopen")
	p = b.post("/notes/"+n.ID+"/reopen", url.Values{"csrf_token": {csrfRe.FindStringSubmatch(rp.Body)[1]}, "version": {fmt.Sprint(cur.Version)}, "reason": {""}})
	if p.Status != 422 || !strings.Contains(p.Body, `id="reason-error"`) {
		t.Fatalf("reopen without reason: %d\n%s", p.Status, p.Body)
	}
}

func TestPublicationShowsTheDecisionToTheOwner(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.scored(t, "Open contracts", 3, 75)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, classifyBodyFor(n, "A", "included")); r.Status != 200 {
		t.Fatalf("classify: %d %s", r.Status, r.Raw)
	}
	ownerView := func() (map[string]any, []any) {
		t.Helper()
		r := w.ts.api("GET", "/api/v1/notes/"+n.ID, w.ownerTok, nil)
		h := w.ts.api("GET", "/api/v1/notes/"+n.ID+"/history", w.ownerTok, nil)
		if r.Status != 200 || h.Status != 200 {
			t.Fatalf("owner reads: %d %d %s %s", r.Status, h.Status, r.Raw, h.Raw)
		}
		return r.obj("note"), h.Body["items"].([]any)
	}
	note, hist := ownerView()
	if note["state"] != "screened" || note["decision"] != nil || note["score"] != nil {
		t.Fatalf("before publication the owner sees: %v", note)
	}
	for _, e := range hist {
		if e.(map[string]any)["event"] == "classify" {
			t.Fatal("an unpublished decision is in the owner's history")
		}
	}
	if r := w.ts.api("POST", "/api/v1/calls/"+w.call.ID+"/publish", w.rev1Tok, map[string]any{}); r.Status != 403 {
		t.Fatalf("reviewer publishing: %d", r.Status)
	}
	r := w.ts.api("POST", "/api/v1/calls/"+w.call.Slug+"/publish", w.chairTok, map[string]any{})
	if r.Status != 200 || r.Body["notes"] != float64(1) || r.Body["published_at"] != "2026-06-15T12:00:00Z" {
		t.Fatalf("publish: %d %s", r.Status, r.Raw)
	}
	note, hist = ownerView()
	if note["state"] != "classified" || note["decision"].(map[string]any)["class"] != "A" {
		t.Fatalf("after publication the owner sees: %v", note)
	}
	found := false
	for _, e := range hist {
		m := e.(map[string]any)
		if m["event"] == "classify" {
			found = true
			if m["by"] != "chair" {
				t.Fatalf("the owner's history names a person: %v", m)
			}
		}
		if m["by"] == w.chair.ID || m["by"] == w.rev1.ID {
			t.Fatalf("the owner's history names a committee member: %v", m)
		}
	}
	if !found {
		t.Fatalf("the published decision is not in the owner's history: %v", hist)
	}
	// The committee sees who acted.
	ch := w.ts.api("GET", "/api/v1/notes/"+n.ID+"/history", w.rev1Tok, nil)
	if last := ch.Body["items"].([]any)[0].(map[string]any); last["by"] != w.chair.ID {
		t.Fatalf("committee history: %v", last)
	}

	// A changed decision reaches the owner only at the next publication.
	w.ts.clock.Add(time.Hour)
	chairTok := w.login(t, w.chair)
	cur := w.fresh(t, n.ID)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/reopen", chairTok, map[string]any{"version": cur.Version, "reason": "Funding fell through."}); r.Status != 200 {
		t.Fatalf("reopen: %d %s", r.Status, r.Raw)
	}
	cur = w.fresh(t, n.ID)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", chairTok, classifyBodyFor(cur, "C", "out_of_scope")); r.Status != 200 {
		t.Fatalf("reclassify: %d %s", r.Status, r.Raw)
	}
	ownerTok := w.login(t, w.owner)
	if r := w.ts.api("GET", "/api/v1/notes/"+n.ID, ownerTok, nil); r.obj("note")["decision"].(map[string]any)["class"] != "A" {
		t.Fatalf("an unpublished change reached the owner: %s", r.Raw)
	}
	if r := w.ts.api("POST", "/api/v1/calls/"+w.call.ID+"/publish", chairTok, map[string]any{}); r.Status != 200 {
		t.Fatalf("publish again: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("GET", "/api/v1/notes/"+n.ID, ownerTok, nil); r.obj("note")["decision"].(map[string]any)["class"] != "C" {
		t.Fatalf("the new decision did not reach the owner: %s", r.Raw)
	}
	// The owner's history holds the published decision once, and nothing of
	// the reopening or its internal reason.
	h := w.ts.api("GET", "/api/v1/notes/"+n.ID+"/history", ownerTok, nil)
	classify := 0
	for _, e := range h.Body["items"].([]any) {
		m := e.(map[string]any)
		if m["event"] == "reopen" || strings.Contains(fmt.Sprint(m["reason"]), "Funding fell through") {
			t.Errorf("the owner's history shows the reopening: %v", m)
		}
		if m["event"] == "classify" {
			classify++
		}
	}
	if classify != 1 {
		t.Errorf("the owner's history has %d classifications, want the one published: %s", classify, h.Raw)
	}
}

// TestOwnerRulesComeFirst gives a participant the committee's roles: on
// their own note they still see only what an owner sees (no unpublished
// class, no internal reasons), and under blind review a plain reviewer's
// history never names the owner.
func TestOwnerRulesComeFirst(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.scored(t, "Open contracts", 3, 75)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, classifyBodyFor(n, "A", "included")); r.Status != 200 {
		t.Fatalf("classify: %d %s", r.Status, r.Raw)
	}
	if r := w.ts.api("PATCH", "/api/v1/users/"+w.owner.ID, w.coordTok, map[string]any{"roles": []string{"participant", "reviewer", "chair"}}); r.Status != 200 {
		t.Fatalf("give the owner committee roles: %d %s", r.Status, r.Raw)
	}
	tok := w.login(t, w.owner)
	if r := w.ts.api("GET", "/api/v1/notes/"+n.ID, tok, nil); r.obj("note")["state"] != "screened" || r.obj("note")["decision"] != nil {
		t.Errorf("an owner with committee roles sees: %s", r.Raw)
	}
	h := w.ts.api("GET", "/api/v1/notes/"+n.ID+"/history", tok, nil)
	for _, e := range h.Body["items"].([]any) {
		if m := e.(map[string]any); m["event"] == "classify" || m["by"] == w.chair.ID {
			t.Errorf("an owner with committee roles reads %v", m)
		}
	}

	now := w.ts.clock.Now()
	blind := &store.Call{Slug: "blind-2026", Title: "Blind", RefPrefix: "BL2026", OpensAt: now.AddDate(0, 0, -10),
		ClosesAt: now.AddDate(0, 0, 20), PlanStart: "2026-09", PlanEnd: "2028-08", TimeZone: "America/Belize", BlindReview: true,
		ReviewersPerNote: 3, MinReviews: 3, Criteria: review.DefaultCriteria(), WordLimits: notes.DefaultWordLimits()}
	if err := w.ts.store.CreateCall(context.Background(), blind); err != nil {
		t.Fatal(err)
	}
	bn := w.note(t, blind, "screened", "Blind note", "justice", time.Hour, func(n *store.Note) {
		n.History = []store.HistoryEntry{{From: "draft", To: "submitted", Event: "submit", By: w.owner.ID, ByRole: "owner", At: now},
			{From: "submitted", To: "screened", Event: "screen_pass", By: w.chair.ID, ByRole: "chair", At: now}}
	})
	h = w.ts.api("GET", "/api/v1/notes/"+bn.ID+"/history", w.rev1Tok, nil)
	if h.Status != 200 || strings.Contains(string(h.Raw), w.owner.ID) {
		t.Errorf("a plain reviewer's history of a blind note names the owner: %d %s", h.Status, h.Raw)
	}
}

func TestPublishThroughItsConfirmationPage(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.scored(t, "Open contracts", 3, 75)
	w.scored(t, "Still in review", 1, 50)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, classifyBodyFor(n, "A", "included")); r.Status != 200 {
		t.Fatalf("classify: %d %s", r.Status, r.Raw)
	}
	b := w.ts.browser()
	b.signIn(w.chair.Email, "a long enough password")
	p := b.get("/committee/publish?call=" + w.call.Slug)
	if p.Status != 200 || !strings.Contains(p.Body, "1 classified note</strong>") || !strings.Contains(p.Body, "1 note is still being screened or scored") {
		t.Fatalf("confirmation page: %d\n%s", p.Status, p.Body)
	}
	if w.fresh(t, n.ID).Published != nil {
		t.Fatal("showing the confirmation published")
	}
	p = b.post("/committee/publish", url.Values{"csrf_token": {csrfRe.FindStringSubmatch(p.Body)[1]}, "call": {w.call.Slug}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", p.Status, p.Body)
	}
	if got := w.fresh(t, n.ID).Published; got == nil || got.Class != "A" {
		t.Fatalf("published: %+v", got)
	}
}

func TestCommentsNeverReachParticipants(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.note(t, w.call, "submitted", "Open contracts", "fiscal_openness", time.Hour)
	secret := "Internal: the ministry already runs a similar pilot"
	r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/comments", w.rev1Tok, map[string]any{"text": secret})
	if r.Status != 201 {
		t.Fatalf("add comment: %d %s", r.Status, r.Raw)
	}
	cm := r.obj("comment")
	if cm["note_id"] != n.ID || cm["text"] != secret || cm["author"].(map[string]any)["name"] != "Rita Reviewer" || cm["id"] == "" {
		t.Fatalf("comment: %v", cm)
	}
	for _, tc := range []struct {
		text  string
		field bool
	}{{"   ", true}, {strings.Repeat("x", 2001), true}} {
		if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/comments", w.chairTok, map[string]any{"text": tc.text}); r.Status != 422 || r.errFields()["text"] == nil {
			t.Fatalf("comment of %d characters: %d %s", len(tc.text), r.Status, r.Raw)
		}
	}
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/comments", w.chairTok, map[string]any{"text": strings.Repeat("y", 2000)}); r.Status != 201 {
		t.Fatalf("a 2,000-character comment: %d", r.Status)
	}
	for name, tok := range map[string]string{"reviewer": w.rev2Tok, "chair": w.chairTok, "coordinator": w.coordTok} {
		l := w.ts.api("GET", "/api/v1/notes/"+n.ID+"/comments", tok, nil)
		if l.Status != 200 || l.Body["total"] != float64(2) || l.Body["items"].([]any)[0].(map[string]any)["text"] != secret {
			t.Fatalf("%s reads comments: %d %s", name, l.Status, l.Raw)
		}
	}
	// The participant: not through the API, not in their note, not on their page.
	for _, m := range []string{"GET", "POST"} {
		if r := w.ts.api(m, "/api/v1/notes/"+n.ID+"/comments", w.ownerTok, map[string]any{"text": "hi"}); r.Status != 403 && r.Status != 404 {
			t.Fatalf("owner %s comments: %d", m, r.Status)
		}
	}
	if r := w.ts.api("GET", "/api/v1/notes/"+n.ID, w.ownerTok, nil); r.Status != 200 || strings.Contains(string(r.Raw), "ministry already runs") {
		t.Fatalf("owner's note JSON: %d %s", r.Status, r.Raw)
	}
	b := w.ts.browser()
	b.signIn(w.owner.Email, "a long enough password")
	if p := b.get("/notes/" + n.ID); p.Status != 200 || strings.Contains(p.Body, "ministry already runs") {
		t.Fatalf("owner's note page: %d", p.Status)
	}
	if p := b.get("/committee/notes/" + n.ID); p.Status != 403 {
		t.Fatalf("owner on the committee page: %d", p.Status)
	}
	// A reviewer of the submitter's organisation has a conflict: no discussion.
	_, sameTok := w.ts.user("Sam Sameorg", " citizens  for budgets ", "civil_society", "reviewer")
	if r := w.ts.api("GET", "/api/v1/notes/"+n.ID+"/comments", sameTok, nil); r.Status != 403 || !strings.Contains(string(r.Raw), "organisation") {
		t.Fatalf("conflicted reviewer reads comments: %d %s", r.Status, r.Raw)
	}
	// An author who is also a reviewer never reads the discussion of their own note.
	author, authorTok := w.ts.user("Rory Author", "Civic Lab", "civil_society", "participant", "reviewer")
	own := w.note(t, w.call, "submitted", "My own", "justice", time.Hour, func(x *store.Note) { x.Owner = author.ID })
	if r := w.ts.api("GET", "/api/v1/notes/"+own.ID+"/comments", authorTok, nil); r.Status != 403 {
		t.Fatalf("author reads the discussion of their note: %d", r.Status)
	}
}

func TestTheCommitteeNotePage(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.scored(t, "Open contracts", 3, 75)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/comments", w.rev2Tok, map[string]any{"text": "Check the budget line."}); r.Status != 201 {
		t.Fatal(r.Status)
	}
	b := w.ts.browser()
	b.signIn(w.chair.Email, "a long enough password")
	p := b.get("/committee/notes/" + n.ID)
	for _, want := range []string{"Check the budget line.", "Classify this note", "Suggested A", "Paula Participant", "Citizens for Budgets"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the chair's page lacks %q", want)
		}
	}
	if strings.Contains(p.Body, "Screen this note") || strings.Contains(p.Body, "Reopen the decision") {
		t.Error("the page offers actions that are not allowed now")
	}
	// A comment through the page; an empty one is refused beside the field.
	csrf := csrfRe.FindStringSubmatch(p.Body)[1]
	if p := b.post("/committee/notes/"+n.ID+"/comments", url.Values{"csrf_token": {csrf}, "text": {""}}); p.Status != 422 || !strings.Contains(p.Body, `id="text-error"`) {
		t.Fatalf("empty comment: %d", p.Status)
	}
	if p := b.post("/committee/notes/"+n.ID+"/comments", url.Values{"csrf_token": {csrf}, "text": {"Agreed, class A."}}); p.Status != http.StatusSeeOther {
		t.Fatalf("comment: %d\n%s", p.Status, p.Body)
	}
	if p := b.get("/committee/notes/" + n.ID); !strings.Contains(p.Body, "Agreed, class A.") {
		t.Fatal("the new comment is not shown")
	}
	// A reviewer who has not reviewed it sees no scores and cannot classify.
	rb := w.ts.browser()
	rb.signIn(w.rev1.Email, "a long enough password")
	p = rb.get("/committee/notes/" + n.ID)
	if p.Status != 200 || strings.Contains(p.Body, "Classify this note") || strings.Contains(p.Body, "Suggested A") || !strings.Contains(p.Body, "Scores are shown once you have submitted your own review") {
		t.Fatalf("reviewer's page: %d\n%s", p.Status, p.Body)
	}
	if p := rb.get("/notes/" + n.ID + "/classify"); p.Status != 403 {
		t.Fatalf("reviewer on the classify page: %d", p.Status)
	}
}

func TestTwoChairsClassifyOneNoteAtOnce(t *testing.T) {
	w := newCommitteeWorld(t)
	_, chair2Tok := w.ts.user("Chris Cochair", "Belize Chamber of Commerce", "private_sector", "chair")
	for round := range 5 {
		n := w.scored(t, fmt.Sprintf("Race %d", round), 3, 75)
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, tok := range []string{w.chairTok, chair2Tok} {
			wg.Go(func() {
				<-start
				statuses[i] = w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", tok, classifyBodyFor(n, []string{"A", "B"}[i], []string{"included", "lower_priority"}[i])).Status
			})
		}
		close(start)
		wg.Wait()
		if !((statuses[0] == 200 && statuses[1] == 409) || (statuses[0] == 409 && statuses[1] == 200)) {
			t.Fatalf("round %d: statuses %v, want one 200 and one 409", round, statuses)
		}
		after := w.fresh(t, n.ID)
		if len(after.History) != 1 || after.Decision.Class != map[bool]string{true: "A", false: "B"}[statuses[0] == 200] {
			t.Fatalf("round %d: the loser's decision was stored: %+v", round, after.Decision)
		}
	}
}
