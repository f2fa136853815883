package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cocreate/internal/notes"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// BenchmarkReopen measures start-up on a call of 2,000 complete notes:
// on the embedded engine Open reads every note once to rebuild the
// summaries and reference counters kept in memory. ns/op is one Open.
func BenchmarkReopen(b *testing.B) {
	ctx := context.Background()
	s := testdb.Open(b)
	text := strings.Repeat("Residents need district budget data every month. ", 8)
	var ns []*store.Note
	for i := range 2000 {
		at := time.Now().UTC()
		ns = append(ns, &store.Note{CallID: "bench", Owner: fmt.Sprint("u", i%400), State: "submitted",
			Ref: fmt.Sprintf("BN-%04d", i+1), SubmittedAt: &at,
			Fields: notes.Fields{Title: fmt.Sprint("Note ", i), Summary: text, Problem: text, Commitment: text,
				Change: text, PolicyArea: "fiscal_openness", Values: []string{"transparency"}}})
	}
	if err := s.InsertNotes(ctx, ns); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		r := testdb.Reopen(b, s)
		b.StopTimer()
		sums, err := r.Summaries(ctx, store.SummaryFilter{CallID: "bench"})
		if err != nil || len(sums) != 2000 {
			b.Fatalf("%d summaries, %v", len(sums), err)
		}
		if err := r.Close(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
