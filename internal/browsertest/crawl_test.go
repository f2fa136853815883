package browsertest

import (
	"context"
	"io"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"cocreate/internal/app"
	"cocreate/internal/demo"
	"cocreate/internal/store"
)

// demoSite is the application with the demo call seeded through the app's
// own operations: notes in every early state, screened and scored, and the
// committee of a coordinator who chairs and three reviewers. A chair who is
// not a coordinator is added.
func demoSite(t *testing.T) *site {
	t.Helper()
	a, srvURL := serve(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, a, time.Now(), io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateMember(ctx, app.NewMember{Email: "chair@demo.example", Name: "Celia Usher", Organization: "Steering Committee",
		Sector: "civil_society", Roles: []string{"chair"}, Password: demo.Password}); err != nil {
		t.Fatal(err)
	}
	call, err := a.Store.CallBySlug(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	publishSome(t, a, call)
	return &site{t: t, url: srvURL, app: a, call: call}
}

// publishSome has the demo's chair classify two screened notes, one of
// them the crawl's first participant's, and publish the results, so the
// crawl also sees classified notes and published decisions; the other
// screened notes stay in scoring.
func publishSome(t *testing.T, a *app.App, call *store.Call) {
	t.Helper()
	ctx := context.Background()
	chair, err := a.Store.UserByEmail(ctx, "coordinator@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	dalia, err := a.Store.UserByEmail(ctx, "dalia.flowers@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: call.ID})
	if err != nil {
		t.Fatal(err)
	}
	// One screened note of Dalia's and one of someone else's, in whatever
	// order the engine lists them.
	var hers, other string
	for _, sm := range sums {
		switch {
		case sm.State != "screened":
		case sm.Owner == dalia.ID && hers == "":
			hers = sm.ID
		case sm.Owner != dalia.ID && other == "":
			other = sm.ID
		}
	}
	var pick []string
	for _, id := range []string{hers, other} {
		if id != "" {
			pick = append(pick, id)
		}
	}
	if len(pick) < 2 {
		t.Fatalf("the demo has %d screened notes to classify, want 2 (one of Dalia Flowers's)", len(pick))
	}
	for _, id := range pick[:2] {
		n, err := a.Store.NoteByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Classify(ctx, chair, id, app.ClassifyInput{Version: n.Version, Class: "A", ReasonCode: "included",
			Rationale:      "The committee found the problem clear and the milestones dated and checkable.",
			OverrideReason: "The committee met before the last review was in."}); err != nil {
			t.Fatalf("classify %s: %v", id, err)
		}
	}
	if _, err := a.Publish(ctx, chair, call.Slug); err != nil {
		t.Fatal(err)
	}
}

// crawlLimit bounds the pages one role's crawl visits; perPattern bounds the
// pages of one shape (the same path with other ids, the same query keys).
const (
	crawlLimit = 60
	perPattern = 3
)

// idSegment is a path segment that names one object: an ObjectID or a reference.
var idSegment = regexp.MustCompile(`^([0-9a-f]{24}|[A-Z][A-Z0-9]*-\d+)$`)

// pattern is u's shape: its path with ids as :id, and its query's keys.
func pattern(u *url.URL) string {
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		if idSegment.MatchString(s) {
			segs[i] = ":id"
		}
	}
	keys := make([]string, 0, len(u.Query()))
	for k := range u.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(segs, "/") + "?" + strings.Join(keys, "&")
}

// skipLink says whether the crawl leaves u alone: another site, files
// (downloads, static assets, the JSON API), and signing out.
func skipLink(base, u *url.URL) bool {
	if u.Scheme != base.Scheme || u.Host != base.Host {
		return true
	}
	p := u.Path
	return p == "/logout" || strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/api/") ||
		p == "/healthz" || p == "/readyz" || p == "/metrics" ||
		strings.Contains(p, "/resources/") || slices.ContainsFunc(downloadSuffixes, func(s string) bool { return strings.HasSuffix(p, s) })
}

// downloadSuffixes end the addresses of files the service hands out
// (workbooks, CSVs, PDFs, calendars, zips): the browser saves them rather
// than showing a page.
var downloadSuffixes = []string{".xlsx", ".csv", ".pdf", ".ics", ".zip"}

// linksScript lists the page's links that are not downloads.
const linksScript = `[...document.querySelectorAll('a[href]')].filter(a => !a.hasAttribute('download')).map(a => a.href)`

// crawlRole is one kind of visitor and the pages known to concern it.
type crawlRole struct {
	name, email string
	known       []string
}

// TestEveryPageOnAPhone signs in as each kind of visitor and visits every
// page reachable from / by links (bounded, as above) and the pages known for
// that role, 390×844: no page is wider than the screen, no console error,
// no serious or critical axe-core violation, no link to a page that fails.
// Pages other features add are covered once a link leads to them.
func TestEveryPageOnAPhone(t *testing.T) {
	s := demoSite(t)
	slug := demo.Slug
	roles := []crawlRole{
		{"anonymous", "", []string{"/", "/calls", "/calls/" + slug, "/calls/" + slug + "/repository", "/login", "/register", "/no-such-page"}},
		// Between them, the participants' notes are in every state the demo has.
		{"participant", "dalia.flowers@demo.example", notesOf(t, s, "dalia.flowers@demo.example", "/", "/notes", "/calls/"+slug+"/notes/new", "/calls/"+slug)},
		{"participant with a note not eligible", "jerome.gillett@demo.example", notesOf(t, s, "jerome.gillett@demo.example", "/", "/notes")},
		{"participant with a withdrawn note", "patrick.usher@demo.example", notesOf(t, s, "patrick.usher@demo.example", "/notes")},
		{"reviewer", "kareem.tillett@demo.example", []string{"/", "/committee", "/committee/screening", "/committee/reviews", "/committee/reviews/upload"}},
		{"chair", "chair@demo.example", []string{"/", "/committee", "/committee/classify?call=" + slug, "/committee/publish?call=" + slug}},
		{"coordinator", "coordinator@demo.example", []string{"/", "/admin/calls", "/admin/calls/new", "/admin/calls/" + s.call.ID + "/edit",
			"/admin/calls/" + s.call.ID + "/assignments", "/admin/users", "/admin/users/new", "/admin/outbox", "/committee",
			"/committee/screening", "/committee/reviews", "/committee/classify?call=" + slug}},
	}
	for _, r := range roles {
		t.Run(r.name, func(t *testing.T) { crawl(t, s, r) })
	}
}

// notesOf is pages followed by the page of each of email's notes, so that
// every state of the participant's notes is visited whatever the limits.
func notesOf(t *testing.T, s *site, email string, pages ...string) []string {
	t.Helper()
	ctx := context.Background()
	u, err := s.app.Store.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.app.MyNotes(ctx, u, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range items {
		pages = append(pages, "/notes/"+n.ID)
	}
	return pages
}

// crawl visits r's pages and checks each.
func crawl(t *testing.T, s *site, r crawlRole) {
	ctx := browserFor(t, 4*time.Minute)
	do(t, ctx, chromedp.EmulateViewport(390, 844))
	c := newPageCheck(t, ctx, true)
	if r.email != "" {
		st := *s
		st.t = t
		st.signInAs(ctx, r.email, demo.Password)
		c.con.take() // the sign-in pages are checked as pages below
	}
	base, _ := url.Parse(s.url)
	type visit struct {
		u    *url.URL
		from string // the page that linked here; "" for a known page
	}
	var queue []visit
	seen := map[string]bool{}
	shapes := map[string]int{}
	add := func(raw, from string) {
		u, err := base.Parse(raw)
		if err != nil || skipLink(base, u) {
			return
		}
		u.Fragment = ""
		key := u.String()
		if seen[key] {
			return
		}
		if from != "" && shapes[pattern(u)] >= perPattern {
			return
		}
		seen[key] = true
		shapes[pattern(u)]++
		queue = append(queue, visit{u, from})
	}
	for _, k := range r.known {
		add(k, "")
	}
	visited := 0
	for len(queue) > 0 && visited < crawlLimit {
		v := queue[0]
		queue = queue[1:]
		visited++
		path := v.u.RequestURI()
		_, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Navigate(v.u.String())))
		if err != nil {
			t.Errorf("%s: load: %v", path, err)
			continue
		}
		status := documentStatus(t, ctx)
		switch {
		case status >= 500:
			t.Errorf("%s answers %d (linked from %s)", path, status, orKnown(v.from))
		case status >= 400 && status != 422 && v.from != "":
			// 422 is a page that shows what to fix (check your answers on an
			// incomplete draft): the page works. Any other 4xx is a broken link.
			t.Errorf("%s answers %d: a broken link on %s", path, status, v.from)
		}
		c.check(r.name + " " + path)
		if loc := run(t, ctx, chromedp.Location()); !strings.HasPrefix(loc, s.url) {
			continue
		}
		for _, l := range run(t, ctx, chromedp.Evaluate[[]string](linksScript)) {
			add(l, path)
		}
	}
	t.Logf("%s: %d pages checked, %d more found but over the limit of %d", r.name, visited, len(queue), crawlLimit)
	if visited < 3 {
		t.Errorf("%s: only %d pages were reached: the crawl is not crawling", r.name, visited)
	}
}

// orKnown names where a page was found: the page linking to it, or the list.
func orKnown(from string) string {
	if from == "" {
		return "the list of known pages"
	}
	return from
}

// documentStatus is the HTTP status of the page the tab shows.
func documentStatus(t *testing.T, ctx context.Context) int {
	t.Helper()
	return run(t, ctx, chromedp.Evaluate[int](`(performance.getEntriesByType('navigation')[0] || {}).responseStatus || 0`))
}

// TestDashboardShowsEveryColumnOnADesktop opens the committee dashboard
// 1280 px wide: its table of notes fits, with no column cut off behind a
// scroll bar.
func TestDashboardShowsEveryColumnOnADesktop(t *testing.T) {
	s := demoSite(t)
	ctx := browser(t)
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	s.signInAs(ctx, "coordinator@demo.example", demo.Password)
	load(t, ctx, s.url+"/committee?call="+demo.Slug)
	type fit struct{ Table, Box, Cols int }
	f := run(t, ctx, chromedp.Evaluate[fit](`(() => {
	  const t = document.querySelector('table.dashboard'), box = t.closest('.table-wrap') || t.parentElement;
	  return {table: Math.ceil(t.getBoundingClientRect().width), box: box.clientWidth, cols: t.querySelectorAll('thead th').length};
	})()`))
	if f.Cols < 10 {
		t.Fatalf("the dashboard has %d columns: the page changed, update the test", f.Cols)
	}
	if f.Table > f.Box {
		t.Errorf("at 1280 px the dashboard's table is %d px wide in a %d px box: its last columns are cut off", f.Table, f.Box)
	}
}
