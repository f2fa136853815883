package app

import (
	"context"
	"sync"
	"time"

	"cocreate/internal/store"
)

// trainingCache keeps, per call, who completed its training programme, for
// the dashboard and the shortlist, which would otherwise read every
// attendance record of the call (a scan on the embedded engine) on every
// request. Every change of attendance or sessions made through this App
// moves the call's revision, which drops the entry; on MongoDB other
// processes write too, so an entry is also dropped after trainingTTL.
type trainingCache struct {
	mu      sync.Mutex
	rev     map[string]int64
	entries map[string]trainingEntry
}

type trainingEntry struct {
	rev     int64
	at      time.Time
	has     bool            // the call has a programme
	trained map[string]bool // user ids that completed it
}

// trainingTTL bounds how old a cached completion list may be on MongoDB.
const trainingTTL = 30 * time.Second

// trainingChanged drops what is cached about the call's programme.
func (a *App) trainingChanged(callID string) {
	tc := a.trainingCache()
	tc.mu.Lock()
	tc.rev[callID]++
	delete(tc.entries, callID)
	tc.mu.Unlock()
}

func (a *App) trainingCache() *trainingCache {
	a.trainingOnce.Do(func() {
		a.trainingC = &trainingCache{rev: map[string]int64{}, entries: map[string]trainingEntry{}}
	})
	return a.trainingC
}

// trainedOf is CompletedTraining for views that show a "completed the
// training" mark: nil when the call has no programme (no mark to show).
// The map is shared: callers only read it.
func (a *App) trainedOf(ctx context.Context, callID string) (map[string]bool, error) {
	tc := a.trainingCache()
	tc.mu.Lock()
	e, ok := tc.entries[callID]
	rev := tc.rev[callID]
	tc.mu.Unlock()
	if ok && e.rev == rev && (a.Store.Embedded() || time.Since(e.at) < trainingTTL) {
		if !e.has {
			return nil, nil
		}
		return e.trained, nil
	}
	e = trainingEntry{rev: rev, at: time.Now()}
	if _, err := a.Store.ProgrammeOf(ctx, callID); err == nil {
		e.has = true
		var err error
		if e.trained, err = a.CompletedTraining(ctx, callID); err != nil {
			return nil, err
		}
	} else if !store.IsNotFound(err) {
		return nil, err
	}
	tc.mu.Lock()
	if tc.rev[callID] == rev { // nothing changed while reading
		tc.entries[callID] = e
	}
	tc.mu.Unlock()
	if !e.has {
		return nil, nil
	}
	return e.trained, nil
}
