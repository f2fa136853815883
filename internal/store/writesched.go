package store

import (
	"context"
	"slices"
	"sync"
)

// writeSched admits writes to the note shards: at most limit at once, one
// per shard at a time, and, when a place frees, the writer that has waited
// longest among those whose shard is free goes next.
//
// Per-shard queues alone (a FIFO lock per shard) let waits drift apart:
// 32 writers hashed onto 4 shards rarely split 8/8/8/8, and the shards
// share the CPU whatever their queue, so a writer in a long queue waits
// far longer than the median. Oldest first across shards gives the CPU to
// the longest queues.
type writeSched struct {
	mu      sync.Mutex
	limit   int
	running int
	busy    []bool
	waiting []*schedWaiter
}

type schedWaiter struct {
	shard int
	ready chan struct{}
}

func newWriteSched(shards, limit int) *writeSched {
	return &writeSched{limit: limit, busy: make([]bool, shards)}
}

// acquire waits until shard i may be written, and returns the release.
func (w *writeSched) acquire(i int) func() {
	release, _ := w.acquireContext(context.Background(), i)
	return release
}

// acquireContext is acquire that gives up when ctx ends first, holding nothing.
func (w *writeSched) acquireContext(ctx context.Context, i int) (func(), error) {
	w.mu.Lock()
	if w.running < w.limit && !w.busy[i] && len(w.waiting) == 0 {
		w.busy[i] = true
		w.running++
		w.mu.Unlock()
		return func() { w.release(i) }, nil
	}
	me := &schedWaiter{shard: i, ready: make(chan struct{})}
	w.waiting = append(w.waiting, me)
	w.dispatch()
	w.mu.Unlock()
	select {
	case <-me.ready:
		return func() { w.release(i) }, nil
	case <-ctx.Done():
	}
	w.mu.Lock()
	if k := slices.Index(w.waiting, me); k >= 0 {
		w.waiting = slices.Delete(w.waiting, k, k+1)
		w.mu.Unlock()
		return nil, ctx.Err()
	}
	w.mu.Unlock()
	<-me.ready // admitted while ctx ended: give the place back
	w.release(i)
	return nil, ctx.Err()
}

func (w *writeSched) release(i int) {
	w.mu.Lock()
	w.busy[i] = false
	w.running--
	w.dispatch()
	w.mu.Unlock()
}

// dispatch admits waiters, oldest first, while there is room; w.mu is held.
func (w *writeSched) dispatch() {
	for k := 0; k < len(w.waiting) && w.running < w.limit; {
		c := w.waiting[k]
		if w.busy[c.shard] {
			k++
			continue
		}
		w.waiting = append(w.waiting[:k], w.waiting[k+1:]...)
		w.busy[c.shard] = true
		w.running++
		close(c.ready)
	}
}
