package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"cocreate/internal/app"
	"cocreate/internal/embeddb"
	"cocreate/internal/store"
)

// dirSize is the total size of the regular files in dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// serveOnDir starts the embedded engine on its own data directory dir and
// the real router on it, as the service runs; close stops both.
func serveOnDir(b *testing.B, dir string) (ts *testServer, close func()) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := embeddb.Start(ctx, dir, log)
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{URI: db.URI(), DBName: "cocreate", Embedded: true,
		Prepare: db.IndexIDs, Scan: db.ScanDocuments, Logger: log})
	if err != nil {
		db.Close()
		b.Fatal(err)
	}
	clock := &testClock{t: time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)}
	a := app.New(st, fastHasher, clock.Now, log)
	h, err := New(Deps{App: a, Logger: log, Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	return &testServer{t: b, srv: srv, store: st, app: a, clock: clock}, func() {
		srv.Close()
		_ = st.Close(ctx)
		db.Close()
	}
}

// BenchmarkDataDirSize serves a write-heavy load on the embedded engine
// and reports the data directory's size: 32 clients over HTTP each draft
// notes, save each one three times and submit it, b.N notes in all
// (-benchtime=1000x for the figures in docs/performance.md). The directory
// is sampled every 50 ms: peak-MB while serving, end-MB once the load
// stops (still serving), idle-MB 6 s later (still serving, nothing
// written meanwhile), restart-MB after the service stopped and started
// again. writes/s counts the HTTP writes (5 a note); note-p99-ms is the
// 99th percentile of one note's five writes, one after the other.
//
// In the slow-reader variant one more client meanwhile pages through the
// notes with a cursor, 10 at a time every 20 ms, over and over, as an
// export that streams a call would: an SQLite read transaction stays open
// while the writes go on, which stops SQLite's own checkpoints from
// reusing the write-ahead log.
func BenchmarkDataDirSize(b *testing.B) {
	b.Run("writes", func(b *testing.B) { benchDataDirSize(b, false) })
	b.Run("slow-reader", func(b *testing.B) { benchDataDirSize(b, true) })
}

func benchDataDirSize(b *testing.B, slowReader bool) {
	dir := b.TempDir()
	ts, stop := serveOnDir(b, dir)
	callID := ts.makeCall("size", map[string]any{"closes_at": "2030-01-01T00:00:00Z"})
	tokens := make([]string, benchClients)
	for i := range tokens {
		_, tokens[i] = ts.user(fmt.Sprintf("Size %d", i), "NGO", "civil_society")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 2 * benchClients, MaxIdleConnsPerHost: 2 * benchClients}}
	do := func(method, path, tok string, body any) (map[string]any, error) {
		js, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, ts.srv.URL+path, bytes.NewReader(js))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode/100 != 2 {
			return nil, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
		}
		var out map[string]any
		return out, json.Unmarshal(raw, &out)
	}
	var peak atomic.Int64
	done := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if n := dirSize(dir); n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	if slowReader {
		sampler.Go(func() {
			ctx := context.Background()
			for {
				for _, c := range ts.store.NoteCollections() {
					cur, err := c.Find(ctx, bson.D{}, options.Find().SetBatchSize(2))
					if err != nil {
						b.Error(err)
						return
					}
					for n := 0; cur.Next(ctx); n++ {
						if n%2 == 1 {
							select {
							case <-done:
								cur.Close(ctx)
								return
							case <-time.After(20 * time.Millisecond):
							}
						}
					}
					cur.Close(ctx)
				}
				select {
				case <-done:
					return
				default:
				}
			}
		})
	}
	start := dirSize(dir)
	fields := benchFields()
	b.ResetTimer()
	elapsed, lat, err := runClients(b.N, func(i int) error {
		tok := tokens[i%benchClients]
		out, err := do("POST", "/api/v1/calls/"+callID+"/notes", tok, map[string]any{"title": fields.Title})
		if err != nil {
			return err
		}
		id := out["note"].(map[string]any)["id"].(string)
		version := out["note"].(map[string]any)["version"]
		for k := range 3 {
			f := fields
			f.Summary = fields.Summary + " Revision " + strconv.Itoa(k) + "."
			body := map[string]any{}
			js, _ := json.Marshal(f)
			_ = json.Unmarshal(js, &body)
			body["version"] = version
			if out, err = do("PUT", "/api/v1/notes/"+id, tok, body); err != nil {
				return err
			}
			version = out["note"].(map[string]any)["version"]
		}
		_, err = do("POST", "/api/v1/notes/"+id+"/submit", tok, map[string]any{"version": version})
		return err
	})
	b.StopTimer()
	close(done)
	sampler.Wait()
	if err != nil {
		b.Fatal(err)
	}
	end := dirSize(dir)
	time.Sleep(6 * time.Second)
	idle := dirSize(dir)
	if os.Getenv("DATADIR_LIST") != "" && b.N > 1 {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && fi.Size() > 0 {
				fmt.Fprintf(os.Stderr, "%-32s %8.1f MB\n", e.Name(), float64(fi.Size())/(1<<20))
			}
		}
	}
	stop()
	ts, stop = serveOnDir(b, dir)
	restart := dirSize(dir)
	stop()
	mb := func(n int64) float64 { return float64(n) / (1 << 20) }
	b.ReportMetric(mb(start), "start-MB")
	b.ReportMetric(mb(peak.Load()), "peak-MB")
	b.ReportMetric(mb(end), "end-MB")
	b.ReportMetric(mb(idle), "idle-MB")
	b.ReportMetric(mb(restart), "restart-MB")
	b.ReportMetric(float64(5*b.N)/elapsed.Seconds(), "writes/s")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "note-p99-ms")
}
