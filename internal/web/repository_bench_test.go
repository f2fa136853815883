package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cocreate/internal/enum"
	"cocreate/internal/notes"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// seedRepositoryCall inserts a published call of n consenting notes of
// about 2 KB from 400 authors, through the store in bulk: most with a
// published decision, one in ten ineligible, one in ten under review.
func seedRepositoryCall(b *testing.B, ts *testServer, n int) *store.Call {
	ctx := context.Background()
	at := time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)
	c := &store.Call{Slug: "repo-bench", Title: "Benchmark call", RefPrefix: "RB", TimeZone: "America/Belize",
		OpensAt: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), ClosesAt: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC),
		ReviewersPerNote: 3, MinReviews: 3, Criteria: review.DefaultCriteria(), PublishedAt: &at}
	if err := ts.store.CreateCall(ctx, c); err != nil {
		b.Fatal(err)
	}
	owners := make([]string, 400)
	for i := range owners {
		u := &store.User{Email: fmt.Sprintf("author%d@bench.example", i), Name: fmt.Sprintf("Author %d", i),
			Organization: fmt.Sprintf("Group %d", i), Sector: enum.Sectors[i%len(enum.Sectors)].Value, District: "cayo",
			Roles: []string{"participant"}, PasswordHash: "!"}
		if err := ts.store.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		owners[i] = u.ID
	}
	ns := make([]*store.Note, n)
	for i := range ns {
		nt := &store.Note{ID: store.NewID(), CallID: c.ID, Ref: fmt.Sprintf("RB-%04d", i+1), State: "classified", Owner: owners[i%len(owners)],
			SubmittedAt: &at, Fields: notes.Fields{Title: words(12, i), Summary: words(35, i), Problem: words(110, i), Commitment: words(110, i+1),
				Change: words(70, i+2), Values: []string{"transparency"}, ValuesExplanation: words(50, i), LeadAgency: "Ministry of Finance",
				PolicyArea: enum.PolicyAreas[i%len(enum.PolicyAreas)].Value, Resources: words(30, i), ConsentPublish: true,
				Milestones: []notes.Milestone{{Deliverable: words(15, i), Responsible: "Ministry", Due: "2027-01"}, {Deliverable: words(15, i+3), Responsible: "Ministry", Due: "2027-06"}}}}
		switch i % 10 {
		case 0:
			nt.State = "ineligible"
		case 1:
			nt.State = "screened"
		default:
			d := &store.Decision{Class: enum.Classes[i%4].Value, ReasonCode: "lower_priority", Rationale: words(40, i), At: at}
			nt.Decision, nt.Published = d, d
		}
		ns[i] = nt
	}
	if err := ts.store.InsertNotes(ctx, ns); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkRepository measures the public repository of a call of 1,000
// consenting notes over loopback, signed out: the first page (50 notes,
// with the counts), a filtered page, one note's public page and the whole
// CSV. Beside the engine's scan of the call's notes, and the very first
// read (no note in the store's cache). Three cases: cold (a change of unknown notes before each request,
// as after a start or a publication: the call's notes are read from the
// engine again), changed (one note changed before each request: it is
// re-read by _id) and warm (nothing changed). Each b.Loop iteration is one
// changed request of the first page.
// Run: go test -bench BenchmarkRepository -run '^$' -benchtime 10x ./internal/web/
func BenchmarkRepository(b *testing.B) {
	const size = 1000
	ts := newTestServer(b)
	t0 := time.Now()
	c := seedRepositoryCall(b, ts, size)
	b.Logf("seeded %d notes in %v", size, time.Since(t0).Round(time.Millisecond))
	ctx := context.Background()
	sums, err := ts.store.Summaries(ctx, store.SummaryFilter{CallID: c.ID})
	if err != nil {
		b.Fatal(err)
	}
	br := ts.browser()
	base := "/calls/" + c.Slug + "/repository"
	pages := []struct{ name, path, want string }{
		{"page", base, "Showing 1–50 of 1000 notes"},
		{"filtered", base + "?area=justice&class=D", "Showing 1–"},
		{"note", base + "/RB-0500", "RB-0500"},
		{"csv", "/api/v1/calls/" + c.Slug + "/repository.csv", "RB-1000"},
	}
	get := func(path, want string) time.Duration {
		start := time.Now()
		p := br.get(path)
		d := time.Since(start)
		if p.Status != 200 || !strings.Contains(p.text(), want) {
			b.Fatalf("%s: %d, want %q", path, p.Status, want)
		}
		return d
	}
	i := 0
	change := func() {
		s := sums[i%len(sums)]
		i++
		sc := review.Score{Reviews: 3, Mean: float64(40 + i%50), PerCriterion: map[string]float64{}, Flags: []string{}}
		if _, err := ts.store.SetScores(ctx, c.ID, map[string]*review.Score{s.ID: &sc}); err != nil {
			b.Fatal(err)
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	// The engine's own scan of the call's notes, which the repository avoids.
	start := time.Now()
	if err := ts.store.StreamNotes(ctx, c.ID, func(*store.Note) error { return nil }); err != nil {
		b.Fatal(err)
	}
	scan := time.Since(start)
	b.ReportMetric(ms(scan), "scan-ms")
	b.Logf("the engine's scan of the call's %d notes: %v", size, scan.Round(time.Millisecond))
	for k, pg := range pages {
		var cold, changed, warm []time.Duration
		for range 3 {
			if err := ts.store.BumpCallRev(ctx, c.ID); err != nil {
				b.Fatal(err)
			}
			cold = append(cold, get(pg.path, pg.want))
		}
		for range 15 {
			change()
			changed = append(changed, get(pg.path, pg.want))
			warm = append(warm, get(pg.path, pg.want))
		}
		if k == 0 {
			// The very first read: no note is in the store's cache yet (the
			// seeding inserted them in bulk), as after a start.
			b.ReportMetric(ms(cold[0]), "first-read-ms")
			b.Logf("first read, notes not cached: %v", cold[0].Round(time.Millisecond))
		}
		b.ReportMetric(ms(pctl(cold, 50)), pg.name+"-cold-p50-ms")
		b.ReportMetric(ms(pctl(changed, 50)), pg.name+"-changed-p50-ms")
		b.ReportMetric(ms(pctl(changed, 100)), pg.name+"-changed-max-ms")
		b.ReportMetric(ms(pctl(warm, 50)), pg.name+"-warm-p50-ms")
		b.Logf("%s: cold p50 %v; changed p50 %v max %v; warm p50 %v", pg.name, pctl(cold, 50).Round(time.Millisecond),
			pctl(changed, 50).Round(time.Millisecond), pctl(changed, 100).Round(time.Millisecond), pctl(warm, 50).Round(time.Millisecond))
	}
	for b.Loop() {
		change()
		get(pages[0].path, pages[0].want)
	}
}
