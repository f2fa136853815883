package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestWarmupHoldsRequestsUntilTheServiceIsReady checks the handler a server
// has while it starts: /healthz answers, /readyz says 503 until the service
// is ready, other requests wait and are then served by the service, a
// client that gives up is dropped, and when the start fails the waiting
// requests get 503.
func TestWarmupHoldsRequestsUntilTheServiceIsReady(t *testing.T) {
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(url string) (int, string) {
		res, err := client.Get(url)
		if err != nil {
			t.Error(err)
			return 0, ""
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for _, ok := range []bool{true, false} {
		w := newWarmup()
		srv := httptest.NewServer(w)
		if code, _ := get(srv.URL + "/healthz"); code != 200 {
			t.Errorf("/healthz while starting: %d", code)
		}
		if code, body := get(srv.URL + "/readyz"); code != 503 || body != "starting\n" {
			t.Errorf("/readyz while starting: %d %q", code, body)
		}
		type answer struct {
			code int
			body string
		}
		waiting := make(chan answer, 1)
		go func() {
			code, body := get(srv.URL + "/calls")
			waiting <- answer{code, body}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/given-up", nil)
		if _, err := http.DefaultClient.Do(req); err == nil {
			t.Error("a request was answered before the service was ready")
		}
		cancel()
		select {
		case a := <-waiting:
			t.Fatalf("answered %d %q before the service was ready", a.code, a.body)
		case <-time.After(100 * time.Millisecond):
		}
		if ok {
			w.serve(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				io.WriteString(rw, "served "+r.URL.Path)
			}))
		} else {
			w.fail()
		}
		a := <-waiting
		switch {
		case ok && (a.code != 200 || a.body != "served /calls"):
			t.Errorf("the waiting request got %d %q, want it served", a.code, a.body)
		case !ok && a.code != 503:
			t.Errorf("after a failed start the waiting request got %d %q, want 503", a.code, a.body)
		}
		if code, body := get(srv.URL + "/readyz"); ok && (code != 200 || body != "served /readyz") {
			t.Errorf("/readyz once ready: %d %q, want the service's answer", code, body)
		}
		srv.Close()
	}
}

// TestListensBeforeTheStoreOpens checks that run listens (and says so)
// before it starts the embedded engine and opens the store, so that
// requests during start-up meet the warm-up handler instead of a refusal.
func TestListensBeforeTheStoreOpens(t *testing.T) {
	s := startServer(t, baseEnv(t.TempDir()))
	logs := s.stderr.String()
	listening, started := strings.Index(logs, "msg=starting addr="), strings.Index(logs, `msg="embedded database started"`)
	if listening < 0 || started < 0 || listening > started {
		t.Fatalf("want the listening line before the engine's start:\n%s", logs)
	}
	if s.get(t, "/readyz", "") != 200 {
		t.Fatal("not ready once serving")
	}
}
