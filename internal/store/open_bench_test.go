package store_test

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/notes"
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
	text := strings.Repeat("Residents need district budget data every month. ", 3)
	start := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Millisecond)
	var ns []*store.Note
	for i := range total {
		at := start.Add(time.Duration(i) * time.Second)
		owner := fmt.Sprint("u", i%400)
		ns = append(ns, &store.Note{CallID: "bench", Owner: owner, State: "submitted",
			Ref: fmt.Sprintf("BN-%05d", i+1), SubmittedAt: &at, Version: 4,
			Fields: notes.Fields{Title: fmt.Sprint("Note ", i), Summary: text, Problem: text, Commitment: text,
				Change: text, PolicyArea: "fiscal_openness", Values: []string{"transparency"}},
			Assignments: []store.Assignment{
				{ReviewerID: fmt.Sprint("r", i%30), Sector: "government", ReviewState: "submitted", At: at},
				{ReviewerID: fmt.Sprint("r", (i+1)%30), Sector: "civil_society", ReviewState: "draft", At: at},
				{ReviewerID: fmt.Sprint("r", (i+2)%30), Sector: "academia", ReviewState: "assigned", At: at}},
			History: []store.HistoryEntry{
				{From: "", To: "draft", Event: "create", By: owner, ByRole: "owner", At: at},
				{From: "draft", To: "submitted", Event: "submit", By: owner, ByRole: "owner", At: at},
				{From: "submitted", To: "screened", Event: "screen", By: "c1", ByRole: "coordinator", At: at},
				{From: "screened", To: "submitted", Event: "return", By: "c1", ByRole: "coordinator", At: at,
					Reason: "Please say which district."}}})
	}
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
