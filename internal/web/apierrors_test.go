package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/testdb"
)

// checkErrorShape asserts the api.md error shape: {"error": {"code",
// "message", …}} and nothing else at the top, with the request id of the answer.
func checkErrorShape(t *testing.T, what string, r apiResp, status int, code string) {
	t.Helper()
	if r.Status != status || r.errCode() != code {
		t.Errorf("%s: %d %s, want %d %s", what, r.Status, r.Raw, status, code)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("%s: Content-Type %q", what, r.Header.Get("Content-Type"))
	}
	e, _ := r.Body["error"].(map[string]any)
	if len(r.Body) != 1 || e == nil {
		t.Errorf("%s: body %s is not {\"error\": {…}}", what, r.Raw)
		return
	}
	msg, _ := e["message"].(string)
	if msg == "" || !strings.HasSuffix(msg, ".") {
		t.Errorf("%s: message %q should be a sentence", what, msg)
	}
	for _, leak := range []string{"json:", "mongo", "runtime", "goroutine", "http:", ".go:"} {
		if strings.Contains(msg, leak) {
			t.Errorf("%s: message %q leaks internals", what, msg)
		}
	}
	if id := r.Header.Get("X-Request-Id"); id == "" || e["request_id"] != id {
		t.Errorf("%s: request_id %v, header %q", what, e["request_id"], id)
	}
}

func TestAPIErrorShapes(t *testing.T) {
	ts := newTestServer(t)
	_, token := ts.user("Ana", "Org", "media")
	reg := func(email string) string {
		b, _ := json.Marshal(registration(email))
		return string(b)
	}
	big := `{"email": "big@example.org", "name": "` + strings.Repeat("x", 1<<20) + `"}`
	for _, tc := range []struct {
		name, method, path, ct, body string
		status                       int
		code                         string
	}{
		{"unknown route", "GET", "/api/v1/nope", "", "", 404, "not_found"},
		{"unknown version", "GET", "/api/v2/me", "", "", 404, "not_found"},
		{"trailing slash", "GET", "/api/v1/me/", "", "", 404, "not_found"},
		{"wrong method", "PUT", "/api/v1/me", "", "", 405, "method_not_allowed"},
		{"wrong method on login", "GET", "/api/v1/login", "", "", 405, "method_not_allowed"},
		{"body over 1 MiB", "POST", "/api/v1/register", "application/json", big, 413, "too_large"},
		{"text/plain", "POST", "/api/v1/register", "text/plain", reg("a@example.org"), 415, "unsupported_media_type"},
		{"form", "POST", "/api/v1/register", "application/x-www-form-urlencoded", "email=a%40example.org", 415, "unsupported_media_type"},
		{"no content type", "POST", "/api/v1/register", "-", reg("a@example.org"), 415, "unsupported_media_type"},
		{"bad media type", "POST", "/api/v1/register", "application/", reg("a@example.org"), 415, "unsupported_media_type"},
		{"empty body", "POST", "/api/v1/register", "application/json", "", 400, "bad_request"},
		{"malformed", "POST", "/api/v1/register", "application/json", `{"email": "a@example.org",`, 400, "bad_request"},
		{"not JSON", "POST", "/api/v1/register", "application/json", `email=a`, 400, "bad_request"},
		{"array", "POST", "/api/v1/register", "application/json", `[{"email": "a@example.org"}]`, 400, "bad_request"},
		{"string", "POST", "/api/v1/register", "application/json", `"a@example.org"`, 400, "bad_request"},
		{"unknown field", "POST", "/api/v1/register", "application/json", `{"email": "a@example.org", "role": "coordinator"}`, 400, "bad_request"},
		{"wrong type", "POST", "/api/v1/register", "application/json", `{"email": 5}`, 400, "bad_request"},
		{"trailing data", "POST", "/api/v1/register", "application/json", reg("t@example.org") + `{}`, 400, "bad_request"},
		{"trailing garbage", "POST", "/api/v1/register", "application/json", reg("t@example.org") + ` x`, 400, "bad_request"},
		{"validation", "POST", "/api/v1/register", "application/json", `{}`, 422, "validation_failed"},
		{"unauthenticated", "GET", "/api/v1/me", "", "", 401, "unauthenticated"},
		{"forbidden", "GET", "/api/v1/users", "auth", "", 403, "forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			switch tc.ct {
			case "", "-":
			case "auth":
				hdr = []string{"Authorization", "Bearer " + token}
			default:
				hdr = []string{"Content-Type", tc.ct}
			}
			var body any
			if tc.body != "" || tc.ct == "application/json" {
				body = tc.body
			}
			if tc.ct == "-" {
				body = []byte(tc.body) // ts.api sets JSON; take it off below
				hdr = []string{"Content-Type", ""}
			}
			r := ts.api(tc.method, tc.path, "", body, hdr...)
			checkErrorShape(t, tc.name, r, tc.status, tc.code)
		})
	}
	// The messages help: a wrong type names the field, an unknown field is named.
	r := ts.api("POST", "/api/v1/register", "", `{"email": 5}`)
	if msg := r.Body["error"].(map[string]any)["message"].(string); !strings.Contains(msg, `"email"`) || !strings.Contains(msg, "string") {
		t.Errorf("wrong type message: %q", msg)
	}
	r = ts.api("POST", "/api/v1/register", "", `{"emial": "a@example.org"}`)
	if msg := r.Body["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "emial") {
		t.Errorf("unknown field message: %q", msg)
	}
	// JSON with a charset or a +json type is JSON.
	for _, ct := range []string{"application/json; charset=utf-8", "application/merge-patch+json"} {
		r := ts.api("POST", "/api/v1/register", "", registration("ct"+fmt.Sprint(len(ct))+"@example.org"), "Content-Type", ct)
		if r.Status != 201 {
			t.Errorf("Content-Type %q: %d %s", ct, r.Status, r.Raw)
		}
	}
	// Nothing was created by the refused bodies.
	if n, _ := ts.store.CountUsers(context.Background()); n != 3 {
		t.Errorf("%d accounts, want 3", n)
	}
}

func TestPageErrors(t *testing.T) {
	ts := newTestServer(t)
	b := ts.browser()
	for _, tc := range []struct {
		method, path string
		status       int
		want         string
	}{
		{"GET", "/no/such/page", 404, "We cannot find that page."},
		{"GET", "/api", 404, "We cannot find that page."},
		{"GET", "/logout", 405, "That action is not available here."},
		{"GET", "/static/" + staticVersion() + "/css/", 404, "We cannot find that page."},
	} {
		r := b.send(tc.method, tc.path, nil)
		body := string(r.Raw)
		if r.Status != tc.status || !strings.Contains(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, tc.want) {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, r.Status, r.Header.Get("Content-Type"))
			continue
		}
		if id := r.Header.Get("X-Request-Id"); id == "" || !strings.Contains(body, id) {
			t.Errorf("%s %s: the page does not show the request id %q", tc.method, tc.path, id)
		}
	}
	// Static files are served with long lifetimes; an old version is served briefly cached.
	r := b.send("GET", "/static/"+staticVersion()+"/css/app.css", nil)
	if r.Status != 200 || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
		t.Errorf("static file: %d %v", r.Status, r.Header)
	}
	if r := b.send("GET", "/static/000000000000/css/app.css", nil); r.Status != 200 || r.Header.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("old static version: %d %q", r.Status, r.Header.Get("Cache-Control"))
	}
	if r := b.send("GET", "/static/"+staticVersion()+"/css/nope.css", nil); r.Status != 404 {
		t.Errorf("missing static file: %d", r.Status)
	}
}

// panicServer is a gin engine with the router's outer middleware and routes
// that panic, so recoverPanics is tested without a panicking route in the table.
func panicServer(t *testing.T) (*httptest.Server, *syncBuffer, *atomic.Int32) {
	t.Helper()
	logs := &syncBuffer{}
	st := testdb.Open(t)
	log := slog.New(slog.NewTextHandler(logs, nil))
	h, err := newHandler(Deps{App: app.New(st, fastHasher, nil, log), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	r.Use(h.withRequestID, h.logRequests, h.recoverPanics, securityHeaders)
	boom := func(c *gin.Context) { panic("secret internal detail") }
	r.GET("/api/v1/boom", boom)
	r.GET("/boom", boom)
	r.GET("/api/v1/half", func(c *gin.Context) {
		c.String(200, "partial")
		panic("after writing")
	})
	r.GET("/api/v1/abort", func(c *gin.Context) { panic(http.ErrAbortHandler) })
	var calls atomic.Int32
	// Panics the first time, then works: a retry with the same key must run again.
	r.POST("/api/v1/flaky", h.idempotent, func(c *gin.Context) {
		if calls.Add(1) == 1 {
			panic("first attempt fails")
		}
		c.JSON(201, gin.H{"ok": true})
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv, logs, &calls
}

func TestRecoveredPanics(t *testing.T) {
	srv, logs, calls := panicServer(t)
	ts := &testServer{t: t, srv: srv}

	r := ts.api("GET", "/api/v1/boom", "", nil)
	checkErrorShape(t, "API panic", r, 500, "internal")
	if strings.Contains(string(r.Raw), "secret internal detail") || strings.Contains(string(r.Raw), "goroutine") {
		t.Fatalf("the answer shows the panic: %s", r.Raw)
	}
	if e := r.Body["error"].(map[string]any); len(e) != 3 {
		t.Errorf("a 500 should carry code, message and request_id only: %s", r.Raw)
	}
	id := r.Header.Get("X-Request-Id")
	out := logs.String()
	if !strings.Contains(out, "secret internal detail") || !strings.Contains(out, "request_id="+id) || !strings.Contains(out, "stack=") {
		t.Fatalf("the log lacks the panic, its request id or its stack:\n%s", out)
	}
	if !strings.Contains(out, "status=500") {
		t.Errorf("the request line does not record status 500:\n%s", out)
	}

	r = ts.api("GET", "/boom", "", nil)
	if r.Status != 500 || !strings.Contains(string(r.Raw), r.Header.Get("X-Request-Id")) || strings.Contains(string(r.Raw), "secret internal detail") {
		t.Fatalf("page panic: %d\n%s", r.Status, r.Raw)
	}

	// A panic after the answer began cannot change its status: the answer just ends.
	if r := ts.api("GET", "/api/v1/half", "", nil); r.Status != 200 || string(r.Raw) != "partial" {
		t.Fatalf("panic after writing: %d %q", r.Status, r.Raw)
	}

	// http.ErrAbortHandler is passed on, so the server drops the connection.
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/abort", nil)
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("ErrAbortHandler answered %d", res.StatusCode)
	}

	// A panic releases the idempotency claim: the retry runs instead of waiting.
	r = ts.api("POST", "/api/v1/flaky", "", `{}`, "Idempotency-Key", "retry-me")
	if r.Status != 500 {
		t.Fatalf("first attempt: %d", r.Status)
	}
	r = ts.api("POST", "/api/v1/flaky", "", `{}`, "Idempotency-Key", "retry-me")
	if r.Status != 201 || calls.Load() != 2 {
		t.Fatalf("retry after a panic: %d %s (calls %d)", r.Status, r.Raw, calls.Load())
	}
	r = ts.api("POST", "/api/v1/flaky", "", `{}`, "Idempotency-Key", "retry-me")
	if r.Status != 201 || calls.Load() != 2 || r.Header.Get("Idempotent-Replay") != "true" {
		t.Fatalf("replay after success: %d (calls %d)", r.Status, calls.Load())
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{apperr.ErrNotFound, 404, "not_found"},
		{fmt.Errorf("load note: %w", apperr.ErrNotFound), 404, "not_found"},
		{apperr.ErrForbidden, 403, "forbidden"},
		{apperr.ErrUnauthenticated, 401, "unauthenticated"},
		{apperr.ErrDuplicate, 409, "duplicate"},
		{apperr.ErrStaleVersion, 409, "stale_version"},
		{fmt.Errorf("ping: %w", apperr.ErrUnavailable), 503, "unavailable"},
		{apperr.Fields{"x": "Enter x"}, 422, "validation_failed"},
		{&apperr.Invalid{Message: "No."}, 422, "validation_failed"},
		{&apperr.BadRequest{Message: "Bad."}, 400, "bad_request"},
		{&apperr.Conflict{Code: "duplicate", Message: "Taken."}, 409, "duplicate"},
		{errors.New("mongo: connection pool exploded at 10.0.0.3"), 500, "internal"},
	} {
		status, ae := classify(tc.err)
		if status != tc.status || ae.Code != tc.code {
			t.Errorf("classify(%v) = %d %s, want %d %s", tc.err, status, ae.Code, tc.status, tc.code)
		}
		if status == 500 && strings.Contains(ae.Message, "10.0.0.3") {
			t.Errorf("an internal error's text reaches the user: %q", ae.Message)
		}
	}
}
