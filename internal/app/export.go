package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/export"
	"cocreate/internal/review"
	"cocreate/internal/store"
)

// Audit events of exports and imports.
const (
	EventExportShortlist    = "export.shortlist"
	EventExportScoringSheet = "export.scoring_sheet"
	EventImportScoringSheet = "import.scoring_sheet"
)

// ShortlistFilter selects the notes of a shortlist; empty lists select all.
type ShortlistFilter struct {
	States  []string
	Classes []string // the decided class, or the suggested one while there is no decision
}

// ParseShortlistFilter reads the class and state lists of a shortlist
// request; each value may itself be comma-separated ("A,B"). An unknown
// value is a bad request that names it.
func ParseShortlistFilter(classes, states []string) (ShortlistFilter, error) {
	var f ShortlistFilter
	for _, v := range splitList(classes) {
		if !enum.Classes.Has(v) {
			return f, &apperr.BadRequest{Message: fmt.Sprintf("class must be one of A, B, C or D, not %q.", v)}
		}
		f.Classes = append(f.Classes, v)
	}
	for _, v := range splitList(states) {
		if !enum.States.Has(v) || v == "draft" {
			return f, &apperr.BadRequest{Message: fmt.Sprintf("state %q is not a state a note on the shortlist can be in.", v)}
		}
		f.States = append(f.States, v)
	}
	return f, nil
}

func splitList(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// Words says the filter in words, for the About sheet and the audit record.
func (f ShortlistFilter) Words() string {
	var parts []string
	if len(f.Classes) > 0 {
		parts = append(parts, "class "+strings.Join(f.Classes, ", "))
	}
	if len(f.States) > 0 {
		ls := make([]string, len(f.States))
		for i, s := range f.States {
			ls[i] = enum.States.Label(s)
		}
		parts = append(parts, "state "+strings.Join(ls, ", "))
	}
	if len(parts) == 0 {
		return "none: every submitted note"
	}
	return strings.Join(parts, "; ")
}

// matches reports whether a note in state, decided class and score passes f.
func (f ShortlistFilter) matches(state, decided string, sc *review.Score) bool {
	if len(f.States) > 0 && !slices.Contains(f.States, state) {
		return false
	}
	if len(f.Classes) > 0 {
		class := decided
		if class == "" && sc != nil {
			class = sc.SuggestedClass
		}
		return slices.Contains(f.Classes, class)
	}
	return true
}

// Shortlist gathers call callKey's scored shortlist for u, a coordinator
// or the chair: every submitted note f selects, ranked by mean score (ties
// by median, then reference), and the submitted reviews of their assigned
// reviewers (the call's notes and reviews are kept between downloads: see
// export_cache.go). With blind review, submitter organisation and sector
// are left out unless u is a coordinator. u's own notes are left out.
func (a *App) Shortlist(ctx context.Context, u *store.User, callKey string, f ShortlistFilter) (*export.Shortlist, error) {
	if !u.Has("coordinator") && !u.Has("chair") {
		return nil, denied("the shortlist is for coordinators and the chair")
	}
	c, err := a.CallByKey(ctx, callKey)
	if err != nil {
		return nil, err
	}
	out := &export.Shortlist{CallTitle: c.Title, CallSlug: c.Slug, Zone: c.Location(), ZoneName: zoneName(c.TimeZone),
		Criteria: c.Criteria, MinReviews: c.MinReviews,
		Submitter: !c.BlindReview || u.Has("coordinator"), Filters: f.Words(), GeneratedAt: a.Now(), GeneratedBy: u.Name}
	all, err := a.shortlistNotes(ctx, c)
	if err != nil {
		return nil, err
	}
	trained, err := a.trainedOf(ctx, c.ID) // training.go
	if err != nil {
		return nil, err
	}
	out.Training = trained != nil
	owners := map[string]*store.User{}
	kept := make([]*slNote, 0, len(all))
	rows := make([]export.Row, 0, len(all))
	for _, e := range all {
		// The caller's own notes are theirs as an owner, whatever roles they
		// hold: their reviews, scores and unpublished class stay out.
		if e.owner == u.ID || !f.matches(e.row.State, e.row.Decided, e.row.Score) {
			continue
		}
		r := e.row
		r.Trained = trained[e.owner]
		if out.Submitter {
			o, ok := owners[e.owner]
			if !ok {
				if o, err = a.Store.UserByID(ctx, e.owner); err != nil && !store.IsNotFound(err) {
					return nil, err
				}
				owners[e.owner] = o
			}
			if o != nil {
				r.Organisation, r.Sector = o.Organization, o.Sector
			}
		}
		kept, rows = append(kept, e), append(rows, r)
	}
	order := rankRows(rows)
	names, err := a.reviewerNames(ctx)
	if err != nil {
		return nil, err
	}
	sorted := make([]export.Row, len(rows))
	var reviews []export.ReviewRow
	for i, j := range order {
		sorted[i] = rows[j]
		e := kept[j]
		first := len(reviews)
		for _, r := range e.reviews {
			name, ok := names[r.reviewer]
			if !ok {
				name = a.nameOf(ctx, r.reviewer)
				names[r.reviewer] = name
			}
			reviews = append(reviews, export.ReviewRow{Ref: e.row.Ref, Reviewer: name, ReviewerSector: r.sector, Scores: r.scores,
				Total: review.Total(r.scores, c.Criteria), Comment: r.comment, SubmittedAt: r.submittedAt})
		}
		slices.SortFunc(reviews[first:], func(x, y export.ReviewRow) int { return cmp.Compare(x.Reviewer, y.Reviewer) })
	}
	out.Notes, out.ReviewCount = len(sorted), len(reviews)
	out.Rows, out.Reviews = slices.Values(sorted), slices.Values(reviews)
	return out, nil
}

// rankRows returns the order of rows by mean score, highest first, ties
// by median and then reference, notes without a submitted review last;
// it numbers the ranks of the scored rows.
func rankRows(rows []export.Row) []int {
	scored := func(r *export.Row) bool { return r.Score != nil && r.Score.Reviews > 0 }
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		x, y := &rows[i], &rows[j]
		xs, ys := scored(x), scored(y)
		switch {
		case xs && !ys:
			return -1
		case ys && !xs:
			return 1
		case xs:
			if c := cmp.Or(cmp.Compare(y.Score.Mean, x.Score.Mean), cmp.Compare(y.Score.Median, x.Score.Median)); c != 0 {
				return c
			}
		}
		return cmp.Compare(x.Ref, y.Ref)
	})
	for rank, i := range order {
		if scored(&rows[i]) {
			rows[i].Rank = rank + 1
		}
	}
	return order
}

// reviewerNames maps the committee's ids to names, from the directory the dashboard keeps.
func (a *App) reviewerNames(ctx context.Context) (map[string]string, error) {
	members, err := a.committee(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(members))
	for _, m := range members {
		out[m.ID] = m.Name
	}
	return out, nil
}

// RecordExport appends an audit entry of event by u from ip with detail.
func (a *App) RecordExport(ctx context.Context, u *store.User, event, ip string, detail map[string]string) error {
	return a.Store.AppendAudit(ctx, store.AuditEntry{Event: event, UserID: u.ID, By: u.ID, IP: ip, At: a.Now(), Detail: detail})
}
