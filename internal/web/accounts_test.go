package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/auth"
	"cocreate/internal/testdb"
)

const goodPassword = "a long enough password"

// registration is a valid API registration body for email.
func registration(email string) map[string]any {
	return map[string]any{"email": email, "password": goodPassword, "name": "Ana Díaz",
		"organization": "Citizens for Open Budgets", "sector": "civil_society", "district": "cayo", "phone": "+501 600 0000"}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func TestRegisterThroughTheAPI(t *testing.T) {
	ts := newTestServer(t)
	r := ts.api("POST", "/api/v1/register", "", registration("  Ana.Diaz@Example.ORG "))
	if r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Raw)
	}
	u := r.obj("user")
	if u["email"] != "ana.diaz@example.org" {
		t.Errorf("e-mail not normalised: %v", u["email"])
	}
	if roles, _ := u["roles"].([]any); len(roles) != 1 || roles[0] != "participant" {
		t.Errorf("roles %v, want [participant]", u["roles"])
	}
	for _, k := range []string{"id", "name", "organization", "sector", "district", "created_at"} {
		if u[k] == nil || u[k] == "" {
			t.Errorf("user lacks %s: %s", k, r.Raw)
		}
	}
	if _, err := time.Parse(time.RFC3339, u["created_at"].(string)); err != nil {
		t.Errorf("created_at %v is not RFC 3339", u["created_at"])
	}
	if strings.Contains(string(r.Raw), "password") || strings.Contains(string(r.Raw), "argon2") {
		t.Errorf("the answer mentions the password: %s", r.Raw)
	}
	// Stored hashed with argon2id, never in clear.
	stored, err := ts.store.UserByEmail(context.Background(), "ANA.DIAZ@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored.PasswordHash, "$argon2id$") || strings.Contains(stored.PasswordHash, goodPassword) {
		t.Fatalf("password stored as %q", stored.PasswordHash)
	}
	if stored.Phone != "+501 600 0000" || stored.District != "cayo" || stored.Name != "Ana Díaz" {
		t.Errorf("stored %+v", stored)
	}
	// The new account signs in, with any spelling of its e-mail.
	r = ts.api("POST", "/api/v1/login", "", map[string]string{"email": " ANA.diaz@example.org", "password": goodPassword})
	if r.Status != 200 || r.Body["token"] == nil {
		t.Fatalf("sign in after registering: %d %s", r.Status, r.Raw)
	}
}

func TestRegistrationRules(t *testing.T) {
	ts := newTestServer(t)
	for i, tc := range []struct {
		name  string
		body  map[string]any
		field string // "" means accepted
	}{
		{"all fields", registration("ok1@example.org"), ""},
		{"phone is optional", with(registration("ok2@example.org"), "phone", nil), ""},
		{"password of exactly 10", with(registration("ok3@example.org"), "password", "0123456789"), ""},
		{"e-mail missing", with(registration(""), "email", nil), "email"},
		{"e-mail blank", registration("   "), "email"},
		{"e-mail without @", registration("ana.example.org"), "email"},
		{"e-mail with a display name", registration("Ana <ana@example.org>"), "email"},
		{"e-mail with two @", registration("ana@@example.org"), "email"},
		{"e-mail too long", registration(strings.Repeat("a", 250) + "@example.org"), "email"},
		{"password missing", with(registration("p1@example.org"), "password", nil), "password"},
		{"password of 9", with(registration("p2@example.org"), "password", "012345678"), "password"},
		{"password too long", with(registration("p3@example.org"), "password", strings.Repeat("p", 1025)), "password"},
		{"name missing", with(registration("n1@example.org"), "name", nil), "name"},
		{"name blank", with(registration("n2@example.org"), "name", "   "), "name"},
		{"name too long", with(registration("n3@example.org"), "name", strings.Repeat("n", 121)), "name"},
		{"organisation missing", with(registration("o1@example.org"), "organization", nil), "organization"},
		{"organisation too long", with(registration("o2@example.org"), "organization", strings.Repeat("o", 161)), "organization"},
		{"sector missing", with(registration("s1@example.org"), "sector", nil), "sector"},
		{"sector unknown", with(registration("s2@example.org"), "sector", "Government"), "sector"},
		{"district missing", with(registration("d1@example.org"), "district", nil), "district"},
		{"district unknown", with(registration("d2@example.org"), "district", "belmopan"), "district"},
		{"phone too long", with(registration("ph@example.org"), "phone", strings.Repeat("1", 41)), "phone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.api("POST", "/api/v1/register", "", tc.body, "Idempotency-Key", fmt.Sprint("rules-", i))
			if tc.field == "" {
				if r.Status != http.StatusCreated {
					t.Fatalf("refused: %d %s", r.Status, r.Raw)
				}
				return
			}
			if r.Status != http.StatusUnprocessableEntity || r.errCode() != "validation_failed" {
				t.Fatalf("status %d %s, want 422 validation_failed", r.Status, r.Raw)
			}
			f := r.errFields()
			if msg, _ := f[tc.field].(string); msg == "" {
				t.Fatalf("no message for %s: %s", tc.field, r.Raw)
			}
			if len(f) != 1 {
				t.Errorf("fields other than %s complain: %v", tc.field, f)
			}
		})
	}
	// Only the accepted ones exist.
	if n, _ := ts.store.CountUsers(context.Background()); n != 3 {
		t.Fatalf("%d accounts, want 3", n)
	}
	// Several faults are reported together.
	r := ts.api("POST", "/api/v1/register", "", map[string]any{"email": "x"})
	if f := r.errFields(); r.Status != 422 || len(f) != 6 {
		t.Fatalf("all faults at once: %d %s", r.Status, r.Raw)
	}
}

func TestRegisterDuplicateEmail(t *testing.T) {
	ts := newTestServer(t)
	if r := ts.api("POST", "/api/v1/register", "", registration("ana@example.org")); r.Status != 201 {
		t.Fatalf("first: %d %s", r.Status, r.Raw)
	}
	for _, email := range []string{"ana@example.org", "ANA@Example.org", "  ana@example.org\t"} {
		r := ts.api("POST", "/api/v1/register", "", with(registration(email), "password", "another password"))
		if r.Status != http.StatusConflict || r.errCode() != "duplicate" {
			t.Fatalf("%q: %d %s, want 409 duplicate", email, r.Status, r.Raw)
		}
		if msg, _ := r.errFields()["email"].(string); msg == "" {
			t.Errorf("%q: no message beside email: %s", email, r.Raw)
		}
	}
	// The same through the page: the form comes back with the message and what was typed.
	b := ts.browser()
	p := b.post("/register", url.Values{"email": {"Ana@example.org"}, "password": {goodPassword}, "name": {"Someone Else"},
		"organization": {"Org"}, "sector": {"media"}, "district": {"toledo"}})
	if p.Status != http.StatusConflict || !strings.Contains(p.Body, "already exists") || !strings.Contains(p.Body, `value="Someone Else"`) {
		t.Fatalf("page duplicate: %d\n%s", p.Status, p.Body)
	}
	if strings.Contains(p.Body, goodPassword) {
		t.Error("the page echoes the password")
	}
	if n, _ := ts.store.CountUsers(context.Background()); n != 1 {
		t.Fatalf("%d accounts, want 1", n)
	}
	// The first account's password was not changed by the attempts.
	if r := ts.api("POST", "/api/v1/login", "", map[string]string{"email": "ana@example.org", "password": goodPassword}); r.Status != 200 {
		t.Fatalf("first account's sign-in: %d", r.Status)
	}
}

// TestOrphanedEmailIsReclaimed: a process that stopped between the two
// inserts of a registration leaves an e-mail mapping without its user; after
// a while the address can be registered again, but never while a
// registration may still be finishing.
func TestOrphanedEmailIsReclaimed(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	emails := testdb.Raw(t, ts.store).Collection("user_emails")
	for _, d := range []bson.D{
		{{Key: "_id", Value: "old@example.org"}, {Key: "user_id", Value: "gone"}, {Key: "created_at", Value: time.Now().Add(-time.Hour)}},
		{{Key: "_id", Value: "legacy@example.org"}, {Key: "user_id", Value: "gone"}},
		{{Key: "_id", Value: "young@example.org"}, {Key: "user_id", Value: "finishing"}, {Key: "created_at", Value: time.Now()}},
	} {
		if _, err := emails.InsertOne(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for email, want := range map[string]int{"old@example.org": 201, "legacy@example.org": 201, "young@example.org": 409} {
		if r := ts.api("POST", "/api/v1/register", "", registration(email)); r.Status != want {
			t.Errorf("%s: %d %s, want %d", email, r.Status, r.Raw, want)
		}
	}
	if r := ts.login("old@example.org", goodPassword); r.Status != 200 {
		t.Fatalf("the reclaimed address cannot sign in: %d", r.Status)
	}
	// A live account's address is never reclaimed, however old.
	if _, err := emails.UpdateOne(ctx, bson.D{{Key: "_id", Value: "old@example.org"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "created_at", Value: time.Now().Add(-time.Hour)}}}}); err != nil {
		t.Fatal(err)
	}
	if r := ts.api("POST", "/api/v1/register", "", with(registration("OLD@example.org"), "password", "a takeover attempt")); r.Status != 409 {
		t.Fatalf("live account's address: %d", r.Status)
	}
}

func TestRegisterThroughThePage(t *testing.T) {
	ts := newTestServer(t)
	b := ts.browser()
	p := b.get("/register")
	for _, want := range []string{`name="email"`, `name="password"`, `name="name"`, `name="organization"`,
		`name="sector"`, `name="district"`, `name="phone"`, `<label for="email">`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("register page lacks %s", want)
		}
	}
	// Errors: 422, everything typed kept except the password, a summary linking to the fields.
	p = b.post("/register", url.Values{"email": {"not-an-email"}, "password": {"short"}, "name": {"Bea"},
		"organization": {"Rotary"}, "sector": {"private_sector"}, "district": {""}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid form: %d", p.Status)
	}
	for _, want := range []string{"There is a problem", `href="#email"`, `href="#password"`, `href="#district"`,
		`value="not-an-email"`, `value="Bea"`, `value="Rotary"`, `value="private_sector" selected`, "Error: Create an account"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("error page lacks %s", want)
		}
	}
	if strings.Contains(p.Body, `value="short"`) {
		t.Error("the password is echoed back")
	}
	// Success: signed in at once, redirected home with a flash.
	p = b.post("/register", url.Values{"email": {"Bea@Example.org"}, "password": {goodPassword}, "name": {"Bea"},
		"organization": {"Rotary"}, "sector": {"private_sector"}, "district": {"corozal"}})
	if p.Status != http.StatusSeeOther || p.Location != "/" {
		t.Fatalf("register: %d %s\n%s", p.Status, p.Location, p.Body)
	}
	home := b.get("/")
	if !strings.Contains(home.Body, "Welcome, Bea") || !strings.Contains(home.Body, "Signed in as Bea") {
		t.Fatalf("home after registering:\n%s", home.Body)
	}
	if r := b.send("GET", "/api/v1/me", nil); r.Status != 200 || r.obj("user")["email"] != "bea@example.org" {
		t.Fatalf("me: %d %s", r.Status, r.Raw)
	}
	// Registering another account from a signed-in browser ends the old session.
	old := b.cookie(sessionCookie)
	p = b.post("/register", url.Values{"csrf_token": {b.csrf("/")}, "email": {"cleo@example.org"}, "password": {goodPassword},
		"name": {"Cleo"}, "organization": {"Rotary"}, "sector": {"private_sector"}, "district": {"corozal"}})
	if p.Status != http.StatusSeeOther || b.cookie(sessionCookie) == old {
		t.Fatalf("second registration: %d", p.Status)
	}
	if r := ts.api("GET", "/api/v1/me", "", nil, "Cookie", sessionCookie+"="+old); r.Status != 401 {
		t.Fatalf("the previous account's session survived: %d", r.Status)
	}
	if r := b.send("GET", "/api/v1/me", nil); r.obj("user")["email"] != "cleo@example.org" {
		t.Fatalf("me after the second registration: %s", r.Raw)
	}
}

func TestSignInThroughTheAPI(t *testing.T) {
	ts := newTestServer(t)
	ts.api("POST", "/api/v1/register", "", registration("ana@example.org"))
	r := ts.api("POST", "/api/v1/login", "", map[string]string{"email": "ana@example.org", "password": goodPassword})
	if r.Status != 200 {
		t.Fatalf("login: %d %s", r.Status, r.Raw)
	}
	token, _ := r.Body["token"].(string)
	if len(token) < 40 || r.obj("user")["email"] != "ana@example.org" {
		t.Fatalf("login answer: %s", r.Raw)
	}
	if me := ts.api("GET", "/api/v1/me", token, nil); me.Status != 200 || me.obj("user")["email"] != "ana@example.org" {
		t.Fatalf("me with the token: %d %s", me.Status, me.Raw)
	}
	// Wrong password and unknown e-mail answer exactly alike.
	wrong := ts.api("POST", "/api/v1/login", "", map[string]string{"email": "ana@example.org", "password": "wrong password"})
	unknown := ts.api("POST", "/api/v1/login", "", map[string]string{"email": "nobody@example.org", "password": goodPassword})
	for _, r := range []apiResp{wrong, unknown} {
		if r.Status != 401 || r.errCode() != "unauthenticated" {
			t.Fatalf("bad credentials: %d %s", r.Status, r.Raw)
		}
	}
	we, ue := wrong.Body["error"].(map[string]any), unknown.Body["error"].(map[string]any)
	if we["message"] != ue["message"] || len(we) != len(ue) {
		t.Fatalf("wrong password and unknown e-mail differ:\n%s\n%s", wrong.Raw, unknown.Raw)
	}
	// Missing fields are a validation error, not a sign-in attempt.
	if r := ts.api("POST", "/api/v1/login", "", map[string]string{"email": "ana@example.org"}); r.Status != 422 {
		t.Fatalf("missing password: %d %s", r.Status, r.Raw)
	}
	// Each sign-in issues a new token; both work.
	r2 := ts.api("POST", "/api/v1/login", "", map[string]string{"email": "ana@example.org", "password": goodPassword})
	if r2.Body["token"] == token {
		t.Fatal("a second sign-in returned the same token")
	}
	if ts.api("GET", "/api/v1/me", token, nil).Status != 200 || ts.api("GET", "/api/v1/me", r2.Body["token"].(string), nil).Status != 200 {
		t.Fatal("tokens of two sign-ins do not both work")
	}
	// A malformed Authorization header or an unknown token is 401.
	for _, h := range []string{"Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Bearer", "Bearer nonsense", "bearer " + token} {
		if r := ts.api("GET", "/api/v1/me", "", nil, "Authorization", h); r.Status != 401 || r.errCode() != "unauthenticated" {
			t.Errorf("Authorization %q: %d %s", h, r.Status, r.Raw)
		}
	}
}

func TestSignInThroughThePage(t *testing.T) {
	ts := newTestServer(t)
	u, _ := ts.user("Carla Chair", "Ministry", "government", "chair")
	b := ts.browser()
	if p := b.get("/login"); p.Status != 200 || !strings.Contains(p.Body, `name="password"`) {
		t.Fatalf("login page: %d", p.Status)
	}
	p := b.post("/login", url.Values{"email": {u.Email}, "password": {"wrong password"}})
	if p.Status != 401 || !strings.Contains(p.Body, "The e-mail address or password is not right.") ||
		!strings.Contains(p.Body, `value="`+u.Email+`"`) || strings.Contains(p.Body, "wrong password") {
		t.Fatalf("wrong password page: %d\n%s", p.Status, p.Body)
	}
	p = b.post("/login", url.Values{"email": {"nobody@example.org"}, "password": {"wrong password"}})
	if p.Status != 401 || !strings.Contains(p.Body, "The e-mail address or password is not right.") {
		t.Fatalf("unknown e-mail page: %d", p.Status)
	}
	if p := b.post("/login", url.Values{"email": {""}, "password": {""}}); p.Status != 422 || !strings.Contains(p.Body, `href="#email"`) {
		t.Fatalf("empty form: %d", p.Status)
	}
	if b.cookie(sessionCookie) != "" {
		t.Fatal("a failed sign-in set a session cookie")
	}
	// Success goes to next when it is on this site, home otherwise.
	p = b.post("/login", url.Values{"email": {strings.ToUpper(u.Email)}, "password": {goodPassword}, "next": {"/admin/users?role=chair"}})
	if p.Status != http.StatusSeeOther || p.Location != "/admin/users?role=chair" {
		t.Fatalf("sign in: %d %q", p.Status, p.Location)
	}
	if b.cookie(sessionCookie) == "" {
		t.Fatal("no session cookie")
	}
	if p := b.get("/login"); p.Status != http.StatusSeeOther {
		t.Fatalf("login page when signed in: %d", p.Status)
	}
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
		"/\t/evil.example/", "/\n/evil.example", "/\r\n/evil.example", "/x\\..\\\\evil.example", "/ /evil.example", "/\u00a0/evil.example", "/\x7f/evil"} {
		b2 := ts.browser()
		p := b2.post("/login", url.Values{"email": {u.Email}, "password": {goodPassword}, "next": {next}})
		if p.Status != http.StatusSeeOther || p.Location != "/" {
			t.Errorf("next=%q went to %q", next, p.Location)
		}
	}
}

// login signs in through the API and returns the answer.
func (ts *testServer) login(email, password string, hdr ...string) apiResp {
	ts.t.Helper()
	return ts.api("POST", "/api/v1/login", "", map[string]string{"email": email, "password": password}, hdr...)
}

func retryAfter(t *testing.T, r apiResp) int {
	t.Helper()
	n, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || n < 1 || n > 901 {
		t.Fatalf("Retry-After %q, want 1–901 seconds", r.Header.Get("Retry-After"))
	}
	return n
}

func TestSignInThrottling(t *testing.T) {
	t.Run("five failures for one e-mail", func(t *testing.T) {
		ts := newTestServer(t)
		u, _ := ts.user("Ana", "Org", "media")
		for i := range 5 {
			if r := ts.login(u.Email, fmt.Sprint("wrong password ", i)); r.Status != 401 {
				t.Fatalf("failure %d: %d %s", i+1, r.Status, r.Raw)
			}
			ts.clock.Add(time.Minute)
		}
		r := ts.login(u.Email, "wrong again")
		if r.Status != 429 || r.errCode() != "rate_limited" {
			t.Fatalf("sixth attempt: %d %s", r.Status, r.Raw)
		}
		if n := retryAfter(t, r); n != 601 {
			t.Errorf("Retry-After %d, want 601 (the window began 10 minutes ago... 5 minutes used)", n)
		}
		// Blocked even with the right password, and with another spelling of the address.
		if r := ts.login(" "+strings.ToUpper(u.Email), goodPassword); r.Status != 429 {
			t.Fatalf("right password while blocked: %d %s", r.Status, r.Raw)
		}
		// The page is throttled the same way.
		p := ts.browser().post("/login", url.Values{"email": {u.Email}, "password": {goodPassword}})
		if p.Status != 429 || !strings.Contains(p.Body, "Too many failed sign-ins") {
			t.Fatalf("page while blocked: %d\n%s", p.Status, p.Body)
		}
		// Other people are not affected.
		v, _ := ts.user("Ben", "Org", "media")
		if r := ts.login(v.Email, goodPassword); r.Status != 200 {
			t.Fatalf("another account: %d", r.Status)
		}
		// Fifteen minutes after the first failure the window is over.
		ts.clock.Add(10 * time.Minute)
		if r := ts.login(u.Email, goodPassword); r.Status != 200 {
			t.Fatalf("after the window: %d %s", r.Status, r.Raw)
		}
	})
	t.Run("unknown e-mail is throttled alike", func(t *testing.T) {
		ts := newTestServer(t)
		u, _ := ts.user("Ana", "Org", "media")
		var known, unknown apiResp
		for range 6 {
			known = ts.login(u.Email, "wrong password")
			unknown = ts.login("nobody@example.org", "wrong password")
		}
		if known.Status != 429 || unknown.Status != 429 {
			t.Fatalf("statuses %d and %d, want 429 for both", known.Status, unknown.Status)
		}
		if known.Body["error"].(map[string]any)["message"] != unknown.Body["error"].(map[string]any)["message"] ||
			known.Header.Get("Retry-After") != unknown.Header.Get("Retry-After") {
			t.Fatalf("the answers reveal which account exists:\n%s\n%s", known.Raw, unknown.Raw)
		}
	})
	t.Run("twenty failures from one address", func(t *testing.T) {
		ts := newTestServer(t)
		u, _ := ts.user("Ana", "Org", "media")
		for i := range 20 {
			if r := ts.login(fmt.Sprintf("guess%d@example.org", i), "wrong password"); r.Status != 401 {
				t.Fatalf("failure %d: %d", i+1, r.Status)
			}
		}
		r := ts.login(u.Email, goodPassword)
		if r.Status != 429 {
			t.Fatalf("21st attempt from the address: %d %s", r.Status, r.Raw)
		}
		retryAfter(t, r)
		ts.clock.Add(15 * time.Minute)
		if r := ts.login(u.Email, goodPassword); r.Status != 200 {
			t.Fatalf("after the window: %d %s", r.Status, r.Raw)
		}
	})
	t.Run("success clears the e-mail's failures", func(t *testing.T) {
		ts := newTestServer(t)
		u, _ := ts.user("Ana", "Org", "media")
		for range 4 {
			ts.login(u.Email, "wrong password")
		}
		if r := ts.login(u.Email, goodPassword); r.Status != 200 {
			t.Fatal(r.Status)
		}
		for range 4 {
			ts.login(u.Email, "wrong password")
		}
		if r := ts.login(u.Email, goodPassword); r.Status != 200 {
			t.Fatalf("4+4 failures around a success blocked the account: %d", r.Status)
		}
	})
}

// TestRoleTable checks every route of the table: anonymous callers are sent
// to sign in (401 in the API, a redirect to /login on pages) and callers
// holding none of a route's roles are refused (403), before any handler runs.
func TestRoleTable(t *testing.T) {
	ts := newTestServer(t)
	tokens := map[string]string{}
	for _, r := range []string{"participant", "reviewer", "chair", "coordinator"} {
		_, tokens[r] = ts.user("Only "+r, "Org", "media", r)
	}
	h, err := newHandler(Deps{App: ts.app})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, rt := range h.table() {
		if len(rt.access) == 1 && rt.access[0] == public {
			continue
		}
		path := fillParams(rt.path)
		api := strings.HasPrefix(path, "/api/")
		var body any
		if rt.method != "GET" {
			body = "{}"
		}
		// Anonymous.
		r := ts.api(rt.method, path, "", body)
		switch {
		case api && (r.Status != 401 || r.errCode() != "unauthenticated"):
			t.Errorf("anonymous %s %s: %d %s, want 401", rt.method, rt.path, r.Status, r.Raw)
		case !api && rt.method == "GET" && (r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "text/html")):
			// The default client followed the redirect to the login page.
			t.Errorf("anonymous %s %s: %d, want the sign-in page", rt.method, rt.path, r.Status)
		}
		if len(rt.access) == 1 && rt.access[0] == signedIn {
			continue
		}
		for role, tok := range tokens {
			if has(rt.access, role) {
				continue
			}
			r := ts.api(rt.method, path, tok, body)
			if r.Status != 403 {
				t.Errorf("%s %s %s: %d, want 403 (%v only)", role, rt.method, rt.path, r.Status, rt.access)
			}
			if api && r.errCode() != "forbidden" {
				t.Errorf("%s %s %s: code %q", role, rt.method, rt.path, r.errCode())
			}
		}
		checked++
	}
	if checked < 8 {
		t.Fatalf("only %d role-restricted routes checked", checked)
	}
	// The anonymous page redirect names where to come back to.
	b := ts.browser()
	p := b.get("/admin/users?role=chair&page=1")
	if p.Status != http.StatusSeeOther || p.Location != "/login?next="+url.QueryEscape("/admin/users?role=chair&page=1") {
		t.Fatalf("anonymous page: %d %q", p.Status, p.Location)
	}
	// A form post is not repeated after signing in: it comes back home.
	if p := b.post("/admin/users", url.Values{}); p.Status != http.StatusSeeOther || p.Location != "/login?next=%2F" {
		t.Fatalf("anonymous post: %d %q", p.Status, p.Location)
	}
	// With a session cookie, a participant sees the friendly 403 page.
	u, _ := ts.user("Pat Participant", "Org", "media")
	b.signIn(u.Email, goodPassword)
	p = b.get("/admin/users")
	if p.Status != 403 || !strings.Contains(p.Body, "You cannot do that") || !strings.Contains(p.Body, "Request id") {
		t.Fatalf("participant on a coordinator page: %d\n%s", p.Status, p.Body)
	}
	if strings.Contains(p.Body, `href="/admin/users"`) {
		t.Error("a participant's navigation links to the coordinator's pages")
	}
}

func fillParams(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			parts[i] = "x" + s[1:]
		}
	}
	return strings.Join(parts, "/")
}

func has(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestSignOut(t *testing.T) {
	ts := newTestServer(t)
	u, token := ts.user("Ana", "Org", "media")
	other := ts.login(u.Email, goodPassword).Body["token"].(string)
	if r := ts.api("POST", "/api/v1/logout", token, nil); r.Status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("GET", "/api/v1/me", token, nil); r.Status != 401 {
		t.Fatalf("token after logout: %d", r.Status)
	}
	if r := ts.api("POST", "/api/v1/logout", token, nil); r.Status != 401 {
		t.Fatalf("second logout with the revoked token: %d", r.Status)
	}
	if r := ts.api("GET", "/api/v1/me", other, nil); r.Status != 200 {
		t.Fatalf("signing out one token ended another: %d", r.Status)
	}

	// Pages: the session is revoked on the server, not just forgotten by the browser.
	b := ts.browser()
	b.signIn(u.Email, goodPassword)
	secret := b.cookie(sessionCookie)
	tok := b.csrf("/")
	p := b.post("/logout", url.Values{"csrf_token": {tok}})
	if p.Status != http.StatusSeeOther || b.cookie(sessionCookie) != "" {
		t.Fatalf("page logout: %d, cookie %q", p.Status, b.cookie(sessionCookie))
	}
	if r := ts.api("GET", "/api/v1/me", "", nil, "Cookie", sessionCookie+"="+secret); r.Status != 401 {
		t.Fatalf("old session cookie after logout: %d", r.Status)
	}
	// API logout with a cookie session (and its CSRF header) clears the cookie too.
	b.signIn(u.Email, goodPassword)
	secret = b.cookie(sessionCookie)
	if r := b.send("POST", "/api/v1/logout", nil, "X-CSRF-Token", b.csrf("/")); r.Status != 204 {
		t.Fatalf("API logout with a cookie: %d %s", r.Status, r.Raw)
	}
	if b.cookie(sessionCookie) != "" {
		t.Fatal("API logout left the cookie")
	}
	if r := ts.api("GET", "/api/v1/me", "", nil, "Cookie", sessionCookie+"="+secret); r.Status != 401 {
		t.Fatalf("old session after API logout: %d", r.Status)
	}
}

func TestDisabledAccount(t *testing.T) {
	ts := newTestServer(t)
	_, coord := ts.user("Cora", "Ministry", "government", "coordinator")
	u, token := ts.user("Ana", "Org", "media")
	b := ts.browser()
	b.signIn(u.Email, goodPassword)
	if p := b.get("/"); !strings.Contains(p.Body, "Signed in as Ana") {
		t.Fatal("not signed in")
	}
	r := ts.api("PATCH", "/api/v1/users/"+u.ID, coord, map[string]any{"disabled": true})
	if r.Status != 200 || r.obj("user")["disabled"] != true {
		t.Fatalf("disable: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("GET", "/api/v1/me", token, nil); r.Status != 401 {
		t.Fatalf("disabled account's token: %d", r.Status)
	}
	if p := b.get("/"); strings.Contains(p.Body, "Signed in as Ana") {
		t.Fatal("disabled account's session still works")
	}
	if p := b.get("/notes"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
		t.Fatalf("disabled account's session on a member page: %d %q", p.Status, p.Location)
	}
	disabled := ts.login(u.Email, goodPassword)
	wrong := ts.login("nobody@example.org", goodPassword)
	if disabled.Status != 401 || disabled.Body["error"].(map[string]any)["message"] != wrong.Body["error"].(map[string]any)["message"] {
		t.Fatalf("disabled sign-in: %d %s", disabled.Status, disabled.Raw)
	}
	if p := ts.browser().post("/login", url.Values{"email": {u.Email}, "password": {goodPassword}}); p.Status != 401 {
		t.Fatalf("disabled sign-in on the page: %d", p.Status)
	}
	// Enabled again, the person signs in (old sessions stay revoked).
	if r := ts.api("PATCH", "/api/v1/users/"+u.ID, coord, map[string]any{"disabled": false}); r.Status != 200 {
		t.Fatal(r.Status)
	}
	if r := ts.api("GET", "/api/v1/me", token, nil); r.Status != 401 {
		t.Fatalf("a token from before the account was disabled works again: %d", r.Status)
	}
	if r := ts.login(u.Email, goodPassword); r.Status != 200 {
		t.Fatalf("sign in after re-enabling: %d %s", r.Status, r.Raw)
	}
}

func TestSessionExpiry(t *testing.T) {
	signedIn := func(b *browser) bool { return b.send("GET", "/api/v1/me", nil).Status == 200 }
	t.Run("idle 12 hours", func(t *testing.T) {
		ts := newTestServer(t)
		u, token := ts.user("Ana", "Org", "media")
		b := ts.browser()
		b.signIn(u.Email, goodPassword)
		ts.clock.Add(11*time.Hour + 59*time.Minute)
		if !signedIn(b) || ts.api("GET", "/api/v1/me", token, nil).Status != 200 {
			t.Fatal("signed out before 12 idle hours")
		}
		ts.clock.Add(12 * time.Hour)
		if signedIn(b) {
			t.Fatal("session alive after 12 idle hours")
		}
		if r := ts.api("GET", "/api/v1/me", token, nil); r.Status != 401 {
			t.Fatalf("token alive after 12 idle hours: %d", r.Status)
		}
	})
	t.Run("7 days however active", func(t *testing.T) {
		ts := newTestServer(t)
		u, _ := ts.user("Ana", "Org", "media")
		b := ts.browser()
		b.signIn(u.Email, goodPassword)
		for i := range 15 { // 15 × 11 h = 6 days 21 hours
			ts.clock.Add(11 * time.Hour)
			if !signedIn(b) {
				t.Fatalf("active session ended after %d hours", (i+1)*11)
			}
		}
		ts.clock.Add(3 * time.Hour) // 7 days
		if signedIn(b) {
			t.Fatal("session alive after 7 days")
		}
		// A page answers as signed out and the stale cookie is cleared.
		if p := b.get("/"); strings.Contains(p.Body, "Signed in as") || b.cookie(sessionCookie) != "" {
			t.Fatal("expired session cookie not cleared")
		}
	})
}

func TestSignInIssuesANewSessionID(t *testing.T) {
	ts := newTestServer(t)
	u, _ := ts.user("Ana", "Org", "media")
	b := ts.browser()
	b.signIn(u.Email, goodPassword)
	first := b.cookie(sessionCookie)
	// Signing in again from the signed-in browser (say, a login form left open).
	p := b.post("/login", url.Values{"email": {u.Email}, "password": {goodPassword}, "csrf_token": {b.csrf("/")}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d\n%s", p.Status, p.Body)
	}
	second := b.cookie(sessionCookie)
	if second == "" || second == first {
		t.Fatalf("sign-in kept the session id")
	}
	if r := ts.api("GET", "/api/v1/me", "", nil, "Cookie", sessionCookie+"="+first); r.Status != 401 {
		t.Fatalf("the old session still works: %d", r.Status)
	}
	// A planted (fixated) cookie is never adopted.
	b2 := ts.browser()
	planted := auth.NewSecret()
	srvURL, _ := url.Parse(ts.srv.URL)
	b2.client.Jar.SetCookies(srvURL, []*http.Cookie{{Name: sessionCookie, Value: planted, Path: "/"}})
	b2.signIn(u.Email, goodPassword)
	if got := b2.cookie(sessionCookie); got == planted || got == "" {
		t.Fatalf("planted cookie adopted: %q", got)
	}
}

func TestCoordinatorManagesPeopleThroughTheAPI(t *testing.T) {
	ts := newTestServer(t)
	coordUser, coord := ts.user("Cora", "Ministry", "government", "coordinator")

	r := ts.api("POST", "/api/v1/users", coord, map[string]any{"email": " Rev.One@Example.org", "name": "Rev One",
		"organization": "University of Belize", "sector": "academia", "roles": []string{"reviewer", "reviewer"}, "password": goodPassword})
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	rev := r.obj("user")
	if rev["email"] != "rev.one@example.org" || fmt.Sprint(rev["roles"]) != "[reviewer]" || rev["district"] != "belize" {
		t.Fatalf("created %s", r.Raw)
	}
	if r := ts.login("rev.one@example.org", goodPassword); r.Status != 200 {
		t.Fatalf("member signs in: %d", r.Status)
	}
	// Without a password the account exists but cannot sign in.
	r = ts.api("POST", "/api/v1/users", coord, map[string]any{"email": "chair@example.org", "name": "Chair",
		"organization": "NGO", "sector": "civil_society", "roles": []string{"chair", "reviewer"}})
	if r.Status != 201 {
		t.Fatalf("create without password: %d %s", r.Status, r.Raw)
	}
	if r := ts.login("chair@example.org", "!"); r.Status != 401 {
		t.Fatalf("passwordless account signs in: %d", r.Status)
	}
	for _, tc := range []struct {
		body  map[string]any
		code  string
		field string
	}{
		{map[string]any{"email": "REV.ONE@example.org", "name": "X", "organization": "Y", "sector": "media", "roles": []string{"reviewer"}}, "duplicate", "email"},
		{map[string]any{"email": "x@example.org", "name": "X", "organization": "Y", "sector": "media", "roles": []string{}}, "validation_failed", "roles"},
		{map[string]any{"email": "x@example.org", "name": "X", "organization": "Y", "sector": "media", "roles": []string{"admin"}}, "validation_failed", "roles"},
		{map[string]any{"email": "x@example.org", "name": "X", "organization": "Y", "sector": "press", "roles": []string{"reviewer"}}, "validation_failed", "sector"},
		{map[string]any{"email": "x@example.org", "name": "X", "organization": "Y", "sector": "media", "roles": []string{"reviewer"}, "password": "short"}, "validation_failed", "password"},
		{map[string]any{"email": "x@example.org", "name": "X", "organization": "Y", "sector": "media", "district": "mars", "roles": []string{"reviewer"}}, "validation_failed", "district"},
	} {
		r := ts.api("POST", "/api/v1/users", coord, tc.body)
		if r.errCode() != tc.code || r.errFields()[tc.field] == nil {
			t.Errorf("create %v: %d %s, want %s on %s", tc.body, r.Status, r.Raw, tc.code, tc.field)
		}
	}

	// Change roles and details.
	id := rev["id"].(string)
	r = ts.api("PATCH", "/api/v1/users/"+id, coord, map[string]any{"roles": []string{"reviewer", "chair"}, "name": "  Rev Uno ", "sector": "media"})
	if r.Status != 200 || fmt.Sprint(r.obj("user")["roles"]) != "[reviewer chair]" || r.obj("user")["name"] != "Rev Uno" || r.obj("user")["sector"] != "media" {
		t.Fatalf("patch: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("PATCH", "/api/v1/users/"+id, coord, map[string]any{"roles": []string{"boss"}}); r.Status != 422 {
		t.Fatalf("unknown role: %d", r.Status)
	}
	if r := ts.api("PATCH", "/api/v1/users/"+id, coord, map[string]any{"email": "new@example.org"}); r.Status != 400 {
		t.Fatalf("e-mail is not changeable: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("PATCH", "/api/v1/users/nosuchid", coord, map[string]any{"name": "X"}); r.Status != 404 || r.errCode() != "not_found" {
		t.Fatalf("unknown id: %d %s", r.Status, r.Raw)
	}
	// The new role takes effect on the member's existing token at once.
	revTok := ts.login("rev.one@example.org", goodPassword).Body["token"].(string)
	if me := ts.api("GET", "/api/v1/me", revTok, nil); fmt.Sprint(me.obj("user")["roles"]) != "[reviewer chair]" {
		t.Fatalf("me after the role change: %s", me.Raw)
	}

	// A coordinator cannot lock themselves out.
	r = ts.api("PATCH", "/api/v1/users/"+coordUser.ID, coord, map[string]any{"disabled": true})
	if r.Status != 422 || r.errFields()["disabled"] == nil {
		t.Fatalf("disable self: %d %s", r.Status, r.Raw)
	}
	r = ts.api("PATCH", "/api/v1/users/"+coordUser.ID, coord, map[string]any{"roles": []string{"chair"}})
	if r.Status != 422 || r.errFields()["roles"] == nil {
		t.Fatalf("drop own coordinator role: %d %s", r.Status, r.Raw)
	}
	if ts.api("GET", "/api/v1/me", coord, nil).Status != 200 {
		t.Fatal("coordinator lost access")
	}
	// Another coordinator may do it.
	_, coord2 := ts.user("Cato", "Ministry", "government", "coordinator")
	if r := ts.api("PATCH", "/api/v1/users/"+coordUser.ID, coord2, map[string]any{"roles": []string{"coordinator", "chair"}}); r.Status != 200 {
		t.Fatalf("another coordinator changes roles: %d %s", r.Status, r.Raw)
	}
}

func TestListUsers(t *testing.T) {
	ts := newTestServer(t)
	_, coord := ts.user("Aaron Coordinator", "Ministry", "government", "coordinator")
	for i := range 5 {
		ts.user(fmt.Sprintf("Reviewer %d", i), "Org", "media", "reviewer")
	}
	ts.user("Zed Participant", "Org", "media", "participant")
	r := ts.api("GET", "/api/v1/users?role=reviewer&per_page=2&page=2", coord, nil)
	if r.Status != 200 {
		t.Fatalf("list: %d %s", r.Status, r.Raw)
	}
	items, _ := r.Body["items"].([]any)
	if r.Body["total"] != float64(5) || r.Body["page"] != float64(2) || r.Body["per_page"] != float64(2) || len(items) != 2 {
		t.Fatalf("page 2 of reviewers: %s", r.Raw)
	}
	if n := items[0].(map[string]any)["name"]; n != "Reviewer 2" {
		t.Errorf("page 2 starts with %v, want Reviewer 2 (sorted by name)", n)
	}
	for _, it := range items {
		if _, leak := it.(map[string]any)["password_hash"]; leak {
			t.Fatal("list shows password hashes")
		}
	}
	if r := ts.api("GET", "/api/v1/users", coord, nil); r.Body["total"] != float64(7) || r.Body["per_page"] != float64(50) || r.Body["page"] != float64(1) {
		t.Fatalf("all users: %s", r.Raw)
	}
	if r := ts.api("GET", "/api/v1/users?role=reviewer&page=4&per_page=2", coord, nil); len(r.Body["items"].([]any)) != 0 || r.Body["total"] != float64(5) {
		t.Fatalf("past the end: %s", r.Raw)
	}
	if r := ts.api("GET", "/api/v1/users?role=reviewer&per_page=200&whatever=1", coord, nil); r.Status != 200 {
		t.Fatalf("per_page 200 with an unknown parameter: %d", r.Status)
	}
	for _, q := range []string{"per_page=0", "per_page=201", "per_page=x", "page=0", "page=-1", "page=1.5", "role=admin", "role=%24ne"} {
		if r := ts.api("GET", "/api/v1/users?"+q, coord, nil); r.Status != 400 || r.errCode() != "bad_request" {
			t.Errorf("?%s: %d %s, want 400", q, r.Status, r.Raw)
		}
	}
}

func TestCoordinatorManagesPeopleThroughPages(t *testing.T) {
	ts := newTestServer(t)
	coord, _ := ts.user("Cora", "Ministry", "government", "coordinator")
	member, memberTok := ts.user("Ana Member", "Org", "media", "participant")
	b := ts.browser()
	b.signIn(coord.Email, goodPassword)
	p := b.get("/admin/users?role=participant")
	if p.Status != 200 || !strings.Contains(p.Body, "Ana Member") || strings.Contains(p.Body, ">Cora</a></td>") || !strings.Contains(p.Body, "Showing 1–1 of 1") {
		t.Fatalf("people filtered by role: %d\n%s", p.Status, p.Body)
	}
	// Paging: counts and links to the neighbouring pages, keeping the filter.
	for i := range 3 {
		ts.user(fmt.Sprintf("Paged Person %d", i), "Org", "media")
	}
	p = b.get("/admin/users?role=participant&per_page=2&page=2")
	if p.Status != 200 || !strings.Contains(p.Body, "Showing 3–4 of 4") ||
		!strings.Contains(p.Body, `href="/admin/users?role=participant&amp;page=1&amp;per_page=2">Previous page`) ||
		strings.Contains(p.Body, "Next page") {
		t.Fatalf("page 2 of 2: %d\n%s", p.Status, p.Body)
	}
	if p := b.get("/admin/users?role=participant&per_page=2"); !strings.Contains(p.Body, `page=2&amp;per_page=2">Next page`) || strings.Contains(p.Body, "Previous page") {
		t.Fatalf("page 1 of 2:\n%s", p.Body)
	}
	// A page clamps what a person typed into the address (the API refuses it).
	if p := b.get("/admin/users?per_page=500"); p.Status != 200 {
		t.Fatalf("per_page 500 on the page: %d", p.Status)
	}
	if p := b.get("/admin/users/new"); p.Status != 200 || !strings.Contains(p.Body, `name="roles"`) {
		t.Fatalf("new person form: %d", p.Status)
	}
	tok := b.csrf("/admin/users/new")
	p = b.post("/admin/users", url.Values{"csrf_token": {tok}, "email": {"new.reviewer@example.org"}, "name": {"New Reviewer"},
		"organization": {"University"}, "sector": {"academia"}, "district": {"toledo"}, "roles": {"reviewer", "chair"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", p.Status, p.Body)
	}
	if p := b.get("/admin/users"); !strings.Contains(p.Body, "New Reviewer was added.") || !strings.Contains(p.Body, "reviewer, chair") {
		t.Fatal("the new person is not listed with a flash")
	}
	p = b.post("/admin/users", url.Values{"csrf_token": {tok}, "email": {"bad"}, "name": {""}, "sector": {"academia"}})
	if p.Status != 422 || !strings.Contains(p.Body, `href="#email"`) || !strings.Contains(p.Body, `href="#roles"`) {
		t.Fatalf("invalid create: %d", p.Status)
	}
	// Disable the member through the edit form: their token stops at once.
	if p := b.get("/admin/users/" + member.ID); p.Status != 200 || !strings.Contains(p.Body, member.Email) {
		t.Fatalf("edit page: %d", p.Status)
	}
	p = b.post("/admin/users/"+member.ID, url.Values{"csrf_token": {tok}, "name": {"Ana Member"}, "organization": {"Org"},
		"sector": {"media"}, "district": {"belize"}, "roles": {"participant"}, "disabled": {"on"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("disable through the page: %d\n%s", p.Status, p.Body)
	}
	if r := ts.api("GET", "/api/v1/me", memberTok, nil); r.Status != 401 {
		t.Fatalf("disabled member's token: %d", r.Status)
	}
	// Disabling oneself is refused on the page too.
	p = b.post("/admin/users/"+coord.ID, url.Values{"csrf_token": {tok}, "name": {"Cora"}, "organization": {"Ministry"},
		"sector": {"government"}, "district": {"belize"}, "roles": {"coordinator"}, "disabled": {"on"}})
	if p.Status != 422 || !strings.Contains(p.Body, "You cannot disable your own account") {
		t.Fatalf("disable self on the page: %d", p.Status)
	}
	if p := b.get("/admin/users/nosuchid"); p.Status != 404 {
		t.Fatalf("unknown person: %d", p.Status)
	}
}

func TestIdempotentRegistration(t *testing.T) {
	ts := newTestServer(t)
	body := registration("ana@example.org")
	first := ts.api("POST", "/api/v1/register", "", body, "Idempotency-Key", "reg-1")
	again := ts.api("POST", "/api/v1/register", "", body, "Idempotency-Key", "reg-1")
	if first.Status != 201 || again.Status != 201 || string(first.Raw) != string(again.Raw) {
		t.Fatalf("replay differs:\n%d %s\n%d %s", first.Status, first.Raw, again.Status, again.Raw)
	}
	if again.Header.Get("Idempotent-Replay") != "true" || first.Header.Get("Idempotent-Replay") != "" {
		t.Error("the replay is not marked as one")
	}
	if n, _ := ts.store.CountUsers(context.Background()); n != 1 {
		t.Fatalf("%d accounts, want 1", n)
	}
	// A new key is a new request: the e-mail is taken now.
	if r := ts.api("POST", "/api/v1/register", "", body, "Idempotency-Key", "reg-2"); r.Status != 409 {
		t.Fatalf("new key: %d", r.Status)
	}
	// The same key for a different request is refused, not answered with the first result.
	r := ts.api("POST", "/api/v1/register", "", registration("ben@example.org"), "Idempotency-Key", "reg-1")
	if r.Status != 422 || r.errCode() != "idempotency_key_reused" {
		t.Fatalf("reused key: %d %s", r.Status, r.Raw)
	}
	// A refused request keeps nothing: corrected, the same key works.
	bad := with(registration("cleo@example.org"), "sector", "nonsense")
	if r := ts.api("POST", "/api/v1/register", "", bad, "Idempotency-Key", "reg-3"); r.Status != 422 {
		t.Fatal(r.Status)
	}
	if r := ts.api("POST", "/api/v1/register", "", bad, "Idempotency-Key", "reg-3"); r.Status != 422 || r.Header.Get("Idempotent-Replay") != "" {
		t.Fatalf("a refusal was stored: %d %v", r.Status, r.Header)
	}
	if r := ts.api("POST", "/api/v1/register", "", registration("cleo@example.org"), "Idempotency-Key", "reg-3"); r.Status != 201 {
		t.Fatalf("corrected request with the key of a refused one: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("POST", "/api/v1/register", "", body, "Idempotency-Key", strings.Repeat("k", 201)); r.Status != 400 {
		t.Fatalf("over-long key: %d", r.Status)
	}
	// Records are purged after a day (the server does it every 10 minutes); then the key is new again.
	ctx := context.Background()
	if n, err := ts.store.PurgeIdempotency(ctx, ts.clock.Now().Add(-24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("purged %d fresh records (%v)", n, err)
	}
	ts.clock.Add(25 * time.Hour)
	if n, err := ts.store.PurgeIdempotency(ctx, ts.clock.Now().Add(-24*time.Hour)); err != nil || n != 2 {
		t.Fatalf("purged %d day-old records (%v), want 2", n, err)
	}
	if r := ts.api("POST", "/api/v1/register", "", body, "Idempotency-Key", "reg-1"); r.Status != 409 {
		t.Fatalf("a purged key replayed: %d", r.Status)
	}
}

func TestIdempotencyIsPerCaller(t *testing.T) {
	ts := newTestServer(t)
	_, coord1 := ts.user("Cora", "Ministry", "government", "coordinator")
	_, coord2 := ts.user("Cato", "Ministry", "government", "coordinator")
	body := map[string]any{"email": "m@example.org", "name": "M", "organization": "O", "sector": "media", "roles": []string{"reviewer"}}
	if r := ts.api("POST", "/api/v1/users", coord1, body, "Idempotency-Key", "k"); r.Status != 201 {
		t.Fatal(r.Status)
	}
	// Another caller with the same key is a different request.
	if r := ts.api("POST", "/api/v1/users", coord2, body, "Idempotency-Key", "k"); r.Status != 409 || r.Header.Get("Idempotent-Replay") != "" {
		t.Fatalf("another caller got the first caller's answer: %d %s", r.Status, r.Raw)
	}
}

func TestSignInIsNeverReplayed(t *testing.T) {
	ts := newTestServer(t)
	u, _ := ts.user("Ana", "Org", "media")
	a := ts.login(u.Email, goodPassword, "Idempotency-Key", "same")
	b := ts.login(u.Email, goodPassword, "Idempotency-Key", "same")
	if a.Status != 200 || b.Status != 200 || a.Body["token"] == b.Body["token"] || b.Header.Get("Idempotent-Replay") != "" {
		t.Fatalf("sign-in replayed a token: %s / %s", a.Raw, b.Raw)
	}
	n, err := testdb.Raw(t, ts.store).Collection("idempotency").CountDocuments(context.Background(), map[string]any{})
	if err != nil || n != 0 {
		t.Fatalf("%d idempotency records after signing in (%v): a token was stored", n, err)
	}
}

func TestEnsureAdmin(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	u, created, err := ts.app.EnsureAdmin(ctx, " Admin@Example.org ", "change-me-now")
	if err != nil || !created || !u.Has("coordinator") || !u.Has("chair") || u.Email != "admin@example.org" {
		t.Fatalf("first run: %+v %v %v", u, created, err)
	}
	// Again with another password: nothing is overwritten.
	if _, created, err := ts.app.EnsureAdmin(ctx, "admin@example.org", "a different password"); err != nil || created {
		t.Fatalf("second run: %v %v", created, err)
	}
	if r := ts.login("admin@example.org", "change-me-now"); r.Status != 200 {
		t.Fatalf("original password: %d", r.Status)
	}
	if r := ts.login("admin@example.org", "a different password"); r.Status != 401 {
		t.Fatalf("password overwritten: %d", r.Status)
	}
	// An existing participant gains the roles and keeps their password.
	ts.api("POST", "/api/v1/register", "", registration("ana@example.org"))
	u, created, err = ts.app.EnsureAdmin(ctx, "ana@example.org", "change-me-now")
	if err != nil || created || !u.Has("participant") || !u.Has("coordinator") || !u.Has("chair") {
		t.Fatalf("existing account: %+v %v %v", u, created, err)
	}
	if r := ts.login("ana@example.org", goodPassword); r.Status != 200 {
		t.Fatalf("existing password lost: %d", r.Status)
	}
	// A short password is a clear error, and nothing is created.
	if _, _, err := ts.app.EnsureAdmin(ctx, "new@example.org", "short"); err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("short password: %v", err)
	}
}
