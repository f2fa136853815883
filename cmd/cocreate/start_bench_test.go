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
	"cocreate/internal/store"
	"cocreate/internal/testdb"
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
	ns := testdb.SubmittedNotes(total)
	for i := 0; i < total; i += 1000 {
		if err := st.InsertNotes(ctx, ns[i:i+1000]); err != nil {
			b.Fatal(err)
		}
	}
}
