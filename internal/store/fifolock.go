package store

import "sync"

// fifoLock is a mutual-exclusion lock that serves waiters in arrival
// order. The embedded engine's write lock is held for about two
// milliseconds per write and, at a deadline, dozens of participants queue
// for it; sync.Mutex lets a newcomer overtake sleeping waiters, which
// spreads their waits (measured: p99 1.6× the median under 32 clients).
// Served in order, every write waits about the same time.
type fifoLock struct {
	mu    sync.Mutex
	held  bool
	queue []chan struct{}
}

func (l *fifoLock) Lock() {
	l.mu.Lock()
	if !l.held {
		l.held = true
		l.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	l.queue = append(l.queue, ch)
	l.mu.Unlock()
	<-ch // the lock is handed over, still held
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
