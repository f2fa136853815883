package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"cocreate/internal/review"
	"cocreate/internal/store"
)

// homeBenchNotes is the size of the call behind BenchmarkHome: the size the
// issue's committee targets are set at.
const homeBenchNotes = 1000

// BenchmarkHome measures `/` over loopback for a person holding every
// committee and coordinator role (and participant) in a call of 1,000
// scored notes: warm (nothing changed), after one note's score changed (the
// dashboard table the home reads catches up), and a participant's home
// (their notes from the summaries, open calls). Each b.Loop iteration is a
// warm request of the person with every role. Run:
// go test -bench BenchmarkHome -run '^$' ./internal/web/
func BenchmarkHome(b *testing.B) {
	ts := newTestServer(b)
	c := seedScoredCall(b, ts, "home", homeBenchNotes)
	ctx := context.Background()
	all, _ := ts.user("Bench All", "OGP", "government", "participant", "reviewer", "chair", "coordinator")
	owner, _ := ts.user("Bench Owner", "Civic", "civil_society", "participant")
	for i := range 5 {
		n := &store.Note{CallID: c.ID, State: "draft", Owner: owner.ID, Fields: validFields("Owner draft "+itoa(i), "justice")}
		if err := ts.store.CreateNote(ctx, n); err != nil {
			b.Fatal(err)
		}
	}
	ts.clock.Set(time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC))
	staff, part := ts.browser(), ts.browser()
	staff.signIn(all.Email, testPassword)
	part.signIn(owner.Email, testPassword)
	get := func(br *browser, want string) time.Duration {
		start := time.Now()
		p := br.get("/")
		d := time.Since(start)
		if p.Status != 200 || !strings.Contains(p.Body, want) {
			b.Fatalf("home: %d, no %q", p.Status, want)
		}
		return d
	}
	first := get(staff, "Coordinating")
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
		changed[i] = get(staff, "Coordinating")
	}
	participant := make([]time.Duration, 100)
	for i := range participant {
		participant[i] = get(part, "Owner draft")
	}
	var warm []time.Duration
	for b.Loop() {
		warm = append(warm, get(staff, "Coordinating"))
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(pctl(warm, 50)), "warm-p50-ms")
	b.ReportMetric(ms(pctl(warm, 95)), "warm-p95-ms")
	b.ReportMetric(ms(pctl(changed, 50)), "changed-p50-ms")
	b.ReportMetric(ms(pctl(changed, 95)), "changed-p95-ms")
	b.ReportMetric(ms(pctl(participant, 50)), "participant-p50-ms")
	b.ReportMetric(ms(pctl(participant, 95)), "participant-p95-ms")
	b.Logf("first request (dashboard table and committee directory cold): %v", first.Round(time.Microsecond))
}
