package app

import (
	"context"
	"fmt"
	"sort"

	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// What a participant's note asks of them next (NoteTask.Do).
const (
	TaskDraft  = "draft"  // a draft in an open call: continue and submit it
	TaskRevise = "revise" // returned, revise-by day not over: revise and resubmit
	TaskResult = "result" // a decision has been published: read it
)

// NoteTask is one of a participant's notes with what it asks of them now.
type NoteTask struct {
	store.Summary             // as its owner sees it (ownerSummary)
	Call          *store.Call // nil when the call is gone
	Do            string      // one of the Task constants, "" when nothing is asked
	ReviseBy      string      // YYYY-MM-DD in the call's zone, for a returned note
}

// NoteTasks returns u's notes, newest change first, each with what it asks
// of them: the summaries MyNotes reads, plus the full note only for
// returned notes (few), whose revise-by day the summaries do not carry.
func (a *App) NoteTasks(ctx context.Context, u *store.User, calls []*store.Call) ([]NoteTask, error) {
	sums, err := a.MyNotes(ctx, u, "")
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*store.Call, len(calls))
	for _, c := range calls {
		byID[c.ID] = c
	}
	var returned []string
	for _, s := range sums {
		if s.State == string(workflow.Returned) {
			returned = append(returned, s.ID)
		}
	}
	reviseBy := map[string]string{}
	if len(returned) > 0 {
		full, err := a.Store.NotesByIDs(ctx, returned)
		if err != nil {
			return nil, fmt.Errorf("note tasks of %s: %w", u.ID, err)
		}
		for _, n := range full {
			if n.Screening != nil {
				reviseBy[n.ID] = n.Screening.ReviseBy
			}
		}
	}
	now := a.Now()
	out := make([]NoteTask, 0, len(sums))
	for _, s := range sums {
		t := NoteTask{Summary: s, Call: byID[s.CallID]}
		switch workflow.State(s.State) {
		case workflow.Draft:
			if t.Call != nil && t.Call.Status(now) == workflow.CallOpen {
				t.Do = TaskDraft
			}
		case workflow.Returned:
			t.ReviseBy = reviseBy[s.ID]
			if t.Call != nil && t.ReviseBy != "" && now.Before(ReviseByEnd(t.ReviseBy, t.Call.Location())) {
				t.Do = TaskRevise
			}
		case workflow.Classified: // owners read "classified" only once a decision is published
			t.Do = TaskResult
		}
		out = append(out, t)
	}
	return out, nil
}

// CommitteeWork is a committee member's work in one call, from the
// dashboard's cached tallies (see dashboard.go): nothing is read per note.
type CommitteeWork struct {
	Call *store.Call
	// ToScreen is how many notes wait for screening (any member may screen).
	ToScreen int
	// Assigned and Submitted are the member's own review assignments and submitted reviews.
	Assigned, Submitted int
	// Chair only: notes scored enough to classify and not classified yet, and
	// whether the call's results are published.
	Chair      bool
	ToClassify int
	Published  bool
}

// CoordinatorWork is the coordinator's overview: every call with its
// assignment gaps, and the committee's make-up.
type CoordinatorWork struct {
	Calls []CallGaps
	// Reviewers and Chairs count the active committee members by role.
	Reviewers, Chairs int
}

// CallGaps is one call with the screened notes that have fewer reviewers than the call asks for.
type CallGaps struct {
	Call      *store.Call
	Notes     int // notes submitted at least once
	ToScreen  int
	Screened  int // notes in scoring
	Gaps      int // screened notes short of reviewers
	Published bool
}

// Home is what the home page shows a signed-in person: one part per role
// they hold (nil or empty for roles they do not).
type Home struct {
	Open        []*store.Call // calls accepting notes now, closing soonest first
	Notes       []NoteTask    // participant: their notes
	Committee   []CommitteeWork
	Coordinator *CoordinatorWork
}

// HomeFor gathers the home page of u from calls (every call, as Calls
// returns them). Committee and coordinator figures come from each call's
// cached dashboard table; calls whose results are published are listed
// for the chair only.
func (a *App) HomeFor(ctx context.Context, u *store.User, calls []*store.Call) (*Home, error) {
	h := &Home{}
	now := a.Now()
	for _, c := range calls {
		if c.Status(now) == workflow.CallOpen {
			h.Open = append(h.Open, c)
		}
	}
	sort.SliceStable(h.Open, func(i, j int) bool { return h.Open[i].ClosesAt.Before(h.Open[j].ClosesAt) })
	if u == nil {
		return h, nil
	}
	if u.Has("participant") {
		tasks, err := a.NoteTasks(ctx, u, calls)
		if err != nil {
			return nil, err
		}
		h.Notes = tasks
	}
	committee, coord := u.IsCommittee(), u.Has("coordinator")
	if !committee && !coord {
		return h, nil
	}
	if coord {
		h.Coordinator = &CoordinatorWork{}
		members, err := a.committee(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			if m.Has("chair") {
				h.Coordinator.Chairs++
			}
			if m.Has("reviewer") {
				h.Coordinator.Reviewers++
			}
		}
	}
	for _, c := range calls {
		if c.Status(now) == "upcoming" {
			continue
		}
		e, _, err := a.dashEntryFor(ctx, c)
		if err != nil {
			return nil, err
		}
		if committee && (c.PublishedAt == nil || u.Has("chair")) {
			w := CommitteeWork{Call: c, ToScreen: e.counts[string(workflow.Submitted)],
				Assigned: e.assigned[u.ID], Submitted: e.done[u.ID], Chair: u.Has("chair")}
			if w.Chair {
				for _, r := range e.rows {
					if r.State == string(workflow.Screened) && r.Class == "" && r.Owner != u.ID &&
						r.Score != nil && r.Score.SuggestedClass != "" { // as BulkCandidates: enough reviews for a suggestion
						w.ToClassify++
					}
				}
			}
			h.Committee = append(h.Committee, w)
		}
		if coord {
			g := CallGaps{Call: c, Notes: len(e.rows), ToScreen: e.counts[string(workflow.Submitted)],
				Screened: e.counts[string(workflow.Screened)], Published: c.PublishedAt != nil}
			for _, r := range e.rows {
				if r.State == string(workflow.Screened) && len(r.ReviewStates) < c.ReviewersPerNote {
					g.Gaps++
				}
			}
			h.Coordinator.Calls = append(h.Coordinator.Calls, g)
		}
	}
	return h, nil
}
