package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// quick keeps argon2id cheap in tests; the encoded hash carries its parameters.
var quick = Hasher{MemoryKiB: 64, Time: 1}

func TestHashRoundTrip(t *testing.T) {
	for _, pw := range []string{"a long enough password", "ñandú-contraseña-ü", strings.Repeat("x", 1024), "  spaces around  "} {
		h, err := quick.Hash(pw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
			t.Errorf("hash %q does not record argon2id and its parameters", h)
		}
		if strings.Contains(h, pw) {
			t.Errorf("hash contains the password")
		}
		if !Check(h, pw) {
			t.Errorf("Check(hash of %q) = false", pw)
		}
		for _, wrong := range []string{pw + "x", strings.TrimSpace(pw) + "!", "", strings.ToUpper(pw)} {
			if wrong != pw && Check(h, wrong) {
				t.Errorf("Check accepted %q for %q", wrong, pw)
			}
		}
	}
}

func TestHashSaltsDiffer(t *testing.T) {
	a, _ := quick.Hash("the same password")
	b, _ := quick.Hash("the same password")
	if a == b {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	if strings.Split(a, "$")[4] == strings.Split(b, "$")[4] {
		t.Fatal("two hashes share a salt")
	}
}

func TestHashZeroHasherUsesDefault(t *testing.T) {
	h, err := Hasher{}.Hash("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("m=%d,t=%d,p=1", DefaultHasher.MemoryKiB, DefaultHasher.Time)
	if !strings.Contains(h, want) {
		t.Fatalf("zero Hasher gave %q, want parameters %s", h, want)
	}
}

// TestCheckReadsParametersFromTheHash: a hash made with other costs still
// checks, and tampering with the recorded costs makes it fail.
func TestCheckReadsParametersFromTheHash(t *testing.T) {
	pw := "a long enough password"
	for _, h := range []Hasher{{MemoryKiB: 32, Time: 1}, {MemoryKiB: 128, Time: 3}} {
		enc, err := h.Hash(pw)
		if err != nil {
			t.Fatal(err)
		}
		if !Check(enc, pw) {
			t.Fatalf("hash with m=%d,t=%d did not check", h.MemoryKiB, h.Time)
		}
		tampered := strings.Replace(enc, fmt.Sprintf("t=%d", h.Time), fmt.Sprintf("t=%d", h.Time+1), 1)
		if Check(tampered, pw) {
			t.Fatalf("Check ignored the recorded time cost: %s", tampered)
		}
	}
}

func TestCheckRejectsMalformedHashes(t *testing.T) {
	good, _ := quick.Hash("a long enough password")
	parts := strings.Split(good, "$")
	for name, enc := range map[string]string{
		"empty":           "",
		"no password set": "!",
		"bcrypt":          "$2a$10$abcdefghijklmnopqrstuv",
		"wrong algorithm": strings.Replace(good, "argon2id", "argon2i", 1),
		"bad params":      strings.Join([]string{"", parts[1], parts[2], "m=x,t=1,p=1", parts[4], parts[5]}, "$"),
		"bad salt":        strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!", parts[5]}, "$"),
		"empty sum":       strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], ""}, "$"),
		"extra part":      good + "$x",
	} {
		if Check(enc, "a long enough password") {
			t.Errorf("%s: Check accepted %q", name, enc)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"", false},
		{"123456789", false},
		{"1234567890", true},
		{"ññññññññññ", true}, // 10 characters, 20 bytes
		{"ñññññññññ", false}, // 9 characters, 18 bytes: runes count, not bytes
		{strings.Repeat("a", 1024), true},
		{strings.Repeat("a", 1025), false},
	} {
		msg := ValidatePassword(tc.pw)
		if (msg == "") != tc.ok {
			t.Errorf("ValidatePassword(%d chars %q…) = %q, want ok=%v", len([]rune(tc.pw)), first(tc.pw, 12), msg, tc.ok)
		}
	}
}

func first(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

func TestSecrets(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s := NewSecret()
		if len(s) != 43 || strings.ContainsAny(s, "+/=") {
			t.Fatalf("secret %q is not 32 URL-safe base64 bytes", s)
		}
		if seen[s] {
			t.Fatal("NewSecret repeated itself")
		}
		seen[s] = true
		h := HashSecret(s)
		if h != HashSecret(s) || len(h) != 64 || strings.Contains(h, s) {
			t.Fatalf("HashSecret(%q) = %q: want a stable hex SHA-256", s, h)
		}
	}
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newUser(t *testing.T, st *store.Store) *store.User {
	t.Helper()
	u := &store.User{Email: fmt.Sprintf("%s@example.org", strings.ToLower(strings.ReplaceAll(t.Name(), "/", "."))),
		Name: "Test", Organization: "Org", Sector: "media", District: "cayo", Roles: []string{"participant"}, PasswordHash: "!"}
	if err := st.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSessionsIssueResolveRevoke(t *testing.T) {
	st := testdb.Open(t)
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := Sessions{Store: st, Now: clk.Now}
	u := newUser(t, st)

	secret, sess, err := s.Issue(ctx, u, "token")
	if err != nil {
		t.Fatal(err)
	}
	if sess.ID == secret || sess.ID != HashSecret(secret) {
		t.Fatal("the session must be stored under the hash of its secret, not the secret")
	}
	if _, err := st.SessionByID(ctx, secret); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("the plain secret finds a stored session: %v", err)
	}
	if sess.CSRF == "" || sess.CSRF == secret {
		t.Fatal("session needs its own CSRF token")
	}
	got, _, err := s.Resolve(ctx, secret)
	if err != nil || got.ID != u.ID {
		t.Fatalf("Resolve: %v %v", got, err)
	}
	for _, bad := range []string{"", "nonsense", strings.Repeat("a", 201), sess.ID} {
		if _, _, err := s.Resolve(ctx, bad); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Errorf("Resolve(%q…) = %v, want ErrUnauthenticated", first(bad, 10), err)
		}
	}
	if err := s.Revoke(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Resolve(ctx, secret); !errors.Is(err, apperr.ErrUnauthenticated) {
		t.Fatalf("revoked secret still resolves: %v", err)
	}
}

func TestSessionExpiry(t *testing.T) {
	st := testdb.Open(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		steps []time.Duration // activity after each step
		alive bool
	}{
		{"fresh", []time.Duration{0}, true},
		{"idle just under 12h", []time.Duration{IdleTimeout - time.Minute}, true},
		{"idle 12h", []time.Duration{IdleTimeout}, false},
		// Activity every 11 hours keeps it alive up to the absolute limit…
		{"active for 6 days", repeat(11*time.Hour, 13), true},
		// …but not beyond 7 days, however active.
		{"active for 7 days", repeat(11*time.Hour, 16), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
			s := Sessions{Store: st, Now: clk.Now}
			secret, _, err := s.Issue(ctx, newUser(t, st), "cookie")
			if err != nil {
				t.Fatal(err)
			}
			var last error
			for _, d := range tc.steps {
				clk.Add(d)
				_, _, last = s.Resolve(ctx, secret)
				if last != nil {
					break
				}
			}
			if tc.alive != (last == nil) {
				t.Fatalf("alive=%v, want %v (last error %v)", last == nil, tc.alive, last)
			}
			if !tc.alive {
				// An expired session is gone for good, even if the clock went back.
				if _, err := st.SessionByID(ctx, HashSecret(secret)); !errors.Is(err, apperr.ErrNotFound) {
					t.Fatalf("expired session still stored: %v", err)
				}
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestSessionOfDisabledUserStops(t *testing.T) {
	st := testdb.Open(t)
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := Sessions{Store: st, Now: clk.Now}
	u := newUser(t, st)
	secret, _, err := s.Issue(ctx, u, "token")
	if err != nil {
		t.Fatal(err)
	}
	// Mark disabled directly, without the store deleting sessions: Resolve must refuse anyway.
	// (A direct driver write is safe here: nothing else writes concurrently.)
	if _, err := testdb.Raw(t, st).Collection("users").UpdateOne(ctx, bson.D{{Key: "_id", Value: u.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "disabled", Value: true}}}}); err != nil {
		t.Fatal(err)
	}
	// The write went behind the store's back: read through a fresh store.
	s.Store = testdb.Reopen(t, st)
	if _, _, err := s.Resolve(ctx, secret); !errors.Is(err, apperr.ErrUnauthenticated) {
		t.Fatalf("disabled user's token resolves: %v", err)
	}
}

func TestThrottle(t *testing.T) {
	ctx := context.Background()
	t.Run("five failures for one e-mail", func(t *testing.T) {
		st := testdb.Open(t)
		clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
		th := NewThrottle(st, clk.Now)
		for i := range 5 {
			wait, err := th.Blocked(ctx, "Ana@Example.org", "10.0.0.1")
			if err != nil || wait != 0 {
				t.Fatalf("blocked after %d failures: %v %v", i, wait, err)
			}
			// Different spellings of one address count together; addresses differ.
			if err := th.Failed(ctx, []string{"ana@example.org", " ANA@example.org "}[i%2], fmt.Sprintf("10.0.0.%d", i)); err != nil {
				t.Fatal(err)
			}
			clk.Add(time.Minute)
		}
		wait, err := th.Blocked(ctx, "ana@example.org", "10.9.9.9")
		if err != nil {
			t.Fatal(err)
		}
		// The window started at the first failure, 5 minutes ago.
		if wait != 10*time.Minute {
			t.Fatalf("wait %v, want 10m", wait)
		}
		if w, _ := th.Blocked(ctx, "bob@example.org", "10.9.9.9"); w != 0 {
			t.Fatalf("another e-mail is blocked: %v", w)
		}
		clk.Add(10 * time.Minute)
		if w, _ := th.Blocked(ctx, "ana@example.org", "10.9.9.9"); w != 0 {
			t.Fatalf("still blocked after the window: %v", w)
		}
		// A new window starts with the next failure.
		if err := th.Failed(ctx, "ana@example.org", "10.9.9.9"); err != nil {
			t.Fatal(err)
		}
		if w, _ := th.Blocked(ctx, "ana@example.org", "10.9.9.9"); w != 0 {
			t.Fatalf("one failure in a new window blocks: %v", w)
		}
	})
	t.Run("twenty failures from one address", func(t *testing.T) {
		st := testdb.Open(t)
		clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
		th := NewThrottle(st, clk.Now)
		for i := range 20 {
			if w, _ := th.Blocked(ctx, fmt.Sprintf("p%d@example.org", i), "192.0.2.7"); w != 0 {
				t.Fatalf("blocked after %d failures", i)
			}
			if err := th.Failed(ctx, fmt.Sprintf("p%d@example.org", i), "192.0.2.7"); err != nil {
				t.Fatal(err)
			}
		}
		if w, _ := th.Blocked(ctx, "new@example.org", "192.0.2.7"); w != 15*time.Minute {
			t.Fatalf("address not blocked after 20 failures: %v", w)
		}
		if w, _ := th.Blocked(ctx, "new@example.org", "192.0.2.8"); w != 0 {
			t.Fatalf("another address is blocked: %v", w)
		}
	})
	t.Run("success clears the e-mail, not the address", func(t *testing.T) {
		st := testdb.Open(t)
		clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
		th := Throttle{Store: st, Now: clk.Now, PerEmail: 2, PerAddr: 3, Window: 15 * time.Minute}
		for range 2 {
			_ = th.Failed(ctx, "ana@example.org", "192.0.2.1")
		}
		if w, _ := th.Blocked(ctx, "ana@example.org", "192.0.2.9"); w == 0 {
			t.Fatal("not blocked")
		}
		if err := th.Succeeded(ctx, "ANA@example.org"); err != nil {
			t.Fatal(err)
		}
		if w, _ := th.Blocked(ctx, "ana@example.org", "192.0.2.9"); w != 0 {
			t.Fatalf("e-mail still blocked after success: %v", w)
		}
		_ = th.Failed(ctx, "x@example.org", "192.0.2.1")
		if w, _ := th.Blocked(ctx, "y@example.org", "192.0.2.1"); w == 0 {
			t.Fatal("the address's failures were forgotten by another person's success")
		}
	})
}

// TestPurges checks the periodic clean-up the server runs (the engine has no
// TTL indexes): expired or idle sessions and old throttle windows go, live ones stay.
func TestPurges(t *testing.T) {
	st := testdb.Open(t)
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := Sessions{Store: st, Now: clk.Now}
	u := newUser(t, st)
	old, _, _ := s.Issue(ctx, u, "cookie") // idle from the start
	clk.Add(10 * time.Hour)
	fresh, _, _ := s.Issue(ctx, u, "token") // issued 10 h later
	clk.Add(3 * time.Hour)                  // old: 13 h idle; fresh: 3 h
	now := clk.Now()
	n, err := st.PurgeSessions(ctx, now, now.Add(-IdleTimeout))
	if err != nil || n != 1 {
		t.Fatalf("purged %d sessions (%v), want 1", n, err)
	}
	if _, err := st.SessionByID(ctx, HashSecret(old)); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatal("the idle session survived the purge")
	}
	if _, _, err := s.Resolve(ctx, fresh); err != nil {
		t.Fatalf("the live token was purged: %v", err)
	}
	// Past the absolute limit, however recently used.
	for range 16 {
		clk.Add(11 * time.Hour)
		_ = st.TouchSession(ctx, HashSecret(fresh), clk.Now())
	}
	now = clk.Now()
	if n, err := st.PurgeSessions(ctx, now, now.Add(-IdleTimeout)); err != nil || n != 1 {
		t.Fatalf("purged %d sessions past 7 days (%v), want 1", n, err)
	}

	th := NewThrottle(st, clk.Now)
	_ = th.Failed(ctx, "a@example.org", "192.0.2.1")
	clk.Add(2 * time.Hour)
	_ = th.Failed(ctx, "b@example.org", "192.0.2.2")
	if n, err := st.PurgeSignInFailures(ctx, clk.Now().Add(-time.Hour)); err != nil || n != 2 {
		t.Fatalf("purged %d failure windows (%v), want 2 (a's e-mail and address)", n, err)
	}
	for range 4 {
		_ = th.Failed(ctx, "b@example.org", "192.0.2.2")
	}
	if w, _ := th.Blocked(ctx, "b@example.org", "192.0.2.9"); w == 0 {
		t.Fatal("the purge removed a live window")
	}
}
