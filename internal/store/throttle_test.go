package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"cocreate/internal/testdb"
)

// TestConcurrentSignInFailuresAllCount races failed sign-ins on a key with
// no window yet, and again once the window has expired: every one counts.
func TestConcurrentSignInFailuresAllCount(t *testing.T) {
	s := testdb.Open(t)
	ctx := context.Background()
	window := 15 * time.Minute
	t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, now := range []time.Time{t0, t0.Add(window + time.Minute)} {
		const n = 40
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range n {
			wg.Go(func() {
				<-start
				if err := s.RecordSignInFailure(ctx, "email:x@example.org", now, window); err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		got, _, err := s.SignInFailures(ctx, "email:x@example.org", now, window)
		if err != nil {
			t.Fatal(err)
		}
		if got != n {
			t.Fatalf("at %v: %d concurrent failures counted as %d", now, n, got)
		}
	}
}
