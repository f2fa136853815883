package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/auth"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// testClock is a settable clock shared by the app and the handlers.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// testServer is the real router on a real (embedded) database.
type testServer struct {
	t     testing.TB
	srv   *httptest.Server
	store *store.Store
	app   *app.App
	clock *testClock
}

// fastHasher keeps tests quick; production uses auth.DefaultHasher.
var fastHasher = auth.Hasher{MemoryKiB: 64, Time: 1}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	return newTestServerWith(t, serverOptions{})
}

// serverOptions adjust a test server.
type serverOptions struct {
	logTo   io.Writer      // where the server's logs go; discarded when nil
	proxies []netip.Prefix // trusted proxies
	faults  store.Faults   // writes made to fail
	store   *store.Store   // an open store (a second process on one database); a fresh test database when nil
}

// newTestServerWith is newTestServer with options.
func newTestServerWith(t testing.TB, o serverOptions) *testServer {
	t.Helper()
	st := o.store
	if st == nil {
		st = testdb.OpenWith(t, o.faults)
	}
	clock := &testClock{t: time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)}
	if o.logTo == nil {
		o.logTo = io.Discard
	}
	log := slog.New(slog.NewTextHandler(o.logTo, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := app.New(st, fastHasher, clock.Now, log)
	h, err := New(Deps{App: a, Logger: log, Now: clock.Now, TrustedProxies: o.proxies})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testServer{t: t, srv: srv, store: st, app: a, clock: clock}
}

// apiResp is a decoded JSON answer.
type apiResp struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// errCode returns error.code of an error answer.
func (r apiResp) errCode() string {
	if e, ok := r.Body["error"].(map[string]any); ok {
		s, _ := e["code"].(string)
		return s
	}
	return ""
}

func (r apiResp) errFields() map[string]any {
	if e, ok := r.Body["error"].(map[string]any); ok {
		f, _ := e["fields"].(map[string]any)
		return f
	}
	return nil
}

func (r apiResp) obj(name string) map[string]any {
	m, _ := r.Body[name].(map[string]any)
	return m
}

// api sends a JSON request with an optional bearer token; body may be a
// string (sent as is) or any value (JSON-encoded).
func (ts *testServer) api(method, path, token string, body any, hdr ...string) apiResp {
	ts.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, ts.srv.URL+path, rd)
	if err != nil {
		ts.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := apiResp{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(raw) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			ts.t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return out
}

var userSeq struct {
	sync.Mutex
	n int
}

// user creates an account with roles directly in the app and returns it with a bearer token.
func (ts *testServer) user(name, org, sector string, roles ...string) (*store.User, string) {
	ts.t.Helper()
	userSeq.Lock()
	userSeq.n++
	n := userSeq.n
	userSeq.Unlock()
	if len(roles) == 0 {
		roles = []string{"participant"}
	}
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "." + itoa(n) + "@example.org"
	u, err := ts.app.CreateMember(context.Background(), app.NewMember{Email: email, Name: name, Organization: org,
		Sector: sector, District: "belize", Roles: roles, Password: "a long enough password"})
	if err != nil {
		ts.t.Fatal(err)
	}
	r := ts.api("POST", "/api/v1/login", "", map[string]string{"email": email, "password": "a long enough password"})
	if r.Status != 200 {
		ts.t.Fatalf("login %s: %d %s", email, r.Status, r.Raw)
	}
	return u, r.Body["token"].(string)
}

// browser is a cookie-carrying client that does not follow redirects.
type browser struct {
	ts     *testServer
	client *http.Client
}

func (ts *testServer) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{ts: ts, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// htmlPage is an HTML answer.
type htmlPage struct {
	Status   int
	Location string
	Body     string
}

func (b *browser) get(path string) htmlPage {
	b.ts.t.Helper()
	res, err := b.client.Get(b.ts.srv.URL + path)
	if err != nil {
		b.ts.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return htmlPage{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(raw)}
}

func (b *browser) post(path string, form url.Values) htmlPage {
	b.ts.t.Helper()
	res, err := b.client.PostForm(b.ts.srv.URL+path, form)
	if err != nil {
		b.ts.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return htmlPage{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(raw)}
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf reads the CSRF token from a page the browser fetches.
func (b *browser) csrf(path string) string {
	b.ts.t.Helper()
	m := csrfRe.FindStringSubmatch(b.get(path).Body)
	if m == nil {
		b.ts.t.Fatalf("no csrf_token on %s", path)
	}
	return m[1]
}

// signIn signs the browser in through the login page.
func (b *browser) signIn(email, password string) {
	b.ts.t.Helper()
	p := b.post("/login", url.Values{"email": {email}, "password": {password}})
	if p.Status != http.StatusSeeOther {
		b.ts.t.Fatalf("sign in %s: status %d\n%s", email, p.Status, p.Body)
	}
}

// cookie returns the value of the browser's cookie name, or "".
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.ts.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// send makes a request with the browser's cookies; body may be a string,
// url.Values (sent as a form) or any value (sent as JSON).
func (b *browser) send(method, path string, body any, hdr ...string) apiResp {
	b.ts.t.Helper()
	var rd io.Reader
	ct := ""
	switch v := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(v), "application/json"
	case url.Values:
		rd, ct = strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
	default:
		js, err := json.Marshal(v)
		if err != nil {
			b.ts.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(js), "application/json"
	}
	req, err := http.NewRequest(method, b.ts.srv.URL+path, rd)
	if err != nil {
		b.ts.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.ts.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := apiResp{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(raw) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			b.ts.t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return out
}
