package web

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/embeddb"
	"cocreate/internal/store"
)

func TestHealthAndReadiness(t *testing.T) {
	ts := newTestServer(t)
	for path, want := range map[string]string{"/healthz": "ok\n", "/readyz": "ready\n"} {
		r := ts.api("GET", path, "", nil)
		if r.Status != 200 || string(r.Raw) != want {
			t.Errorf("%s: %d %q", path, r.Status, r.Raw)
		}
	}
}

var metricLine = regexp.MustCompile(`(?m)^cocreate_http_requests_total\{method="([A-Z]+)",route="([^"]*)",status="(\d+)"\} (\d+)$`)

// counts reads cocreate_http_requests_total by "METHOD route status".
func counts(body string) map[string]int {
	out := map[string]int{}
	for _, m := range metricLine.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.Atoi(m[4])
		out[m[1]+" "+m[2]+" "+m[3]] = n
	}
	return out
}

func TestMetrics(t *testing.T) {
	ts := newTestServer(t)
	_, token := ts.user("Ana", "Org", "media")
	ts.api("GET", "/api/v1/me", token, nil)
	ts.api("GET", "/api/v1/me", token, nil)
	ts.api("GET", "/api/v1/me", "", nil)
	ts.api("GET", "/healthz", "", nil)
	ts.api("GET", "/admin/users/abc", token, nil)
	ts.api("GET", "/admin/users/def", token, nil)
	ts.api("GET", "/no/such/page/1", "", nil)
	ts.api("GET", "/no/such/page/2", "", nil)

	r := ts.api("GET", "/metrics", "", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	body := string(r.Raw)
	got := counts(body)
	for key, want := range map[string]int{
		"GET /api/v1/me 200":       2,
		"GET /api/v1/me 401":       1,
		"GET /healthz 200":         1,
		"POST /api/v1/login 200":   1,
		"GET /admin/users/:id 403": 2, // the route, not the address: ids do not multiply the series
		"GET unmatched 404":        2,
	} {
		if got[key] != want {
			t.Errorf("cocreate_http_requests_total{%s} = %d, want %d", key, got[key], want)
		}
	}
	for key := range got {
		if strings.Contains(key, "/abc") || strings.Contains(key, "/no/such") {
			t.Errorf("a series per address: %s", key)
		}
	}
	for _, want := range []string{
		"# TYPE cocreate_http_request_duration_seconds histogram",
		`cocreate_http_request_duration_seconds_count{method="GET",route="/api/v1/me"} 3`,
		"# TYPE cocreate_db_ping_seconds gauge",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	m := regexp.MustCompile(`(?m)^cocreate_db_ping_seconds (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no cocreate_db_ping_seconds sample")
	}
	if v, err := strconv.ParseFloat(m[1], 64); err != nil || v < 0 || v > 1 {
		t.Errorf("db ping %s, want 0–1 s", m[1])
	}
}

// TestReadinessWhenTheDatabaseIsGone runs the router on its own embedded
// engine and stops the engine under it.
func TestReadinessWhenTheDatabaseIsGone(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := embeddb.Start(ctx, t.TempDir(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			eng.Close()
		}
	})
	st, err := store.Open(ctx, store.Options{URI: eng.URI(), DBName: "gone", Embedded: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	clock := &testClock{t: time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)}
	a := app.New(st, fastHasher, clock.Now, quiet)
	h, err := New(Deps{App: a, Logger: quiet, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ts := &testServer{t: t, srv: srv, store: st, app: a, clock: clock}

	if r := ts.api("GET", "/readyz", "", nil); r.Status != 200 {
		t.Fatalf("readyz with the database: %d", r.Status)
	}
	eng.Close()
	stopped = true

	start := time.Now()
	r := ts.api("GET", "/readyz", "", nil)
	if r.Status != 503 || string(r.Raw) != "database unavailable\n" {
		t.Fatalf("readyz without the database: %d %q", r.Status, r.Raw)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("readyz took %v; it should give up after about 1 s", d)
	}
	if r := ts.api("GET", "/healthz", "", nil); r.Status != 200 {
		t.Fatalf("healthz is about the process, not the database: %d", r.Status)
	}
	body := string(ts.api("GET", "/metrics", "", nil).Raw)
	if !strings.Contains(body, "\ncocreate_db_ping_seconds -1\n") {
		t.Errorf("metrics do not report the failed ping:\n%s", grep(body, "cocreate_db_ping"))
	}
	// The API answers 503 unavailable, in its error shape.
	r = ts.api("POST", "/api/v1/login", "", map[string]string{"email": "a@example.org", "password": "whatever password"})
	checkErrorShape(t, "login without the database", r, 503, "unavailable")
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
