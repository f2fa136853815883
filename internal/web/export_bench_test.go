package web

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	rtmetrics "runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cocreate/internal/app"
	"cocreate/internal/export"
	"cocreate/internal/store"
)

// BenchmarkShortlistExport measures the scored shortlist workbook of a call
// of 1,000 and of 10,000 screened notes with three submitted reviews each,
// on the embedded engine (each call in its own database, seeded through
// the store in bulk): the app's gathering (one pass over the notes, one over
// the reviews) and the workbook written into memory, as the download
// handler does before it answers. In the same run it writes the same cells
// (the Shortlist and Reviews sheets' values, as strings and numbers) with
// a bare excelize StreamWriter, no styles and no database, and reports
// ours ÷ bare, and the peak of the live heap during one export above the
// heap before it. Each b.Loop iteration is one export of the 1,000-note call.
// Run: go test -bench BenchmarkShortlistExport -run '^$' -benchtime 10x ./internal/web/
func BenchmarkShortlistExport(b *testing.B) {
	ctx := context.Background()
	type size struct {
		notes, rounds int
		ts            *testServer
		call          *store.Call
		lead          *store.User
	}
	sizes := []*size{{notes: 1000, rounds: 15}, {notes: 10000, rounds: 3}}
	for _, s := range sizes {
		s.ts = newTestServer(b)
		t0 := time.Now()
		s.call = seedScoredCall(b, s.ts, fmt.Sprintf("bench-%d", s.notes), s.notes)
		b.Logf("seeded %d notes and %d reviews in %v", s.notes, 3*s.notes, time.Since(t0).Round(time.Millisecond))
		s.lead, _ = s.ts.user("Bench Coordinator", "OGP", "government", "coordinator")
	}
	ours := func(s *size) ([]byte, *export.Shortlist) {
		sl, err := s.ts.app.Shortlist(ctx, s.lead, s.call.Slug, app.ShortlistFilter{})
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := export.WriteShortlistXLSX(&buf, sl); err != nil {
			b.Fatal(err)
		}
		if sl.Notes != s.notes || sl.ReviewCount != 3*s.notes {
			b.Fatalf("%d notes, %d reviews", sl.Notes, sl.ReviewCount)
		}
		return buf.Bytes(), sl
	}
	for _, s := range sizes {
		_, sl := ours(s) // warm: the committee directory, the engine's pages
		cells, revCells := shortlistCells(sl)
		var mine, bare []time.Duration
		var peak uint64
		for range s.rounds {
			runtime.GC()
			stop := watchHeap()
			start := time.Now()
			out, _ := ours(s)
			mine = append(mine, time.Since(start))
			peak = max(peak, stop())
			start = time.Now()
			raw := bareStream(b, cells, revCells)
			bare = append(bare, time.Since(start))
			if len(out) == 0 || len(raw) == 0 {
				b.Fatal("empty workbook")
			}
		}
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		name := fmt.Sprintf("%dk", s.notes/1000)
		b.ReportMetric(ms(pctl(mine, 50)), name+"-p50-ms")
		b.ReportMetric(ms(slices.Max(mine)), name+"-max-ms")
		b.ReportMetric(ms(pctl(bare, 50)), name+"-bare-p50-ms")
		b.ReportMetric(float64(pctl(mine, 50))/float64(pctl(bare, 50)), name+"-ours/bare")
		b.ReportMetric(float64(peak)/(1<<20), name+"-peak-heap-MB")
		b.Logf("%d notes: export p50 %v max %v; bare StreamWriter p50 %v; peak live heap above the start %.1f MB",
			s.notes, pctl(mine, 50).Round(time.Millisecond), slices.Max(mine).Round(time.Millisecond),
			pctl(bare, 50).Round(time.Millisecond), float64(peak)/(1<<20))
	}
	b.Logf("GOMAXPROCS %d", runtime.GOMAXPROCS(0))
	for b.Loop() {
		ours(sizes[0])
	}
}

// shortlistCells are the values the shortlist and reviews sheets hold, for the bare writer.
func shortlistCells(sl *export.Shortlist) ([][]any, [][]any) {
	var rows [][]any
	for r := range sl.Rows {
		row := []any{r.Rank, r.Ref, r.Title, r.PolicyArea, fmt.Sprint(r.Values), r.LeadAgency, r.Organisation, r.Sector}
		if sc := r.Score; sc != nil {
			row = append(row, sc.Reviews, sc.Mean, sc.Median, *sc.NormalisedMean)
			for _, cr := range sl.Criteria {
				row = append(row, sc.PerCriterion[cr.Key])
			}
			row = append(row, fmt.Sprint(sc.Flags), sc.GovernmentMean, sc.NonGovernmentMean, sc.SuggestedClass)
		}
		rows = append(rows, append(row, r.Decided, r.ReasonCode, r.Rationale, r.State))
	}
	var revs [][]any
	for r := range sl.Reviews {
		row := []any{r.Ref, r.Reviewer, r.ReviewerSector}
		for _, cr := range sl.Criteria {
			row = append(row, r.Scores[cr.Key])
		}
		revs = append(revs, append(row, r.Total, r.Comment, r.SubmittedAt))
	}
	return rows, revs
}

// bareStream writes the cells with a bare StreamWriter: the floor of what
// excelize itself costs for them.
func bareStream(b *testing.B, sheets ...[][]any) []byte {
	f := excelize.NewFile()
	defer f.Close()
	for i, rows := range sheets {
		name := fmt.Sprintf("Sheet%d", i+1)
		if i > 0 {
			if _, err := f.NewSheet(name); err != nil {
				b.Fatal(err)
			}
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			b.Fatal(err)
		}
		for j, r := range rows {
			for k, v := range r {
				if p, ok := v.(*float64); ok {
					if p == nil {
						r[k] = nil
					} else {
						r[k] = *p
					}
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, j+1)
			if err := sw.SetRow(cell, r); err != nil {
				b.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// watchHeap samples the live heap every millisecond until the returned
// function is called, which gives the peak above the heap at the start.
func watchHeap() func() uint64 {
	sample := []rtmetrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { rtmetrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		if p := peak.Load(); p > base {
			return p - base
		}
		return 0
	}
}
