package app

import (
	"context"
	"sync"
	"time"
)

// Why the call's normalised means are refreshed in the background: a
// review change moves the call's mean and spread and its reviewer's, so in
// principle every scored note's normalised mean moves, and rewriting a note
// and its summary costs a few milliseconds each on the embedded engine
// (about 2,000 notes: seconds), on top of reading every submitted review of
// the call (about 1 s for 6,000). That cannot sit inside a reviewer's
// request. The note's own aggregate is stored at once (refreshNoteScore);
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
}

var refreshers sync.Map // *App → *refresher

func (a *App) refresher() *refresher {
	if r, ok := refreshers.Load(a); ok {
		return r.(*refresher)
	}
	r := &refresher{dirty: map[string]bool{}}
	r.idle = sync.NewCond(&r.mu)
	got, _ := refreshers.LoadOrStore(a, r)
	return got.(*refresher)
}

// scheduleScores queues a refresh of the call's normalised means.
func (a *App) scheduleScores(callID string) {
	r := a.refresher()
	r.mu.Lock()
	defer r.mu.Unlock()
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
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		if _, err := a.RecomputeCall(ctx, id, false); err != nil {
			a.Log.Error("refresh the call's scores", "call", id, "err", err)
		}
		cancel()
	}
}

// WaitForScores blocks until no score refresh is queued or running (tests, shutdown, the recompute command).
func (a *App) WaitForScores() {
	r := a.refresher()
	r.mu.Lock()
	for r.running {
		r.idle.Wait()
	}
	r.mu.Unlock()
}
