// Package app holds cocreate's operations: what a person can do, checked and
// carried out against the store. The HTML pages and the JSON API both call
// these, so the two faces never fork business logic.
package app

import (
	"log/slog"
	"sync"
	"time"

	"cocreate/internal/auth"
	"cocreate/internal/store"
)

// App carries the dependencies of every operation.
type App struct {
	Store    *store.Store
	Hasher   auth.Hasher
	Throttle auth.Throttle
	// Resets limits password-reset requests and uses of reset links as
	// Throttle limits sign-ins, counted apart (selfservice.go).
	Resets   auth.Throttle
	Sessions auth.Sessions
	Now      func() time.Time
	Log      *slog.Logger
	Messages Messages // e-mail the operations queue (messages.go)

	dash   *dashCache   // the committee dashboard's tables, per call
	scores *refresher   // the background pass over a call's normalised means
	opened openingsSeen // screening openings this process recorded (screening_openings.go)

	trainingOnce sync.Once
	trainingC    *trainingCache // who completed each call's training (training_cache.go)
}

// New returns an App on st; Close stops its background work.
func New(st *store.Store, h auth.Hasher, now func() time.Time, log *slog.Logger) *App {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	resets := auth.NewThrottle(st, now)
	resets.Prefix = "reset:"
	return &App{Store: st, Hasher: h, Now: now, Log: log,
		Throttle: auth.NewThrottle(st, now), Resets: resets, Sessions: auth.Sessions{Store: st, Now: now},
		dash: newDashCache(), scores: newRefresher(), opened: openingsSeen{at: map[string]time.Time{}}}
}
