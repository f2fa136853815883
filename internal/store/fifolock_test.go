package store

import (
	"sync"
	"testing"
	"time"
)

// TestFIFOLockServesInArrivalOrder queues waiters one at a time behind a
// held lock and checks they get it in that order, one at a time.
func TestFIFOLockServesInArrivalOrder(t *testing.T) {
	var l fifoLock
	l.Lock()
	var (
		mu     sync.Mutex
		order  []int
		inside int
		wg     sync.WaitGroup
	)
	for i := range 20 {
		wg.Go(func() {
			l.Lock()
			mu.Lock()
			inside++
			if inside != 1 {
				t.Errorf("%d holders at once", inside)
			}
			order = append(order, i)
			mu.Unlock()
			time.Sleep(100 * time.Microsecond)
			mu.Lock()
			inside--
			mu.Unlock()
			l.Unlock()
		})
		// Wait until waiter i is queued before starting the next.
		for {
			l.mu.Lock()
			n := len(l.queue)
			l.mu.Unlock()
			if n == i+1 {
				break
			}
			time.Sleep(50 * time.Microsecond)
		}
	}
	l.Unlock()
	wg.Wait()
	for i, got := range order {
		if got != i {
			t.Fatalf("served in order %v", order)
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("unlocking an unlocked lock did not panic")
		}
	}()
	l.Unlock()
}
