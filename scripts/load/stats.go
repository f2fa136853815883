package main

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// latencies collects the durations of one kind of request from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// summary is what the report says of one kind of request.
type summary struct {
	N             int
	P50, P95, P99 time.Duration
	Max           time.Duration
}

func (l *latencies) summary() summary {
	l.mu.Lock()
	d := slices.Clone(l.d)
	l.mu.Unlock()
	return summarise(d)
}

// summarise sorts d and reads its percentiles by nearest rank.
func summarise(d []time.Duration) summary {
	slices.Sort(d)
	s := summary{N: len(d)}
	if len(d) == 0 {
		return s
	}
	s.P50, s.P95, s.P99 = percentile(d, 50), percentile(d, 95), percentile(d, 99)
	s.Max = d[len(d)-1]
	return s
}

// percentile is the nearest-rank p-th percentile of sorted: the smallest
// value with at least p% of the values at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func (s summary) String() string {
	if s.N == 0 {
		return "no requests"
	}
	return fmt.Sprintf("%d requests, p50 %s, p95 %s, p99 %s, max %s", s.N, ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
