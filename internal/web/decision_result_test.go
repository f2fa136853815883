package web

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/store"
)

func TestTheBulkClassifyPage(t *testing.T) {
	w := newCommitteeWorld(t)
	good := w.scored(t, "Good note", 3, 80)        // suggested A
	weak := w.scored(t, "Weak note", 3, 40)        // suggested D
	short := w.scored(t, "Too few reviews", 1, 80) // no suggestion
	done := w.scored(t, "Already decided", 3, 60)
	w.classify(t, done, "B", "lower_priority", "", "")
	reopened := w.scored(t, "Reopened", 3, 80)
	w.classify(t, reopened, "A", "included", "", "")
	if r := w.ts.api("POST", "/api/v1/notes/"+reopened.ID+"/reopen", w.chairTok, map[string]any{"version": w.fresh(t, reopened.ID).Version, "reason": "Look again"}); r.Status != 200 {
		t.Fatal(r.Status)
	}
	own := w.note(t, w.call, "screened", "The chair's own", "justice", time.Hour, func(n *store.Note) {
		n.Owner = w.chair.ID
		n.Score = good.Score
	})
	b := w.ts.browser()
	b.signIn(w.chair.Email, "a long enough password")
	if d := b.get("/committee?call=" + w.call.Slug); !strings.Contains(d.Body, `href="/committee/classify?call=`+w.call.Slug+`"`) {
		t.Error("the dashboard does not link to the bulk page")
	}
	p := b.get("/committee/classify?call=" + w.call.Slug)
	if p.Status != 200 {
		t.Fatalf("bulk page: %d\n%s", p.Status, p.Body)
	}
	for _, n := range []*store.Note{short, done, own, reopened} {
		if strings.Contains(p.Body, `value="`+n.ID+`"`) {
			t.Errorf("the page lists %q", n.Title)
		}
	}
	for _, want := range []string{`name="pick" value="` + good.ID + `"`, `name="pick" value="` + weak.ID + `"`,
		`name="class_` + good.ID + `" value="A"`, `name="class_` + weak.ID + `" value="D"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	// Each row offers only its class's codes, and none that needs another note.
	row := p.Body[strings.Index(p.Body, `id="row-`+good.ID+`"`):]
	row = row[:strings.Index(row, "</fieldset>")]
	if !strings.Contains(row, `value="included"`) || strings.Contains(row, `value="merged"`) || strings.Contains(row, `value="lower_priority"`) {
		t.Errorf("row of class A offers:\n%s", row)
	}
	if !strings.Contains(html.UnescapeString(row), app.RationaleTemplate["A"]) {
		t.Error("row without its template rationale")
	}
	if r := w.ts.browser(); true {
		r.signIn(w.rev1.Email, "a long enough password")
		if p := r.get("/committee/classify?call=" + w.call.Slug); p.Status != 403 {
			t.Errorf("reviewer on the bulk page: %d", p.Status)
		}
	}
	rationale := "Thank you. Your note is clear, evidenced and ambitious: it goes forward to co-creation."
	form := url.Values{"csrf_token": {csrfRe.FindStringSubmatch(p.Body)[1]}, "call": {w.call.Slug},
		"pick":               {good.ID, weak.ID},
		"version_" + good.ID: {fmt.Sprint(good.Version)}, "class_" + good.ID: {"A"}, "reason_code_" + good.ID: {"included"}, "rationale_" + good.ID: {rationale},
		"version_" + weak.ID: {fmt.Sprint(weak.Version)}, "class_" + weak.ID: {"D"}, "reason_code_" + weak.ID: {"included"}, "rationale_" + weak.ID: {"Short."}}
	p = b.post("/committee/classify", form)
	body := html.UnescapeString(p.Body)
	if p.Status != 422 || !strings.Contains(body, "1 note was classified") || !strings.Contains(body, "1 note was not classified") ||
		!strings.Contains(body, "Class D cannot have the reason “Included”") || !strings.Contains(body, "at least 20 characters") {
		t.Fatalf("bulk submission: %d\n%s", p.Status, p.Body)
	}
	if !strings.Contains(p.Body, `name="pick" value="`+weak.ID+`" checked`) || !strings.Contains(body, ">Short.</textarea>") {
		t.Error("the failed row lost what was typed")
	}
	if strings.Contains(p.Body, `name="pick" value="`+good.ID+`"`) {
		t.Error("the classified note is still offered")
	}
	if d := w.fresh(t, good.ID).Decision; d == nil || d.Class != "A" || d.Rationale != rationale {
		t.Fatalf("good note: %+v", d)
	}
	if w.fresh(t, weak.ID).Decision != nil {
		t.Fatal("the failed item was stored")
	}
	// Nothing ticked: said so, nothing changes.
	form = url.Values{"csrf_token": {csrfRe.FindStringSubmatch(p.Body)[1]}, "call": {w.call.Slug}}
	if p := b.post("/committee/classify", form); p.Status != 422 || !strings.Contains(p.Body, "Tick at least one note") {
		t.Fatalf("nothing ticked: %d", p.Status)
	}
}

// TestTheOwnersResultPage follows a note from "under review" to its
// published result and a revision, on every page its owner can reach,
// with the owner holding committee roles too.
func TestTheOwnersResultPage(t *testing.T) {
	w := newCommitteeWorld(t)
	target := w.scored(t, "Open budgets portal", 3, 75)
	n := w.scored(t, "Open contracts", 3, 75)
	secretComment := "Committee only: the ministry dislikes this"
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/comments", w.rev1Tok, map[string]any{"text": secretComment}); r.Status != 201 {
		t.Fatal(r.Status)
	}
	rationale := "Thank you. Your proposal overlaps with the open budgets portal, and the two go forward together."
	b := classifyBodyFor(n, "A", "merged")
	b["merged_into"], b["rationale"], b["override_reason"] = target.ID, rationale, "Override kept internal"
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, b); r.Status != 200 {
		t.Fatalf("classify: %d %s", r.Status, r.Raw)
	}
	// The owner is also a reviewer and a chair: it changes nothing on their own note.
	if r := w.ts.api("PATCH", "/api/v1/users/"+w.owner.ID, w.coordTok, map[string]any{"roles": []string{"participant", "reviewer", "chair"}}); r.Status != 200 {
		t.Fatal(r.Status)
	}
	ob := w.ts.browser()
	ob.signIn(w.owner.Email, "a long enough password")
	never := []string{"Rita Reviewer", "Carla Chair", secretComment, "Override kept internal", "Suggested"}
	check := func(when string, pages map[string][]string, absent []string) {
		t.Helper()
		for path, wants := range pages {
			p := ob.get(path)
			body := html.UnescapeString(p.Body)
			if p.Status != 200 {
				t.Errorf("%s %s: %d", when, path, p.Status)
			}
			for _, want := range wants {
				if !strings.Contains(body, want) {
					t.Errorf("%s %s lacks %q", when, path, want)
				}
			}
			for _, bad := range append(absent, never...) {
				if strings.Contains(body, bad) {
					t.Errorf("%s %s shows %q", when, path, bad)
				}
			}
		}
	}
	check("before publication", map[string][]string{
		"/notes/" + n.ID:            {"Under review", "under review"},
		"/notes/" + n.ID + "/print": {"Under review"},
		"/notes":                    {"Under review"},
	}, []string{rationale, "Classified", "prioritise", "The note it joined"})
	if p := ob.get("/committee?call=" + w.call.Slug); !strings.Contains(rowOf(p.Body, "Open contracts"), "Screened") ||
		strings.Contains(rowOf(p.Body, "Open contracts"), "Classified") || strings.Contains(rowOf(p.Body, "Open contracts"), "75.0") {
		t.Errorf("the dashboard shows the owner's own note as the committee sees it:\n%s", rowOf(p.Body, "Open contracts"))
	}
	h := w.ts.api("GET", "/api/v1/notes/"+n.ID+"/history", w.login(t, w.owner), nil)
	if strings.Contains(string(h.Raw), "classify") {
		t.Errorf("history before publication: %s", h.Raw)
	}

	if r := w.ts.api("POST", "/api/v1/calls/"+w.call.ID+"/publish", w.chairTok, map[string]any{}); r.Status != 200 {
		t.Fatal(r.Status)
	}
	check("after publication", map[string][]string{"/notes/" + n.ID: {
		"A: prioritise", app.ClassMeaning["A"], "Merged with another note", app.ReasonExplained["merged"], rationale,
		"The note it joined", target.Ref, "Open budgets portal", "75.0 out of 100",
		"Problem: clarity and evidence: 3.0 out of 4", "Relevance to OGP values: 3.0 out of 4"},
		"/notes/" + n.ID + "/print": {"Decision:", "A: prioritise", rationale}}, []string{"This decision was revised"})

	// Reopened and reclassified: the owner keeps the published result until the next publication, which says it was revised.
	w.ts.clock.Add(time.Hour)
	chairTok := w.login(t, w.chair)
	w.chairTok = chairTok
	cur := w.fresh(t, n.ID)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/reopen", chairTok, map[string]any{"version": cur.Version, "reason": "Reopen reason internal"}); r.Status != 200 {
		t.Fatal(r.Status)
	}
	revised := "Thank you. On a second reading your proposal belongs with the justice programme instead."
	w.classify(t, n, "C", "out_of_scope", "", revised)
	ob = w.ts.browser()
	ob.signIn(w.owner.Email, "a long enough password")
	check("after an unpublished change", map[string][]string{"/notes/" + n.ID: {rationale}}, []string{revised, "Reopen reason internal"})
	if r := w.ts.api("POST", "/api/v1/calls/"+w.call.ID+"/publish", chairTok, map[string]any{}); r.Status != 200 {
		t.Fatal(r.Status)
	}
	check("after the next publication", map[string][]string{"/notes/" + n.ID: {"This decision was revised", "C: refer elsewhere",
		app.ClassMeaning["C"], app.ReasonExplained["out_of_scope"], revised}}, []string{rationale, "Reopen reason internal", "The note it joined"})
	if r := w.ts.api("GET", "/api/v1/notes/"+n.ID, w.login(t, w.owner), nil); r.obj("note")["decision"].(map[string]any)["revised"] != true {
		t.Errorf("the owner's note JSON does not say the decision was revised: %s", r.Raw)
	}
}

// rowOf is the table row of body that mentions text, or "".
func rowOf(body, text string) string {
	i := strings.Index(body, text)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(body[:i], "<tr")
	end := strings.Index(body[i:], "</tr>")
	if start < 0 || end < 0 {
		return ""
	}
	return body[start : i+end]
}

func TestAnIneligibleNoteSaysWhy(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.note(t, w.call, "submitted", "Grant for us", "justice", time.Hour)
	r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/screen", w.rev1Tok, map[string]any{"version": n.Version, "outcome": "fail",
		"checklist": checklist("not_self_funding", "verifiable"), "item_comments": map[string]string{"not_self_funding": "It asks for a grant to your organisation."},
		"comment": "We encourage you to propose a public commitment next time."})
	if r.Status != 200 {
		t.Fatalf("fail: %d %s", r.Status, r.Raw)
	}
	b := w.ts.browser()
	b.signIn(w.owner.Email, "a long enough password")
	p := b.get("/notes/" + n.ID)
	body := html.UnescapeString(p.Body)
	notice := body[strings.Index(body, "Your note did not pass screening"):]
	notice = notice[:strings.Index(notice, "</div>")]
	for _, want := range []string{"Not a grant or procurement", "It asks for a grant to your organisation.", "dated, objectively checkable deliverable",
		"We encourage you to propose a public commitment next time."} {
		if !strings.Contains(notice, want) {
			t.Errorf("the notice lacks %q:\n%s", want, notice)
		}
	}
	if strings.Contains(notice, "Complete") || strings.Contains(body, "Rita Reviewer") {
		t.Errorf("the notice lists a criterion that was met, or names the screener:\n%s", notice)
	}
}

// TestTheShortlistLeavesOutTheCallersOwnNotes: a chair who also submitted a
// note never reads its reviews, scores or class in the shortlist.
func TestTheShortlistLeavesOutTheCallersOwnNotes(t *testing.T) {
	w := newCommitteeWorld(t)
	other := w.scored(t, "Someone else's note", 3, 75)
	own := w.note(t, w.call, "screened", "The chair's own note", "justice", time.Hour, func(n *store.Note) {
		n.Owner = w.chair.ID
		n.Score = other.Score
	})
	r := w.ts.api("GET", "/api/v1/calls/"+w.call.ID+"/exports/shortlist.csv", w.chairTok, nil)
	if r.Status != 200 || !strings.Contains(string(r.Raw), other.Ref) || strings.Contains(string(r.Raw), own.Ref) {
		t.Fatalf("the chair's shortlist: %d\n%s", r.Status, r.Raw)
	}
	// The coordinator, who did not write it, sees it.
	if r := w.ts.api("GET", "/api/v1/calls/"+w.call.ID+"/exports/shortlist.csv", w.coordTok, nil); !strings.Contains(string(r.Raw), own.Ref) {
		t.Fatalf("the coordinator's shortlist lacks the chair's note:\n%s", r.Raw)
	}
}
