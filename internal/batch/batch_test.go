package batch

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestValuesArrivingDuringAFlushShareTheNext sends values while a slow
// flush runs: each gets its own outcome, every value is flushed exactly
// once, and the waiting ones go together.
func TestValuesArrivingDuringAFlushShareTheNext(t *testing.T) {
	var flushes atomic.Int32
	seen := sync.Map{}
	b := &Batcher[int]{Flush: func(vs []int) []error {
		flushes.Add(1)
		time.Sleep(5 * time.Millisecond)
		errs := make([]error, len(vs))
		for i, v := range vs {
			if _, dup := seen.LoadOrStore(v, true); dup {
				errs[i] = fmt.Errorf("%d flushed twice", v)
			} else if v%7 == 0 {
				errs[i] = errors.New("seven")
			}
		}
		return errs
	}}
	var wg sync.WaitGroup
	const n = 200
	for v := range n {
		wg.Go(func() {
			err := b.Do(v)
			if (v%7 == 0) != (err != nil && err.Error() == "seven") {
				t.Errorf("value %d got %v", v, err)
			}
		})
	}
	wg.Wait()
	if f := flushes.Load(); f >= n {
		t.Fatalf("%d flushes for %d values: nothing was batched", f, n)
	}
	count := 0
	seen.Range(func(any, any) bool { count++; return true })
	if count != n {
		t.Fatalf("%d of %d values flushed", count, n)
	}
}
