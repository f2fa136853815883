// Package web serves cocreate's HTML pages and JSON API from one router.
package web

import (
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/auth"
	"cocreate/internal/batch"
	"cocreate/internal/store"
)

// Deps are what the web layer needs.
type Deps struct {
	App            *app.App
	Logger         *slog.Logger
	Now            func() time.Time
	TrustedProxies []netip.Prefix
}

// Handler holds the dependencies every action uses; actions are its methods.
type Handler struct {
	app      *app.App
	log      *slog.Logger
	now      func() time.Time
	sessions auth.Sessions
	throttle auth.Throttle
	tmpl     *engine
	metrics  *metrics
	proxies  []netip.Prefix
	routes   []route
	keys     keyRuns                         // idempotency keys being answered now (idempotency.go)
	answers  batch.Batcher[store.IdemRecord] // first answers waiting to be stored (idempotency.go)
	space    spaceState                      // whether writes fail for lack of space (health.go)
	contact  contactCache                    // the address error pages give (error_contact.go)
}

// New builds the router. It fails when a template does not parse.
func New(d Deps) (http.Handler, error) {
	h, err := newHandler(d)
	if err != nil {
		return nil, err
	}
	return h.router(), nil
}

func newHandler(d Deps) (*Handler, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	t, err := newEngine()
	if err != nil {
		return nil, err
	}
	h := &Handler{
		app:     d.App,
		log:     d.Logger,
		now:     d.Now,
		tmpl:    t,
		metrics: newMetrics(d.App.Ping),
		proxies: d.TrustedProxies,
	}
	if d.App != nil { // the app's sessions and throttle: one of each per process
		h.sessions, h.throttle = d.App.Sessions, d.App.Throttle
	}
	h.answers.Flush = h.storeAnswers
	return h, nil
}
