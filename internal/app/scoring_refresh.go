package app

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	"cocreate/internal/review"
	"cocreate/internal/store"
)

// Why the call's normalised means are refreshed in the background: a
// review change moves the call's mean and spread and its reviewer's, so in
// principle every scored note's normalised mean moves. On the embedded
// engine an update costs time in proportion to the collection (measured
// 10–30 ms a note at 2,000–3,000 notes), so rewriting hundreds of notes
// cannot sit inside a reviewer's request. The note's own aggregate is
// stored at once (refreshNoteScore); the call-wide pass below runs after,
// coalesced (changes arriving during a pass cause one more pass, not one
// each), and rewrites only the notes whose stored figures differ. The
// normalised mean is stored to one decimal, the precision people see, so
// a pass rewrites only the notes whose shown figure moved.

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

// Recomputed reports what RecomputeCall did.
type Recomputed struct {
	Notes   int // notes of the call
	Reviews int // submitted reviews counted
	Written int // notes whose stored score changed
}

// RecomputeCall rebuilds the scores of every note of a call from its
// submitted reviews (one query on the reviews collection) and stores those
// that differ, so running it twice writes nothing the second time. Only
// reviews of reviewers still assigned count. With full, it reads the notes
// themselves rather than their summaries and rebuilds every summary too
// (the `cocreate recompute` command).
func (a *App) RecomputeCall(ctx context.Context, callID string, full bool) (Recomputed, error) {
	var out Recomputed
	c, err := a.Store.CallByID(ctx, callID)
	if err != nil {
		return out, err
	}
	all, err := a.Store.SubmittedReviews(ctx, c.ID)
	if err != nil {
		return out, err
	}
	stored := map[string]*review.Score{}
	assigned := map[string]bool{}
	keep := func(id string, sc *review.Score, reviewers []string) {
		stored[id] = sc
		for _, r := range reviewers {
			assigned[store.ReviewID(id, r)] = true
		}
	}
	if full {
		err = a.Store.EachNote(ctx, c.ID, nil, func(n *store.Note) error {
			ids := make([]string, 0, len(n.Assignments))
			for _, as := range n.Assignments {
				if !n.HasConflict(as.ReviewerID) {
					ids = append(ids, as.ReviewerID)
				}
			}
			keep(n.ID, n.Score, ids)
			return nil
		})
	} else {
		var sums []store.Summary
		sums, err = a.Store.Summaries(ctx, store.SummaryFilter{CallID: c.ID})
		for _, s := range sums {
			keep(s.ID, s.Score, s.Reviewers)
		}
	}
	if err != nil {
		return out, fmt.Errorf("recompute call %s: %w", c.ID, err)
	}
	counted := all[:0]
	for _, r := range all {
		if assigned[r.ID] {
			counted = append(counted, r)
		}
	}
	fresh := review.AggregateCall(submittedInputs(counted), c.Criteria, c.MinReviews)
	changes := map[string]*review.Score{}
	for id, old := range stored {
		var want *review.Score
		if s, ok := fresh[id]; ok {
			nm := review.Round1(*s.NormalisedMean)
			s.NormalisedMean = &nm
			want = &s
		}
		if !reflect.DeepEqual(old, want) {
			changes[id] = want
		}
	}
	out.Notes, out.Reviews = len(stored), len(counted)
	if out.Written, err = a.Store.SetScores(ctx, c.ID, changes); err != nil {
		return out, err
	}
	if full {
		if _, err := a.Store.RebuildSummaries(ctx, c.ID); err != nil {
			return out, err
		}
	}
	return out, nil
}

// submittedInputs are the submitted reviews among rs as aggregation reads
// them, in (note, reviewer) order so every path sums in the same order.
func submittedInputs(rs []*store.Review) []review.Input {
	out := make([]review.Input, 0, len(rs))
	for _, r := range rs {
		if r.State == store.ReviewSubmitted {
			out = append(out, r.Input())
		}
	}
	slices.SortFunc(out, func(x, y review.Input) int {
		return cmp.Or(cmp.Compare(x.NoteID, y.NoteID), cmp.Compare(x.ReviewerID, y.ReviewerID))
	})
	return out
}
