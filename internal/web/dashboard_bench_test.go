package web

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/enum"
	"cocreate/internal/notes"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// Sizes of the benchmark call (issue 4): 2,000 notes, 6,000 reviews.
const (
	benchNotes     = 2000
	benchPerNote   = 3
	benchReviewers = 30
	benchOwners    = 400
)

// words fills a field with n words of plausible text.
func words(n int, seed int) string {
	vocab := strings.Fields("district budget data residents councils spending publish monthly open formats guide hearing " +
		"ministry citizens accountable contracts procurement transparency participation records portal agency")
	out := make([]string, n)
	for i := range out {
		out[i] = vocab[(i*7+seed)%len(vocab)]
	}
	return strings.Join(out, " ")
}

// seedBenchCall inserts the call, its committee and owners, 2,000 screened
// notes of about 2 KB with three submitted reviews each, and their scores
// as the app would have stored them; straight through the store, in bulk.
func seedBenchCall(b *testing.B, ts *testServer) *store.Call {
	return seedScoredCall(b, ts, "bench", benchNotes)
}

// seedScoredCall is seedBenchCall for a call named slug with n notes.
func seedScoredCall(b *testing.B, ts *testServer, slug string, benchNotes int) *store.Call {
	ctx := context.Background()
	c := &store.Call{Slug: slug, Title: "Benchmark call", RefPrefix: "BN", TimeZone: "America/Belize",
		OpensAt: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), ClosesAt: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC),
		ReviewersPerNote: benchPerNote, MinReviews: benchPerNote, Criteria: review.DefaultCriteria()}
	if err := ts.store.CreateCall(ctx, c); err != nil {
		b.Fatal(err)
	}
	// The reviewers can sign in with testServer's password, for the reviewer's queue benchmark.
	hash, err := fastHasher.Hash("a long enough password")
	if err != nil {
		b.Fatal(err)
	}
	var revs []*store.User
	for i := range benchReviewers {
		sector := "government"
		if i%2 == 1 {
			sector = enum.Sectors[1+i%6].Value
		}
		u := &store.User{Email: fmt.Sprintf("rev%d@bench.example", i), Name: fmt.Sprintf("Reviewer %02d", i),
			Organization: fmt.Sprintf("Org %d", i), Sector: sector, District: "belize", Roles: []string{"reviewer"}, PasswordHash: hash}
		if err := ts.store.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		revs = append(revs, u)
	}
	owners := make([]string, benchOwners)
	for i := range owners {
		u := &store.User{Email: fmt.Sprintf("owner%d@bench.example", i), Name: fmt.Sprintf("Owner %d", i),
			Organization: fmt.Sprintf("Group %d", i), Sector: "civil_society", District: "cayo", Roles: []string{"participant"}, PasswordHash: "!"}
		if err := ts.store.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		owners[i] = u.ID
	}
	var ns []*store.Note
	var rs []*store.Review
	var inputs []review.Input
	sub := time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC)
	for i := range benchNotes {
		n := &store.Note{ID: store.NewID(), CallID: c.ID, Ref: fmt.Sprintf("BN-%04d", i+1), State: "screened", Owner: owners[i%benchOwners],
			SubmittedAt: &sub, Screening: &store.Screening{Outcome: "pass", Checklist: map[string]bool{"complete": true}, By: revs[i%benchReviewers].ID, At: sub},
			Fields: notes.Fields{Title: words(12, i), Summary: words(35, i), Problem: words(110, i), Commitment: words(110, i+1),
				Change: words(70, i+2), Values: []string{"transparency"}, ValuesExplanation: words(50, i), LeadAgency: "Ministry of Finance",
				PolicyArea: enum.PolicyAreas[i%len(enum.PolicyAreas)].Value, Resources: words(30, i),
				Milestones: []notes.Milestone{{Deliverable: words(15, i), Responsible: "Ministry", Due: "2027-01"}, {Deliverable: words(15, i+3), Responsible: "Ministry", Due: "2027-06"}}}}
		for k := range benchPerNote {
			r := revs[(i*benchPerNote+k)%benchReviewers]
			n.Assignments = append(n.Assignments, store.Assignment{ReviewerID: r.ID, Sector: r.Sector, ReviewState: store.ReviewSubmitted, At: sub})
			sc := map[string]int{}
			for j, cr := range c.Criteria {
				sc[cr.Key] = (i + j + k*2) % 5
			}
			rv := &store.Review{NoteID: n.ID, CallID: c.ID, ReviewerID: r.ID, ReviewerSector: r.Sector, Scores: sc, State: store.ReviewSubmitted, SubmittedAt: &sub}
			rs = append(rs, rv)
			inputs = append(inputs, rv.Input())
		}
		ns = append(ns, n)
	}
	scores := review.AggregateCall(inputs, c.Criteria, c.MinReviews)
	for _, n := range ns {
		s := scores[n.ID]
		nm := review.Round1(*s.NormalisedMean)
		s.NormalisedMean = &nm
		n.Score = &s
	}
	if err := ts.store.InsertNotes(ctx, ns); err != nil {
		b.Fatal(err)
	}
	if err := ts.store.InsertReviews(ctx, rs); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkDashboard measures /committee for a call of 2,000 notes and
// 6,000 reviews over loopback, against the engine's own time to find and
// decode the same 2,000 notes: after a change (one note's score moved
// before each request, as when a reviewer submits: the table is patched
// from that note's summary), rebuilt (a change of unknown notes before each
// request, as after publication or at start: the table is rebuilt from all
// the call's summaries) and warm (nothing changed). Each
// b.Loop iteration is one warm request; the percentiles are reported as
// metrics. Run: go test -bench BenchmarkDashboard -run '^$' ./internal/web/
func BenchmarkDashboard(b *testing.B) {
	ts := newTestServer(b)
	t0 := time.Now()
	c := seedBenchCall(b, ts)
	b.Logf("seeded %d notes and %d reviews in %v", benchNotes, benchNotes*benchPerNote, time.Since(t0).Round(time.Millisecond))
	chair, _ := ts.user("Bench Chair", "OGP", "government", "chair", "coordinator")
	br := ts.browser()
	br.signIn(chair.Email, "a long enough password")
	ctx := context.Background()
	get := func(path string) time.Duration {
		start := time.Now()
		p := br.get(path)
		d := time.Since(start)
		if p.Status != 200 || !strings.Contains(p.text(), " of 2000 notes") {
			b.Fatalf("dashboard: %d %q", p.Status, between(p.text(), "Showing", "."))
		}
		return d
	}
	first := get("/committee?call=bench")

	scan := make([]time.Duration, 15)
	for i := range scan {
		start := time.Now()
		var all []store.Note
		for _, coll := range ts.store.NoteCollections() { // one per shard on the embedded engine
			cur, err := coll.Find(ctx, bson.D{{Key: "call_id", Value: c.ID}})
			if err != nil {
				b.Fatal(err)
			}
			var part []store.Note
			if err := cur.All(ctx, &part); err != nil {
				b.Fatal(err)
			}
			all = append(all, part...)
		}
		if len(all) != benchNotes {
			b.Fatalf("scan: %d notes", len(all))
		}
		scan[i] = time.Since(start)
	}
	views := []string{"/committee?call=bench", "/committee?call=bench&sort=mean&dir=desc", "/committee?call=bench&sort=normalised&page=7"}
	sums, err := ts.store.Summaries(ctx, store.SummaryFilter{CallID: c.ID})
	if err != nil {
		b.Fatal(err)
	}
	changed := make([]time.Duration, 30)
	for i := range changed {
		sc := *sums[i].Score
		sc.Mean = float64(40 + i)
		if _, err := ts.store.SetScores(ctx, c.ID, map[string]*review.Score{sums[i].ID: &sc}); err != nil {
			b.Fatal(err)
		}
		changed[i] = get(views[i%len(views)])
	}
	cold := make([]time.Duration, 30)
	for i := range cold {
		if err := ts.store.BumpCallRev(ctx, c.ID); err != nil {
			b.Fatal(err)
		}
		cold[i] = get(views[i%len(views)])
	}
	// Eight people open the dashboard at once right after a change: one rebuild serves them all.
	var burst []time.Duration
	var mu sync.Mutex
	for range 5 {
		if err := ts.store.BumpCallRev(ctx, c.ID); err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		for k := range 8 {
			wg.Go(func() {
				d := get(views[k%len(views)])
				mu.Lock()
				burst = append(burst, d)
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	warm := make([]time.Duration, 0, 200)
	for i := range cap(warm) {
		warm = append(warm, get(views[i%len(views)]))
	}

	i := 0
	for b.Loop() {
		get(views[i%len(views)])
		i++
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(pctl(changed, 50)), "changed-p50-ms")
	b.ReportMetric(ms(pctl(changed, 95)), "changed-p95-ms")
	b.ReportMetric(ms(pctl(cold, 50)), "rebuild-p50-ms")
	b.ReportMetric(ms(pctl(cold, 95)), "rebuild-p95-ms")
	b.ReportMetric(ms(pctl(warm, 50)), "warm-p50-ms")
	b.ReportMetric(ms(pctl(warm, 95)), "warm-p95-ms")
	b.ReportMetric(ms(pctl(scan, 50)), "scan-p50-ms")
	b.ReportMetric(float64(pctl(cold, 50))/float64(pctl(scan, 50)), "rebuild/scan")
	b.ReportMetric(float64(pctl(changed, 95))/float64(pctl(scan, 50)), "changed-p95/scan")
	b.Logf("GOMAXPROCS %d; first request (every cache cold, committee directory too) %v", runtime.GOMAXPROCS(0), first.Round(time.Microsecond))
	b.Logf("engine scan of %d notes: p50 %v p95 %v", benchNotes, pctl(scan, 50).Round(time.Microsecond), pctl(scan, 95).Round(time.Microsecond))
	b.Logf("dashboard after one note changed: p50 %v p95 %v max %v", pctl(changed, 50).Round(time.Microsecond), pctl(changed, 95).Round(time.Microsecond), slices.Max(changed).Round(time.Microsecond))
	b.Logf("dashboard rebuilt (unknown notes changed): p50 %v p95 %v max %v", pctl(cold, 50).Round(time.Microsecond), pctl(cold, 95).Round(time.Microsecond), slices.Max(cold).Round(time.Microsecond))
	b.Logf("dashboard rebuilt, 8 at once after each change: p50 %v p95 %v", pctl(burst, 50).Round(time.Microsecond), pctl(burst, 95).Round(time.Microsecond))
	b.Logf("dashboard warm: p50 %v p95 %v max %v", pctl(warm, 50).Round(time.Microsecond), pctl(warm, 95).Round(time.Microsecond), slices.Max(warm).Round(time.Microsecond))
}

// pctl is the p-th percentile of ds (nearest rank).
func pctl(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(0, min(i, len(s)-1))]
}
