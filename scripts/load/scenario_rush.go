package main

import (
	"context"
	"fmt"
	"time"
)

// rushAndCrash is the deadline rush on the embedded engine with a kill -9
// at half of it, then the committee's screening and scoring with a kill -9
// in the middle of each; after every crash, with the server still down,
// the data directory is read directly and checked; after every restart
// the acknowledged requests are repeated with their keys. At the end the
// server is stopped and everything is checked once more.
func rushAndCrash(ctx context.Context, c config, bin, tmp string, rep *report) error {
	dir, err := dataDir(tmp, "rush-data")
	if err != nil {
		return err
	}
	srv, err := newServer(bin, dir, "", tmp, "rush-server")
	if err != nil {
		return err
	}
	if err := srv.start(ctx); err != nil {
		return err
	}
	defer srv.stop()
	a := newAPI(srv.url())
	t0 := time.Now()
	w, err := setUp(ctx, a, c.participants, c.reviewers, "1")
	if err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	say("rush: %d participants registered and %d reviewers created, all signed in, in %s",
		c.participants, c.reviewers, time.Since(t0).Round(time.Millisecond))

	exp := expected{CallID: w.callID, Titles: map[string]bool{}}
	for p := range c.participants {
		share := c.notes / c.participants
		if p < c.notes%c.participants {
			share++
		}
		for i := range share {
			exp.Titles[fmt.Sprintf("Load note %03d-%02d", p, i)] = true
		}
	}
	// crash kills the server, checks the data as the crash left it
	// against what had been acknowledged, starts the server again and
	// repeats requests with their keys (repeat, after the restart).
	crash := func(stage string, acked func() expected, repeat func() []string) {
		a.down.Store(true)
		a.gen.Add(1)
		t := time.Now()
		if err := srv.kill9(); err != nil {
			rep.fail(stage, "kill -9: "+err.Error())
			return
		}
		e := acked()
		problems, derived, info, err := verifyData(ctx, dir, e)
		if err != nil {
			rep.fail(stage, "reading the data after kill -9: "+err.Error())
		}
		rep.fail(stage, problems...)
		say("%s: killed with -9; the data as it left it: %s; %d acknowledged submissions, %d screenings, %d reviews checked, %d problems; %d derived figures behind a recount (the restart's refresh repairs them)",
			stage, info, len(e.Subs), len(e.Screens), len(e.Reviews), len(problems), len(derived))
		t2 := time.Now()
		if err := srv.start(ctx); err != nil {
			rep.fail(stage, "restart: "+err.Error())
			return
		}
		a.down.Store(false)
		say("%s: started again and ready in %s (down %s in all)", stage, time.Since(t2).Round(time.Millisecond), time.Since(t).Round(time.Millisecond))
		if repeat != nil {
			ps := repeat()
			rep.fail(stage, ps...)
		}
	}

	crashAt := c.notes / 2
	rr := rush(ctx, a, w, c.notes, c.impatient, crashAt, func(acked func() []*submission) {
		crash("crash in the rush", func() expected {
			e := exp
			e.Subs = acked()
			return e
		}, func() []string {
			subs := acked()
			if len(subs) > 200 {
				subs = subs[len(subs)-200:] // the latest before the crash
			}
			ps, replayed := repeatCheck(ctx, a, subs)
			say("crash in the rush: %d acknowledged creates and submissions repeated with their keys after the restart: %d answered as the first time (%d stored replays), %d not",
				2*len(subs), 2*len(subs)-len(ps), replayed, len(ps))
			return ps
		})
	})
	rep.fail("rush", rr.Unexpected...)
	exp.Subs = rr.Acked
	say("rush: %d of %d notes submitted and acknowledged by %d clients (%d impatient) in %s; %d attempts abandoned on purpose, %d repeated with their key",
		len(rr.Acked), rr.Tried, c.participants, rr.Impatient, rr.Wall.Round(time.Millisecond), a.giveUps.Load(), a.retried.Load())
	say("rush: create a draft (steady state): %s", rr.Create.summary())
	say("rush: submit (steady state): %s", rr.Submit.summary())
	say("rush: submit (every acknowledged one, through the crash too): %s", rr.SubmitAll.summary())
	if len(rr.Acked) != rr.Tried {
		rep.fail("rush", fmt.Sprintf("%d of %d submissions were acknowledged", len(rr.Acked), rr.Tried))
	}
	// Every give-up was repeated with its key: its note must be there once.
	var impatient []*submission
	for _, s := range rr.Acked {
		if s.Impatient {
			impatient = append(impatient, s)
		}
	}
	ps, _ := repeatCheck(ctx, a, impatient)
	rep.fail("clients that give up", ps...)
	say("clients that give up: %d notes of impatient clients repeated with their keys once more: %d problems", len(impatient), len(ps))

	// The committee: screening with a crash at half.
	cr := &committeeResult{}
	snapshot := func() expected {
		cr.mu.Lock()
		defer cr.mu.Unlock()
		e := exp
		e.Screens = append([]screenAck(nil), cr.Screens...)
		e.Reviews = append([]reviewAck(nil), cr.Reviews...)
		return e
	}
	t1 := time.Now()
	screen(ctx, a, w, rr.Acked, 8, len(rr.Acked)/2, func() {
		var before []screenAck
		crash("crash in screening", func() expected {
			e := snapshot()
			before = e.Screens
			return e
		}, func() []string {
			if len(before) > 100 {
				before = before[len(before)-100:]
			}
			var out []string
			for _, s := range before {
				ans, err := a.send(ctx, "repeat a screening", s.Req, nil)
				var n noteAnswer
				if err != nil || ans.Status != 200 || ans.decode(&n) != nil || n.Note.ID != s.NoteID {
					out = append(out, fmt.Sprintf("screening of %s repeated with its key answered %d %.200s (first: 200)", s.NoteID, ans.Status, ans.Body))
				}
			}
			say("crash in screening: %d acknowledged screenings repeated with their keys after the restart: %d problems", len(before), len(out))
			return out
		})
	}, cr)
	say("screening: %d notes passed in %s; %s", len(cr.Screens), time.Since(t1).Round(time.Millisecond), cr.Screen.summary())
	if err := assign(ctx, a, w, cr); err != nil {
		return err
	}
	t1 = time.Now()
	score(ctx, a, w, cr.Assigned/2, func() {
		crash("crash in scoring", snapshot, nil)
	}, cr)
	say("scoring: %d assignments, %d reviews submitted in %s; %s", cr.Assigned, len(cr.Reviews), time.Since(t1).Round(time.Millisecond), cr.Review.summary())
	rep.fail("committee", cr.Unexpected...)
	if len(cr.Reviews) != cr.Assigned {
		rep.fail("committee", fmt.Sprintf("%d of %d assigned reviews were acknowledged", len(cr.Reviews), cr.Assigned))
	}

	// The last reviews' score refresh is still queued or running: a kill -9
	// now leaves the most derived figures behind. The restarted server
	// must repair them by itself; a stop lets its refresh finish.
	crash("crash after the last review", snapshot, nil)
	if err := srv.stop(); err != nil {
		rep.fail("stop", err.Error())
	}
	problems, derived, info, err := verifyData(ctx, dir, snapshot())
	if err != nil {
		return fmt.Errorf("reading the data at the end: %w", err)
	}
	rep.fail("at the end", problems...)
	rep.fail("at the end, derived figures against a recount", derived...)
	say("at the end (restarted after the last crash, then stopped): %s; %d problems, %d derived figures differing from a recount",
		info, len(problems), len(derived))
	a.mu.Lock()
	rep.fail("server answers", a.problems...)
	say("server answers: %d 5xx, %d transport errors while up, %d stored replays seen", a.fiveXX, len(a.problems)-a.fiveXX, a.replays.Load())
	a.mu.Unlock()
	return nil
}
