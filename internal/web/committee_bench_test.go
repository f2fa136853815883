package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"cocreate/internal/store"
)

// Sizes of the committee pages' benchmark (issue 13): a call of 1,000 notes
// with three reviews each, and 1,000 accounts in all.
const (
	pageBenchNotes    = 1000
	pageBenchAccounts = 1000
)

// BenchmarkCommitteePages measures, over loopback as a signed-in browser,
// the three pages the committee uses most at the sizes people use: one
// note's committee page (chair, a different note each request, opened from
// the dashboard sorted by mean, so with its previous and next), the
// dashboard with all 1,000 notes on one page (chair) and a reviewer's queue
// (100 assigned notes). Each b.Loop iteration requests the three pages once;
// the p50 and p95 of each page are reported as metrics.
// Run: go test -bench BenchmarkCommitteePages -run '^$' ./internal/web/
func BenchmarkCommitteePages(b *testing.B) {
	ts := newTestServer(b)
	ctx := context.Background()
	c := seedScoredCall(b, ts, "pages", pageBenchNotes)
	for i := benchReviewers + benchOwners; i < pageBenchAccounts-1; i++ {
		u := &store.User{Email: fmt.Sprintf("person%d@bench.example", i), Name: fmt.Sprintf("Person %d", i),
			Organization: fmt.Sprintf("Club %d", i), Sector: "individual", District: "toledo", Roles: []string{"participant"}, PasswordHash: "!"}
		if err := ts.store.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	chair, _ := ts.user("Bench Chair", "OGP", "government", "chair", "coordinator")
	if n, err := ts.store.CountUsers(ctx); err != nil || n != pageBenchAccounts {
		b.Fatalf("accounts: %d %v", n, err)
	}
	sums, err := ts.store.Summaries(ctx, store.SummaryFilter{CallID: c.ID})
	if err != nil || len(sums) != pageBenchNotes {
		b.Fatalf("summaries: %d %v", len(sums), err)
	}
	lead := ts.browser()
	lead.signIn(chair.Email, "a long enough password")
	rev := ts.browser()
	rev.signIn("rev0@bench.example", "a long enough password")

	timed := func(br *browser, path, want string) time.Duration {
		start := time.Now()
		p := br.get(path)
		d := time.Since(start)
		if p.Status != 200 || !strings.Contains(p.Body, want) {
			b.Fatalf("%s: %d, %q not found", path, p.Status, want)
		}
		return d
	}
	var note, dash, queue []time.Duration
	i := 0
	round := func() {
		s := sums[(i*37)%len(sums)]
		// As opened from the dashboard sorted by mean: the page computes its previous and next.
		note = append(note, timed(lead, "/committee/notes/"+s.ID+"?from="+url.QueryEscape("call=pages&sort=mean&dir=desc"), " of 1000 in "))
		dash = append(dash, timed(lead, "/committee?call=pages&per_page=all", "Showing 1–1000 of 1000 notes"))
		queue = append(queue, timed(rev, "/committee/reviews?call=pages", "BN-0001"))
		i++
	}
	round() // every cache cold: not counted
	note, dash, queue = nil, nil, nil
	for range 50 {
		round()
	}
	for b.Loop() {
		round()
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(pctl(note, 50)), "note-p50-ms")
	b.ReportMetric(ms(pctl(note, 95)), "note-p95-ms")
	b.ReportMetric(ms(pctl(dash, 50)), "dash-all-p50-ms")
	b.ReportMetric(ms(pctl(dash, 95)), "dash-all-p95-ms")
	b.ReportMetric(ms(pctl(queue, 50)), "queue-p50-ms")
	b.ReportMetric(ms(pctl(queue, 95)), "queue-p95-ms")
}
