package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/auth"
	"cocreate/internal/embeddb"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// expected is what the server acknowledged, which the data must hold.
type expected struct {
	CallID  string
	Subs    []*submission
	Titles  map[string]bool // every title a client tried to create (acknowledged or not)
	Screens []screenAck
	Reviews []reviewAck
}

// figures are the dashboard's derived numbers, or the same numbers
// counted again from the notes and reviews themselves.
type figures struct {
	Counts    map[string]int        // submitted notes per state
	Notes     map[string]noteFigure // by note id
	Assigned  int                   // review assignments
	Submitted int                   // submitted reviews of assigned reviewers
	Screened  map[string]int        // member id → notes screened
}

// noteFigure is one note's scoring figures.
type noteFigure struct {
	Reviews int
	Mean    float64
}

// compareFigures lists every way dash differs from recount.
func compareFigures(dash, recount figures) []string {
	var out []string
	for _, s := range sortedKeys(dash.Counts, recount.Counts) {
		if dash.Counts[s] != recount.Counts[s] {
			out = append(out, fmt.Sprintf("dashboard counts %d notes %s, the notes say %d", dash.Counts[s], s, recount.Counts[s]))
		}
	}
	for _, m := range sortedKeys(dash.Screened, recount.Screened) {
		if dash.Screened[m] != recount.Screened[m] {
			out = append(out, fmt.Sprintf("dashboard says member %s screened %d notes, the notes say %d", m, dash.Screened[m], recount.Screened[m]))
		}
	}
	if dash.Assigned != recount.Assigned {
		out = append(out, fmt.Sprintf("dashboard counts %d assignments, the notes hold %d", dash.Assigned, recount.Assigned))
	}
	if dash.Submitted != recount.Submitted {
		out = append(out, fmt.Sprintf("dashboard counts %d submitted reviews, the reviews say %d", dash.Submitted, recount.Submitted))
	}
	for _, id := range sortedKeys(dash.Notes, recount.Notes) {
		d, okD := dash.Notes[id]
		r, okR := recount.Notes[id]
		switch {
		case !okD:
			out = append(out, fmt.Sprintf("note %s is missing from the dashboard", id))
		case !okR:
			out = append(out, fmt.Sprintf("the dashboard shows note %s, which is not a submitted note of the call", id))
		case d.Reviews != r.Reviews:
			out = append(out, fmt.Sprintf("note %s: dashboard counts %d reviews, the reviews say %d", id, d.Reviews, r.Reviews))
		case math.Abs(d.Mean-r.Mean) > 1e-9:
			out = append(out, fmt.Sprintf("note %s: dashboard mean %.4f, recounted %.4f", id, d.Mean, r.Mean))
		}
	}
	return out
}

func sortedKeys[V any](a, b map[string]V) []string {
	set := map[string]bool{}
	for k := range a {
		set[k] = true
	}
	for k := range b {
		set[k] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// direct is the data directory opened by this program while the server is
// stopped, as the server itself opens it.
type direct struct {
	app   *app.App
	store *store.Store
	close func()
}

func openDirect(ctx context.Context, dataDir string) (*direct, error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := embeddb.Start(ctx, dataDir, log)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, store.Options{URI: eng.URI(), DBName: "cocreate", Embedded: true, Logger: log,
		Prepare: eng.IndexIDs, Scan: eng.ScanDocuments})
	if err != nil {
		eng.Close()
		return nil, err
	}
	a := app.New(st, auth.Hasher{MemoryKiB: 19 * 1024, Time: 2}, time.Now, log)
	return &direct{app: a, store: st, close: func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Close(cctx)
		_ = st.Close(cctx)
		eng.Close()
	}}, nil
}

// verifyData reads the whole call from a stopped server's data directory
// and lists every broken promise: an acknowledged write missing or
// changed, a note written twice or half (problems); and, apart, where the
// dashboard's derived figures differ from a recount (derived), which a
// kill -9 may leave until the restarted server's refresh repairs them. It
// also returns a line saying what it read.
func verifyData(ctx context.Context, dataDir string, exp expected) (problems, derived []string, info string, err error) {
	d, err := openDirect(ctx, dataDir)
	if err != nil {
		return nil, nil, "", fmt.Errorf("open the data directory: %w", err)
	}
	defer d.close()
	call, err := d.store.CallByID(ctx, exp.CallID)
	if err != nil {
		return nil, nil, "", err
	}
	var all []*store.Note
	if err := d.store.EachNote(ctx, call.ID, nil, func(n *store.Note) error {
		all = append(all, n)
		return nil
	}); err != nil {
		return nil, nil, "", err
	}
	reviews, err := d.store.CallReviews(ctx, call.ID)
	if err != nil {
		return nil, nil, "", err
	}
	problems = checkNotes(all, exp)
	problems = append(problems, checkCommittee(all, reviews, exp)...)

	admin, err := d.store.UserByEmail(ctx, adminEmail)
	if err != nil {
		return nil, nil, "", err
	}
	page, err := d.app.Dashboard(ctx, admin, call, app.DashboardQuery{Page: 1, PerPage: 1 << 20})
	if err != nil {
		return nil, nil, "", err
	}
	derived = compareFigures(dashboardFigures(page), recount(call, all, reviews))
	submitted := 0
	for _, n := range all {
		if n.State != "draft" {
			submitted++
		}
	}
	info = fmt.Sprintf("%d notes (%d submitted), %d reviews, dashboard of %d rows", len(all), submitted, len(reviews), len(page.Rows))
	return problems, derived, info, nil
}

// checkNotes: every acknowledged submission is there once, intact, with
// its reference; no title was made twice; references are unique; no note
// is half-written (a submitted note without its reference, its time or
// its history entry).
func checkNotes(all []*store.Note, exp expected) []string {
	var out []string
	byID := map[string]*store.Note{}
	byTitle := map[string][]*store.Note{}
	byRef := map[string][]*store.Note{}
	for _, n := range all {
		byID[n.ID] = n
		byTitle[n.Title] = append(byTitle[n.Title], n)
		if n.Ref != "" {
			byRef[n.Ref] = append(byRef[n.Ref], n)
		}
		if exp.Titles != nil && !exp.Titles[n.Title] {
			out = append(out, fmt.Sprintf("note %s has a title no client sent: %q", n.ID, n.Title))
		}
		submits := 0
		for _, h := range n.History {
			if h.Event == "submit" {
				submits++
			}
		}
		switch n.State {
		case "draft":
			if n.Ref != "" || submits != 0 || n.SubmittedAt != nil {
				out = append(out, fmt.Sprintf("draft %s is half-submitted: ref %q, %d submit entries", n.ID, n.Ref, submits))
			}
		default:
			if n.Ref == "" || n.SubmittedAt == nil || submits != 1 {
				out = append(out, fmt.Sprintf("note %s (%s) is half-written: ref %q, submitted_at %v, %d submit entries",
					n.ID, n.State, n.Ref, n.SubmittedAt, submits))
			}
		}
		if k := len(n.History); k > 0 && n.History[k-1].To != n.State {
			out = append(out, fmt.Sprintf("note %s is %s but its last history entry goes to %s", n.ID, n.State, n.History[k-1].To))
		}
		if n.State == "screened" && (n.Screening == nil || n.Screening.Outcome != "pass") {
			out = append(out, fmt.Sprintf("note %s is screened without a passing screening", n.ID))
		}
	}
	for t, ns := range byTitle {
		if len(ns) > 1 {
			out = append(out, fmt.Sprintf("%q was created %d times (a create applied twice)", t, len(ns)))
		}
	}
	for r, ns := range byRef {
		if len(ns) > 1 {
			out = append(out, fmt.Sprintf("reference %s is on %d notes", r, len(ns)))
		}
	}
	for _, s := range exp.Subs {
		n := byID[s.NoteID]
		switch {
		case n == nil:
			out = append(out, fmt.Sprintf("acknowledged submission %s (%s) is not in the database", s.Ref, s.Title))
		case n.State == "draft" || n.Ref != s.Ref:
			out = append(out, fmt.Sprintf("acknowledged submission %s (%s) is now %s with reference %q", s.Ref, s.Title, n.State, n.Ref))
		case n.Title != s.Title || n.Owner != s.OwnerID:
			out = append(out, fmt.Sprintf("acknowledged submission %s changed: title %q owner %s", s.Ref, n.Title, n.Owner))
		}
	}
	sort.Strings(out)
	return out
}

// checkCommittee: every acknowledged screening and review is stored as it
// was acknowledged.
func checkCommittee(all []*store.Note, reviews []*store.Review, exp expected) []string {
	var out []string
	byID := map[string]*store.Note{}
	for _, n := range all {
		byID[n.ID] = n
	}
	for _, s := range exp.Screens {
		n := byID[s.NoteID]
		if n == nil || n.Screening == nil || n.Screening.Outcome != "pass" || n.State == "submitted" {
			state := "missing"
			if n != nil {
				state = n.State
			}
			out = append(out, fmt.Sprintf("acknowledged screening of note %s is not stored (the note is %s)", s.NoteID, state))
		}
	}
	rv := map[string]*store.Review{}
	for _, r := range reviews {
		rv[r.NoteID+"/"+r.ReviewerID] = r
	}
	for _, a := range exp.Reviews {
		r := rv[a.NoteID+"/"+a.ReviewerID]
		switch {
		case r == nil:
			out = append(out, fmt.Sprintf("acknowledged review of note %s by %s is not stored", a.NoteID, a.ReviewerID))
		case r.State != store.ReviewSubmitted || !maps.Equal(r.Scores, a.Scores):
			out = append(out, fmt.Sprintf("acknowledged review of note %s by %s is stored as %s %v, not submitted %v",
				a.NoteID, a.ReviewerID, r.State, r.Scores, a.Scores))
		}
	}
	return out
}

// dashboardFigures reads the figures off a dashboard page holding every row.
func dashboardFigures(p *app.DashboardPage) figures {
	f := figures{Counts: map[string]int{}, Notes: map[string]noteFigure{}, Screened: map[string]int{},
		Assigned: p.Assigned, Submitted: p.Submitted}
	for _, c := range p.Counts {
		if c.Count != 0 {
			f.Counts[c.State] = c.Count
		}
	}
	for _, m := range p.Members {
		if m.Screened != 0 {
			f.Screened[m.ID] = m.Screened
		}
	}
	for _, r := range p.Rows {
		nf := noteFigure{}
		if r.Score != nil {
			nf = noteFigure{Reviews: r.Score.Reviews, Mean: r.Score.Mean}
		}
		f.Notes[r.ID] = nf
	}
	return f
}

// recount counts the figures again from the notes (states, assignments,
// screenings) and the reviews collection (scores), without any summary.
func recount(c *store.Call, all []*store.Note, reviews []*store.Review) figures {
	f := figures{Counts: map[string]int{}, Notes: map[string]noteFigure{}, Screened: map[string]int{}}
	byNote := map[string][]*store.Review{}
	for _, r := range reviews {
		if r.State == store.ReviewSubmitted {
			byNote[r.NoteID] = append(byNote[r.NoteID], r)
		}
	}
	for _, n := range all {
		if n.State == "draft" || (n.State == "withdrawn" && n.SubmittedAt == nil) {
			continue
		}
		f.Counts[n.State]++
		if n.Screening != nil && n.Screening.By != "" {
			f.Screened[n.Screening.By]++
		}
		assigned := map[string]bool{}
		for _, a := range n.Assignments {
			assigned[a.ReviewerID] = true
			f.Assigned++
		}
		var in []review.Input
		for _, r := range byNote[n.ID] {
			if assigned[r.ReviewerID] && !n.HasConflict(r.ReviewerID) {
				in = append(in, review.Input{NoteID: n.ID, ReviewerID: r.ReviewerID, ReviewerSector: r.ReviewerSector, Scores: r.Scores})
			}
		}
		f.Submitted += len(in)
		nf := noteFigure{}
		if len(in) > 0 {
			s := review.Aggregate(in, c.Criteria, c.MinReviews)
			nf = noteFigure{Reviews: s.Reviews, Mean: s.Mean}
		}
		f.Notes[n.ID] = nf
	}
	return f
}

// listProblems formats at most limit problems for the report.
func listProblems(ps []string, limit int) string {
	var b strings.Builder
	for i, p := range ps {
		if i == limit {
			fmt.Fprintf(&b, "    … and %d more\n", len(ps)-limit)
			break
		}
		fmt.Fprintf(&b, "    %s\n", p)
	}
	return b.String()
}
