package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"cocreate/internal/apperr"
)

// metrics are exposed at /metrics in Prometheus text format.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	handler  http.Handler
}

func newMetrics(ping func(context.Context, time.Duration) error) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cocreate_http_requests_total",
			Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cocreate_http_request_duration_seconds",
			Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route", "method"}),
	}
	pingGauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cocreate_db_ping_seconds",
		Help: "Time the database took to answer a ping (-1 when it did not answer within 1 s)."}, func() float64 {
		start := time.Now()
		if err := ping(context.Background(), time.Second); err != nil {
			return -1
		}
		return time.Since(start).Seconds()
	})
	reg.MustRegister(m.requests, m.latency, pingGauge, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

func (h *Handler) healthz(c *gin.Context) { c.String(http.StatusOK, "ok\n") }

// readyz answers 503 when the database does not answer a ping within 1 s,
// or while writes fail for lack of space (until a write succeeds again).
func (h *Handler) readyz(c *gin.Context) {
	if err := h.app.Ping(c.Request.Context(), time.Second); err != nil {
		c.String(http.StatusServiceUnavailable, "database unavailable\n")
		return
	}
	if h.space.full() {
		// A load balancer that believes this sends no writes to show the
		// recovery, so readiness tries one itself.
		err := h.app.ProbeWrite(c.Request.Context(), h.now().UTC())
		switch {
		case err == nil:
			h.space.wrote()
		case errors.Is(err, apperr.ErrNoSpace):
			c.String(http.StatusServiceUnavailable, "cannot save: the database's disk is full\n")
			return
		default:
			c.String(http.StatusServiceUnavailable, "cannot save: the database refused a test write\n")
			return
		}
	}
	c.String(http.StatusOK, "ready\n")
}

// spaceState remembers that a write failed for lack of space, until a
// write succeeds again.
type spaceState struct{ failing atomic.Bool }

func (s *spaceState) failed()    { s.failing.Store(true) }
func (s *spaceState) wrote()     { s.failing.Store(false) }
func (s *spaceState) full() bool { return s.failing.Load() }

func (h *Handler) metricsPage(c *gin.Context) { h.metrics.handler.ServeHTTP(c.Writer, c.Request) }
