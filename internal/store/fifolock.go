package store

import (
	"context"
	"slices"
	"sync"
)

// fifoLock is a mutual-exclusion lock that serves waiters in arrival
// order. At a deadline dozens of participants queue for the embedded
// engine's write lock; sync.Mutex lets a newcomer overtake sleeping
// waiters, which spreads their waits (docs/performance.md). Served in
// order, every write waits about the same time.
type fifoLock struct {
	mu    sync.Mutex
	held  bool
	queue []chan struct{}
}

// Lock waits for the lock, however long it takes.
func (l *fifoLock) Lock() { _ = l.LockContext(context.Background()) }

// LockContext is Lock that gives up when ctx ends first; it then holds
// nothing and returns ctx's error.
func (l *fifoLock) LockContext(ctx context.Context) error {
	l.mu.Lock()
	if !l.held {
		l.held = true
		l.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	l.queue = append(l.queue, ch)
	l.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
	}
	l.mu.Lock()
	if i := slices.Index(l.queue, ch); i >= 0 {
		l.queue = slices.Delete(l.queue, i, i+1)
		l.mu.Unlock()
		return ctx.Err()
	}
	l.mu.Unlock()
	// Handed over while ctx ended: pass it on.
	<-ch
	l.Unlock()
	return ctx.Err()
}

func (l *fifoLock) Unlock() {
	l.mu.Lock()
	if len(l.queue) == 0 {
		if !l.held {
			l.mu.Unlock()
			panic("store: unlock of an unlocked fifoLock")
		}
		l.held = false
		l.mu.Unlock()
		return
	}
	next := l.queue[0]
	l.queue[0] = nil
	l.queue = l.queue[1:]
	l.mu.Unlock()
	close(next)
}
