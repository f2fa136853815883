package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"cocreate/internal/app"
	"cocreate/internal/store"
)

// journeySite is the application with an open call that needs one review
// per note, a coordinator, a chair and a reviewer, and nothing else: the
// journeys make the rest through the pages.
func journeySite(t *testing.T) *site {
	t.Helper()
	a, srvURL := serve(t)
	ctx := context.Background()
	member := func(email, name, org, sector string, roles ...string) *store.User {
		u, err := a.CreateMember(ctx, app.NewMember{Email: email, Name: name, Organization: org, Sector: sector, Roles: roles, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	coord := member("coordinator@example.org", "Andrea Vasquez", "Open Government Unit", "government", "coordinator")
	member("chair@example.org", "Celia Usher", "Steering Committee", "civil_society", "chair")
	member("reviewer@example.org", "Kareem Tillett", "Ministry of Economic Development", "government", "reviewer")
	now, one := time.Now(), 1
	call, err := a.CreateCall(ctx, coord, app.CallInput{Slug: "bz", Title: "Belize's first action plan",
		RefPrefix: "BZ2020", OpensAt: now.Add(-24 * time.Hour).Format(time.RFC3339), ClosesAt: now.Add(7 * 24 * time.Hour).Format(time.RFC3339),
		PlanStart: now.AddDate(0, 1, 0).Format("2006-01"), PlanEnd: now.AddDate(2, 0, 0).Format("2006-01"), TimeZone: "America/Belize",
		ReviewersPerNote: &one, MinReviews: &one})
	if err != nil {
		t.Fatal(err)
	}
	return &site{t: t, url: srvURL, app: a, call: call}
}

// journeyMode is how the participant's browser runs.
type journeyMode struct {
	name  string
	noJS  bool
	phone bool
}

// TestJourneys runs the whole life of a concept note in the browser, page
// by page, with axe-core, the console and (on the phone) the page's width
// checked on every page: a participant registers, drafts with the live
// counters, submits and reads the receipt; a coordinator assigns a reviewer;
// the committee member screens and scores; the coordinator downloads the
// shortlist workbook; the chair classifies and publishes; the participant
// reads the reasoned response. It runs again with the participant's
// JavaScript off, and with everyone on a 390×844 phone.
func TestJourneys(t *testing.T) {
	for _, m := range []journeyMode{{name: "desktop"}, {name: "no JavaScript", noJS: true}, {name: "phone", phone: true}} {
		t.Run(m.name, func(t *testing.T) {
			s := journeySite(t)
			st := *s
			st.t = t
			journey(t, &st, m)
		})
	}
}

// tab is one person's browser in a journey, with its page checks.
type tab struct {
	t   *testing.T
	s   *site
	ctx context.Context
	c   *pageCheck
}

// open starts a browser for one person (who names its screenshots):
// 1280×900, or 390×844 on a phone, scripts on or off.
func open(t *testing.T, s *site, who string, phone, noJS bool) *tab {
	t.Helper()
	ctx := browserFor(t, 3*time.Minute)
	if phone {
		do(t, ctx, chromedp.EmulateViewport(390, 844))
	} else {
		do(t, ctx, chromedp.EmulateViewport(1280, 900))
	}
	c := newPageCheck(t, ctx, phone)
	c.who = who
	if noJS {
		if err := scriptsOff(ctx, true); err != nil {
			t.Fatal(err)
		}
		c.noJS = true
	}
	return &tab{t: t, s: s, ctx: ctx, c: c}
}

// visit loads path and checks the page.
func (b *tab) visit(path string) {
	b.t.Helper()
	load(b.t, b.ctx, b.s.url+path)
	b.c.check(path)
}

// click clicks sel, waits for the next page and checks it.
func (b *tab) click(sel string, what string) {
	b.t.Helper()
	clickAndLoad(b.t, b.ctx, chromedp.CSS(sel))
	b.c.check(what)
}

// at fails the test unless the tab's address contains want.
func (b *tab) at(want string) string {
	b.t.Helper()
	loc := run(b.t, b.ctx, chromedp.Location())
	if !strings.Contains(loc, want) {
		b.t.Fatalf("the browser is at %s, want %s", loc, want)
	}
	return loc
}

// text is the trimmed text of sel.
func (b *tab) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(run(b.t, b.ctx, chromedp.TextContent(chromedp.CSS(sel))))
}

// set gives the form control sel the value v.
func (b *tab) set(sel, v string) {
	b.t.Helper()
	do(b.t, b.ctx, chromedp.SetValue(chromedp.CSS(sel), v))
}

// tick clicks the checkbox or radio button sel.
func (b *tab) tick(sel string) {
	b.t.Helper()
	do(b.t, b.ctx, chromedp.Click(chromedp.CSS(sel)))
}

// signIn signs in with the shared password and checks the pages on the way.
func (b *tab) signIn(email string) {
	b.t.Helper()
	b.visit("/login")
	do(b.t, b.ctx, chromedp.SendKeys(chromedp.ID("email"), email), chromedp.SendKeys(chromedp.ID("password"), password))
	b.click(`form[action="/login"] button[type=submit]`, "after signing in as "+email)
	if loc := run(b.t, b.ctx, chromedp.Location()); strings.Contains(loc, "/login") {
		b.t.Fatalf("sign in as %s: still on %s", email, loc)
	}
}

// The concept note the participant writes, every field within its limit.
var journeyNote = map[string]string{
	"summary":            "Every district council publishes its budget and monthly spending online in open formats.",
	"problem":            "Residents cannot see how district councils plan and spend public money, so they cannot take part in budget decisions or ask informed questions.",
	"commitment":         "The Ministry of Finance will publish each district council's approved budget and monthly spending in open formats, with a plain-language guide.",
	"change":             "Today budgets are printed and kept at council offices. After the commitment anyone can read and reuse them online, and councils answer questions in public meetings.",
	"values_explanation": "Publishing budgets is transparency; public budget meetings are participation.",
	"lead_agency":        "Ministry of Finance",
}

// journey runs the note's whole life in mode m.
func journey(t *testing.T, s *site, m journeyMode) {
	p := open(t, s, "participant", m.phone, m.noJS)

	// The participant creates an account.
	email := "marisol@example.org"
	p.visit("/register")
	p.set("#email", email)
	p.set("#password", password)
	p.set("#name", "Marisol Cal")
	p.set("#organization", "Toledo Maya Women's Network")
	p.set("#sector", "civil_society")
	p.set("#district", "toledo")
	p.click(`form[action="/register"] button[type=submit]`, "after creating an account")
	if strings.Contains(run(t, p.ctx, chromedp.Location()), "/register") {
		t.Fatalf("registering failed: %s", p.text("main"))
	}

	// The participant opens the link the service e-mailed, which confirms the
	// address: the call accepts notes only from verified addresses.
	p.visit(verifyLink(t, s, email))
	p.click(`form[action="/me/email/verify"] button[type=submit]`, "after confirming the address")
	if got := p.text(".flash"); !strings.Contains(got, "is confirmed") {
		t.Fatalf("confirming the address: %q", got)
	}

	// From the call's page to a new draft.
	p.visit("/calls/bz")
	p.click(`a[href="/calls/bz/notes/new"]`, "start a concept note")
	p.click(`form[action="/calls/bz/notes"] button[type=submit]`, "a new draft")
	loc := p.at("/edit")
	noteID := strings.Split(strings.SplitN(loc, "/notes/", 2)[1], "/")[0]

	// The live counters follow the typing; without scripts they keep the server's count.
	do(t, p.ctx, chromedp.SendKeys(chromedp.ID("title"), "Open budgets for every district"))
	want := "10 words left"
	if m.noJS {
		want = "15 words left"
	}
	if got := p.text("#title-count"); got != want {
		t.Errorf("title counter after typing five words: %q, want %q", got, want)
	}
	for k, v := range journeyNote {
		p.set("#"+k, v)
	}
	p.tick("#values")
	p.set("#policy_area", "fiscal_openness")
	months := []string{s.call.PlanStart, s.call.PlanEnd}
	for i, d := range []string{"Data standard agreed with the councils", "First monthly release of every budget"} {
		p.set(fmt.Sprintf(`[id="milestones.%d.deliverable"]`, i), d)
		p.set(fmt.Sprintf(`[id="milestones.%d.responsible"]`, i), "Ministry of Finance")
		p.set(fmt.Sprintf(`[id="milestones.%d.due"]`, i), months[i])
	}
	p.tick("#consent_publish")
	p.click(`button[name="continue"]`, "check your answers")
	p.at("/notes/" + noteID + "/check")
	p.click(`form[action="/notes/`+noteID+`/submit"] button[type=submit]`, "the receipt")
	p.at("/notes/" + noteID + "/submitted")
	ref := p.text(".panel .ref")
	if !strings.HasPrefix(ref, "BZ2020-") {
		t.Fatalf("the receipt shows the reference %q", ref)
	}
	p.visit("/notes")
	p.visit("/notes/" + noteID)
	p.visit("/notes/" + noteID + "/print")

	// The committee works with scripts on; on a phone in the phone journey, on a desktop otherwise.
	coord := open(t, s, "coordinator", m.phone, false)
	coord.signIn("coordinator@example.org")
	coord.visit("/admin/calls")
	rev := open(t, s, "reviewer", m.phone, false)
	rev.signIn("reviewer@example.org")
	rev.visit("/committee/screening")
	rev.click(`a[href="/notes/`+noteID+`/screen"]`, "screen "+ref)
	// Every checklist item passes ("All eight items pass" is one control), and so does the note.
	rev.tick(`#items-all`)
	rev.click(`form[action="/notes/`+noteID+`/screen"] button[type=submit]`, "after screening "+ref)

	// The coordinator assigns the reviewer.
	coord.visit("/admin/calls/" + s.call.ID + "/assignments")
	do(t, coord.ctx, chromedp.SetValue(chromedp.CSS(`[id="add-`+noteID+`"]`), reviewerID(t, s)))
	coord.click(`form:has([id="add-`+noteID+`"]) button[type=submit]`, "after assigning the reviewer")

	// The reviewer scores every criterion 3.
	rev.visit("/committee/reviews")
	rev.click(`a[href="/notes/`+noteID+`/review"]`, "score "+ref)
	for _, id := range run(t, rev.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('form input[type=radio][value="3"]')].map(e => e.id)`)) {
		rev.tick(`[id="` + id + `"]`)
	}
	rev.set("#comment", "Clear and checkable; the councils' capacity needs a plan.")
	rev.click(`button[name="action"][value="submit"]`, "after submitting the review")
	rev.visit("/notes/" + noteID + "/reviews")

	// The coordinator downloads the shortlist workbook from the dashboard.
	coord.visit("/committee?call=bz")
	book := coord.download(`form[action="/committee/shortlist.xlsx"] button[type=submit]:not([formaction])`)
	checkWorkbook(t, book, ref)

	// The chair classifies the note and publishes the results.
	chair := open(t, s, "chair", m.phone, false)
	chair.signIn("chair@example.org")
	chair.visit("/committee/notes/" + noteID)
	chair.visit("/notes/" + noteID + "/classify")
	chair.tick("#class-A")
	reason := run(t, chair.ctx, chromedp.Evaluate[string](`document.querySelector('input[name="reason_code_A"]').id`))
	chair.tick(`[id="` + reason + `"]`)
	rationale := "The committee found the problem clear and the milestones dated and checkable, with an owner in government."
	chair.set("#rationale_A", rationale)
	chair.click(`form[action="/notes/`+noteID+`/classify"] button[type=submit]`, "after classifying "+ref)
	chair.visit("/committee/publish?call=bz")
	chair.click(`form[action="/committee/publish"] button[type=submit]`, "after publishing")

	// The participant reads the reasoned response.
	p.visit("/notes/" + noteID)
	if got := p.text(".decision"); !strings.Contains(got, rationale) {
		t.Errorf("the participant's note page does not give the committee's reasons:\n%s", got)
	}
	p.visit("/calls/bz/repository")
	p.visit("/calls/bz/repository/" + ref)
}

// reviewerID is the id of the journey's reviewer.
func reviewerID(t *testing.T, s *site) string {
	u, err := s.app.Store.UserByEmail(context.Background(), "reviewer@example.org")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// download clicks sel, which starts a download, and returns the file once
// Chromium has written it.
func (b *tab) download(sel string) string {
	b.t.Helper()
	dir := b.t.TempDir()
	bc := chromedp.FromContext(b.ctx).BrowserContextID
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: bc, DownloadPath: dir, EventsEnabled: ptr(true)}); err != nil {
		b.t.Fatal(err)
	}
	var mu sync.Mutex
	done := make(chan string, 1)
	var guid string
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.ListenBrowser(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *cdpbrowser.EventDownloadWillBegin:
			guid = e.GUID
		case *cdpbrowser.EventDownloadProgress:
			if e.GUID == guid && e.State != cdpbrowser.DownloadProgressStateInProgress {
				select {
				case done <- string(e.State):
				default:
				}
			}
		}
	}); err != nil {
		b.t.Fatal(err)
	}
	do(b.t, b.ctx, chromedp.Click(chromedp.CSS(sel)))
	select {
	case state := <-done:
		if state != string(cdpbrowser.DownloadProgressStateCompleted) {
			b.t.Fatalf("the download ended %s", state)
		}
	case <-ctx.Done():
		b.t.Fatal("no download arrived within 30 s")
	}
	mu.Lock()
	defer mu.Unlock()
	return filepath.Join(dir, guid)
}

// ptr points at a copy of v, for the protocol's optional fields.
func ptr[T any](v T) *T { return &v }

// checkWorkbook opens the downloaded shortlist and looks for the note.
func checkWorkbook(t *testing.T, file, ref string) {
	t.Helper()
	if st, err := os.Stat(file); err != nil || st.Size() == 0 {
		t.Fatalf("the shortlist download is missing or empty: %v", err)
	}
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatalf("the shortlist download does not open as a workbook: %v", err)
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			for _, c := range r {
				if c == ref {
					return
				}
			}
		}
	}
	t.Errorf("the shortlist workbook (sheets %v) does not list %s", f.GetSheetList(), ref)
}

// verifyLinkRe finds the confirmation link's path in an e-mail's text.
var verifyLinkRe = regexp.MustCompile(`/me/email/verify\?token=[A-Za-z0-9_-]+`)

// verifyLink is the path of the address confirmation link the outbox holds
// for email (the newest, if it was sent more than once).
func verifyLink(t *testing.T, s *site, email string) string {
	t.Helper()
	msgs, _, err := s.app.Store.Messages(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if m := msgs[i]; m.To == email && m.Event == app.MsgVerifyEmail {
			if l := verifyLinkRe.FindString(m.Body); l != "" {
				return l
			}
		}
	}
	t.Fatalf("no confirmation link was e-mailed to %s", email)
	return ""
}
