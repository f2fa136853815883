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

// TestGivenBackNumbersAreDrawnAgain checks that a reference whose write
// failed is not burned: it is drawn next, or the counter steps back.
func TestGivenBackNumbersAreDrawnAgain(t *testing.T) {
	s := &Store{seqs: map[string]int64{}, seqFree: map[string][]int64{}}
	for want := int64(1); want <= 4; want++ {
		if got := s.drawSeq("c"); got != want {
			t.Fatalf("draw %d, want %d", got, want)
		}
	}
	s.returnSeq("c", 2) // a write in the middle failed
	s.returnSeq("c", 4) // and the last one
	if got := s.drawSeq("c"); got != 2 {
		t.Fatalf("after giving back 2 and 4, drew %d, want 2", got)
	}
	if got := s.drawSeq("c"); got != 4 {
		t.Fatalf("then drew %d, want 4", got)
	}
	s.returnSeq("c", 3)
	s.returnSeq("c", 4) // 4 is the top: the counter steps back past 3 too
	if s.seqs["c"] != 2 || len(s.seqFree["c"]) != 0 {
		t.Fatalf("counter %d, free %v; want 2 and none", s.seqs["c"], s.seqFree["c"])
	}
}
