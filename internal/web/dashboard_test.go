package web

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"cocreate/internal/notes"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// seedDashboard inserts n notes of the call straight into the store: every
// tenth awaiting screening, every twentieth ineligible, the rest screened
// with a score whose mean is the note's number; reviewer r is assigned to
// the first nine screened notes and has submitted five of them, and screened
// the first seven. Three drafts are added, which the dashboard never shows.
func seedDashboard(t *testing.T, w *reviewWorld, n int, r *store.User) []*store.Note {
	t.Helper()
	areas := []string{"fiscal_openness", "justice", "climate_environment"}
	var out []*store.Note
	assigned := 0
	for i := 1; i <= n; i++ {
		note := &store.Note{CallID: w.callID, Ref: fmt.Sprintf("BZ2026-%04d", i), State: "screened", Owner: "owner",
			Fields: notes.Fields{Title: fmt.Sprintf("Note number %d", i), PolicyArea: areas[i%3]}}
		sub := time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)
		note.SubmittedAt = &sub
		switch {
		case i%10 == 0:
			note.State = "submitted"
		case i%20 == 5:
			note.State = "ineligible"
		default:
			m := float64(i)
			note.Score = &review.Score{Reviews: 3, Mean: m, Median: m, NormalisedMean: &m,
				PerCriterion: map[string]float64{"ambition": 2}, Flags: []string{}, SuggestedClass: "D"}
			if i%7 == 0 {
				note.Score.Flags = []string{"ambition"}
			}
			if assigned < 9 {
				st := store.ReviewAssigned
				if assigned < 5 {
					st = store.ReviewSubmitted
				}
				note.Assignments = []store.Assignment{{ReviewerID: r.ID, Sector: r.Sector, ReviewState: st}}
				assigned++
			}
		}
		if i <= 7 {
			note.Screening = &store.Screening{Outcome: "pass", By: r.ID}
		}
		out = append(out, note)
	}
	for i := range 3 {
		out = append(out, &store.Note{CallID: w.callID, State: "draft", Owner: "owner", Fields: notes.Fields{Title: fmt.Sprintf("Secret draft %d", i)}})
	}
	if err := w.ts.store.InsertNotes(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	return out
}

var rowRefRe = regexp.MustCompile(`<td><a href="/committee/notes/[0-9a-f]+(?:\?from=[^"]*)?">([^<]+)</a></td>`)

// refs are the references of the dashboard's rows, in order.
func refs(p htmlPage) []string {
	var out []string
	for _, m := range rowRefRe.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestDashboardCountsSortsFiltersAndPages(t *testing.T) {
	w := newReviewWorld(t, nil, seat{"Ann", "Org A", "government"})
	ann := w.revs[0]
	seedDashboard(t, w, 120, ann)
	b := w.ts.browser()
	b.signIn(w.chair.Email, "a long enough password")
	base := "/committee?call=plan-2026"

	p := b.get(base)
	if p.Status != 200 {
		t.Fatalf("dashboard: %d\n%s", p.Status, p.Body)
	}
	txt := p.text()
	for _, want := range []string{"Showing 1–50 of 120 notes", "Awaiting screening</span> <strong>12</strong>",
		"Not eligible</span> <strong>6</strong>", "Screened: in scoring</span> <strong>102</strong>",
		"5 of 9 reviews submitted", "corrects for harsh and generous reviewers", "z = (t − μ", "Next page"} {
		if !strings.Contains(txt, want) && !strings.Contains(strings.ToLower(txt), strings.ToLower(want)) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if strings.Contains(txt, "Secret draft") {
		t.Error("the dashboard shows drafts")
	}
	if got := refs(p); len(got) != 50 || got[0] != "BZ2026-0001" || got[49] != "BZ2026-0050" {
		t.Fatalf("first page refs %v", got)
	}
	if !regexp.MustCompile(`<td>Ann</td><td class="num">7</td>`).MatchString(p.Body) {
		t.Error("Ann's screening count is not 7")
	}

	cases := []struct {
		name  string
		query string
		count string
		first []string
	}{
		{"last page", "&page=3", "Showing 101–120 of 120 notes", []string{"BZ2026-0101"}},
		{"highest mean first", "&sort=mean&dir=desc", "Showing 1–50 of 120", []string{"BZ2026-0119", "BZ2026-0118", "BZ2026-0117"}},
		{"lowest normalised mean first", "&sort=normalised", "Showing 1–50 of 120", []string{"BZ2026-0001", "BZ2026-0002", "BZ2026-0003"}},
		{"notes without a score sort last either way", "&sort=mean&page=3", "Showing 101–120 of 120", []string{"BZ2026-0118", "BZ2026-0119", "BZ2026-0005", "BZ2026-0010"}},
		{"title descending", "&sort=title&dir=desc", "Showing 1–50 of 120", []string{"BZ2026-0099", "BZ2026-0098"}},
		{"awaiting screening", "&state=submitted", "Showing 1–12 of 12 notes", []string{"BZ2026-0010", "BZ2026-0020"}},
		{"policy area", "&area=justice", "Showing 1–40 of 40 notes", []string{"BZ2026-0001", "BZ2026-0004"}},
		{"disagreement only", "&flagged=yes", "Showing 1–15 of 15 notes", []string{"BZ2026-0007", "BZ2026-0014"}},
		{"text search", "&q=number+11", "Showing 1–11 of 11 notes", []string{"BZ2026-0011", "BZ2026-0110"}},
		{"suggested class with filters and sort kept", "&class=D&area=justice&sort=mean&dir=desc", "Showing 1–34 of 34", []string{"BZ2026-0118", "BZ2026-0115"}},
		{"unknown values are ignored", "&state=bogus&sort=bogus", "Showing 1–50 of 120", []string{"BZ2026-0001"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := b.get(base + tc.query)
			got := refs(p)
			if p.Status != 200 || !strings.Contains(p.text(), tc.count) || len(got) < len(tc.first) {
				t.Fatalf("%d %q, rows %v", p.Status, between(p.text(), "Showing", "."), got)
			}
			for i, ref := range tc.first {
				if got[i] != ref {
					t.Fatalf("rows %v, want %v first", got[:min(len(got), 5)], tc.first)
				}
			}
		})
	}
	// Sort headers are links that keep the filters, and the sorted column says so.
	p = b.get(base + "&area=justice&sort=mean")
	if !strings.Contains(p.Body, `aria-sort="ascending"`) || !strings.Contains(p.Body, "area=justice&amp;call=plan-2026&amp;dir=desc&amp;sort=mean") {
		t.Errorf("sort links do not keep the filter or toggle the direction")
	}
	if p := b.get(base + "&page=0"); p.Status != 200 || !strings.Contains(p.Body, "Showing 1") {
		t.Errorf("page 0 is not clamped to the first page: %d", p.Status)
	}
}

func TestDashboardFollowsChangesAndHidesScoresFromReviewers(t *testing.T) {
	w := newReviewWorld(t, nil, seat{"Ann", "Org A", "government"})
	ann := w.revs[0]
	seeded := seedDashboard(t, w, 30, ann)
	chair := w.ts.browser()
	chair.signIn(w.chair.Email, "a long enough password")
	if p := chair.get("/committee?sort=mean&dir=desc"); refs(p)[0] != "BZ2026-0029" {
		t.Fatalf("highest mean: %v", refs(p)[:3])
	}
	// A stored score changes: the call's revision moves and the table follows.
	m := 99.0
	if _, err := w.ts.store.SetScores(context.Background(), w.callID, map[string]*review.Score{seeded[20].ID: {Reviews: 3, Mean: m, Median: m,
		NormalisedMean: &m, PerCriterion: map[string]float64{}, Flags: []string{}}}); err != nil {
		t.Fatal(err)
	}
	if p := chair.get("/committee?sort=mean&dir=desc"); refs(p)[0] != "BZ2026-0021" || !strings.Contains(p.Body, ">99.0<") {
		t.Fatalf("after a change: %v", refs(p)[:3])
	}

	// Ann sees scores only where she has submitted her review, and sorting by
	// score does not reveal the others' order.
	rev := w.ts.browser()
	rev.signIn(ann.Email, "a long enough password")
	p := rev.get("/committee?sort=mean&dir=desc")
	if p.Status != 200 {
		t.Fatalf("reviewer's dashboard: %d", p.Status)
	}
	got := refs(p)
	if strings.Join(got[:5], " ") != "BZ2026-0006 BZ2026-0004 BZ2026-0003 BZ2026-0002 BZ2026-0001" {
		t.Errorf("reviewer's order by mean: %v", got[:6])
	}
	if strings.Contains(p.Body, ">99.0<") || strings.Contains(p.Body, ">29.0<") || !strings.Contains(p.Body, ">6.0<") {
		t.Error("the reviewer sees scores of notes she has not reviewed, or not her own")
	}
	if !strings.Contains(p.Body, `href="/notes/`+seeded[6].ID+`/review?from=`) {
		t.Error("no link to score a note assigned to the reviewer")
	}
	part := w.ts.browser()
	pu, _ := w.ts.user("Paula", "Elsewhere", "individual", "participant")
	part.signIn(pu.Email, "a long enough password")
	if p := part.get("/committee"); p.Status != 403 {
		t.Errorf("a participant reaches the dashboard: %d", p.Status)
	}
}

// between is the text from start up to and including the next end, for messages.
func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	j := strings.Index(s[i:], end)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j+1]
}
