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

	"cocreate/internal/enum"
	"cocreate/internal/notes"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// committeeWorld is a call with a participant, two reviewers, a chair and a
// coordinator, whose notes are put straight into the store in the state a
// test needs.
type committeeWorld struct {
	ts                                   *testServer
	call                                 *store.Call
	owner, rev1, rev2, chair, coord      *store.User
	ownerTok, rev1Tok, rev2Tok, chairTok string
	coordTok                             string
	seq                                  int
}

func newCommitteeWorld(t *testing.T) *committeeWorld {
	t.Helper()
	ts := newTestServer(t)
	w := &committeeWorld{ts: ts}
	w.call = w.newCall(t, "open-gov-2026", "BZ2026")
	w.owner, w.ownerTok = ts.user("Paula Participant", "Citizens for Budgets", "civil_society", "participant")
	w.rev1, w.rev1Tok = ts.user("Rita Reviewer", "Ministry of Finance", "government", "reviewer")
	w.rev2, w.rev2Tok = ts.user("Ravi Reviewer", "University of Belize", "academia", "reviewer")
	w.chair, w.chairTok = ts.user("Carla Chair", "Office of the Prime Minister", "government", "reviewer", "chair")
	w.coord, w.coordTok = ts.user("Cody Coordinator", "Open Government Programme", "government", "coordinator")
	return w
}

// newCall stores an open call in the Belize zone needing 3 reviews.
func (w *committeeWorld) newCall(t *testing.T, slug, prefix string) *store.Call {
	t.Helper()
	now := w.ts.clock.Now()
	c := &store.Call{Slug: slug, Title: "Action plan " + slug, RefPrefix: prefix, OpensAt: now.AddDate(0, 0, -10),
		ClosesAt: now.AddDate(0, 0, 20), PlanStart: "2026-09", PlanEnd: "2028-08", TimeZone: "America/Belize",
		ReviewersPerNote: 3, MinReviews: 3, Criteria: review.DefaultCriteria(), WordLimits: notes.DefaultWordLimits()}
	if err := w.ts.store.CreateCall(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// validFields is a note that passes every submission rule.
func validFields(title, area string) notes.Fields {
	return notes.Fields{Title: title, Summary: "Publish every public contract in open data within a week of signing.",
		Problem: "Contracts are hard to find; citizens cannot follow public spending.", Commitment: "An open contracting portal.",
		Change: "Anyone can follow public contracts.", Values: []string{"transparency"}, ValuesExplanation: "It opens contract data.",
		Milestones: []notes.Milestone{{Deliverable: "Portal online", Responsible: "Ministry of Finance", Due: "2027-01"},
			{Deliverable: "All contracts published", Responsible: "Ministry of Finance", Due: "2027-06"}},
		LeadAgency: "Ministry of Finance", PolicyArea: area, ConsentPublish: true}
}

// note stores a note of the owner in call c in state, submitted at the
// clock's time minus age; edit, when given, changes it before it is stored.
func (w *committeeWorld) note(t *testing.T, c *store.Call, state, title, area string, age time.Duration, edit ...func(*store.Note)) *store.Note {
	t.Helper()
	w.seq++
	at := w.ts.clock.Now().Add(-age).UTC()
	n := &store.Note{CallID: c.ID, State: state, Owner: w.owner.ID, Fields: validFields(title, area),
		Ref: fmt.Sprintf("%s-%04d", c.RefPrefix, w.seq)}
	if state != "draft" {
		n.SubmittedAt = &at
	}
	for _, e := range edit {
		e(n)
	}
	if err := w.ts.store.CreateNote(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	return n
}

// scored stores a screened note with a score of reviews reviews and the given mean.
func (w *committeeWorld) scored(t *testing.T, title string, reviews int, mean float64) *store.Note {
	t.Helper()
	per := map[string]float64{"problem": 3, "relevance": 3, "ambition": 3, "verifiability": 3, "feasibility": 3}
	sc := &review.Score{Reviews: reviews, Mean: mean, Median: mean, PerCriterion: per, Flags: []string{},
		SuggestedClass: review.SuggestClass(mean, per, reviews, w.call.MinReviews)}
	return w.note(t, w.call, "screened", title, "fiscal_openness", time.Hour, func(n *store.Note) { n.Score = sc })
}

// login signs u in again (after the clock moved) and returns a new token.
func (w *committeeWorld) login(t *testing.T, u *store.User) string {
	t.Helper()
	r := w.ts.api("POST", "/api/v1/login", "", map[string]string{"email": u.Email, "password": "a long enough password"})
	if r.Status != 200 {
		t.Fatalf("login %s: %d %s", u.Email, r.Status, r.Raw)
	}
	return r.Body["token"].(string)
}

// fresh reads note id from the store.
func (w *committeeWorld) fresh(t *testing.T, id string) *store.Note {
	t.Helper()
	n, err := w.ts.store.NoteByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checklist returns every item passing except the ones named.
func checklist(failing ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range enum.Checklist.Values() {
		m[k] = true
	}
	for _, k := range failing {
		m[k] = false
	}
	return m
}

func TestScreenOutcomeRulesThroughTheAPI(t *testing.T) {
	w := newCommitteeWorld(t)
	other := w.newCall(t, "other-call", "OT2026")
	otherNote := w.note(t, other, "submitted", "Elsewhere", "justice", time.Hour)
	sibling := w.note(t, w.call, "submitted", "Sibling", "justice", time.Hour)
	missing := checklist()
	delete(missing, "verifiable")
	cases := []struct {
		name   string
		body   map[string]any
		status int
		field  string // the field at fault (422), or the state after (200)
	}{
		{"pass needs every item", map[string]any{"outcome": "pass", "checklist": checklist("appropriate")}, 422, "outcome"},
		{"fail needs a failed item", map[string]any{"outcome": "fail", "checklist": checklist()}, 422, "outcome"},
		{"return needs a failed item", map[string]any{"outcome": "return", "checklist": checklist(), "instructions": "Fix it", "revise_by": "2026-06-30"}, 422, "outcome"},
		{"return needs instructions", map[string]any{"outcome": "return", "checklist": checklist("verifiable"), "revise_by": "2026-06-30"}, 422, "instructions"},
		{"return needs a revise-by date", map[string]any{"outcome": "return", "checklist": checklist("verifiable"), "instructions": "Date the milestones"}, 422, "revise_by"},
		{"revise-by today is too soon", map[string]any{"outcome": "return", "checklist": checklist("verifiable"), "instructions": "Date them", "revise_by": "2026-06-15"}, 422, "revise_by"},
		{"revise-by must be a date", map[string]any{"outcome": "return", "checklist": checklist("verifiable"), "instructions": "Date them", "revise_by": "30/06/2026"}, 422, "revise_by"},
		{"every item is needed", map[string]any{"outcome": "pass", "checklist": missing}, 422, "checklist.verifiable"},
		{"not a duplicate of itself", map[string]any{"outcome": "pass", "checklist": checklist(), "duplicate_of": "SELF"}, 422, "duplicate_of"},
		{"duplicate in the same call only", map[string]any{"outcome": "pass", "checklist": checklist(), "duplicate_of": otherNote.ID}, 422, "duplicate_of"},
		{"unknown checklist item", map[string]any{"outcome": "pass", "checklist": map[string]any{"complete": true, "pretty": true}}, 400, ""},
		{"checklist values are booleans", map[string]any{"outcome": "pass", "checklist": map[string]any{"complete": "yes"}}, 400, ""},
		{"unknown outcome", map[string]any{"outcome": "maybe", "checklist": checklist()}, 400, ""},
		{"pass", map[string]any{"outcome": "pass", "checklist": checklist(), "duplicate_of": sibling.ID}, 200, "screened"},
		{"fail", map[string]any{"outcome": "fail", "checklist": checklist("appropriate", "not_self_funding"), "item_comments": map[string]string{"appropriate": "Names a private person"}}, 200, "ineligible"},
		{"return", map[string]any{"outcome": "return", "checklist": checklist("verifiable"), "instructions": "Give each milestone a month.", "revise_by": "2026-06-16"}, 200, "returned"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := w.note(t, w.call, "submitted", "Open contracts", "fiscal_openness", time.Hour)
			tc.body["version"] = n.Version
			if tc.body["duplicate_of"] == "SELF" {
				tc.body["duplicate_of"] = n.ID
			}
			r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/screen", w.rev1Tok, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
			}
			after := w.fresh(t, n.ID)
			switch tc.status {
			case 422:
				if _, ok := r.errFields()[tc.field]; !ok || r.errCode() != "validation_failed" {
					t.Fatalf("want a message for %s: %s", tc.field, r.Raw)
				}
				if after.State != "submitted" || after.Screening != nil || after.Version != n.Version {
					t.Fatalf("a refused screening changed the note: %+v", after)
				}
			case 400:
				if r.errCode() != "bad_request" || after.State != "submitted" {
					t.Fatalf("want bad_request and no change: %s", r.Raw)
				}
			case 200:
				if got := r.obj("note")["state"]; got != tc.field || after.State != tc.field {
					t.Fatalf("state %v / %s, want %s", got, after.State, tc.field)
				}
				if after.Screening == nil || after.Screening.Outcome != tc.body["outcome"] || after.Screening.By != w.rev1.ID {
					t.Fatalf("screening not stored: %+v", after.Screening)
				}
				last := after.History[len(after.History)-1]
				switch tc.field {
				case "ineligible":
					want := enum.Checklist.Label("appropriate") + "; " + enum.Checklist.Label("not_self_funding")
					if last.Reason != want || after.Screening.ItemComments["appropriate"] != "Names a private person" {
						t.Fatalf("fail reason %q, want %q", last.Reason, want)
					}
				case "returned":
					if !after.ReturnedBefore || last.Reason != "Give each milestone a month." || after.Screening.ReviseBy != "2026-06-16" {
						t.Fatalf("return not recorded: %+v %+v", after.Screening, last)
					}
				case "screened":
					if after.Screening.DuplicateOf != sibling.ID || after.ReturnedBefore {
						t.Fatalf("duplicate flag not kept: %+v", after.Screening)
					}
				}
			}
		})
	}
	t.Run("version is required", func(t *testing.T) {
		n := w.note(t, w.call, "submitted", "No version", "justice", time.Hour)
		r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/screen", w.rev1Tok, map[string]any{"outcome": "pass", "checklist": checklist()})
		if r.Status != 400 {
			t.Fatalf("status %d: %s", r.Status, r.Raw)
		}
	})
}

func TestScreeningIsForTheCommitteeOnly(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.note(t, w.call, "submitted", "Open contracts", "fiscal_openness", time.Hour)
	body := map[string]any{"version": n.Version, "outcome": "pass", "checklist": checklist()}
	for name, tok := range map[string]string{"participant": w.ownerTok, "coordinator": w.coordTok} {
		if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/screen", tok, body); r.Status != 403 || r.errCode() != "forbidden" {
			t.Fatalf("%s screening: %d %s", name, r.Status, r.Raw)
		}
	}
	// A reviewer who wrote the note cannot screen it.
	author, authorTok := w.ts.user("Rory Author", "Civic Lab", "civil_society", "participant", "reviewer")
	own := w.note(t, w.call, "submitted", "My own", "justice", time.Hour, func(n *store.Note) { n.Owner = author.ID })
	r := w.ts.api("POST", "/api/v1/notes/"+own.ID+"/screen", authorTok, map[string]any{"version": own.Version, "outcome": "pass", "checklist": checklist()})
	if r.Status != 403 || !strings.Contains(string(r.Raw), "own note") {
		t.Fatalf("author screening own note: %d %s", r.Status, r.Raw)
	}
	if w.fresh(t, n.ID).State != "submitted" || w.fresh(t, own.ID).State != "submitted" {
		t.Fatal("a refused screening changed a note")
	}
}

func TestANoteIsReturnedOnlyOnce(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.note(t, w.call, "submitted", "Open contracts", "fiscal_openness", time.Hour)
	ret := map[string]any{"version": n.Version, "outcome": "return", "checklist": checklist("verifiable"),
		"instructions": "Date the milestones.", "revise_by": "2026-06-25"}
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/screen", w.rev1Tok, ret); r.Status != 200 {
		t.Fatalf("first return: %d %s", r.Status, r.Raw)
	}
	n = w.fresh(t, n.ID)
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/resubmit", w.ownerTok, map[string]any{"version": n.Version}); r.Status != 200 {
		t.Fatalf("resubmit: %d %s", r.Status, r.Raw)
	}
	n = w.fresh(t, n.ID)
	ret["version"] = n.Version
	r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/screen", w.rev2Tok, ret)
	if r.Status != 409 || r.errCode() != "invalid_transition" {
		t.Fatalf("second return: %d %s", r.Status, r.Raw)
	}
	if e := r.Body["error"].(map[string]any); e["state"] != "submitted" || fmt.Sprint(e["allowed"]) != "[screen_pass screen_fail withdraw]" {
		t.Fatalf("the refusal should name the state and what is allowed: %s", r.Raw)
	}
	// Failing or passing it is still possible.
	pass := map[string]any{"version": n.Version, "outcome": "pass", "checklist": checklist()}
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/screen", w.rev2Tok, pass); r.Status != 200 {
		t.Fatalf("pass after resubmission: %d %s", r.Status, r.Raw)
	}
}

func TestAReturnedNoteFailsOnlyAfterItsReviseByDay(t *testing.T) {
	w := newCommitteeWorld(t)
	n := w.note(t, w.call, "submitted", "Open contracts", "fiscal_openness", time.Hour)
	ret := map[string]any{"version": n.Version, "outcome": "return", "checklist": checklist("verifiable"),
		"instructions": "Date the milestones.", "revise_by": "2026-06-20"}
	if r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/screen", w.rev1Tok, ret); r.Status != 200 {
		t.Fatalf("return: %d %s", r.Status, r.Raw)
	}
	// The end of 20 June in Belize (UTC-6) is 21 June 06:00 UTC.
	cases := []struct {
		at     time.Time
		status int
	}{
		{time.Date(2026, 6, 20, 12, 0, 0, 0, time.UTC), 409},
		{time.Date(2026, 6, 21, 5, 59, 0, 0, time.UTC), 409},
		{time.Date(2026, 6, 21, 6, 0, 1, 0, time.UTC), 200},
	}
	for _, tc := range cases {
		w.ts.clock.Set(tc.at)
		cur := w.fresh(t, n.ID)
		fail := map[string]any{"version": cur.Version, "outcome": "fail", "checklist": checklist("verifiable")}
		r := w.ts.api("POST", "/api/v1/notes/"+n.ID+"/screen", w.login(t, w.rev2), fail)
		if r.Status != tc.status {
			t.Fatalf("fail at %s: %d, want %d: %s", tc.at, r.Status, tc.status, r.Raw)
		}
	}
	if got := w.fresh(t, n.ID).State; got != "ineligible" {
		t.Fatalf("state %s", got)
	}
}

func TestTheScreeningQueue(t *testing.T) {
	w := newCommitteeWorld(t)
	newer := w.note(t, w.call, "submitted", "Newer budget note", "fiscal_openness", time.Hour)
	older := w.note(t, w.call, "submitted", "Older budget note", "fiscal_openness", 48*time.Hour)
	w.note(t, w.call, "submitted", "A justice note", "justice", 24*time.Hour)
	w.note(t, w.call, "screened", "Already screened", "fiscal_openness", 72*time.Hour)
	b := w.ts.browser()
	b.signIn(w.rev1.Email, "a long enough password")
	p := b.get("/committee/screening?call=" + w.call.Slug + "&policy_area=fiscal_openness")
	if p.Status != 200 {
		t.Fatalf("queue: %d\n%s", p.Status, p.Body)
	}
	io, in := strings.Index(p.Body, older.Title), strings.Index(p.Body, newer.Title)
	if io < 0 || in < 0 || io > in {
		t.Fatalf("the oldest submission should come first:\n%s", p.Body)
	}
	if strings.Contains(p.Body, "A justice note") || strings.Contains(p.Body, "Already screened") {
		t.Fatal("the filter or the state selection let other notes through")
	}
	if !strings.Contains(p.Body, "2 notes await screening") {
		t.Fatalf("no count:\n%s", p.Body)
	}
	// A participant cannot see the queue.
	pb := w.ts.browser()
	pb.signIn(w.owner.Email, "a long enough password")
	if p := pb.get("/committee/screening?call=" + w.call.Slug); p.Status != 403 {
		t.Fatalf("participant queue: %d", p.Status)
	}
}

// screenForm is a screening form post with every item answered as given.
func screenForm(csrf string, version int, outcome string, failing ...string) url.Values {
	f := url.Values{"csrf_token": {csrf}, "version": {fmt.Sprint(version)}, "outcome": {outcome}}
	for k, v := range checklist(failing...) {
		f.Set("checklist."+k, map[bool]string{true: "pass", false: "fail"}[v])
	}
	return f
}

func TestScreenThroughThePage(t *testing.T) {
	w := newCommitteeWorld(t)
	b := w.ts.browser()
	b.signIn(w.rev1.Email, "a long enough password")

	t.Run("the form shows the note and the eight items", func(t *testing.T) {
		n := w.note(t, w.call, "submitted", "Open contracts page", "fiscal_openness", time.Hour)
		p := b.get("/notes/" + n.ID + "/screen")
		if p.Status != 200 || !strings.Contains(p.Body, "Open contracts page") || strings.Count(p.Body, `value="fail"`) != 9 {
			t.Fatalf("screening page: %d\n%s", p.Status, p.Body)
		}
	})

	t.Run("errors keep what was typed, beside the field", func(t *testing.T) {
		n := w.note(t, w.call, "submitted", "Typed note", "fiscal_openness", time.Hour)
		csrf := b.csrf("/notes/" + n.ID + "/screen")
		f := screenForm(csrf, n.Version, "return", "verifiable")
		f.Del("checklist.appropriate")
		f.Set("instructions", "Please date every milestone.")
		f.Set("revise_by", "2026-06-10")
		f.Set("item_comments.verifiable", "No months given")
		p := b.post("/notes/"+n.ID+"/screen", f)
		if p.Status != 422 {
			t.Fatalf("status %d\n%s", p.Status, p.Body)
		}
		for _, want := range []string{"<title>Error: Screen note", `id="checklist.appropriate-error"`, `id="revise_by-error"`,
			"Please date every milestone.", `value="2026-06-10"`, "No months given", `href="#revise_by"`,
			`id="checklist.verifiable-fail" name="checklist.verifiable" value="fail" checked`, `value="return" checked`} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if w.fresh(t, n.ID).State != "submitted" {
			t.Fatal("a refused screening changed the note")
		}
	})

	t.Run("pass with a failed item is refused beside the outcome", func(t *testing.T) {
		n := w.note(t, w.call, "submitted", "Pass note", "fiscal_openness", time.Hour)
		p := b.post("/notes/"+n.ID+"/screen", screenForm(b.csrf("/notes/"+n.ID+"/screen"), n.Version, "pass", "complete"))
		if p.Status != 422 || !strings.Contains(p.Body, `id="outcome-error"`) {
			t.Fatalf("status %d\n%s", p.Status, p.Body)
		}
	})

	t.Run("a fail is confirmed once, then done", func(t *testing.T) {
		n := w.note(t, w.call, "submitted", "Fail note", "fiscal_openness", time.Hour)
		f := screenForm(b.csrf("/notes/"+n.ID+"/screen"), n.Version, "fail", "plan_period")
		p := b.post("/notes/"+n.ID+"/screen", f)
		if p.Status != 200 || !strings.Contains(p.Body, "Yes, fail the note") || !strings.Contains(p.Body, enum.Checklist.Label("plan_period")) {
			t.Fatalf("confirmation: %d\n%s", p.Status, p.Body)
		}
		if w.fresh(t, n.ID).State != "submitted" {
			t.Fatal("the note failed before confirmation")
		}
		f.Set("confirm", "yes")
		f.Set("csrf_token", csrfRe.FindStringSubmatch(p.Body)[1])
		p = b.post("/notes/"+n.ID+"/screen", f)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/committee/screening") {
			t.Fatalf("confirmed fail: %d %s\n%s", p.Status, p.Location, p.Body)
		}
		if got := w.fresh(t, n.ID).State; got != "ineligible" {
			t.Fatalf("state %s", got)
		}
	})

	t.Run("return through the page", func(t *testing.T) {
		n := w.note(t, w.call, "submitted", "Return note", "fiscal_openness", time.Hour)
		f := screenForm(b.csrf("/notes/"+n.ID+"/screen"), n.Version, "return", "plan_period")
		f.Set("instructions", "Move the milestones into the plan period.")
		f.Set("revise_by", "2026-06-30")
		if p := b.post("/notes/"+n.ID+"/screen", f); p.Status != http.StatusSeeOther {
			t.Fatalf("return: %d\n%s", p.Status, p.Body)
		}
		after := w.fresh(t, n.ID)
		if after.State != "returned" || after.Screening.ReviseBy != "2026-06-30" {
			t.Fatalf("not returned: %+v", after.Screening)
		}
	})
}

func TestTwoCommitteeMembersScreenOneNoteAtOnce(t *testing.T) {
	w := newCommitteeWorld(t)
	for round := range 5 {
		n := w.note(t, w.call, "submitted", fmt.Sprintf("Race %d", round), "justice", time.Hour)
		bodies := []map[string]any{
			{"version": n.Version, "outcome": "pass", "checklist": checklist()},
			{"version": n.Version, "outcome": "fail", "checklist": checklist("appropriate")},
		}
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, tok := range []string{w.rev1Tok, w.rev2Tok} {
			wg.Go(func() {
				<-start
				statuses[i] = w.ts.api("POST", "/api/v1/notes/"+n.ID+"/screen", tok, bodies[i]).Status
			})
		}
		close(start)
		wg.Wait()
		ok, conflict := 0, 0
		for _, s := range statuses {
			switch s {
			case 200:
				ok++
			case 409:
				conflict++
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("round %d: statuses %v, want one 200 and one 409", round, statuses)
		}
		after := w.fresh(t, n.ID)
		if len(after.History) != 1 || after.Version != n.Version+1 {
			t.Fatalf("round %d: history %d entries, version %d", round, len(after.History), after.Version)
		}
	}
}
