package main

import (
	"testing"
	"time"
)

func TestPercentileByNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- { // out of order: summarise sorts
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	s := summarise(d)
	if s.N != 100 || s.P50 != 50*time.Millisecond || s.P95 != 95*time.Millisecond || s.P99 != 99*time.Millisecond || s.Max != 100*time.Millisecond {
		t.Fatalf("1..100 ms: %+v", s)
	}
	if s := summarise([]time.Duration{7}); s.P50 != 7 || s.P99 != 7 {
		t.Fatalf("one value: %+v", s)
	}
	if s := summarise(nil); s.N != 0 || s.P99 != 0 {
		t.Fatalf("none: %+v", s)
	}
	// Ten values: p95 and p99 are the largest, p50 the fifth.
	ten := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if s := summarise(ten); s.P50 != 5 || s.P95 != 10 || s.P99 != 10 {
		t.Fatalf("ten values: %+v", s)
	}
}
