package store_test

import (
	"context"
	"os"
	"runtime/pprof"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// BenchmarkReopen measures start-up: Open on a data directory holding a
// call of 10,000 submitted notes of about 2 KB each as stored, with three
// assignments and a four-entry history. On the embedded engine Open
// rebuilds the summaries and reference counters kept in memory from the
// notes. ns/op is one Open, until the summaries can be read; note-bytes is
// a note's size as BSON.
// REOPEN_PROF=file writes a CPU profile of the Opens.
func BenchmarkReopen(b *testing.B) {
	const total = 10000
	ctx := context.Background()
	s := testdb.Open(b)
	ns := testdb.SubmittedNotes(total)
	size := 0
	for _, n := range ns {
		raw, err := bson.Marshal(n)
		if err != nil {
			b.Fatal(err)
		}
		size += len(raw)
	}
	for i := 0; i < total; i += 1000 {
		if err := s.InsertNotes(ctx, ns[i:i+1000]); err != nil {
			b.Fatal(err)
		}
	}
	if p := os.Getenv("REOPEN_PROF"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	b.ResetTimer()
	for b.Loop() {
		r := testdb.Reopen(b, s)
		sums, err := r.Summaries(ctx, store.SummaryFilter{CallID: "bench"})
		b.StopTimer()
		if err != nil || len(sums) != total {
			b.Fatalf("%d summaries, %v", len(sums), err)
		}
		if err := r.Close(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(size)/total, "note-bytes")
}
