package app

import (
	"context"
	"sync"
	"time"
)

// Why the call's normalised means are refreshed in the background: a
// review change moves the call's mean and spread and its reviewer's, so in
// principle every scored note's normalised mean moves: rewriting them and
// reading every review of the call takes seconds on a large call
// (docs/performance.md), which cannot sit inside a reviewer's request. The note's own aggregate is stored at once (refreshNoteScore);
// the call-wide pass below runs after, coalesced (changes arriving during a
// pass cause one more pass, not one each), and rewrites only the notes
// whose stored figures differ. The normalised mean is stored to one
// decimal, the precision people see, so a pass rewrites only the notes
// whose shown figure moved.

// refresher is the background pass of one App: the calls waiting and whether it runs.
type refresher struct {
	mu      sync.Mutex
	idle    *sync.Cond
	dirty   map[string]bool
	running bool
	closed  bool
	ctx     context.Context // ends when Close gives up waiting
	cancel  context.CancelFunc
}

func newRefresher() *refresher {
	r := &refresher{dirty: map[string]bool{}}
	r.idle = sync.NewCond(&r.mu)
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r
}

// scheduleScores queues a refresh of the call's normalised means.
func (a *App) scheduleScores(callID string) {
	r := a.scores
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return // shutting down: the next start's refresh (RefreshAllScores) or review save redoes it
	}
	r.dirty[callID] = true
	if !r.running {
		r.running = true
		go a.refreshLoop(r)
	}
}

func (a *App) refreshLoop(r *refresher) {
	for {
		r.mu.Lock()
		var id string
		for k := range r.dirty {
			id = k
			break
		}
		if id == "" {
			r.running = false
			r.idle.Broadcast()
			r.mu.Unlock()
			return
		}
		delete(r.dirty, id)
		r.mu.Unlock()
		ctx, cancel := context.WithTimeout(r.ctx, 10*time.Minute)
		if _, err := a.RecomputeCall(ctx, id, false); err != nil {
			a.Log.Error("refresh the call's scores", "call", id, "err", err)
		}
		cancel()
	}
}

// WaitForScores blocks until no score refresh is queued or running (tests, the recompute command).
func (a *App) WaitForScores() {
	r := a.scores
	r.mu.Lock()
	for r.running {
		r.idle.Wait()
	}
	r.mu.Unlock()
}

// RefreshAllScores queues a background refresh of every call's scores
// (RecomputeCall), which also repairs review states and note aggregates a
// stop between two writes left behind (a kill -9 between a review's save
// and its note's score, or a pass that never ran). The server calls it at
// start; it returns at once.
func (a *App) RefreshAllScores(ctx context.Context) error {
	calls, err := a.Store.ListCalls(ctx)
	if err != nil {
		return err
	}
	for _, c := range calls {
		a.scheduleScores(c.ID)
	}
	return nil
}

// Close stops the App's background work: no new refresh is queued, and
// the running one and those already queued (the last changes' refresh)
// may finish until ctx ends, when they are cut short (a write that has
// started still completes) and Close returns ctx's error.
func (a *App) Close(ctx context.Context) error {
	r := a.scores
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { a.WaitForScores(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		r.cancel()
		<-done
		return ctx.Err()
	}
}
