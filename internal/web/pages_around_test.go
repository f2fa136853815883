package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"cocreate/internal/enum"
	"cocreate/internal/store"
)

// Tests of issue 13's pages around the forms: homes per role, next links
// through registration, My notes, the register error summary, the call
// page's timeline, screening criteria and contact line, the privacy notice
// and the People search.

// signedIn is a browser signed in as u (made with ts.user's password).
func (ts *testServer) signedIn(u *store.User) *browser {
	ts.t.Helper()
	b := ts.browser()
	b.signIn(u.Email, testPassword)
	return b
}

var tagRe, spaceRe = regexp.MustCompile(`<[^>]*>`), regexp.MustCompile(`\s+`)

// plain is the page's text as a reader reads it: no tags, entities decoded, spaces collapsed.
func (p htmlPage) plain() string {
	return strings.TrimSpace(spaceRe.ReplaceAllString(html.UnescapeString(tagRe.ReplaceAllString(p.Body, "")), " "))
}

// mustHave fails for every want missing from the page's text.
func mustHave(t *testing.T, what string, p htmlPage, wants ...string) {
	t.Helper()
	if p.Status != http.StatusOK {
		t.Fatalf("%s: status %d\n%s", what, p.Status, p.Body)
	}
	text, failed := p.plain(), false
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q", what, want)
			failed = true
		}
	}
	if failed {
		t.Logf("%s:\n%s", what, text)
	}
}

// mustLack fails for every unwanted text the page has.
func mustLack(t *testing.T, what string, p htmlPage, nots ...string) {
	t.Helper()
	for _, not := range nots {
		if strings.Contains(p.plain(), not) {
			t.Errorf("%s has %q:\n%s", what, not, p.plain())
		}
	}
}

func TestHomeShowsEachRolesWork(t *testing.T) {
	w := newCommitteeWorld(t)
	ts, c := w.ts, w.call
	ctx := context.Background()
	// Two notes wait for screening, two screened notes need reviewers (one
	// has two of three, one none), one is scored enough to classify.
	w.note(t, c, "submitted", "Waiting one", "justice", 2*time.Hour)
	w.note(t, c, "submitted", "Waiting two", "justice", time.Hour)
	half := w.note(t, c, "screened", "Half assigned", "justice", time.Hour)
	w.note(t, c, "screened", "Not assigned", "justice", time.Hour)
	if r := ts.api("PUT", "/api/v1/notes/"+half.ID+"/assignments", w.coordTok,
		map[string]any{"reviewer_ids": []string{w.rev1.ID, w.rev2.ID}}); r.Status != 200 {
		t.Fatalf("assign: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("PUT", "/api/v1/notes/"+half.ID+"/review", w.rev1Tok, fullReview(3, true)); r.Status != 200 {
		t.Fatalf("review: %d %s", r.Status, r.Raw)
	}
	ts.app.WaitForScores() // the review's refresh of scores is done before a score is stored by hand
	w.scored(t, "Ready to decide", 3, 80)
	draft := w.note(t, c, "draft", "My draft", "justice", 0)
	returned := w.note(t, c, "returned", "Sent back", "justice", time.Hour, func(n *store.Note) {
		n.Screening = &store.Screening{Outcome: "return", ReviseBy: "2026-06-20", Instructions: "Date the milestones.", By: w.rev1.ID, At: ts.clock.Now()}
	})

	anon := ts.browser().get("/")
	mustHave(t, "the anonymous home", anon, "Shape your country's open government action plan", "Open calls", c.Title,
		"Deadline: "+formatInZone(c.ClosesAt, c.TimeZone))
	mustLack(t, "the anonymous home", anon, "Your work", "to screen", "Coordinating")

	owner := ts.signedIn(w.owner).get("/")
	mustHave(t, "the participant's home", owner, "Your work", "Open calls", c.Title, "Your concept notes",
		"My draft", "Continue draft", "Submit by", "Sent back", "Revise by 20 June", "And 2 more: see all your notes")
	mustLack(t, "the participant's home", owner, "notes to screen", "Coordinating", "ready to classify")
	for _, href := range []string{`href="/notes/` + draft.ID + `/edit"`, `href="/notes/` + returned.ID + `/edit"`} {
		if !strings.Contains(owner.Body, href) {
			t.Errorf("the participant's home lacks the link %s", href)
		}
	}

	rev := ts.signedIn(w.rev1).get("/")
	mustHave(t, "the reviewer's home", rev, "Steering Committee", c.Title, "2 notes to screen", "1 of 1 review submitted")
	mustLack(t, "the reviewer's home", rev, "Your concept notes", "ready to classify", "Coordinating")
	if !strings.Contains(rev.Body, `href="/committee/screening?call=`+c.Slug+`"`) || !strings.Contains(rev.Body, `href="/committee/reviews?call=`+c.Slug+`"`) {
		t.Errorf("the reviewer's home does not link to the screening and review queues:\n%s", rev.Body)
	}
	rev2 := ts.signedIn(w.rev2).get("/")
	mustHave(t, "the second reviewer's home", rev2, "0 of 1 review submitted")

	chair := ts.signedIn(w.chair).get("/")
	mustHave(t, "the chair's home", chair, "2 notes to screen", "no reviews assigned to you", "1 note ready to classify", "Results are not published yet")
	if !strings.Contains(chair.Body, `href="/committee/classify?call=`+c.Slug+`"`) {
		t.Error("the chair's home does not link to classification")
	}

	coord := ts.signedIn(w.coord).get("/")
	mustHave(t, "the coordinator's home", coord, "Coordinating", c.Title, "2 waiting for screening", "3 in scoring",
		"3 notes in scoring have fewer reviewers than the call asks for", "The committee has 3 reviewers and 1 chair")
	mustLack(t, "the coordinator's home", coord, "notes to screen", "Your concept notes")
	if !strings.Contains(coord.Body, `href="/admin/calls/`+c.ID+`/assignments"`) {
		t.Error("the coordinator's home does not link to the assignments")
	}

	// A person with several roles sees each part.
	both, _ := ts.user("Pat Both", "Civic Lab", "civil_society", "participant", "reviewer", "coordinator")
	own := &store.Note{CallID: c.ID, State: "draft", Owner: both.ID, Fields: validFields("Both roles draft", "justice")}
	if err := ts.store.CreateNote(ctx, own); err != nil {
		t.Fatal(err)
	}
	several := ts.signedIn(both).get("/")
	mustHave(t, "the home of a person with several roles", several, "Your concept notes", "Both roles draft", "Continue draft",
		"Steering Committee", "2 notes to screen", "Coordinating", "Open calls")

	// Once results are published the chair reads so, and the reviewers no longer see the call.
	if err := ts.store.SetCallPublished(ctx, c.ID, ts.clock.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustHave(t, "the chair's home after publication", ts.signedIn(w.chair).get("/"), "Results published on")
	mustHave(t, "the reviewer's home after publication", ts.signedIn(w.rev1).get("/"), "Nothing waits for you")
	mustLack(t, "the reviewer's home after publication", ts.signedIn(w.rev1).get("/"), "to screen", "reviews submitted")
}

func TestMyNotesGroupsByCallAndSaysWhatToDo(t *testing.T) {
	w := newCommitteeWorld(t)
	ts := w.ts
	other := w.newCall(t, "second-call", "SC2026")
	draft := w.note(t, w.call, "draft", "First draft", "justice", 0)
	returned := w.note(t, w.call, "returned", "Returned one", "justice", time.Hour, func(n *store.Note) {
		n.Screening = &store.Screening{Outcome: "return", ReviseBy: "2026-12-08", By: w.rev1.ID, At: ts.clock.Now()}
	})
	late := w.note(t, w.call, "returned", "Returned too late", "justice", time.Hour, func(n *store.Note) {
		n.Screening = &store.Screening{Outcome: "return", ReviseBy: "2026-06-01", By: w.rev1.ID, At: ts.clock.Now()}
	})
	decided := w.note(t, other, "classified", "Decided one", "justice", time.Hour, func(n *store.Note) {
		n.Decision = &store.Decision{Class: "A", ReasonCode: "included", Rationale: "Strong.", By: w.chair.ID}
		n.Published = n.Decision
	})
	undecided := w.note(t, other, "classified", "Decided, not published", "justice", time.Hour, func(n *store.Note) {
		n.Decision = &store.Decision{Class: "D", ReasonCode: "lower_priority", Rationale: "Later.", By: w.chair.ID}
	})

	p := ts.signedIn(w.owner).get("/notes")
	mustHave(t, "My notes", p, "You have 5 concept notes.", "Continue draft", "Submit by", "Revise by 8 December", "Revise",
		"The revise-by day has passed", "Read the decision", "Nothing to do: the committee is scoring it")
	for _, href := range []string{`href="/notes/` + draft.ID + `/edit"`, `href="/notes/` + returned.ID + `/edit"`,
		`href="/notes/` + decided.ID + `#decision-title"`} {
		if !strings.Contains(p.Body, href) {
			t.Errorf("My notes lacks the link %s", href)
		}
	}
	for _, id := range []string{late.ID, undecided.ID} {
		if strings.Contains(p.Body, `href="/notes/`+id+`/edit"`) || strings.Contains(p.Body, `href="/notes/`+id+`#decision-title"`) {
			t.Errorf("My notes offers an action on note %s, which asks nothing now", id)
		}
	}
	// The call's title once per call, as the heading of its notes.
	for _, title := range []string{w.call.Title, other.Title} {
		if n := strings.Count(p.Body, ">"+title+"</a></h2>"); n != 1 {
			t.Errorf("call %q is a heading %d times, want once:\n%s", title, n, p.Body)
		}
	}
	body := p.Body
	first, second := strings.Index(body, ">"+w.call.Title+"</a></h2>"), strings.Index(body, ">"+other.Title+"</a></h2>")
	for _, n := range []struct {
		title string
		call  int
	}{{"First draft", first}, {"Returned one", first}, {"Decided one", second}} {
		at := strings.Index(body, n.title)
		next := len(body)
		if n.call == first && second > first {
			next = second
		}
		if at < n.call || at > next {
			t.Errorf("%q is not under its call's heading", n.title)
		}
	}
}

func TestCreateAnAccountFromACallReturnsToIt(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", nil)
	b := ts.browser()
	call := b.get("/calls/bz")
	if !strings.Contains(call.Body, `href="/register?next=/calls/bz"`) ||
		!strings.Contains(call.Body, `href="/login?next=/calls/bz/notes/new"`) {
		t.Fatalf("the call page does not send people back to it:\n%s", call.Body)
	}
	register := func(email, next string) htmlPage {
		t.Helper()
		page := b.get("/register?next=" + url.QueryEscape(next))
		form := hidden(t, page.Body, "/register")
		want := next
		if next == "/" {
			want = "" // home is where a new account goes anyway: no hidden field
		}
		if form.Get("next") != want {
			t.Fatalf("the register page keeps next %q, want %q", form.Get("next"), want)
		}
		for k, v := range map[string]string{"email": email, "password": goodPassword, "name": "Nia",
			"organization": "Rotary", "sector": "private_sector", "district": "corozal"} {
			form.Set(k, v)
		}
		return b.post("/register", form)
	}
	// Back to the call.
	if p := register("nia@example.org", "/calls/bz"); p.Status != http.StatusSeeOther || p.Location != "/calls/bz" {
		t.Fatalf("register from the call page: %d %q", p.Status, p.Location)
	}
	// Starting a note: the note's start page asks to sign in; the sign-in
	// page's "Create an account" carries the way back to a new note.
	b = ts.browser()
	start := b.get("/calls/bz/notes/new")
	if start.Status != http.StatusSeeOther || !strings.HasPrefix(start.Location, "/login?next=") {
		t.Fatalf("a new note without an account: %d %q", start.Status, start.Location)
	}
	login := b.get(start.Location)
	if !strings.Contains(login.Body, `href="/register?next=%2fcalls%2fbz%2fnotes%2fnew"`) {
		t.Fatalf("the sign-in page's Create an account loses next:\n%s", login.Body)
	}
	p := register("omar@example.org", "/calls/bz/notes/new")
	if p.Status != http.StatusSeeOther || p.Location != "/calls/bz/notes/new" {
		t.Fatalf("register while starting a note: %d %q", p.Status, p.Location)
	}
	if start := b.get(p.Location); start.Status != 200 || !strings.Contains(start.Body, `action="/calls/bz/notes"`) {
		t.Fatalf("the new participant cannot start the note: %d\n%s", start.Status, start.Body)
	}
	// An error keeps next; a next off the site goes home.
	b = ts.browser()
	page := b.get("/register?next=%2Fcalls%2Fbz")
	form := hidden(t, page.Body, "/register")
	form.Set("email", "bad")
	if p := b.post("/register", form); p.Status != http.StatusUnprocessableEntity || hidden(t, p.Body, "/register").Get("next") != "/calls/bz" {
		t.Fatalf("an error page loses next: %d\n%s", p.Status, p.Body)
	}
	for i, evil := range []string{"https://evil.example/", "//evil.example", "/\\evil.example", "/\t/evil.example"} {
		b = ts.browser()
		form := hidden(t, b.get("/register").Body, "/register")
		for k, v := range map[string]string{"email": "eve" + itoa(i) + "@example.org", "password": goodPassword, "name": "Eve",
			"organization": "Rotary", "sector": "private_sector", "district": "corozal", "next": evil} {
			form.Set(k, v)
		}
		if p := b.post("/register", form); p.Status != http.StatusSeeOther || p.Location != "/" {
			t.Errorf("next %q leads to %d %q", evil, p.Status, p.Location)
		}
	}
}

var summaryItemRe = regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`)

func TestRegisterErrorSummaryListsOnlyFieldsWithErrors(t *testing.T) {
	ts := newTestServer(t)
	b := ts.browser()
	form := hidden(t, b.get("/register").Body, "/register")
	for k, v := range map[string]string{"email": "ana@example.org", "password": "short", "name": "Ana",
		"organization": "Rotary", "sector": "private_sector", "district": "corozal"} {
		form.Set(k, v)
	}
	p := b.post("/register", form)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a short password: %d", p.Status)
	}
	summary := summaryItemRe.FindString(p.Body)
	if n := strings.Count(summary, "<li>"); n != 1 || !strings.Contains(summary, `href="#password"`) {
		t.Fatalf("one wrong password gives %d bullets, want 1:\n%s", n, summary)
	}
	if strings.Contains(summary, `"></a>`) {
		t.Errorf("the summary has an empty link:\n%s", summary)
	}
	// Two wrong fields: two bullets, in the order of the form.
	form.Set("email", "not-an-email")
	summary = summaryItemRe.FindString(b.post("/register", form).Body)
	if n := strings.Count(summary, "<li>"); n != 2 || strings.Index(summary, "#email") > strings.Index(summary, "#password") {
		t.Fatalf("two wrong fields:\n%s", summary)
	}
}

func TestCallTimelineIsInDateOrderWithOneNowMarker(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", map[string]any{"review_due": "2026-08-15"})
	steps := regexp.MustCompile(`(?s)<li( class="timeline-[a-z]+")?( aria-current="step")?>\s*<h3>(.*?)</h3>`)
	timeline := func() []string {
		t.Helper()
		body := ts.browser().get("/calls/bz").Body
		i, j := strings.Index(body, `<ol class="timeline">`), strings.Index(body, "<h2>How notes are screened</h2>")
		if i < 0 || j < i {
			t.Fatalf("no timeline on the call page:\n%s", body)
		}
		var out []string
		for _, m := range steps.FindAllStringSubmatch(body[i:j], -1) {
			title := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[3], "")
			if m[1] == ` class="timeline-now"` {
				title = "NOW"
			}
			out = append(out, strings.TrimSpace(title))
		}
		return out
	}
	cases := []struct {
		name string
		at   time.Time
		want string
	}{
		{"before opening", time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC),
			"NOW|The call opens|The call closes|Screening|Scoring|Classification and reasoned response"},
		{"while open", time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC),
			"The call opened|NOW|The call closes|Screening|Scoring|Classification and reasoned response"},
		{"after closing", time.Date(2026, 7, 10, 12, 0, 0, 0, time.UTC),
			"The call opened|The call closed|NOW|Screening|Scoring|Classification and reasoned response"},
		{"after the reviews were due", time.Date(2026, 8, 20, 12, 0, 0, 0, time.UTC),
			"The call opened|The call closed|Screening|Scoring|NOW|Classification and reasoned response"},
	}
	for _, tc := range cases {
		ts.clock.Set(tc.at)
		if got := strings.Join(timeline(), "|"); got != tc.want {
			t.Errorf("%s: timeline\n  %s\nwant\n  %s", tc.name, got, tc.want)
		}
		page := ts.browser().get("/calls/bz").text()
		if strings.Count(page, `aria-current="step"`) > 1 || regexp.MustCompile(`(?i)closes\s*(<[^>]+>\s*)*now`).MatchString(page) {
			t.Errorf("%s: the page reads \"closes now\" or has several now markers", tc.name)
		}
	}
	ts.clock.Set(time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC))
	mustHave(t, "the open call's now marker", ts.browser().get("/calls/bz"), "The call is open for concept notes: it closes in 16 days.")
}

func TestCallPageShowsTheScreeningCriteriaAndTheContact(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", map[string]any{"contact_email": " Coordinator@Example.ORG "})
	p := ts.browser().get("/calls/bz")
	var labels []string
	for _, item := range enum.Checklist {
		labels = append(labels, item.Label)
	}
	if len(labels) != 8 {
		t.Fatalf("the checklist has %d items, the domain eight", len(labels))
	}
	mustHave(t, "the call page", p, append(labels, "these 8 basic criteria",
		"Questions about this call? Write to the coordinator at coordinator@example.org.")...)
	if !strings.Contains(p.Body, `href="mailto:coordinator@example.org"`) {
		t.Error("the contact is not a mailto link")
	}
	// The API says it too, and a bad address is a 422 beside the field.
	if r := ts.api("GET", "/api/v1/calls/bz", "", nil); r.obj("call")["contact_email"] != "coordinator@example.org" {
		t.Fatalf("the API's call: %s", r.Raw)
	}
	_, coord := ts.user("Cleo Coordinator", "Ministry", "government", "coordinator")
	for _, bad := range []string{"not an address", "a@b@c", "x\"><script>@example.org", strings.Repeat("a", 300) + "@example.org"} {
		r := ts.api("PATCH", "/api/v1/calls/bz", coord, map[string]any{"contact_email": bad})
		if r.Status != 422 || r.errFields()["contact_email"] == nil {
			t.Errorf("contact_email %q: %d %s", bad, r.Status, r.Raw)
		}
	}
	if r := ts.api("PATCH", "/api/v1/calls/bz", coord, map[string]any{"contact_email": ""}); r.Status != 200 || r.obj("call")["contact_email"] != "" {
		t.Fatalf("clearing the contact: %d %s", r.Status, r.Raw)
	}
	mustLack(t, "the call page without a contact", ts.browser().get("/calls/bz"), "Questions about this call?")
}

func TestContactLineOnTheReceiptAndErrorPages(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", map[string]any{"contact_email": "help@example.org"})
	b, _, _ := ts.participant("Maria Chan")
	id := b.startNote("bz")
	b.postForm(id, noteFormValues(nil), "continue", "1")
	r := b.post("/notes/"+id+"/submit", hidden(t, b.get("/notes/"+id+"/check").Body, "/notes/"+id+"/submit"))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d\n%s", r.Status, r.Body)
	}
	mustHave(t, "the receipt", b.get(r.Location), "Write to the coordinator at help@example.org")
	msgs, _, err := ts.store.Messages(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	mailed := false
	for _, m := range msgs {
		mailed = mailed || (strings.HasPrefix(m.ID, "receipt:") && strings.Contains(m.Body, "Questions: write to the coordinator at help@example.org"))
	}
	if !mailed {
		t.Errorf("the e-mailed receipt has no contact line (%d messages)", len(msgs))
	}
	notFound := b.get("/no/such/page")
	if notFound.Status != 404 || !strings.Contains(notFound.plain(), "Questions? Write to the coordinator at help@example.org.") {
		t.Fatalf("the 404 page has no contact line: %d\n%s", notFound.Status, notFound.Body)
	}
	forbidden := b.get("/admin/users")
	if forbidden.Status != 403 || !strings.Contains(forbidden.plain(), "help@example.org") {
		t.Fatalf("the 403 page has no contact line: %d\n%s", forbidden.Status, forbidden.Body)
	}
}

func TestErrorPagesWithoutAContactSayNothingFalse(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", nil)
	p := ts.browser().get("/no/such/page")
	if p.Status != 404 || strings.Contains(p.Body, "mailto:") {
		t.Fatalf("a 404 with no contact set: %d\n%s", p.Status, p.Body)
	}
}

func TestPrivacyNoticeSaysWhatIsKeptWhoSeesItAndHowLong(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", map[string]any{"contact_email": "privacy@example.org"})
	p := ts.browser().get("/privacy")
	mustHave(t, "the privacy notice", p, "Privacy notice", "What we keep", "Who sees it", "For how long",
		"e-mail address, name, organisation, sector, district", "blind review", "never shows your name",
		"at most 7 days", "12 hours without use", accountSelfService, "privacy@example.org")
	for _, page := range []string{"/", "/register", "/calls/bz"} {
		if !strings.Contains(ts.browser().get(page).Body, `href="/privacy"`) {
			t.Errorf("%s does not link to the privacy notice", page)
		}
	}
}

func TestPeopleSearchByNameEmailAndOrganisation(t *testing.T) {
	ts := newTestServer(t)
	coord, _ := ts.user("Cora Coordinator", "Programme Office", "government", "coordinator")
	ts.user("Ana Diaz", "Budget Watch", "civil_society", "participant")
	ts.user("Ben Ortiz", "Ministry of Finance", "government", "reviewer")
	ts.user("Cai Lin", "Budget Lab", "academia", "participant")
	b := ts.signedIn(coord)
	names := regexp.MustCompile(`<td><a href="/admin/users/[^"]+">([^<]+)</a></td>`)
	search := func(query string) []string {
		t.Helper()
		p := b.get("/admin/users?" + query)
		if p.Status != 200 {
			t.Fatalf("search %s: %d\n%s", query, p.Status, p.Body)
		}
		var out []string
		for _, m := range names.FindAllStringSubmatch(p.Body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	cases := map[string]string{
		"q=ana":                       "Ana Diaz",
		"q=BUDGET":                    "Ana Diaz,Cai Lin",
		"q=ben.ortiz":                 "Ben Ortiz",
		"q=budget+lab":                "Cai Lin",
		"q=budget&role=participant":   "Ana Diaz,Cai Lin",
		"q=ministry&role=participant": "",
		"q=nobody":                    "",
		"q=%24where":                  "",
		"q=++":                        "Ana Diaz,Ben Ortiz,Cai Lin,Cora Coordinator",
	}
	for q, want := range cases {
		if got := strings.Join(search(q), ","); got != want {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
	p := b.get("/admin/users?q=budget&per_page=1&page=1")
	if !strings.Contains(p.Body, `per_page=1&amp;q=budget">Next page`) || !strings.Contains(p.text(), "Showing 1–1 of 2 matching “budget”") {
		t.Fatalf("paging loses the search:\n%s", p.Body)
	}
	if p := b.get("/admin/users?q=nobody"); !strings.Contains(p.text(), "No one matches “nobody”") {
		t.Errorf("no match says nothing useful:\n%s", p.Body)
	}
	// A page past the end is clamped, not an error.
	if p := b.get("/admin/users?q=budget&page=999999999"); p.Status != 200 {
		t.Errorf("a page far past the end: %d", p.Status)
	}
	// Too long: the message beside the field, the search kept.
	long := strings.Repeat("x", 201)
	p = b.get("/admin/users?q=" + long)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="q-error"`) || !strings.Contains(p.Body, `href="#q"`) ||
		!strings.Contains(p.Body, `value="`+long+`"`) {
		t.Fatalf("a long search: %d\n%s", p.Status, p.Body)
	}
	// The API takes the same search.
	_, tok := ts.user("Cleo Coordinator", "Programme Office", "government", "coordinator")
	if r := ts.api("GET", "/api/v1/users?q=budget", tok, nil); r.Status != 200 || r.Body["total"].(float64) != 2 {
		t.Fatalf("API search: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("GET", "/api/v1/users?q="+long, tok, nil); r.Status != 422 || r.errFields()["q"] == nil {
		t.Fatalf("API long search: %d %s", r.Status, r.Raw)
	}
}

func TestFaviconIsLinkedAndCached(t *testing.T) {
	ts := newTestServer(t)
	p := ts.browser().get("/")
	m := regexp.MustCompile(`<link rel="icon" href="([^"]+)"`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no favicon link:\n%s", p.Body)
	}
	res, err := http.Get(ts.srv.URL + m[1])
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/svg+xml") ||
		!strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("favicon: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
}

func TestCallFormTakesTheContactAddress(t *testing.T) {
	ts := newTestServer(t)
	coord, _ := ts.user("Carla Coordinator", "Ministry", "government", "coordinator")
	b := ts.signedIn(coord)
	csrf := b.csrf("/admin/calls/new")
	if p := b.get("/admin/calls/new"); !strings.Contains(p.Body, `name="contact_email"`) || !strings.Contains(p.Body, `<label for="contact_email">`) {
		t.Fatalf("the call form has no contact field:\n%s", p.Body)
	}
	bad := `x"><script>alert(1)</script>`
	p := b.post("/admin/calls", callFormValues(csrf, "contact_email", bad))
	if p.Status != 422 || !strings.Contains(p.Body, `id="contact_email-error"`) || !strings.Contains(p.Body, `href="#contact_email"`) ||
		strings.Contains(p.Body, "<script>alert") || !strings.Contains(p.Body, `value="x&#34;&gt;&lt;script&gt;`) {
		t.Fatalf("a bad contact address: %d\n%s", p.Status, p.Body)
	}
	if p := b.post("/admin/calls", callFormValues(csrf, "contact_email", "Help@Example.org", "form_token", "contact-1")); p.Status != 303 {
		t.Fatalf("create with a contact: %d\n%s", p.Status, p.Body)
	}
	r := ts.api("GET", "/api/v1/calls/belize-2026", "", nil)
	if r.obj("call")["contact_email"] != "help@example.org" {
		t.Fatalf("contact not stored: %s", r.Raw)
	}
	edit := "/admin/calls/" + r.obj("call")["id"].(string) + "/edit"
	if p := b.get(edit); !strings.Contains(p.Body, `value="help@example.org"`) {
		t.Fatalf("the edit form does not show the contact:\n%s", p.Body)
	}
	if p := b.post(edit, callFormValues(csrf, "version", "1", "contact_email", "")); p.Status != 303 {
		t.Fatalf("clear the contact: %d\n%s", p.Status, p.Body)
	}
	if r := ts.api("GET", "/api/v1/calls/belize-2026", "", nil); r.obj("call")["contact_email"] != "" {
		t.Fatalf("contact not cleared: %s", r.Raw)
	}
	// Each date field's hint says what the field shows: no fixed format in a label the browser's picker contradicts.
	form := b.get(edit).Body
	for _, stale := range []string{"Date <span class=\"hint\">(YYYY-MM-DD)</span>", "Time <span class=\"hint\">(HH:MM, 24-hour)</span>"} {
		if strings.Contains(form, stale) {
			t.Errorf("the call form still labels a picker with %q", stale)
		}
	}
}

func TestPeopleSearchEscapesWhatIsTyped(t *testing.T) {
	ts := newTestServer(t)
	coord, _ := ts.user("Cora Coordinator", "Programme Office", "government", "coordinator")
	b := ts.signedIn(coord)
	for _, q := range []string{payload, `{"$ne": null}`, "\xff\xfe"} {
		p := b.get("/admin/users?q=" + url.QueryEscape(q))
		if p.Status >= 500 || strings.Contains(p.Body, "<script>alert") || strings.Contains(p.Body, "\xff") {
			t.Errorf("search %q: %d, raw in the page", q, p.Status)
		}
	}
	if p := b.get("/admin/users?q=%ff"); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="q-error"`) {
		t.Errorf("a search that is not text: %d", p.Status)
	}
}

func TestCallTimelineSortsStepsByTheirDates(t *testing.T) {
	ts := newTestServer(t)
	// Reviews due before the call closes (an odd setting, but the timeline must still read in date order).
	ts.makeCall("bz", map[string]any{"review_due": "2026-06-20"})
	body := ts.browser().get("/calls/bz").plain()
	scoring, closes := strings.Index(body, "Scoring Saturday 20 June 2026"), strings.Index(body, "The call closes")
	if scoring < 0 || closes < 0 || scoring > closes {
		t.Fatalf("scoring (due 20 June) is not before the close (1 July): %d %d\n%s", scoring, closes, body)
	}
}
