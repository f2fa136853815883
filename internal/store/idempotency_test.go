package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"cocreate/internal/store"
	"cocreate/internal/testdb"
)

// TestIdempotencyClaims: how a key is claimed on each engine. On MongoDB a
// claim is stored: a second process waits for a fresh one and takes over an
// abandoned one, only one taker winning. On the embedded engine (one
// process owns the data, which holds its keys in memory) nothing blocks a
// claim but a stored answer.
func TestIdempotencyClaims(t *testing.T) {
	st := testdb.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	const lease = 2 * time.Minute
	claim := func(boot, token string, at time.Time) store.IdemClaim {
		return store.IdemClaim{ID: "u|/p|k", Fingerprint: "fp", Boot: boot, Token: token, Now: at, Lease: lease}
	}
	token := "t1"
	if _, ok, err := st.ClaimIdempotency(ctx, claim("a", token, now)); err != nil || !ok {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if !st.Embedded() {
		rec, ok, err := st.ClaimIdempotency(ctx, claim("b", "t2", now.Add(time.Second)))
		if err != nil || ok || rec == nil || !rec.Pending || rec.Boot != "a" {
			t.Fatalf("a fresh claim of another process: %v %+v %v", ok, rec, err)
		}
		// Past the lease, racing processes (each its own boot) take it over: one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		winners := []string{}
		for i := range 8 {
			wg.Go(func() {
				tok := fmt.Sprint("t-", i)
				_, ok, err := st.ClaimIdempotency(ctx, claim(fmt.Sprint("c", i), tok, now.Add(lease+time.Second)))
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					winners = append(winners, tok)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("%d processes took the abandoned claim over", len(winners))
		}
		token = winners[0]
	}
	if err := st.CompleteIdempotency(ctx, store.IdemRecord{ID: "u|/p|k", Fingerprint: "fp", Status: 201, Body: []byte("first"),
		CreatedAt: now, Token: token}); err != nil {
		t.Fatal(err)
	}
	rec, ok, err := st.ClaimIdempotency(ctx, claim("d", "t3", now.Add(lease+time.Minute)))
	if err != nil || ok || rec == nil || rec.Pending || string(rec.Body) != "first" {
		t.Fatalf("claim after the answer was stored: %v %+v %v", ok, rec, err)
	}
}

// TestCompleteIdempotencyBatch: answers stored together, one of them over a
// pending claim a stopped process left, are each readable afterwards.
func TestCompleteIdempotencyBatch(t *testing.T) {
	st := testdb.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	pending := []string{"b"} // on the embedded engine only a stopped process's claim is stored
	if !st.Embedded() {
		pending = []string{"a", "b", "c"} // on MongoDB every answer completes a stored claim
	}
	for _, id := range pending {
		if _, err := st.DB().Collection("idempotency").InsertOne(ctx, store.IdemRecord{ID: id, Fingerprint: "fp", Pending: true,
			Boot: "stopped", Token: "old", ClaimedAt: now, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	recs := []store.IdemRecord{}
	for _, id := range []string{"a", "b", "c"} {
		recs = append(recs, store.IdemRecord{ID: id, Fingerprint: "fp", Status: 200, Body: []byte("answer " + id), CreatedAt: now, Token: "old"})
	}
	for i, err := range st.CompleteIdempotencyBatch(ctx, recs) {
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	for _, id := range []string{"a", "b", "c"} {
		r, err := st.IdempotencyRecord(ctx, id)
		if err != nil || r.Pending || string(r.Body) != "answer "+id {
			t.Fatalf("record %s: %+v %v", id, r, err)
		}
	}
}
