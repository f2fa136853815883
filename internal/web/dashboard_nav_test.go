package web

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	rowLinkRe  = regexp.MustCompile(`<td><a href="(/committee/notes/[0-9a-f]+\?from=[^"]+)">([^<]+)</a></td>`)
	navLinkRe  = regexp.MustCompile(`<a href="([^"]+)" rel="(prev|next)">(?:Previous|Next): ([^<]+)</a>`)
	stateRe    = regexp.MustCompile(`<li><a href="([^"]+)"[^>]*><span class="tag [^"]*">Awaiting screening</span>`)
	classifyRe = regexp.MustCompile(`<a href="(/notes/[0-9a-f]+/classify\?from=[^"]+)">Classify<span class="visually-hidden"> ([^<]+)</span>`)
)

// navOf returns the previous and next links of a note page: href and reference by rel.
func navOf(p htmlPage) map[string][2]string {
	out := map[string][2]string{}
	for _, m := range navLinkRe.FindAllStringSubmatch(p.Body, -1) {
		out[m[2]] = [2]string{html.UnescapeString(m[1]), m[3]}
	}
	return out
}

// TestDashboardLinksAndNeighbours follows the dashboard, filtered to one
// policy area and sorted by mean, descending: each row links to the note's
// committee page carrying the view, and (for the chair) to classify; the
// note pages' previous and next follow the view's order and filter, on the
// committee page to committee pages and on the classify page to classify
// pages; classifying from the view goes on to the next note. A state count
// filters the same view; a page size of "all" shows all 120 notes.
func TestDashboardLinksAndNeighbours(t *testing.T) {
	w := newReviewWorld(t, nil, seat{"Ann", "Org A", "government"})
	seedDashboard(t, w, 120, w.revs[0])
	b := w.ts.browser()
	b.signIn(w.chair.Email, "a long enough password")
	view := "/committee?call=plan-2026&area=justice&sort=mean&dir=desc"
	p := b.get(view)
	rows := rowLinkRe.FindAllStringSubmatch(p.Body, -1)
	if p.Status != 200 || len(rows) != 40 {
		t.Fatalf("dashboard: %d, %d row links", p.Status, len(rows))
	}
	if rows[0][2] != "BZ2026-0118" || rows[1][2] != "BZ2026-0115" || rows[2][2] != "BZ2026-0112" {
		t.Fatalf("rows %s %s %s", rows[0][2], rows[1][2], rows[2][2])
	}
	second := html.UnescapeString(rows[1][1])
	from, _ := url.Parse(second)
	if v, _ := url.ParseQuery(from.Query().Get("from")); v.Get("area") != "justice" || v.Get("sort") != "mean" || v.Get("dir") != "desc" {
		t.Fatalf("the row link does not carry the view: %s", second)
	}

	p = b.get(second)
	nav := navOf(p)
	if p.Status != 200 || nav["prev"][1] != "BZ2026-0118" || nav["next"][1] != "BZ2026-0112" || !strings.Contains(p.text(), "Note 2 of 40 in") {
		t.Fatalf("committee page of BZ2026-0115: %d, nav %v", p.Status, nav)
	}
	if !strings.HasPrefix(nav["next"][0], "/committee/notes/") || !strings.Contains(nav["next"][0], "from=") {
		t.Errorf("the committee page's next link: %s", nav["next"][0])
	}
	if !regexp.MustCompile(`href="/notes/[0-9a-f]+/classify\?from=[^"]+">Classify this note`).MatchString(p.Body) {
		t.Error("the committee page's classify action does not keep the view")
	}
	if n := b.get(nav["next"][0]); navOf(n)["prev"][1] != "BZ2026-0115" || navOf(n)["next"][1] != "BZ2026-0109" {
		t.Errorf("following next: nav %v", navOf(n))
	}
	if plain := b.get(from.Path); len(navOf(plain)) != 0 {
		t.Error("a committee page opened without a view shows previous/next")
	}

	// The chair's classify links, and previous/next between classify pages.
	cls := classifyRe.FindAllStringSubmatch(p.Body, -1)
	if len(cls) != 0 {
		t.Fatalf("a committee page shows the dashboard's classify links")
	}
	p = b.get(view)
	cls = classifyRe.FindAllStringSubmatch(p.Body, -1)
	if len(cls) < 3 || cls[0][2] != "BZ2026-0118" {
		t.Fatalf("classify links on the dashboard: %v", cls)
	}
	cp := b.get(html.UnescapeString(cls[0][1]))
	cnav := navOf(cp)
	if cp.Status != 200 || cnav["prev"][0] != "" || cnav["next"][1] != "BZ2026-0115" || !regexp.MustCompile(`^/notes/[0-9a-f]+/classify\?from=`).MatchString(cnav["next"][0]) {
		t.Fatalf("classify page: %d, nav %v", cp.Status, cnav)
	}
	form := hidden(t, cp.Body, "/notes/"+strings.Split(strings.TrimPrefix(html.UnescapeString(cls[0][1]), "/notes/"), "/")[0]+"/classify")
	form.Set("class", "D")
	form.Set("reason_code_D", "lower_priority")
	form.Set("rationale_D", "The committee ranked other notes of this policy area higher this time.")
	res := b.post(strings.Split(html.UnescapeString(cls[0][1]), "?")[0], form)
	if res.Status != 303 || res.Location != cnav["next"][0] {
		t.Fatalf("classify from the view: %d to %q, want the next note's classify page %q\n%s", res.Status, res.Location, cnav["next"][0], res.Body)
	}

	// A state count filters the view it is on.
	p = b.get(view)
	m := stateRe.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("the state count is not a link:\n%s", between(p.Body, "states-heading", "</ul>"))
	}
	link := html.UnescapeString(m[1])
	q, _ := url.Parse(link)
	if q.Query().Get("state") != "submitted" || q.Query().Get("area") != "justice" || q.Query().Get("sort") != "mean" {
		t.Fatalf("state link %s", link)
	}
	p = b.get(link)
	if got := refs(p); !strings.Contains(p.text(), "Showing 1–4 of 4 notes") || len(got) != 4 || !strings.Contains(p.Body, `aria-current="true"`) {
		t.Fatalf("filtered by the state count: %q %v", between(p.text(), "Showing", "."), got)
	}

	// Page size all: every note on one page, no pages.
	p = b.get("/committee?call=plan-2026&per_page=all")
	if got := refs(p); len(got) != 120 || !strings.Contains(p.text(), "Showing 1–120 of 120 notes") || strings.Contains(p.Body, "Next page") ||
		!strings.Contains(p.Body, `<option value="all" selected>All</option>`) {
		t.Fatalf("per_page=all: %d rows, %q", len(got), between(p.text(), "Showing", "."))
	}
	if p := b.get("/committee?call=plan-2026&per_page=100&page=2"); !strings.Contains(p.text(), "Showing 101–120 of 120 notes") {
		t.Errorf("per_page=100, page 2: %q", between(p.text(), "Showing", "."))
	}
	if p := b.get("/committee?call=plan-2026&per_page=7"); !strings.Contains(p.text(), "Showing 1–50 of 120 notes") {
		t.Errorf("an unknown page size: %q", between(p.text(), "Showing", "."))
	}
}

// TestManageCallsRowLinks reads Manage calls as a coordinator: the call's
// row leads to its reviewer assignment and its shortlist downloads, which answer.
func TestManageCallsRowLinks(t *testing.T) {
	w := newReviewWorld(t, nil, seat{"Ann", "Org A", "government"})
	coord, _ := w.ts.user("Manny Manager", "Open Government Programme", "government", "coordinator")
	b := w.ts.browser()
	b.signIn(coord.Email, "a long enough password")
	p := b.get("/admin/calls")
	if p.Status != 200 {
		t.Fatalf("manage calls: %d", p.Status)
	}
	i := strings.Index(p.Body, `href="/calls/plan-2026"`)
	if i < 0 {
		t.Fatalf("no row for the call:\n%s", p.Body)
	}
	row := p.Body[i:]
	row = row[:strings.Index(row, "</tr>")]
	for _, want := range []string{"/admin/calls/" + w.callID + "/assignments", "/committee/shortlist.xlsx?call=plan-2026",
		"/committee/shortlist.csv?call=plan-2026", "/committee?call=plan-2026"} {
		if !strings.Contains(row, `href="`+want+`"`) {
			t.Errorf("the call's row lacks a link to %s", want)
			continue
		}
		if r := b.get(want); r.Status != 200 {
			t.Errorf("%s: %d", want, r.Status)
		}
	}
}

// TestScoringFromTheDashboardGoesOn opens a reviewer's "Score this note"
// link from the dashboard: the scoring page shows previous and next in the
// view, next leads to the next note's scoring page when it is assigned to
// her, and submitting the review goes on to it.
func TestScoringFromTheDashboardGoesOn(t *testing.T) {
	w := newReviewWorld(t, nil, seat{"Ann", "Org A", "government"})
	ann := w.revs[0]
	seeded := seedDashboard(t, w, 30, ann)
	b := w.ts.browser()
	b.signIn(ann.Email, "a long enough password")
	p := b.get("/committee?call=plan-2026")
	m := regexp.MustCompile(`<a href="(/notes/` + seeded[6].ID + `/review\?from=[^"]+)">Score this note`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no link to score BZ2026-0007 with the view:\n%s", between(p.Body, "<tbody>", "</tbody>"))
	}
	rp := b.get(html.UnescapeString(m[1]))
	nav := navOf(rp)
	if rp.Status != 200 || nav["prev"][1] != "BZ2026-0006" || nav["next"][1] != "BZ2026-0008" || !strings.HasPrefix(nav["next"][0], "/notes/"+seeded[7].ID+"/review?from=") {
		t.Fatalf("scoring page: %d, nav %v", rp.Status, nav)
	}
	form := hidden(t, rp.Body, "/notes/"+seeded[6].ID+"/review")
	for _, k := range []string{"problem", "relevance", "ambition", "verifiability", "feasibility"} {
		form.Set("score_"+k, "3")
	}
	form.Set("action", "submit")
	if res := b.post("/notes/"+seeded[6].ID+"/review", form); res.Status != 303 || res.Location != nav["next"][0] {
		t.Fatalf("submit from the view: %d to %q, want %q\n%s", res.Status, res.Location, nav["next"][0], res.Body)
	}
}
