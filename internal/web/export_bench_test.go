package web

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"cocreate/internal/app"
	"cocreate/internal/export"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// BenchmarkShortlistExport measures the scored shortlist workbook of a call
// of 1,000 and of 10,000 screened notes with three submitted reviews each,
// on the embedded engine (each call in its own database, seeded through
// the store in bulk): the app's gathering and the workbook written into
// memory, as the download handler does before it answers. Three cases:
// cold (the call's notes and reviews read from the engine, as at the first
// download after a start or a change of unknown notes), changed (one note's
// score moved since the last download: that note is re-read) and warm
// (nothing changed). In the same run it writes the same cells (the
// Shortlist and Reviews sheets' values) with a bare excelize StreamWriter,
// no styles and no database, and reports changed ÷ bare; and the peak of the
// live heap during one export above the heap before it, and the heap the
// kept material holds. Each b.Loop iteration is one changed export of the
// 1,000-note call.
// Run: go test -bench BenchmarkShortlistExport -run '^$' -benchtime 10x ./internal/web/
func BenchmarkShortlistExport(b *testing.B) {
	ctx := context.Background()
	type size struct {
		notes, rounds int
		ts            *testServer
		call          *store.Call
		lead          *store.User
		sums          []store.Summary
	}
	sizes := []*size{{notes: 1000, rounds: 15}, {notes: 10000, rounds: 6}}
	for _, s := range sizes {
		s.ts = newTestServer(b)
		t0 := time.Now()
		s.call = seedScoredCall(b, s.ts, fmt.Sprintf("bench-%d", s.notes), s.notes)
		b.Logf("seeded %d notes and %d reviews in %v", s.notes, 3*s.notes, time.Since(t0).Round(time.Millisecond))
		s.lead, _ = s.ts.user("Bench Coordinator", "OGP", "government", "coordinator")
		var err error
		if s.sums, err = s.ts.store.Summaries(ctx, store.SummaryFilter{CallID: s.call.ID}); err != nil {
			b.Fatal(err)
		}
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
	change := func(s *size, i int) {
		sc := *s.sums[i%len(s.sums)].Score
		sc.Mean = float64(40 + i%50)
		if _, err := s.ts.store.SetScores(ctx, s.call.ID, map[string]*review.Score{s.sums[i%len(s.sums)].ID: &sc}); err != nil {
			b.Fatal(err)
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	mb := func(v uint64) float64 { return float64(v) / (1 << 20) }
	for _, s := range sizes {
		name := fmt.Sprintf("%dk", s.notes/1000)
		runtime.GC()
		before := liveHeap()
		var cold, changed, warm, bare []time.Duration
		var coldPeak, peak uint64
		var cells, revCells [][]any
		for i := range max(2, s.rounds/3) {
			// A change of unknown notes: the next export reads the call again.
			if err := s.ts.store.BumpCallRev(ctx, s.call.ID); err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			stop := watchHeap()
			start := time.Now()
			_, sl := ours(s)
			cold = append(cold, time.Since(start))
			coldPeak = max(coldPeak, stop())
			if i == 0 {
				cells, revCells = shortlistCells(sl)
			}
		}
		runtime.GC()
		kept := liveHeap() - min(before, liveHeap())
		for i := range s.rounds {
			// The bare writer goes first every other round, so a burst of load
			// on the shared machine does not always fall on the same side.
			var raw []byte
			bareRound := func() {
				start := time.Now()
				raw = bareStream(b, cells, revCells)
				bare = append(bare, time.Since(start))
			}
			if i%2 == 0 {
				bareRound()
			}
			change(s, i)
			runtime.GC()
			stop := watchHeap()
			start := time.Now()
			out, _ := ours(s)
			changed = append(changed, time.Since(start))
			peak = max(peak, stop())
			start = time.Now()
			ours(s)
			warm = append(warm, time.Since(start))
			if i%2 == 1 {
				bareRound()
			}
			if len(out) == 0 || len(raw) == 0 {
				b.Fatal("empty workbook")
			}
		}
		// One more export, untimed, with the collector running often, so
		// the live heap is marked many times during it: its peak is then
		// the export's own footprint, whatever the pacer would have let grow.
		old := debug.SetGCPercent(5)
		change(s, s.rounds)
		runtime.GC()
		stop := watchHeap()
		ours(s)
		peak = max(peak, stop())
		debug.SetGCPercent(old)
		b.ReportMetric(ms(pctl(changed, 50)), name+"-changed-p50-ms")
		b.ReportMetric(ms(slices.Max(changed)), name+"-changed-max-ms")
		b.ReportMetric(ms(pctl(warm, 50)), name+"-warm-p50-ms")
		b.ReportMetric(ms(pctl(cold, 50)), name+"-cold-p50-ms")
		b.ReportMetric(ms(pctl(bare, 50)), name+"-bare-p50-ms")
		b.ReportMetric(float64(pctl(changed, 50))/float64(pctl(bare, 50)), name+"-changed/bare")
		b.ReportMetric(mb(peak), name+"-peak-heap-MB")
		b.ReportMetric(mb(coldPeak), name+"-cold-peak-heap-MB")
		b.ReportMetric(mb(kept), name+"-kept-MB")
		b.Logf("%d notes: changed p50 %v max %v; warm p50 %v; cold p50 %v; bare StreamWriter p50 %v; peak heap above the start %.1f MB (cold %.1f MB); kept %.1f MB",
			s.notes, pctl(changed, 50).Round(time.Millisecond), slices.Max(changed).Round(time.Millisecond),
			pctl(warm, 50).Round(time.Millisecond), pctl(cold, 50).Round(time.Millisecond), pctl(bare, 50).Round(time.Millisecond),
			mb(peak), mb(coldPeak), mb(kept))
	}
	b.Logf("GOMAXPROCS %d", runtime.GOMAXPROCS(0))
	i := 0
	for b.Loop() {
		change(sizes[0], i)
		ours(sizes[0])
		i++
	}
}

// liveHeap is the live heap as the last collection marked it.
func liveHeap() uint64 {
	sample := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
	rtmetrics.Read(sample)
	return sample[0].Value.Uint64()
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

// watchHeap samples the heap every millisecond until the returned function
// is called, which gives the peak of the live heap (as the collector last
// marked it, /gc/heap/live:bytes) above the live heap at the start; the
// heap in use between collections also holds garbage the pacer lets
// accumulate in proportion to the whole process's heap (the engine's
// included), so it says little about the export itself.
func watchHeap() func() uint64 {
	sample := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
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
		runtime.GC() // the last cycle's marking covers the end of the export
		if v := read(); v > peak.Load() {
			peak.Store(v)
		}
		if p := peak.Load(); p > base {
			return p - base
		}
		return 0
	}
}
