package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// screenAck is a screening the server acknowledged.
type screenAck struct {
	NoteID, By string
	Req        req
	Ans        answer
}

// reviewAck is a submitted review the server acknowledged.
type reviewAck struct {
	NoteID, ReviewerID string
	Scores             map[string]int
}

// committeeResult is what the committee's work did.
type committeeResult struct {
	mu         sync.Mutex // guards the lists while the work goes on
	Screens    []screenAck
	Reviews    []reviewAck
	Screen     latencies
	Review     latencies
	Assigned   int
	Unexpected []string
}

var checklistKeys = []string{"complete", "public_problem", "ogp_relevance", "beyond_status_quo", "verifiable",
	"plan_period", "appropriate", "not_self_funding"}

// screen passes every note of subs, shared among the committee (the chair
// and the reviewers) with workers requests at a time. crash is called once
// when crashAt screenings have been acknowledged (never when crashAt is 0).
func screen(ctx context.Context, a *api, w *world, subs []*submission, workers, crashAt int, crash func(), res *committeeResult) {
	screeners := append([]person{w.admin}, w.reviewers...)
	jobs := make(chan *submission)
	mu := &res.mu
	var acked atomic.Int64
	crashDone, finish := startCrashWatch(ctx, &acked, crashAt, crash)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range jobs {
				by := screeners[(i+s.Owner)%len(screeners)]
				cl := map[string]bool{}
				for _, k := range checklistKeys {
					cl[k] = true
				}
				b, _ := json.Marshal(map[string]any{"version": s.Version, "outcome": "pass", "checklist": cl,
					"comment": "Meets every item of the checklist."})
				r := req{Method: "POST", Path: "/api/v1/notes/" + s.NoteID + "/screen", Token: by.Token, Key: newKey(), Body: b}
				ans, err := a.send(ctx, "screen", r, nil)
				mu.Lock()
				switch {
				case err != nil:
					res.Unexpected = append(res.Unexpected, fmt.Sprintf("screen %s: %v", s.Ref, err))
				case ans.Status != 200:
					res.Unexpected = append(res.Unexpected, fmt.Sprintf("screen %s: %d %.300s", s.Ref, ans.Status, ans.Body))
				default:
					res.Screens = append(res.Screens, screenAck{NoteID: s.NoteID, By: by.ID, Req: r, Ans: ans})
					if ans.Clean {
						res.Screen.add(ans.Took)
					}
				}
				mu.Unlock()
				if err == nil && ans.Status == 200 {
					acked.Add(1)
				}
			}
		}()
	}
	for _, s := range subs {
		jobs <- s
	}
	close(jobs)
	wg.Wait()
	finish()
	<-crashDone
}

// assign has the coordinator assign reviewers to every screened note.
func assign(ctx context.Context, a *api, w *world, res *committeeResult) error {
	var out struct {
		Assigned int `json:"assigned"`
	}
	if err := a.expect(ctx, "assign reviewers", "POST", "/api/v1/calls/"+w.callID+"/assignments/auto", w.admin.Token,
		map[string]any{"per_note": 2}, 200, &out); err != nil {
		return err
	}
	res.Assigned = out.Assigned
	if out.Assigned == 0 {
		return fmt.Errorf("assign reviewers: nothing was assigned")
	}
	return nil
}

// score has every reviewer score and submit each note assigned to them,
// all reviewers at once. crash is called once when crashAt reviews have
// been acknowledged.
func score(ctx context.Context, a *api, w *world, crashAt int, crash func(), res *committeeResult) {
	mu := &res.mu
	var acked atomic.Int64
	crashDone, finish := startCrashWatch(ctx, &acked, crashAt, crash)
	var wg sync.WaitGroup
	for i, rv := range w.reviewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 99))
			ids, err := assignedTo(ctx, a, w, rv)
			if err != nil {
				mu.Lock()
				res.Unexpected = append(res.Unexpected, err.Error())
				mu.Unlock()
				return
			}
			for _, id := range ids {
				sc := map[string]int{}
				for _, k := range []string{"problem", "relevance", "ambition", "verifiability", "feasibility"} {
					sc[k] = rng.IntN(5)
				}
				ans, err := a.sendJSON(ctx, "review", "PUT", "/api/v1/notes/"+id+"/review", rv.Token, "",
					map[string]any{"scores": sc, "comment": "Scored by the load program.", "submit": true}, nil)
				mu.Lock()
				switch {
				case err != nil:
					res.Unexpected = append(res.Unexpected, fmt.Sprintf("review %s by %s: %v", id, rv.Email, err))
				case ans.Status != 200:
					res.Unexpected = append(res.Unexpected, fmt.Sprintf("review %s by %s: %d %.300s", id, rv.Email, ans.Status, ans.Body))
				default:
					res.Reviews = append(res.Reviews, reviewAck{NoteID: id, ReviewerID: rv.ID, Scores: sc})
					if ans.Clean {
						res.Review.add(ans.Took)
					}
				}
				mu.Unlock()
				if err == nil && ans.Status == 200 {
					acked.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	finish()
	<-crashDone
}

// assignedTo lists the ids of the notes assigned to rv, page by page.
func assignedTo(ctx context.Context, a *api, w *world, rv person) ([]string, error) {
	var ids []string
	for page := 1; ; page++ {
		var list struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			Total int `json:"total"`
		}
		path := fmt.Sprintf("/api/v1/notes?call_id=%s&assigned=true&per_page=200&page=%d", w.callID, page)
		if err := a.expect(ctx, "list assigned notes", "GET", path, rv.Token, nil, 200, &list); err != nil {
			return nil, err
		}
		for _, it := range list.Items {
			ids = append(ids, it.ID)
		}
		if len(list.Items) == 0 || len(ids) >= list.Total {
			return ids, nil
		}
	}
}

// startCrashWatch calls crash once acked reaches crashAt. Its channel
// closes when that is done, or at once when there is no crash to make;
// finish (called when the work is over) ends a watch still waiting.
func startCrashWatch(ctx context.Context, acked *atomic.Int64, crashAt int, crash func()) (done chan struct{}, finish func()) {
	done = make(chan struct{})
	over := make(chan struct{})
	var once sync.Once
	finish = func() { once.Do(func() { close(over) }) }
	if crashAt <= 0 || crash == nil {
		close(done)
		return done, finish
	}
	go func() {
		defer close(done)
		for acked.Load() < int64(crashAt) {
			select {
			case <-ctx.Done():
				return
			case <-over:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
		crash()
	}()
	return done, finish
}
