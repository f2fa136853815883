package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"cocreate/internal/embeddb"
	"cocreate/internal/notes"
	"cocreate/internal/store"
)

var startingRe = regexp.MustCompile(`msg=starting addr=(\S+)`)

// BenchmarkStartToReady measures the whole service's start-up on a data
// directory holding 10,000 submitted notes of about 2 KB each as stored
// (three assignments, a four-entry history): from calling run until
// /readyz answers 200 (ready-ms, also ns/op). A page request sent as soon
// as the server listens must be answered 200, never refused (first-ms is
// how long it took).
func BenchmarkStartToReady(b *testing.B) {
	const total = 10000
	dir := b.TempDir()
	seedNotes(b, dir, total)
	client := &http.Client{Timeout: 30 * time.Second}
	var ready, first time.Duration
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		stdout, stderr := &syncBuffer{}, &syncBuffer{}
		errc := make(chan error, 1)
		t0 := time.Now()
		go func() { errc <- run(ctx, nil, envOf(baseEnv(dir)), strings.NewReader(""), stdout, stderr) }()
		var addr string
		for addr == "" {
			if m := startingRe.FindStringSubmatch(stderr.String()); m != nil {
				addr = m[1]
			}
			select {
			case err := <-errc:
				b.Fatalf("run stopped: %v\n%s", err, stderr.String())
			case <-time.After(time.Millisecond):
			}
		}
		firstc := make(chan error, 1)
		go func() {
			res, err := client.Get("http://" + addr + "/")
			if err == nil {
				res.Body.Close()
				if res.StatusCode != 200 {
					err = fmt.Errorf("status %d", res.StatusCode)
				}
			}
			first += time.Since(t0)
			firstc <- err
		}()
		for {
			res, err := client.Get("http://" + addr + "/readyz")
			if err != nil {
				b.Fatalf("/readyz while starting: %v", err)
			}
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		ready += time.Since(t0)
		if err := <-firstc; err != nil {
			b.Fatalf("the request sent while starting: %v", err)
		}
		b.StopTimer()
		cancel()
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(ready.Milliseconds())/float64(b.N), "ready-ms")
	b.ReportMetric(float64(first.Milliseconds())/float64(b.N), "first-ms")
}

// seedNotes writes total submitted notes into the data directory dir.
func seedNotes(b *testing.B, dir string, total int) {
	ctx := context.Background()
	srv, err := embeddb.Start(ctx, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	st, err := store.Open(ctx, store.Options{URI: srv.URI(), DBName: "cocreate", Embedded: true, Prepare: srv.IndexIDs,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close(ctx)
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
	for i := 0; i < total; i += 1000 {
		if err := st.InsertNotes(ctx, ns[i:i+1000]); err != nil {
			b.Fatal(err)
		}
	}
}
