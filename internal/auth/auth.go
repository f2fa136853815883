// Package auth holds passwords, sessions and API tokens, and sign-in throttling.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// Session lifetimes (issue: 12 h idle, 7 days absolute).
const (
	IdleTimeout     = 12 * time.Hour
	AbsoluteTimeout = 7 * 24 * time.Hour
	// touchEvery limits how often activity is written back, so a page view
	// is not a database write.
	touchEvery = time.Minute
)

// Hasher hashes passwords with argon2id.
type Hasher struct {
	MemoryKiB uint32
	Time      uint32
}

// DefaultHasher follows OWASP's argon2id baseline (19 MiB, 2 passes).
var DefaultHasher = Hasher{MemoryKiB: 19 * 1024, Time: 2}

// Hash returns the encoded argon2id hash of pw.
func (h Hasher) Hash(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	if h.MemoryKiB == 0 {
		h = DefaultHasher
	}
	sum := argon2.IDKey([]byte(pw), salt, h.Time, h.MemoryKiB, 1, 32)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=1$%s$%s", h.MemoryKiB, h.Time,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(sum)), nil
}

// Check reports whether pw matches the encoded hash (parameters are read from it).
func Check(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// ValidatePassword returns a message when pw is not acceptable, "" when it is.
func ValidatePassword(pw string) string {
	if len([]rune(pw)) < MinPasswordLength {
		return fmt.Sprintf("Enter a password of at least %d characters", MinPasswordLength)
	}
	if len(pw) > 1024 {
		return "Enter a password of at most 1024 characters"
	}
	return ""
}

// NewSecret returns 32 random bytes, URL-safe encoded: a session id, token or CSRF token.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is the id under which a session or token is stored.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Sessions issues, resolves and revokes sessions and tokens.
type Sessions struct {
	Store *store.Store
	Now   func() time.Time
}

// Issue creates a session ("cookie") or API token ("token") for u and returns its secret.
func (s Sessions) Issue(ctx context.Context, u *store.User, kind string) (string, *store.Session, error) {
	secret := NewSecret()
	now := s.Now().UTC()
	sess := &store.Session{ID: HashSecret(secret), UserID: u.ID, Kind: kind, CSRF: NewSecret(),
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(AbsoluteTimeout)}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return "", nil, fmt.Errorf("issue %s for %s: %w", kind, u.ID, err)
	}
	return secret, sess, nil
}

// Resolve returns the user and session for a secret, or apperr.ErrUnauthenticated
// when it is unknown, expired, idle too long, or its user is disabled.
func (s Sessions) Resolve(ctx context.Context, secret string) (*store.User, *store.Session, error) {
	if secret == "" || len(secret) > 200 {
		return nil, nil, apperr.ErrUnauthenticated
	}
	sess, err := s.Store.SessionByID(ctx, HashSecret(secret))
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil, apperr.ErrUnauthenticated
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.Now().UTC()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeen) >= IdleTimeout {
		_ = s.Store.DeleteSession(ctx, sess.ID)
		return nil, nil, apperr.ErrUnauthenticated
	}
	u, err := s.Store.UserByID(ctx, sess.UserID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil, apperr.ErrUnauthenticated
	}
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, apperr.ErrUnauthenticated
	}
	if now.Sub(sess.LastSeen) >= touchEvery {
		if err := s.Store.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, nil, err
		}
		sess.LastSeen = now
	}
	return u, sess, nil
}

// Revoke ends the session or token with this secret.
func (s Sessions) Revoke(ctx context.Context, secret string) error {
	return s.Store.DeleteSession(ctx, HashSecret(secret))
}

// Throttle limits failed sign-ins: 5 for one e-mail or 20 from one address in 15 minutes.
type Throttle struct {
	Store    *store.Store
	Now      func() time.Time
	PerEmail int
	PerAddr  int
	Window   time.Duration
	// Prefix starts the throttle's keys, so that one kind of attempt
	// (password reset requests: "reset:") is counted apart from sign-ins.
	Prefix string
}

// NewThrottle returns the issue's limits.
func NewThrottle(st *store.Store, now func() time.Time) Throttle {
	return Throttle{Store: st, Now: now, PerEmail: 5, PerAddr: 20, Window: 15 * time.Minute}
}

// Blocked returns how long to wait when email or addr has used up its failures.
func (t Throttle) Blocked(ctx context.Context, email, addr string) (time.Duration, error) {
	now := t.Now().UTC()
	var wait time.Duration
	for _, k := range []struct {
		key   string
		limit int
	}{{t.Prefix + "email:" + store.NormalizeEmail(email), t.PerEmail}, {t.Prefix + "addr:" + addr, t.PerAddr}} {
		n, until, err := t.Store.SignInFailures(ctx, k.key, now, t.Window)
		if err != nil {
			return 0, err
		}
		if n >= k.limit && until.Sub(now) > wait {
			wait = until.Sub(now)
		}
	}
	return wait, nil
}

// Failed records a failed sign-in for email and addr.
func (t Throttle) Failed(ctx context.Context, email, addr string) error {
	now := t.Now().UTC()
	if err := t.Store.RecordSignInFailure(ctx, t.Prefix+"email:"+store.NormalizeEmail(email), now, t.Window); err != nil {
		return err
	}
	return t.Store.RecordSignInFailure(ctx, t.Prefix+"addr:"+addr, now, t.Window)
}

// Succeeded clears the e-mail's failures (not the address's: others share it).
func (t Throttle) Succeeded(ctx context.Context, email string) error {
	return t.Store.ClearSignInFailures(ctx, t.Prefix+"email:"+store.NormalizeEmail(email))
}
