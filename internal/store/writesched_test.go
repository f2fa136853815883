package store

import (
	"sync"
	"testing"
	"time"
)

// TestWriteSchedOnePerShardWithinTheLimit hammers the scheduler and checks
// that no shard ever has two writers and no more than limit write at once.
func TestWriteSchedOnePerShardWithinTheLimit(t *testing.T) {
	const shards, limit = 4, 3
	w := newWriteSched(shards, limit)
	var (
		mu      sync.Mutex
		in      [shards]int
		running int
		peak    int
		wg      sync.WaitGroup
	)
	for g := range 32 {
		wg.Go(func() {
			for j := range 200 {
				i := (g*7 + j) % shards
				release := w.acquire(i)
				mu.Lock()
				in[i]++
				running++
				peak = max(peak, running)
				if in[i] != 1 || running > limit {
					t.Errorf("shard %d has %d writers, %d running", i, in[i], running)
				}
				mu.Unlock()
				time.Sleep(time.Microsecond)
				mu.Lock()
				in[i]--
				running--
				mu.Unlock()
				release()
			}
		})
	}
	wg.Wait()
	if peak != limit {
		t.Fatalf("at most %d wrote at once, want the limit %d to be used", peak, limit)
	}
}

// TestWriteSchedServesTheOldestWaiterWhoseShardIsFree queues writers
// behind busy shards and checks who goes when places free.
func TestWriteSchedServesTheOldestWaiterWhoseShardIsFree(t *testing.T) {
	w := newWriteSched(3, 2)
	r0 := w.acquire(0)
	r1 := w.acquire(1) // the limit is reached
	got := make(chan string, 3)
	queue := func(name string, shard int) {
		go func() {
			release := w.acquire(shard)
			got <- name
			_ = release // held until the test ends
		}()
		for { // wait until it is queued
			w.mu.Lock()
			n := len(w.waiting)
			queued := n > 0 && w.waiting[n-1].shard == shard
			w.mu.Unlock()
			if queued {
				break
			}
			time.Sleep(10 * time.Microsecond)
		}
	}
	queue("a on busy shard 0", 0)
	queue("b on free shard 2", 2)
	queue("c on busy shard 1", 1)
	r1() // one place frees, shard 1 frees: a waits for shard 0, so b (older than c) goes
	if g := <-got; g != "b on free shard 2" {
		t.Fatalf("first served: %s", g)
	}
	r0() // shard 0 frees: a, the oldest, goes
	if g := <-got; g != "a on busy shard 0" {
		t.Fatalf("second served: %s", g)
	}
	select {
	case g := <-got:
		t.Fatalf("%s went beyond the limit", g)
	case <-time.After(20 * time.Millisecond):
	}
}
