package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// TestAccountTokenIsUsedOnce uses one token from eight goroutines at
// once: exactly one wins.
func TestAccountTokenIsUsedOnce(t *testing.T) {
	s := testdb.Open(t)
	ctx := context.Background()
	now := time.Now().UTC()
	if err := s.CreateAccountToken(ctx, &store.AccountToken{ID: "h1", Kind: store.TokenReset, UserID: "u1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	wins := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.UseAccountToken(ctx, "h1")
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d uses won, want 1", wins)
	}
	if _, err := s.AccountTokenByID(ctx, "h1"); !store.IsNotFound(err) {
		t.Fatalf("the used token is still there: %v", err)
	}
}

// TestMoveEmailCanBeRepeated moves an account to a new address twice (a
// retry after an interruption) and refuses an address another account holds.
func TestMoveEmailCanBeRepeated(t *testing.T) {
	s := testdb.Open(t)
	ctx := context.Background()
	a := &store.User{Email: "a@example.org", Name: "A", PasswordHash: "!", Roles: []string{"participant"}}
	b := &store.User{Email: "b@example.org", Name: "B", PasswordHash: "!", Roles: []string{"participant"}}
	for _, u := range []*store.User{a, b} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	moved, err := s.MoveEmail(ctx, a, "new@example.org")
	if err != nil || moved.Email != "new@example.org" {
		t.Fatalf("move: %v %+v", err, moved)
	}
	if _, err := s.MoveEmail(ctx, a, "new@example.org"); err != nil {
		t.Fatalf("the move repeated: %v", err)
	}
	if got, err := s.UserByEmail(ctx, "new@example.org"); err != nil || got.ID != a.ID {
		t.Fatalf("the new address: %v", err)
	}
	if _, err := s.UserByEmail(ctx, "a@example.org"); !store.IsNotFound(err) {
		t.Fatalf("the old address still maps: %v", err)
	}
	if _, err := s.MoveEmail(ctx, moved, "b@example.org"); !errors.Is(err, apperr.ErrDuplicate) {
		t.Fatalf("moving onto another account's address: %v", err)
	}
	if got, _ := s.UserByID(ctx, a.ID); got.Email != "new@example.org" {
		t.Fatalf("a refused move changed the account: %s", got.Email)
	}
}
