package web

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cocreate/internal/store"
)

// screenItems is a post of the screening page's checklist control: items
// "all", or "some" with the failing items ticked.
func screenItems(csrf string, version int, items string, failing ...string) url.Values {
	f := url.Values{"csrf_token": {csrf}, "version": {fmt.Sprint(version)}, "items": {items}}
	for _, k := range failing {
		f.Set("checklist."+k, "fail")
	}
	return f
}

// TestScreeningFormDerivesTheOutcome posts the screening page's
// "all items pass" and "some items fail" controls: all pass records a pass
// with every item passing and no outcome chosen; an exception on a note that
// was returned once already fails it (after the confirmation); an exception
// on a note that may be returned asks for return or fail; "some items fail"
// with nothing ticked, no answer at all, and a forged pass with a failing
// item come back with the error beside the field.
func TestScreeningFormDerivesTheOutcome(t *testing.T) {
	w := newCommitteeWorld(t)
	b := w.ts.browser()
	b.signIn(w.rev1.Email, "a long enough password")
	csrf := b.csrf("/committee/screening?call=" + w.call.Slug)

	t.Run("all items pass passes the note", func(t *testing.T) {
		n := w.note(t, w.call, "submitted", "All good", "justice", time.Hour)
		p := b.post("/notes/"+n.ID+"/screen", screenItems(csrf, n.Version, "all"))
		if p.Status != 303 {
			t.Fatalf("all pass: %d\n%s", p.Status, p.Body)
		}
		got := w.fresh(t, n.ID)
		if got.State != "screened" || got.Screening.Outcome != "pass" || len(got.Screening.Checklist) != 8 || len(failedOf(got)) != 0 {
			t.Fatalf("all pass recorded %s %+v", got.State, got.Screening)
		}
	})

	t.Run("an exception on a note returned once fails it", func(t *testing.T) {
		n := w.note(t, w.call, "submitted", "Returned before", "justice", time.Hour, func(n *store.Note) { n.ReturnedBefore = true })
		form := screenItems(csrf, n.Version, "some", "verifiable")
		p := b.post("/notes/"+n.ID+"/screen", form)
		if p.Status != 200 || !strings.Contains(p.text(), "Yes, fail the note") {
			t.Fatalf("an exception on a note returned once should ask to confirm a fail: %d\n%s", p.Status, p.Body)
		}
		confirm := hidden(t, p.Body, "/notes/"+n.ID+"/screen")
		confirm.Set("confirm", "yes")
		if p := b.post("/notes/"+n.ID+"/screen", confirm); p.Status != 303 {
			t.Fatalf("confirm the fail: %d\n%s", p.Status, p.Body)
		}
		got := w.fresh(t, n.ID)
		if got.State != "ineligible" || got.Screening.Outcome != "fail" || fmt.Sprint(failedOf(got)) != "[verifiable]" {
			t.Fatalf("the derived fail recorded %s %+v", got.State, got.Screening)
		}
	})

	t.Run("a returned note past its revise-by date offers only the failing items", func(t *testing.T) {
		n := w.note(t, w.call, "returned", "Overdue", "justice", 48*time.Hour, func(n *store.Note) {
			n.ReturnedBefore = true
			n.Screening = &store.Screening{Outcome: "return", ReviseBy: "2026-06-10", Checklist: checklist("verifiable"), By: w.rev2.ID}
		})
		p := b.get("/notes/" + n.ID + "/screen")
		if p.Status != 200 || !strings.Contains(p.Body, `<input type="hidden" name="items" value="some">`) || strings.Contains(p.Body, `id="items-all"`) ||
			!strings.Contains(p.Body, `class="screen-form only-fail"`) {
			t.Fatalf("an overdue returned note's form: %d\n%s", p.Status, p.Body)
		}
		if p := b.post("/notes/"+n.ID+"/screen", screenItems(csrf, n.Version, "some", "verifiable")); p.Status != 200 || !strings.Contains(p.text(), "Yes, fail the note") {
			t.Fatalf("the failing item should ask to confirm a fail: %d", p.Status)
		}
	})

	t.Run("an exception on a note that may be returned asks return or fail", func(t *testing.T) {
		n := w.note(t, w.call, "submitted", "Fixable", "justice", time.Hour)
		p := b.post("/notes/"+n.ID+"/screen", screenItems(csrf, n.Version, "some", "plan_period"))
		if p.Status != 422 || !regexp.MustCompile(`id="outcome-error"[^>]*>.*Choose an outcome`).MatchString(p.Body) {
			t.Fatalf("no outcome: %d\n%s", p.Status, p.Body)
		}
		if !strings.Contains(p.Body, `id="checklist.plan_period-fail" name="checklist.plan_period" value="fail" checked`) {
			t.Error("the ticked item was not kept")
		}
		form := screenItems(csrf, n.Version, "some", "plan_period")
		form.Set("outcome", "return")
		form.Set("instructions", "Move the milestones inside the plan period.")
		form.Set("revise_by", "2026-06-30")
		if p := b.post("/notes/"+n.ID+"/screen", form); p.Status != 303 {
			t.Fatalf("return: %d\n%s", p.Status, p.Body)
		}
		if got := w.fresh(t, n.ID); got.State != "returned" || fmt.Sprint(failedOf(got)) != "[plan_period]" {
			t.Fatalf("return recorded %s %+v", got.State, got.Screening)
		}
	})

	t.Run("contradictions come back beside the field", func(t *testing.T) {
		n := w.note(t, w.call, "submitted", "Contradicted", "justice", time.Hour)
		for name, c := range map[string]struct {
			form url.Values
			key  string
			want string
		}{
			"some items fail, none ticked": {screenItems(csrf, n.Version, "some"), "items", "tick the items that fail"},
			"no answer":                    {screenItems(csrf, n.Version, ""), "items", "Choose “All eight items pass”"},
			"a pass with a failing item": {func() url.Values {
				f := screenItems(csrf, n.Version, "some", "appropriate")
				f.Set("outcome", "pass")
				return f
			}(), "outcome", "A note passes only when every item passes"},
		} {
			p := b.post("/notes/"+n.ID+"/screen", c.form)
			if p.Status != 422 || !regexp.MustCompile(`id="`+c.key+`-error"[^>]*>.*`+regexp.QuoteMeta(c.want)).MatchString(p.text()) {
				t.Errorf("%s: %d, no %q beside %s\n%s", name, p.Status, c.want, c.key, p.Body)
			}
			if !strings.Contains(p.Body, `href="#`+c.key+`"`) {
				t.Errorf("%s: the error summary does not link to %s", name, c.key)
			}
		}
		if got := w.fresh(t, n.ID); got.State != "submitted" {
			t.Fatalf("a contradiction was recorded: %s", got.State)
		}
	})
}

// failedOf lists the failing items of n's screening.
func failedOf(n *store.Note) []string {
	var out []string
	for k, ok := range n.Screening.Checklist {
		if !ok {
			out = append(out, k)
		}
	}
	return out
}

// TestStaleScreeningKeepsTheChecklist has two screeners open one note: the
// first fails it and the chair reinstates it, then the second records a
// return from the form opened before. The page comes back (409) with the
// second screener's ticks and comments, one sentence of what changed, and
// the new version, so that recording again goes on and succeeds.
func TestStaleScreeningKeepsTheChecklist(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.note(t, w.call, "submitted", "Two screeners", "justice", time.Hour)
	b := w.ts.browser()
	b.signIn(w.rev1.Email, "a long enough password")
	opened := b.get("/notes/" + n.ID + "/screen")
	if opened.Status != 200 {
		t.Fatalf("open the form: %d", opened.Status)
	}
	form := hidden(t, opened.Body, "/notes/"+n.ID+"/screen")
	w.ts.clock.Add(2 * time.Minute)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/screen", w.rev2Tok, map[string]any{"version": n.Version, "outcome": "fail", "checklist": checklist("appropriate")}); r.Status != 200 {
		t.Fatalf("the other screener's fail: %d %s", r.Status, r.Raw)
	}
	w.ts.clock.Add(3 * time.Minute)
	cur := w.fresh(t, n.ID)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/reinstate", w.chairTok, map[string]any{"version": cur.Version, "reason": "The screener misread it."}); r.Status != 200 {
		t.Fatalf("reinstate: %d %s", r.Status, r.Raw)
	}
	w.ts.clock.Add(time.Minute)
	form.Set("items", "some")
	form.Set("checklist.verifiable", "fail")
	form.Set("item_comments.verifiable", "No milestone has a date.")
	form.Set("outcome", "return")
	form.Set("instructions", "Give each milestone a month.")
	form.Set("revise_by", "2026-06-30")
	p := b.post("/notes/"+n.ID+"/screen", form)
	if p.Status != 409 {
		t.Fatalf("a stale screening: %d\n%s", p.Status, p.Body)
	}
	txt := p.text()
	for _, want := range []string{"Since you opened this note, Ravi Reviewer failed it at 06:02 Belize time, then Carla Chair reinstated it for screening at 06:05 Belize time: it is now “Awaiting screening”.",
		"Record the screening on the new version", "No milestone has a date.", "Give each milestone a month."} {
		if !strings.Contains(txt, want) {
			t.Errorf("the stale page lacks %q", want)
		}
	}
	for _, want := range []string{`id="checklist.verifiable-fail" name="checklist.verifiable" value="fail" checked`,
		`id="items-some" name="items" value="some" checked`, `id="outcome-return" name="outcome" value="return" checked`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the stale page did not keep %s", want)
		}
	}
	again := hidden(t, p.Body, "/notes/"+n.ID+"/screen")
	if again.Get("version") != fmt.Sprint(w.fresh(t, n.ID).Version) {
		t.Fatalf("the stale page's version is %s, the note's %d", again.Get("version"), w.fresh(t, n.ID).Version)
	}
	for _, k := range []string{"items", "checklist.verifiable", "item_comments.verifiable", "outcome", "instructions", "revise_by"} {
		again.Set(k, form.Get(k))
	}
	if p := b.post("/notes/"+n.ID+"/screen", again); p.Status != 303 {
		t.Fatalf("going on: %d\n%s", p.Status, p.Body)
	}
	got := w.fresh(t, n.ID)
	if got.State != "returned" || got.Screening.By != w.rev1.ID || got.Screening.ItemComments["verifiable"] != "No milestone has a date." {
		t.Fatalf("after going on: %s %+v", got.State, got.Screening)
	}

	// A note that can no longer be screened says so and keeps the checklist, with no button to record.
	m := w.note(t, w.call, "submitted", "Passed meanwhile", "justice", time.Hour)
	opened = b.get("/notes/" + m.ID + "/screen")
	form = hidden(t, opened.Body, "/notes/"+m.ID+"/screen")
	if r := w.ts.api("POST", "/api/v1/notes/"+m.ID+"/screen", w.rev2Tok, map[string]any{"version": m.Version, "outcome": "pass", "checklist": checklist()}); r.Status != 200 {
		t.Fatalf("the other screener's pass: %d %s", r.Status, r.Raw)
	}
	form.Set("items", "all")
	p = b.post("/notes/"+m.ID+"/screen", form)
	if p.Status != 409 || !strings.Contains(p.text(), "Ravi Reviewer passed it at") || !strings.Contains(p.text(), "can no longer be screened") ||
		strings.Contains(p.Body, "Record the screening") || !strings.Contains(p.Body, `id="items-all" name="items" value="all" checked`) {
		t.Fatalf("a note passed meanwhile: %d\n%s", p.Status, p.Body)
	}
}

// TestScreeningQueueShowsWhoOpenedANote opens a note's screening form as
// one reviewer and reads the queue as another: the note shows who opened
// it and when, until 30 minutes have passed on the app's clock.
func TestScreeningQueueShowsWhoOpenedANote(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.note(t, w.call, "submitted", "Watched note", "justice", time.Hour)
	other := w.note(t, w.call, "submitted", "Quiet note", "justice", 2*time.Hour)
	rita := w.ts.browser()
	rita.signIn(w.rev1.Email, "a long enough password")
	ravi := w.ts.browser()
	ravi.signIn(w.rev2.Email, "a long enough password")
	queue := "/committee/screening?call=" + w.call.Slug
	if p := ravi.get(queue); strings.Contains(p.Body, "Opened in the last 30 minutes") {
		t.Fatal("the queue names an opener before anyone opened a note")
	}
	if p := rita.get("/notes/" + n.ID + "/screen"); p.Status != 200 {
		t.Fatalf("open: %d", p.Status)
	}
	row := func(p htmlPage, id string) string {
		i := strings.Index(p.Body, `href="/notes/`+id+`/screen"`)
		if i < 0 {
			t.Fatalf("no row for %s in the queue:\n%s", id, p.Body)
		}
		rest := p.Body[i:]
		return rest[:strings.Index(rest, "</tr>")]
	}
	p := ravi.get(queue)
	if got := row(p, n.ID); !strings.Contains(got, "Opened in the last 30 minutes by Rita Reviewer at 06:00 Belize time") {
		t.Errorf("the opened note's row: %s", got)
	}
	if got := row(p, other.ID); strings.Contains(got, "Opened") {
		t.Errorf("a note nobody opened shows an opener: %s", got)
	}
	if p := rita.get(queue); !strings.Contains(row(p, n.ID), "by you at 06:00") {
		t.Errorf("the opener's own queue: %s", row(p, n.ID))
	}
	if p := ravi.get("/notes/" + n.ID + "/screen"); !strings.Contains(p.text(), "Rita Reviewer (at 06:00 Belize time) also opened this note's screening") {
		t.Errorf("the second screener is not told: %s", between(p.text(), "<h1", "Check the note"))
	}
	w.ts.clock.Add(29 * time.Minute)
	if got := row(ravi.get(queue), n.ID); !strings.Contains(got, "Rita Reviewer at 06:00") {
		t.Errorf("after 29 minutes the queue no longer names Rita: %s", got)
	}
	w.ts.clock.Add(2 * time.Minute)
	if got := row(ravi.get(queue), n.ID); strings.Contains(got, "Opened") {
		t.Errorf("after 31 minutes the queue still names an opener: %s", got)
	}
}
