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

// submission is one note a participant created and submitted, with the
// requests that did it, so they can be repeated with the same keys.
type submission struct {
	Owner     int
	OwnerID   string
	Token     string
	Title     string
	NoteID    string
	Version   int // after submission
	Ref       string
	Create    req
	CreateAns answer
	Submit    req
	SubmitAns answer
	Impatient bool
}

// rushResult is what the rush did.
type rushResult struct {
	Acked      []*submission // acknowledged submissions, in the order they were answered
	Tried      int           // notes the clients set out to make
	Create     latencies
	Submit     latencies
	SubmitAll  latencies // every successful submit answer, crash or not
	Wall       time.Duration
	Impatient  int // clients that give up on some attempts
	Unexpected []string
}

// noteBody is a complete note; the title names the participant and the note.
func noteBody(title string, i int) map[string]any {
	areas := []string{"access_to_information", "anti_corruption", "civic_space", "climate_environment",
		"digital_governance", "fiscal_openness", "justice", "public_service_delivery"}
	return map[string]any{
		"title":              title,
		"summary":            "The ministry publishes monthly district budget data in open formats.",
		"problem":            "Residents cannot see how district budgets are spent or ask about them in time.",
		"commitment":         "Publish monthly spending data by district with a plain-language guide.",
		"change":             "Citizens and councils can follow spending and ask questions before the year ends.",
		"values":             []string{"transparency", "participation"},
		"values_explanation": "Open data and public hearings let residents act on what they learn.",
		"milestones": []map[string]string{
			{"deliverable": "Data standard agreed", "responsible": "Ministry of Finance", "due": "2027-03"},
			{"deliverable": "First monthly release", "responsible": "Ministry of Finance", "due": "2027-09"},
		},
		"lead_agency": "Ministry of Finance", "partners": "Open data groups", "policy_area": areas[i%len(areas)],
		"resources": "Existing statistics budget", "consent_publish": true,
	}
}

// rush has every participant create and submit their share of total notes
// at once, each a draft (POST, Idempotency-Key) then a submission (POST,
// another key). A share of the clients are impatient: they abandon some
// attempts at a random point and repeat them with the same key. crash is
// called once, from another goroutine, when crashAt submissions have been
// acknowledged (never when crashAt is 0), with a function that lists the
// submissions acknowledged so far.
func rush(ctx context.Context, a *api, w *world, total int, impatientShare float64, crashAt int, crash func(acked func() []*submission)) *rushResult {
	res := &rushResult{Tried: total}
	n := len(w.participants)
	var mu sync.Mutex
	var acked atomic.Int64
	record := func(s *submission) {
		mu.Lock()
		res.Acked = append(res.Acked, s)
		mu.Unlock()
		acked.Add(1)
	}
	unexpected := func(format string, args ...any) {
		mu.Lock()
		res.Unexpected = append(res.Unexpected, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	crashDone, finish := startCrashWatch(ctx, &acked, crashAt, func() {
		crash(func() []*submission {
			mu.Lock()
			defer mu.Unlock()
			return append([]*submission(nil), res.Acked...)
		})
	})
	start := time.Now()
	var wg sync.WaitGroup
	for p := range n {
		share := total / n
		if p < total%n {
			share++
		}
		impatient := float64(p) < impatientShare*float64(n)
		if impatient {
			res.Impatient++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(p), 14))
			var gu giveUp
			if impatient {
				// Give up on about half the attempts, at a random point
				// from the first byte to well past a usual answer; the
				// third attempt and later are awaited.
				gu = func(attempt int) time.Duration {
					if attempt >= 3 || rng.IntN(2) == 0 {
						return 0
					}
					return time.Duration(1+rng.IntN(120)) * time.Millisecond
				}
			}
			me := w.participants[p]
			for i := range share {
				s := &submission{Owner: p, OwnerID: me.ID, Token: me.Token, Impatient: impatient,
					Title: fmt.Sprintf("Load note %03d-%02d", p, i)}
				b, _ := json.Marshal(noteBody(s.Title, p+i))
				s.Create = req{Method: "POST", Path: "/api/v1/calls/" + w.callID + "/notes", Token: me.Token, Key: newKey(), Body: b}
				ans, err := a.send(ctx, "create a draft", s.Create, gu)
				if err != nil {
					unexpected("%s: %v", s.Title, err)
					return
				}
				if ans.Status != 201 {
					unexpected("%s: create answered %d %.300s", s.Title, ans.Status, ans.Body)
					continue
				}
				s.CreateAns = ans
				if ans.Clean {
					res.Create.add(ans.Took)
				}
				var created noteAnswer
				if err := ans.decode(&created); err != nil {
					unexpected("%s: %v", s.Title, err)
					continue
				}
				s.NoteID = created.Note.ID
				b, _ = json.Marshal(map[string]int{"version": created.Note.Version})
				s.Submit = req{Method: "POST", Path: "/api/v1/notes/" + s.NoteID + "/submit", Token: me.Token, Key: newKey(), Body: b}
				ans, err = a.send(ctx, "submit", s.Submit, gu)
				if err != nil {
					unexpected("%s: %v", s.Title, err)
					return
				}
				if ans.Status != 200 {
					unexpected("%s: submit answered %d %.300s", s.Title, ans.Status, ans.Body)
					continue
				}
				s.SubmitAns = ans
				res.SubmitAll.add(ans.Took)
				if ans.Clean {
					res.Submit.add(ans.Took)
				}
				var sub noteAnswer
				if err := ans.decode(&sub); err != nil {
					unexpected("%s: %v", s.Title, err)
					continue
				}
				if sub.Note.ID != s.NoteID || sub.Note.Ref == "" || sub.Note.State != "submitted" {
					unexpected("%s: submit answered note %s ref %q state %q", s.Title, sub.Note.ID, sub.Note.Ref, sub.Note.State)
					continue
				}
				s.Ref, s.Version = sub.Note.Ref, sub.Note.Version
				record(s)
			}
		}()
	}
	wg.Wait()
	res.Wall = time.Since(start)
	finish()
	<-crashDone
	return res
}

// noteAnswer is the {note} answer, as much of it as the load reads.
type noteAnswer struct {
	Note struct {
		ID      string `json:"id"`
		Ref     string `json:"ref"`
		State   string `json:"state"`
		Version int    `json:"version"`
		Title   string `json:"title"`
	} `json:"note"`
}

// repeatCheck sends the create and the submit of each of subs again, with
// their keys and bodies, and reports every answer that is not the first
// one: same status, same note, same reference.
func repeatCheck(ctx context.Context, a *api, subs []*submission) (problems []string, replayed int) {
	var mu sync.Mutex
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, s := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var out []string
			ans, err := a.send(ctx, "repeat a create", s.Create, nil)
			var c noteAnswer
			switch {
			case err != nil:
				out = append(out, fmt.Sprintf("%s: repeating the create: %v", s.Title, err))
			case ans.Status != s.CreateAns.Status || ans.decode(&c) != nil || c.Note.ID != s.NoteID:
				out = append(out, fmt.Sprintf("%s: the create repeated with its key answered %d %.200s, first %d note %s",
					s.Title, ans.Status, ans.Body, s.CreateAns.Status, s.NoteID))
			}
			r := 0
			if ans.Replay {
				r++
			}
			ans, err = a.send(ctx, "repeat a submit", s.Submit, nil)
			var sub noteAnswer
			switch {
			case err != nil:
				out = append(out, fmt.Sprintf("%s: repeating the submit: %v", s.Title, err))
			case ans.Status != s.SubmitAns.Status || ans.decode(&sub) != nil || sub.Note.ID != s.NoteID || sub.Note.Ref != s.Ref:
				out = append(out, fmt.Sprintf("%s: the submit repeated with its key answered %d %.200s, first %d ref %s",
					s.Title, ans.Status, ans.Body, s.SubmitAns.Status, s.Ref))
			}
			if ans.Replay {
				r++
			}
			mu.Lock()
			problems = append(problems, out...)
			replayed += r
			mu.Unlock()
		}()
	}
	wg.Wait()
	return problems, replayed
}
