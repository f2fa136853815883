// Package batch gathers values that arrive while an earlier batch is being
// written, so that they are written together. On the embedded engine a
// database file commits one writer at a time, and requests that each
// insert a small document (a keyed request's answer, a submission's
// receipt) would otherwise each wait for a commit of their own.
package batch

import "sync"

// Batcher writes values in batches: Do waits until its value's batch has
// been written by Flush. One goroutine drains the batches while values are
// waiting; the zero value with Flush set is ready to use.
type Batcher[T any] struct {
	// Flush writes one batch and returns each value's own outcome, in order.
	Flush func([]T) []error

	mu       sync.Mutex
	pending  []item[T]
	draining bool
}

type item[T any] struct {
	v    T
	done chan error
}

// Do writes v with whatever other values are waiting and returns v's outcome.
func (b *Batcher[T]) Do(v T) error {
	it := item[T]{v: v, done: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, it)
	if !b.draining {
		b.draining = true
		go b.drain()
	}
	b.mu.Unlock()
	return <-it.done
}

func (b *Batcher[T]) drain() {
	for {
		b.mu.Lock()
		batch := b.pending
		b.pending = nil
		if len(batch) == 0 {
			b.draining = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		vs := make([]T, len(batch))
		for i, it := range batch {
			vs[i] = it.v
		}
		errs := b.Flush(vs)
		for i, it := range batch {
			it.done <- errs[i]
		}
	}
}
