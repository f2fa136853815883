package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"testing"
	"time"

	"cocreate/internal/notes"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// benchClients is how many clients submit at once (issue 3's target: 32 on loopback).
const benchClients = 32

// benchFields is a complete note, the same one submitted over HTTP and inserted bare.
func benchFields() notes.Fields {
	return notes.Fields{
		Title:             "Open budget data for every district",
		Summary:           "The Ministry of Finance publishes monthly district budget data in open formats with a plain-language guide.",
		Problem:           "Residents of Toledo and Stann Creek cannot see how district budgets are spent, so councils and citizens learn of overspending only when the annual audit appears, often two years late.",
		Commitment:        "Publish monthly spending data by district in open formats, with a plain-language guide and a yearly public hearing in each district.",
		Change:            "Citizens and councils can follow spending during the year and ask questions before money is gone.",
		Values:            []string{"transparency", "participation", "technology"},
		ValuesExplanation: "Open data and public hearings let residents see decisions and act on what they learn.",
		Milestones: []notes.Milestone{
			{Deliverable: "Data standard agreed with districts", Responsible: "Ministry of Finance", Due: "2026-11"},
			{Deliverable: "First monthly release published", Responsible: "Ministry of Finance", Due: "2027-03"},
			{Deliverable: "First district hearings held", Responsible: "District councils", Due: "2027-09"},
		},
		LeadAgency:     "Ministry of Finance",
		Partners:       "Open data groups, the Statistical Institute, district councils",
		PolicyArea:     "fiscal_openness",
		Resources:      "Existing statistics budget and a donor-funded data programme",
		ConsentPublish: true,
	}
}

// runClients runs do for every index in [0, n) on benchClients goroutines
// and returns the wall time and each call's latency.
func runClients(n int, do func(i int) error) (time.Duration, []time.Duration, error) {
	lat := make([]time.Duration, n)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	start := time.Now()
	for range benchClients {
		wg.Go(func() {
			for i := range next {
				t0 := time.Now()
				err := do(i)
				lat[i] = time.Since(t0)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start), lat, firstErr
}

func percentile(lat []time.Duration, p float64) time.Duration {
	s := slices.Clone(lat)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkSubmit measures submitting a complete note over HTTP (the submit
// POST only; drafts are made beforehand) with 32 concurrent clients on
// loopback, against a bare driver InsertOne of the same note document with
// 32 goroutines on the same engine. ns/op is the submit's; the metrics give
// both throughputs, their ratio (target ≥ 0.5) and submit latency (p99 target < 100 ms).
func BenchmarkSubmit(b *testing.B) { benchSubmit(b, false) }

// BenchmarkSubmitKeyed is BenchmarkSubmit with a unique Idempotency-Key on
// every request, so each submission also claims and completes its key.
func BenchmarkSubmitKeyed(b *testing.B) { benchSubmit(b, true) }

func benchSubmit(b *testing.B, keyed bool) {
	ts := newTestServer(b)
	ctx := context.Background()
	callID := ts.makeCall("bench", map[string]any{"closes_at": "2030-01-01T00:00:00Z"})
	type draft struct {
		id, token string
	}
	users := make([]*store.User, benchClients)
	tokens := make([]string, benchClients)
	for i := range users {
		users[i], tokens[i] = ts.user(fmt.Sprintf("Bench %d", i), "NGO", "civil_society")
	}
	drafts := make([]draft, b.N)
	for i := range drafts {
		n, err := ts.app.CreateNote(ctx, users[i%benchClients], callID, benchFields())
		if err != nil {
			b.Fatal(err)
		}
		drafts[i] = draft{n.ID, tokens[i%benchClients]}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 2 * benchClients, MaxIdleConnsPerHost: 2 * benchClients}}
	body := []byte(`{"version":1}`)

	b.ResetTimer()
	if pf := os.Getenv("SUBMIT_PROF"); pf != "" {
		f, _ := os.Create(pf)
		pprof.StartCPUProfile(f)
	}
	elapsed, lat, err := runClients(b.N, func(i int) error {
		req, _ := http.NewRequest("POST", ts.srv.URL+"/api/v1/notes/"+drafts[i].id+"/submit", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+drafts[i].token)
		if keyed {
			req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-submit-%d", i))
		}
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			return fmt.Errorf("submit: %d %s", res.StatusCode, raw)
		}
		return nil
	})
	b.StopTimer()
	if os.Getenv("SUBMIT_DIST") != "" {
		b.Logf("p50 %v p75 %v p90 %v p95 %v p99 %v max %v", percentile(lat, .5), percentile(lat, .75), percentile(lat, .9), percentile(lat, .95), percentile(lat, .99), percentile(lat, 1))
	}
	if os.Getenv("SUBMIT_PROF") != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		b.Fatal(err)
	}

	// The same document, inserted bare through the driver on the same engine.
	coll := testdb.Raw(b, ts.store).Collection("bench_bare_insert")
	doc, err := ts.store.NoteByID(ctx, drafts[0].id)
	if err != nil {
		b.Fatal(err)
	}
	bare, _, err := runClients(b.N, func(int) error {
		d := *doc
		d.ID = store.NewID()
		_, err := coll.InsertOne(ctx, &d)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}

	submitRate := float64(b.N) / elapsed.Seconds()
	insertRate := float64(b.N) / bare.Seconds()
	b.ReportMetric(submitRate, "submits/s")
	b.ReportMetric(insertRate, "inserts/s")
	b.ReportMetric(submitRate/insertRate, "ratio")
	b.ReportMetric(float64(percentile(lat, 0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
}
