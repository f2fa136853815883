package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/enum"
	"cocreate/internal/store"
)

// classify records a decision through the API and fails the test unless it is accepted.
func (w *committeeWorld) classify(t *testing.T, n *store.Note, class, code, mergedInto, rationale string) {
	t.Helper()
	b := classifyBodyFor(w.fresh(t, n.ID), class, code)
	if mergedInto != "" {
		b["merged_into"] = mergedInto
	}
	if rationale != "" {
		b["rationale"] = rationale
	}
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, b); r.Status != 200 {
		t.Fatalf("classify %s %s/%s: %d %s", n.Title, class, code, r.Status, r.Raw)
	}
}

// TestEveryClassAndReasonCode tries each class with each reason code: the
// pairs of the table are accepted, every other is a 422 on reason_code.
func TestEveryClassAndReasonCode(t *testing.T) {
	w := newCommitteeWorld(t)
	target := w.scored(t, "Merge target", 3, 60)
	want := map[string][]string{"A": {"included", "merged"},
		"B": {"merged", "not_verifiable", "no_owner", "status_quo", "lower_priority"},
		"C": {"out_of_scope"},
		"D": {"status_quo", "not_verifiable", "no_owner", "duplicate", "lower_priority"}}
	for _, class := range enum.Classes.Values() {
		for _, code := range enum.ReasonCodes.Values() {
			allowed := strings.Contains(" "+strings.Join(want[class], " ")+" ", " "+code+" ")
			if app.ReasonAllowed(class, code) != allowed {
				t.Errorf("the table says %s/%s allowed=%v, domain.md says %v", class, code, !allowed, allowed)
			}
			n := w.scored(t, "Pair "+class+" "+code, 3, 60)
			b := classifyBodyFor(n, class, code)
			if app.NamesNote(code) {
				b["merged_into"] = target.ID
			}
			r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, b)
			switch {
			case allowed && r.Status != 200:
				t.Errorf("%s/%s refused: %d %s", class, code, r.Status, r.Raw)
			case !allowed && (r.Status != 422 || r.errFields()["reason_code"] == nil):
				t.Errorf("%s/%s: %d %s, want 422 on reason_code", class, code, r.Status, r.Raw)
			case !allowed && w.fresh(t, n.ID).Decision != nil:
				t.Errorf("%s/%s: a refused pair was stored", class, code)
			}
		}
	}
	// The message names what the class allows.
	n := w.scored(t, "Contradiction", 3, 80)
	r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, classifyBodyFor(n, "A", "lower_priority"))
	if msg := fmt.Sprint(r.errFields()["reason_code"]); !strings.Contains(msg, "Class A cannot have the reason “Lower priority”") || !strings.Contains(msg, "“Included” or “Merged with another note”") {
		t.Errorf("message: %s", msg)
	}
}

func TestMergesNameAnotherNoteWithoutACycle(t *testing.T) {
	w := newCommitteeWorld(t)
	other := w.newCall(t, "other-call", "OT2026")
	elsewhere := w.note(t, other, "screened", "Elsewhere", "justice", time.Hour)
	x := w.scored(t, "X", 3, 60)
	y := w.scored(t, "Y", 3, 60)
	z := w.scored(t, "Z", 3, 60)
	w.classify(t, x, "B", "merged", y.ID, "")
	try := func(n *store.Note, class, code, target string) apiResp {
		b := classifyBodyFor(w.fresh(t, n.ID), class, code)
		if target != "" {
			b["merged_into"] = target
		}
		return w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, b)
	}
	for _, tc := range []struct {
		name               string
		note               *store.Note
		class, code, going string
	}{
		{"into itself", y, "B", "merged", y.ID},
		{"a duplicate of itself", y, "D", "duplicate", y.ID},
		{"into another call", y, "B", "merged", elsewhere.ID},
		{"a duplicate needs its note", y, "D", "duplicate", ""},
		{"back into the note merged into it", y, "A", "merged", x.ID},
	} {
		r := try(tc.note, tc.class, tc.code, tc.going)
		if r.Status != 422 || r.errFields()["merged_into"] == nil {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Raw)
		}
	}
	// A longer cycle: X→Y, Y→Z, then Z→X comes back to Z.
	w.classify(t, y, "B", "merged", z.ID, "")
	if r := try(z, "D", "duplicate", x.ID); r.Status != 422 || !strings.Contains(fmt.Sprint(r.errFields()["merged_into"]), "already merged") {
		t.Errorf("a cycle through two notes: %d %s", r.Status, r.Raw)
	}
	// A chain that does not come back is fine, and a duplicate keeps its note.
	w.classify(t, z, "D", "duplicate", w.scored(t, "W", 3, 40).ID, "")
	if d := w.fresh(t, z.ID).Decision; d.MergedInto == "" || d.ReasonCode != "duplicate" {
		t.Errorf("duplicate stored as %+v", d)
	}
}

func TestRationaleBounds(t *testing.T) {
	w := newCommitteeWorld(t)
	for _, tc := range []struct {
		name      string
		rationale string
		ok        bool
	}{
		{"19 characters", strings.Repeat("a", 19), false},
		{"20 characters", strings.Repeat("a", 20), true},
		{"19 characters padded with spaces", "   " + strings.Repeat("é", 19) + "\n\t ", false},
		{"20 characters of accents", strings.Repeat("é", 20), true},
		{"20 characters padded with spaces", "  " + strings.Repeat("c", 20) + "\n ", true},
		{"600 characters", strings.Repeat("b", 600), true},
		{"601 characters", strings.Repeat("b", 601), false},
		{"a template left as it is", app.RationaleTemplate["A"], false},
		{"a template with one part left", strings.Replace(app.RationaleTemplate["A"], "[what makes it strong]", "it is well evidenced", 1), false},
		{"a template filled in", "Thank you. The committee found that it is well evidenced. It goes forward into co-creation, where agencies join.", true},
	} {
		n := w.scored(t, tc.name, 3, 80)
		b := classifyBodyFor(n, "A", "included")
		b["rationale"] = tc.rationale
		r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/classify", w.chairTok, b)
		if tc.ok != (r.Status == 200) || (!tc.ok && (r.Status != 422 || r.errFields()["rationale"] == nil)) {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Raw)
		}
		if tc.ok {
			if got := w.fresh(t, n.ID).Decision.Rationale; got != strings.TrimSpace(tc.rationale) {
				t.Errorf("%s: stored %q", tc.name, got)
			}
		}
	}
}

// TestTheClassifyPageWithoutJavaScript reads the page as a browser without
// scripts: each class's section offers exactly the codes the table allows,
// with the class's template rationale, and a reason from another class's
// section is a clear error.
func TestTheClassifyPageWithoutJavaScript(t *testing.T) {
	w := newCommitteeWorld(t)
	b := w.ts.browser()
	b.signIn(w.chair.Email, "a long enough password")
	n := w.scored(t, "Strong note", 3, 80)
	page := b.get("/notes/" + n.ID + "/classify")
	if page.Status != 200 {
		t.Fatalf("page: %d", page.Status)
	}
	body := html.UnescapeString(page.Body)
	for _, class := range enum.Classes.Values() {
		for _, code := range enum.ReasonCodes.Values() {
			radio := fmt.Sprintf(`name="reason_code_%s" value="%s"`, class, code)
			if strings.Contains(page.Body, radio) != app.ReasonAllowed(class, code) {
				t.Errorf("class %s section offers %s: %v", class, code, !app.ReasonAllowed(class, code))
			}
		}
		if !strings.Contains(body, app.RationaleTemplate[class]+"</textarea>") {
			t.Errorf("class %s has no template rationale", class)
		}
	}
	if strings.Contains(page.Body, `name="reason_code"`) {
		t.Error("the page offers one reason list for every class")
	}
	if !strings.Contains(page.Body, "The reasons each class allows") || !strings.Contains(page.Body, `value="A" checked`) {
		t.Error("the table or the suggested class is missing")
	}
	csrf := csrfRe.FindStringSubmatch(page.Body)[1]
	good := "Thank you. Your note is clear and well evidenced, and it goes forward to co-creation."
	form := url.Values{"csrf_token": {csrf}, "version": {fmt.Sprint(n.Version)}, "class": {"A"},
		"reason_code_B": {"lower_priority"}, "rationale_A": {good}, "rationale_B": {app.RationaleTemplate["B"]}}
	p := b.post("/notes/"+n.ID+"/classify", form)
	if p.Status != 422 || !strings.Contains(html.UnescapeString(p.Body), "You chose class A, but the reason you picked (“Lower priority”) is one of class B") ||
		!strings.Contains(p.Body, `id="reason_code_A-error"`) || !strings.Contains(p.Body, `href="#reason_code_A"`) {
		t.Fatalf("a reason of another class: %d\n%s", p.Status, p.Body)
	}
	if !strings.Contains(html.UnescapeString(p.Body), good+"</textarea>") || !strings.Contains(p.Body, `name="reason_code_B" value="lower_priority" checked`) {
		t.Error("the page lost what was typed")
	}
	// A short rationale is refused beside the chosen class's field.
	form.Set("csrf_token", csrfRe.FindStringSubmatch(p.Body)[1])
	form.Set("reason_code_A", "included")
	form.Set("rationale_A", "Too short.")
	if p := b.post("/notes/"+n.ID+"/classify", form); p.Status != 422 || !strings.Contains(p.Body, `id="rationale_A-error"`) {
		t.Fatalf("short rationale: %d\n%s", p.Status, p.Body)
	}
	form.Set("rationale_A", good)
	if p := b.post("/notes/"+n.ID+"/classify", form); p.Status != http.StatusSeeOther {
		t.Fatalf("classify: %d\n%s", p.Status, p.Body)
	}
	if d := w.fresh(t, n.ID).Decision; d == nil || d.Class != "A" || d.ReasonCode != "included" || d.Rationale != good {
		t.Fatalf("decision: %+v", d)
	}
}

// TestAReopenedNoteStartsFromItsDecision: the classify page of a reopened
// note has the recorded class, reason and rationale in that class's section.
func TestAReopenedNoteStartsFromItsDecision(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.scored(t, "Reopened note", 3, 80)
	recorded := "Thank you. The committee places your proposal with the justice programme, which can act on it."
	w.classify(t, n, "C", "out_of_scope", "", recorded)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/reopen", w.chairTok, map[string]any{"version": w.fresh(t, n.ID).Version, "reason": "Look again"}); r.Status != 200 {
		t.Fatal(r.Status)
	}
	b := w.ts.browser()
	b.signIn(w.chair.Email, "a long enough password")
	p := b.get("/notes/" + n.ID + "/classify")
	body := html.UnescapeString(p.Body)
	if !strings.Contains(p.Body, `value="C" checked`) || !strings.Contains(p.Body, `name="reason_code_C" value="out_of_scope" checked`) ||
		!strings.Contains(body, `name="rationale_C" rows="4" maxlength="600" aria-describedby="rationale_C-hint">`+recorded+"</textarea>") ||
		!strings.Contains(body, app.RationaleTemplate["A"]+"</textarea>") {
		t.Fatalf("the reopened note's page:\n%s", p.Body)
	}
}
