package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/auth"
	"cocreate/internal/testdb"
)

func TestCSRFOnCookieSessions(t *testing.T) {
	ts := newTestServer(t)
	coord, _ := ts.user("Cora", "Ministry", "government", "coordinator")
	member, _ := ts.user("Ana", "Org", "media")
	b := ts.browser()
	b.signIn(coord.Email, goodPassword)
	tok := b.csrf("/admin/users/new")
	form := func(extra ...string) url.Values {
		v := url.Values{"email": {"new@example.org"}, "name": {"New"}, "organization": {"Org"}, "sector": {"media"},
			"district": {"belize"}, "roles": {"reviewer"}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	// Pages: no token or a wrong one is a 403 page, and nothing happens.
	for _, v := range []url.Values{form(), form("csrf_token", "wrong"), form("csrf_token", tok+"x"), form("csrf_token", auth.NewSecret())} {
		p := b.post("/admin/users", v)
		if p.Status != 403 || !strings.Contains(p.Body, "did not come from this site") {
			t.Fatalf("form without the right token: %d\n%s", p.Status, p.Body)
		}
	}
	if _, err := ts.store.UserByEmail(context.Background(), "new@example.org"); err == nil {
		t.Fatal("a refused form created an account")
	}
	if p := b.post("/admin/users", form("csrf_token", tok)); p.Status != http.StatusSeeOther {
		t.Fatalf("form with the token: %d\n%s", p.Status, p.Body)
	}
	// The token also works as a header on a form post.
	if p := b.send("POST", "/logout", url.Values{}, "X-CSRF-Token", tok); p.Status != http.StatusSeeOther {
		t.Fatalf("page post with the header: %d", p.Status)
	}

	// API with the session cookie: the header is required.
	b.signIn(coord.Email, goodPassword)
	tok = b.csrf("/")
	patch := map[string]any{"name": "Ana Patched"}
	for _, hdr := range [][]string{nil, {"X-CSRF-Token", "wrong"}} {
		r := b.send("PATCH", "/api/v1/users/"+member.ID, patch, hdr...)
		if r.Status != 403 || r.errCode() != "csrf_failed" {
			t.Fatalf("cookie PATCH with header %v: %d %s", hdr, r.Status, r.Raw)
		}
	}
	// A form field does not count for the API.
	if r := b.send("POST", "/api/v1/logout", url.Values{"csrf_token": {tok}}); r.Status != 403 {
		t.Fatalf("API with the token as a form field: %d", r.Status)
	}
	if r := b.send("PATCH", "/api/v1/users/"+member.ID, patch, "X-CSRF-Token", tok); r.Status != 200 {
		t.Fatalf("cookie PATCH with the header: %d %s", r.Status, r.Raw)
	}
	// Reading needs no token.
	if r := b.send("GET", "/api/v1/users", nil); r.Status != 200 {
		t.Fatalf("cookie GET: %d", r.Status)
	}
	// Another session's token is not this session's.
	b2 := ts.browser()
	b2.signIn(coord.Email, goodPassword)
	if r := b2.send("PATCH", "/api/v1/users/"+member.ID, patch, "X-CSRF-Token", tok); r.Status != 403 {
		t.Fatalf("another session's token accepted: %d", r.Status)
	}

	// Bearer requests need none, even with a stale cookie present.
	_, bearer := ts.user("Cato", "Ministry", "government", "coordinator")
	if r := b.send("PATCH", "/api/v1/users/"+member.ID, patch, "Authorization", "Bearer "+bearer); r.Status != 200 {
		t.Fatalf("bearer PATCH: %d %s", r.Status, r.Raw)
	}
}

func TestCrossOriginWritesAreRefused(t *testing.T) {
	ts := newTestServer(t)
	u, _ := ts.user("Ana", "Org", "media")
	for _, hdr := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Origin", "https://evil.example"},
	} {
		// Signing in (login CSRF) and registering from another site are refused, with no session yet.
		r := ts.api("POST", "/login", "", nil, append([]string{"Content-Type", "application/x-www-form-urlencoded"}, hdr...)...)
		if r.Status != 403 {
			t.Errorf("cross-origin sign-in form (%v): %d", hdr, r.Status)
		}
		r = ts.api("POST", "/api/v1/login", "", map[string]string{"email": u.Email, "password": goodPassword}, hdr...)
		if r.Status != 403 || r.errCode() != "forbidden" {
			t.Errorf("cross-origin API sign-in (%v): %d %s", hdr, r.Status, r.Raw)
		}
		// Reading is allowed.
		if r := ts.api("GET", "/login", "", nil, hdr...); r.Status != 200 {
			t.Errorf("cross-origin GET (%v): %d", hdr, r.Status)
		}
	}
	// Same-origin browsers and non-browser clients are fine.
	if r := ts.login(u.Email, goodPassword, "Sec-Fetch-Site", "same-origin"); r.Status != 200 {
		t.Fatalf("same-origin sign-in: %d", r.Status)
	}
}

var (
	inlineScript  = regexp.MustCompile(`<script(\s[^>]*)?>`)
	inlineHandler = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
)

func TestSecurityHeadersAndNoInlineCode(t *testing.T) {
	ts := newTestServer(t)
	coord, _ := ts.user("Cora", "Ministry", "government", "coordinator")
	b := ts.browser()
	check := func(what string, h http.Header) {
		t.Helper()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", what, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || csp == "" {
			t.Errorf("%s: CSP %q allows inline code", what, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", what, h)
		}
		if h.Get("X-Request-Id") == "" {
			t.Errorf("%s: no X-Request-Id", what)
		}
	}
	for _, path := range []string{"/", "/login", "/register", "/no/such/page", "/api/v1/me", "/api/v1/nope", "/healthz", "/static/" + staticVersion() + "/css/app.css"} {
		r := b.send("GET", path, nil)
		check(path, r.Header)
	}
	check("POST 405", b.send("DELETE", "/api/v1/me", nil).Header)

	b.signIn(coord.Email, goodPassword)
	for _, path := range []string{"/", "/register", "/admin/users", "/admin/users/new", "/admin/users/" + coord.ID, "/no/such/page"} {
		r := b.send("GET", path, nil)
		check(path, r.Header)
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store on a personal page", path, cc)
		}
		body := string(r.Raw)
		for _, m := range inlineScript.FindAllString(body, -1) {
			if !strings.Contains(m, " src=") {
				t.Errorf("%s has an inline script %s", path, m)
			}
		}
		if inlineHandler.MatchString(body) || strings.Contains(body, " style=") || strings.Contains(body, "<style") {
			t.Errorf("%s has inline style or an event handler attribute", path)
		}
		if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
			t.Errorf("%s refers to another host", path)
		}
	}
}

func staticVersion() string {
	// The asset URL the layout uses carries the version.
	return baseFuncs()["asset"].(func(string) string)("")[len("/static/") : len("/static/")+12]
}

// setCookies returns the raw Set-Cookie lines of an answer by cookie name.
func setCookies(h http.Header) map[string]string {
	out := map[string]string{}
	for _, line := range h.Values("Set-Cookie") {
		name, _, _ := strings.Cut(line, "=")
		out[name] = line
	}
	return out
}

func rawPost(t *testing.T, base, path string, form url.Values, hdr ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func TestCookieAttributes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []netip.Prefix
		hdr     []string
		secure  bool
	}{
		{"plain http", nil, nil, false},
		{"forwarded https from an untrusted peer", nil, []string{"X-Forwarded-Proto", "https"}, false},
		{"forwarded https from a trusted proxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, []string{"X-Forwarded-Proto", "https"}, true},
		{"forwarded http from a trusted proxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, []string{"X-Forwarded-Proto", "http"}, false},
		{"trusted proxy elsewhere", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, []string{"X-Forwarded-Proto", "https"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServerWith(t, serverOptions{proxies: tc.proxies})
			u, _ := ts.user("Ana", "Org", "media")
			res := rawPost(t, ts.srv.URL, "/login", url.Values{"email": {u.Email}, "password": {goodPassword}}, tc.hdr...)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign in: %d", res.StatusCode)
			}
			cookies := setCookies(res.Header)
			for _, name := range []string{sessionCookie, flashCookie} {
				line, ok := cookies[name]
				if !ok {
					t.Fatalf("no %s cookie: %v", name, res.Header.Values("Set-Cookie"))
				}
				if !strings.Contains(line, "HttpOnly") || !strings.Contains(line, "SameSite=Lax") || !strings.Contains(line, "Path=/") {
					t.Errorf("%s: %s", name, line)
				}
				if strings.Contains(line, "Secure") != tc.secure {
					t.Errorf("%s: Secure=%v, want %v: %s", name, strings.Contains(line, "Secure"), tc.secure, line)
				}
			}
			if line := cookies[sessionCookie]; !strings.Contains(line, "Max-Age=604800") {
				t.Errorf("session cookie should last at most 7 days: %s", line)
			}
			// Cookies that clear others (the flash once shown, the session at
			// sign-out) carry the same attributes.
			session := strings.TrimPrefix(strings.SplitN(cookies[sessionCookie], ";", 2)[0], sessionCookie+"=")
			flash := strings.TrimPrefix(strings.SplitN(cookies[flashCookie], ";", 2)[0], flashCookie+"=")
			req, _ := http.NewRequest("GET", ts.srv.URL+"/", nil)
			req.Header.Set("Cookie", sessionCookie+"="+session+"; "+flashCookie+"="+flash)
			for i := 0; i+1 < len(tc.hdr); i += 2 {
				req.Header.Set(tc.hdr[i], tc.hdr[i+1])
			}
			home, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			home.Body.Close()
			cleared := setCookies(home.Header)[flashCookie]
			if !strings.Contains(cleared, "Max-Age=0") || !strings.Contains(cleared, "HttpOnly") || !strings.Contains(cleared, "SameSite=Lax") ||
				strings.Contains(cleared, "Secure") != tc.secure {
				t.Errorf("clearing the flash: %q", cleared)
			}
			tok := csrfRe.FindStringSubmatch(string(ts.api("GET", "/", "", nil, "Cookie", sessionCookie+"="+session).Raw))
			if tok == nil {
				t.Fatal("no CSRF token on the signed-in home page")
			}
			out := rawPost(t, ts.srv.URL, "/logout", url.Values{"csrf_token": {tok[1]}}, append([]string{"Cookie", sessionCookie + "=" + session}, tc.hdr...)...)
			cleared = setCookies(out.Header)[sessionCookie]
			if !strings.Contains(cleared, "Max-Age=0") || !strings.Contains(cleared, "HttpOnly") || !strings.Contains(cleared, "SameSite=Lax") ||
				strings.Contains(cleared, "Secure") != tc.secure {
				t.Errorf("clearing the session at sign-out: %q", cleared)
			}
		})
	}
}

func TestForwardedForOnlyFromTrustedProxies(t *testing.T) {
	t.Run("trusted", func(t *testing.T) {
		ts := newTestServerWith(t, serverOptions{proxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
		u, _ := ts.user("Ana", "Org", "media")
		for i := range 20 {
			ts.login(fmt.Sprintf("x%d@example.org", i), "wrong password", "X-Forwarded-For", "198.51.100.1, 203.0.113.5")
		}
		if r := ts.login(u.Email, goodPassword, "X-Forwarded-For", "203.0.113.5"); r.Status != 429 {
			t.Fatalf("the forwarded address is not throttled: %d", r.Status)
		}
		// The proxy's other clients are not punished for one address's failures.
		if r := ts.login(u.Email, goodPassword, "X-Forwarded-For", "203.0.113.6"); r.Status != 200 {
			t.Fatalf("another forwarded address: %d", r.Status)
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		ts := newTestServer(t)
		u, _ := ts.user("Ana", "Org", "media")
		for i := range 20 {
			// A client cannot dodge the limit by inventing X-Forwarded-For.
			ts.login(fmt.Sprintf("x%d@example.org", i), "wrong password", "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		}
		if r := ts.login(u.Email, goodPassword, "X-Forwarded-For", "203.0.113.99"); r.Status != 429 {
			t.Fatalf("invented X-Forwarded-For dodged the limit: %d", r.Status)
		}
	})
}

// syncBuffer collects log output written from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func TestLogsNeverContainCredentials(t *testing.T) {
	logs := &syncBuffer{}
	ts := newTestServerWith(t, serverOptions{logTo: logs})
	secrets := map[string]string{}
	pw := "my very secret passphrase"
	secrets["password"] = pw

	// API: register, sign in, use the token, fail a sign-in, sign out.
	r := ts.api("POST", "/api/v1/register", "", with(registration("ana@example.org"), "password", pw), "Idempotency-Key", "idem-key-secretish")
	if r.Status != 201 {
		t.Fatal(r.Status)
	}
	token := ts.login("ana@example.org", pw).Body["token"].(string)
	secrets["token"], secrets["token hash"] = token, auth.HashSecret(token)
	ts.api("GET", "/api/v1/me", token, nil)
	ts.login("ana@example.org", "another secret guess")
	ts.api("GET", "/api/v1/me", "", nil, "Authorization", "Bearer "+token+"x")
	ts.api("POST", "/api/v1/logout", token, nil)

	// Pages: register, sign in, a refused CSRF post, sign out.
	b := ts.browser()
	b.post("/register", url.Values{"email": {"bea@example.org"}, "password": {pw + " two"}, "name": {"Bea"},
		"organization": {"Org"}, "sector": {"media"}, "district": {"cayo"}})
	secrets["password 2"] = pw + " two"
	b.post("/logout", url.Values{"csrf_token": {b.csrf("/")}})
	b.post("/login?next=/private-query-value", url.Values{"email": {"bea@example.org"}, "password": {pw + " two"}})
	secrets["session"] = b.cookie(sessionCookie)
	secrets["session hash"] = auth.HashSecret(secrets["session"])
	secrets["csrf"] = b.csrf("/")
	b.post("/logout", url.Values{"csrf_token": {"forged-csrf-value"}})
	b.get("/register?token=private-query-value")
	b.post("/logout", url.Values{"csrf_token": {secrets["csrf"]}})
	secrets["forged csrf"] = "forged-csrf-value"
	secrets["query"] = "private-query-value"

	out := logs.String()
	if !strings.Contains(out, "request_id=") || !strings.Contains(out, "route=/api/v1/login") || !strings.Contains(out, "csrf refused") {
		t.Fatalf("the log lacks request lines:\n%s", out)
	}
	for what, s := range secrets {
		if s == "" {
			t.Fatalf("no %s captured", what)
		}
		if strings.Contains(out, s) {
			t.Errorf("the log contains the %s", what)
		}
	}
	// Every request line names its request id, which the answer also carried.
	r = ts.api("GET", "/api/v1/nope", "", nil)
	if id := r.Header.Get("X-Request-Id"); id == "" || !strings.Contains(logs.String(), "request_id="+id) {
		t.Fatalf("request id %q not in the log", id)
	}
}

func TestOperatorInjectionIsABadRequest(t *testing.T) {
	ts := newTestServer(t)
	_, coord := ts.user("Cora", "Ministry", "government", "coordinator")
	victim, _ := ts.user("Ana", "Org", "media")
	ctx := context.Background()
	for _, tc := range []struct {
		path, method, token, body string
	}{
		{"/api/v1/login", "POST", "", `{"email": {"$gt": ""}, "password": "x"}`},
		{"/api/v1/login", "POST", "", `{"email": "` + victim.Email + `", "password": {"$ne": null}}`},
		{"/api/v1/login", "POST", "", `{"email": ["` + victim.Email + `"], "password": "x"}`},
		{"/api/v1/login", "POST", "", `{"email": "a@example.org", "email": {"$gt": ""}, "password": "x"}`},
		{"/api/v1/register", "POST", "", `{"email": {"$ne": null}, "password": "a long enough password", "name": "X", "organization": "Y", "sector": "media", "district": "cayo"}`},
		{"/api/v1/register", "POST", "", `{"email": "x@example.org", "password": "a long enough password", "name": "X", "organization": "Y", "sector": {"$exists": true}, "district": "cayo"}`},
		{"/api/v1/users", "POST", coord, `{"email": "x@example.org", "name": "X", "organization": "Y", "sector": "media", "roles": {"$in": ["coordinator"]}}`},
		{"/api/v1/users/" + victim.ID, "PATCH", coord, `{"name": {"$set": {"roles": ["coordinator"]}}}`},
		{"/api/v1/users/" + victim.ID, "PATCH", coord, `{"$set": {"roles": ["coordinator"]}}`},
		{"/api/v1/users/" + victim.ID, "PATCH", coord, `{"disabled": "false"}`},
	} {
		r := ts.api(tc.method, tc.path, tc.token, tc.body)
		if r.Status != 400 || r.errCode() != "bad_request" {
			t.Errorf("%s %s %s: %d %s, want 400", tc.method, tc.path, tc.body, r.Status, r.Raw)
		}
	}
	// Nothing reached the database: no account, no sign-in failure, no change.
	if n, _ := ts.store.CountUsers(ctx); n != 2 {
		t.Fatalf("%d accounts, want 2", n)
	}
	if n, err := testdb.Raw(t, ts.store).Collection("signin_failures").CountDocuments(ctx, bson.D{}); err != nil || n != 0 {
		t.Fatalf("%d sign-in failures recorded: an injected body was used as credentials", n)
	}
	if u, _ := ts.store.UserByID(ctx, victim.ID); u.Name != "Ana" || u.Has("coordinator") {
		t.Fatalf("victim changed: %+v", u)
	}
	// Operators in query strings and paths are plain text, never filters.
	for _, q := range []string{"role=%7B%22%24ne%22%3Anull%7D", "role=$ne"} {
		if r := ts.api("GET", "/api/v1/users?"+q, coord, nil); r.Status != 400 {
			t.Errorf("?%s: %d", q, r.Status)
		}
	}
	if r := ts.api("GET", "/api/v1/users?role[$ne]=participant", coord, nil); r.Status != 200 || r.Body["total"] != float64(2) {
		t.Errorf("role[$ne]: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("PATCH", "/api/v1/users/%7B%22%24gt%22%3A%22%22%7D", coord, `{"name": "X"}`); r.Status != 404 {
		t.Errorf("operator as an id: %d", r.Status)
	}
}
