package app

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"cocreate/internal/review"
	"cocreate/internal/store"
)

// The committee dashboard keeps per-request work small with a cache per
// call keyed by the call's Rev, which the store bumps with every change to
// any of the call's notes (summaries, assignments, scores). A request reads
// the calls (a handful of small documents, for the picker and the current
// Rev); when Rev has not moved it reuses the table built before, with its
// sorted orders memoised, and only filters, pages and renders 50 rows. When
// Rev moved, it re-reads only the summaries of the notes that changed, by
// _id, when the store can name them (store.ChangesSince: always on the
// embedded engine, where one process makes every change), and rebuilds the
// table from the kept summaries in memory; otherwise (MongoDB, a change of
// unknown notes, a changed call) it reads all the call's note summaries
// (one scan of small documents, never the full notes). Scores are stored on
// the summaries, so nothing is recomputed. People's names and roles are not covered by Rev:
// the committee's directory is cached separately for memberTTL.

// memberTTL is how long the committee's names and roles are reused.
const memberTTL = time.Minute

// DashboardRow is one note of the dashboard table.
type DashboardRow struct {
	ID, Ref, Title, PolicyArea, State string
	Class                             string // the chair's decision, "" before one
	Done, Needed                      int    // submitted reviews, reviewers the call asks for
	Score                             *review.Score
	ReviewStates                      map[string]string // reviewer id → review state
	// Owner and PublishedClass let a viewer's own note be shown as its
	// owner sees it (ownView), whatever roles the viewer holds.
	Owner, PublishedClass string
	Trained               bool // the submitter completed the training (set per request; see DashboardPage.Training)
}

// dashEntry is the dashboard of one call at one Rev, shared by every viewer.
type dashEntry struct {
	rev      int64
	cursor   int64                    // store.ChangesSince position the summaries are at
	version  int                      // the call's version the table was built for
	sums     map[string]store.Summary // the summaries the table was built from, by note id
	built    time.Time
	rows     []*DashboardRow // in reference order
	counts   map[string]int  // notes per state
	screened map[string]int  // member id → notes screened
	assigned map[string]int  // member id → assignments
	done     map[string]int  // member id → submitted reviews
	reviews  [2]int          // assignments in the call, and how many are submitted

	mu     sync.Mutex
	sorted map[string][]*DashboardRow // "key/asc" → rows in that order (leads' view)
}

// dashCache holds one App's dashboards and its committee directory.
type dashCache struct {
	mu        sync.Mutex
	entries   map[string]*dashEntry
	building  map[string]*dashBuild // at most one rebuild per call at a time
	members   []*store.User
	membersAt time.Time
}

// dashBuild is a rebuild in progress, which requests for the same call wait for.
type dashBuild struct {
	rev  int64
	done chan struct{}
	e    *dashEntry
	err  error
}

func newDashCache() *dashCache {
	return &dashCache{entries: map[string]*dashEntry{}, building: map[string]*dashBuild{}}
}

// dashEntryFor returns the call's table at c.Rev or later, building it when
// Rev moved. Requests arriving during a rebuild wait for it rather than
// scanning the summaries again.
func (a *App) dashEntryFor(ctx context.Context, c *store.Call) (*dashEntry, bool, error) {
	dc := a.dash
	dc.mu.Lock()
	if e := dc.entries[c.ID]; e != nil && e.rev >= c.Rev {
		dc.mu.Unlock()
		return e, true, nil
	}
	if b := dc.building[c.ID]; b != nil && b.rev >= c.Rev {
		dc.mu.Unlock()
		select {
		case <-b.done:
			return b.e, false, b.err
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
	old := dc.entries[c.ID]
	b := &dashBuild{rev: c.Rev, done: make(chan struct{})}
	dc.building[c.ID] = b
	dc.mu.Unlock()

	e, err := a.refreshDashboard(context.WithoutCancel(ctx), c, old)
	b.e, b.err = e, err
	close(b.done)
	dc.mu.Lock()
	if dc.building[c.ID] == b {
		delete(dc.building, c.ID)
	}
	if old := dc.entries[c.ID]; err == nil && (old == nil || old.rev <= b.e.rev) {
		dc.entries[c.ID] = b.e
	}
	dc.mu.Unlock()
	return b.e, false, err
}

// refreshDashboard brings old (nil for none) up to date with c: by
// re-reading only the summaries that changed when the store can name them,
// else by reading all of the call's summaries.
func (a *App) refreshDashboard(ctx context.Context, c *store.Call, old *dashEntry) (*dashEntry, error) {
	if old != nil && old.version == c.Version {
		if ids, now, ok := a.Store.ChangesSince(c.ID, old.cursor); ok {
			sums := maps.Clone(old.sums)
			for _, id := range ids {
				sum, err := a.Store.SummaryByID(ctx, id)
				switch {
				case store.IsNotFound(err):
					delete(sums, id)
				case err != nil:
					return nil, err
				default:
					sums[id] = *sum
				}
			}
			return buildDashboard(c, sums, now), nil
		}
	}
	// Take the position before reading, so a change made during the scan is
	// applied again next time (re-reading a summary is harmless).
	_, cursor, _ := a.Store.ChangesSince(c.ID, 0)
	list, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: c.ID})
	if err != nil {
		return nil, err
	}
	sums := make(map[string]store.Summary, len(list))
	for _, s := range list {
		sums[s.ID] = s
	}
	return buildDashboard(c, sums, cursor), nil
}

// buildDashboard turns the call's summaries into the table and the tallies.
func buildDashboard(c *store.Call, sums map[string]store.Summary, cursor int64) *dashEntry {
	e := &dashEntry{rev: c.Rev, cursor: cursor, version: c.Version, sums: sums, built: time.Now(), counts: map[string]int{},
		screened: map[string]int{}, assigned: map[string]int{}, done: map[string]int{}, sorted: map[string][]*DashboardRow{}}
	for _, s := range sums {
		if neverSubmitted(s.State, s.SubmittedAt != nil) {
			continue // drafts are their owner's alone
		}
		r := &DashboardRow{ID: s.ID, Ref: s.Ref, Title: s.Title, PolicyArea: s.PolicyArea, State: s.State,
			Class: s.Class, Done: s.ReviewsDone, Score: s.Score, ReviewStates: s.ReviewStates,
			Owner: s.Owner, PublishedClass: s.PublishedClass}
		if s.State == "screened" || s.State == "classified" {
			r.Needed = c.ReviewersPerNote
		}
		e.rows = append(e.rows, r)
		e.counts[s.State]++
		if s.ScreenedBy != "" {
			e.screened[s.ScreenedBy]++
		}
		for id, st := range s.ReviewStates {
			e.assigned[id]++
			e.reviews[0]++
			if st == store.ReviewSubmitted {
				e.done[id]++
				e.reviews[1]++
			}
		}
	}
	slices.SortFunc(e.rows, byRef)
	return e
}
