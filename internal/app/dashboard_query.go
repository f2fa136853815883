package app

import (
	"context"
	"slices"
	"strings"

	"cocreate/internal/enum"
	"cocreate/internal/store"
)

// DashboardSorts are the columns the dashboard sorts by.
var DashboardSorts = []string{"ref", "title", "area", "state", "reviews", "mean", "median", "normalised", "flags", "class"}

// scoreSorts are the sorts that read scores, which a plain reviewer sees only on some notes.
var scoreSorts = map[string]bool{"mean": true, "median": true, "normalised": true, "flags": true, "class": true}

// DashboardQuery selects, orders and pages the dashboard's notes.
type DashboardQuery struct {
	State, PolicyArea, Class string // "" for any; Class is the suggested class
	Flagged                  bool   // only notes with a disagreement flag
	Training                 string // "yes" or "no": only notes whose submitter did or did not complete the training; "" any
	Text                     string // in the reference or title, any case
	Sort                     string // one of DashboardSorts; "" is ref
	Desc                     bool
	Page                     int
	PerPage                  int // notes a page shows; 0 shows them all on one page
}

// StateCount is how many of the call's notes are in one state.
type StateCount struct {
	State string
	Count int
}

// MemberProgress is one committee member's screening and reviewing in a call.
type MemberProgress struct {
	ID, Name                      string
	Chair                         bool
	Screened, Assigned, Submitted int
}

// DashboardPage is one page of the committee dashboard for one viewer.
type DashboardPage struct {
	Rows    []DashboardRow // this page; scores the viewer may not see are nil
	Total   int            // rows matching the query
	Notes   int            // notes in the table before filtering
	Counts  []StateCount   // every state, in lifecycle order
	Members []MemberProgress
	// Assigned and Submitted count the call's review assignments and submitted reviews.
	Assigned, Submitted int
	Rev                 int64
	Cached              bool // the table came from the cache
	// Training: the call has a training programme, and each row's Trained
	// says whether its submitter completed it (read per request: attendance
	// does not move the call's Rev).
	Training bool
}

// Dashboard returns the committee's dashboard of call c for u (see dashboard.go for the cache).
func (a *App) Dashboard(ctx context.Context, u *store.User, c *store.Call, q DashboardQuery) (*DashboardPage, error) {
	e, cached, match, err := a.dashboardMatch(ctx, u, c, q)
	if err != nil {
		return nil, err
	}
	members, err := a.committee(ctx)
	if err != nil {
		return nil, err
	}
	trained, err := a.trainedOf(ctx, c.ID) // cached: the same answer dashboardMatch had
	if err != nil {
		return nil, err
	}
	p := &DashboardPage{Notes: len(e.rows), Rev: e.rev, Cached: cached, Assigned: e.reviews[0], Submitted: e.reviews[1],
		Training: trained != nil}
	p.Total = len(match)
	from, to := 0, len(match)
	if q.PerPage > 0 {
		from = min(max(q.Page-1, 0)*q.PerPage, len(match))
		to = min(from+q.PerPage, len(match))
	}
	p.Rows = make([]DashboardRow, 0, to-from)
	for _, r := range match[from:to] {
		p.Rows = append(p.Rows, *r)
	}
	for _, s := range enum.States {
		if s.Value != "draft" {
			p.Counts = append(p.Counts, StateCount{State: s.Value, Count: e.counts[s.Value]})
		}
	}
	for _, m := range members {
		p.Members = append(p.Members, MemberProgress{ID: m.ID, Name: m.Name, Chair: m.Has("chair"),
			Screened: e.screened[m.ID], Assigned: e.assigned[m.ID], Submitted: e.done[m.ID]})
	}
	return p, nil
}

// Neighbours are the notes before and after one note in a dashboard view.
type Neighbours struct {
	Prev, Next *DashboardRow // nil at either end
	Pos, Total int           // the note's place (from 1) in the view, and the view's length; Pos 0 when the note is not in it
}

// DashboardNeighbours returns the notes before and after note id in the
// dashboard of call c as u sees it with query q (filter and order, pages
// ignored): what the previous and next links of the note pages follow.
func (a *App) DashboardNeighbours(ctx context.Context, u *store.User, c *store.Call, q DashboardQuery, id string) (Neighbours, error) {
	_, _, match, err := a.dashboardMatch(ctx, u, c, q)
	if err != nil {
		return Neighbours{}, err
	}
	nb := Neighbours{Total: len(match)}
	for i, r := range match {
		if r.ID != id {
			continue
		}
		nb.Pos = i + 1
		if i > 0 {
			nb.Prev = match[i-1]
		}
		if i+1 < len(match) {
			nb.Next = match[i+1]
		}
		break
	}
	return nb, nil
}

// dashboardMatch returns the call's table and the rows of q's filter in
// q's order, as u may see them.
func (a *App) dashboardMatch(ctx context.Context, u *store.User, c *store.Call, q DashboardQuery) (*dashEntry, bool, []*DashboardRow, error) {
	if !u.IsCommittee() && !u.Has("coordinator") {
		return nil, false, nil, denied("the dashboard is for the committee and coordinators")
	}
	e, cached, err := a.dashEntryFor(ctx, c)
	if err != nil {
		return nil, false, nil, err
	}
	lead := u.Has("chair") || u.Has("coordinator")
	visible := func(r *DashboardRow) bool { return lead || r.ReviewStates[u.ID] == store.ReviewSubmitted }
	if !slices.Contains(DashboardSorts, q.Sort) {
		q.Sort = "ref"
	}
	var rows []*DashboardRow
	if lead || !scoreSorts[q.Sort] {
		rows = e.sortedBy(q.Sort, q.Desc)
	} else {
		rows = make([]*DashboardRow, len(e.rows))
		for i, r := range e.rows {
			rows[i] = masked(r, visible(r))
		}
		sortRows(rows, q.Sort, q.Desc)
	}
	trained, err := a.trainedOf(ctx, c.ID)
	if err != nil {
		return nil, false, nil, err
	}
	match := make([]*DashboardRow, 0, len(rows))
	text := strings.ToLower(strings.TrimSpace(q.Text))
	for _, r := range rows {
		r = masked(r, visible(r))
		if r.Owner == u.ID {
			r = ownView(r)
		}
		if trained != nil {
			m := *r // the cached row is shared: mark a copy
			m.Trained = trained[r.Owner]
			r = &m
		}
		if (q.State == "" || r.State == q.State) && (q.PolicyArea == "" || r.PolicyArea == q.PolicyArea) &&
			(q.Class == "" || (r.Score != nil && r.Score.SuggestedClass == q.Class)) &&
			(!q.Flagged || (r.Score != nil && len(r.Score.Flags) > 0)) &&
			(q.Training == "" || (q.Training == "yes") == r.Trained) &&
			(text == "" || strings.Contains(strings.ToLower(r.Ref), text) || strings.Contains(strings.ToLower(r.Title), text)) {
			match = append(match, r)
		}
	}
	return e, cached, match, nil
}

// masked is r with its score hidden when the viewer may not see it.
func masked(r *DashboardRow, visible bool) *DashboardRow {
	if visible || r.Score == nil {
		return r
	}
	m := *r
	m.Score = nil
	return &m
}

// ownView is the viewer's own note as its owner sees it: the owner's
// state, the class only once published, no score and no reviewers.
func ownView(r *DashboardRow) *DashboardRow {
	m := *r
	owner := &store.Note{State: r.State}
	if r.PublishedClass != "" {
		owner.Published = &store.Decision{Class: r.PublishedClass}
	}
	m.State, m.Class, m.Score, m.Done, m.ReviewStates = OwnerState(owner), r.PublishedClass, nil, 0, nil
	return &m
}
