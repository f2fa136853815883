package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"cocreate/internal/apperr"
	"cocreate/internal/enum"
	"cocreate/internal/export"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// The public repository of a call: once its results are published, every
// note that was submitted and whose submitter consented (consent_publish),
// with its published decision. A note withdrawn after submission is left
// out: its submitter took it back, and with it the consent. A note whose
// text a coordinator withheld for its content (Moderate) keeps its row
// (reference, organisation, status, decision) without its text. A draft
// never appears. What a row holds is public by construction (export.RepositoryRow):
// the note's own summary fields, the submitter's organisation and sector
// (never a name, e-mail or phone), a public status, and the decision as
// published (note.Published), never one the chair has not published.
//
// Reading a call's notes on the embedded engine decodes every one of them,
// so the rows are kept per call and patched from the store's change log by
// _id, as the shortlist's material is (export_cache.go); submitters are
// looked up at each read (the users cache), so an account's change shows
// at once.

// ErrNotPublished is the answer for a call whose results are not yet
// published: its repository does not exist yet.
var ErrNotPublished = apperr.Say(apperr.ErrNotFound, "the results of this call are not yet published: its public repository opens when the Steering Committee publishes them")

// RepositoryFilter selects rows of a repository; an empty field selects all.
type RepositoryFilter struct {
	PolicyArea string
	Class      string
	Sector     string
}

// ParseRepositoryFilter keeps the values that are known and drops the
// others, so a bookmarked or hand-edited address still shows a page.
func ParseRepositoryFilter(area, class, sector string) RepositoryFilter {
	f := RepositoryFilter{PolicyArea: area, Class: class, Sector: sector}
	if !enum.PolicyAreas.Has(f.PolicyArea) {
		f.PolicyArea = ""
	}
	if !enum.Classes.Has(f.Class) {
		f.Class = ""
	}
	if !enum.Sectors.Has(f.Sector) {
		f.Sector = ""
	}
	return f
}

func (f RepositoryFilter) matches(r *export.RepositoryRow) bool {
	return (f.PolicyArea == "" || r.PolicyArea == f.PolicyArea) && (f.Class == "" || r.Class == f.Class) &&
		(f.Sector == "" || r.Sector == f.Sector)
}

// Repository is a call's public repository, filtered.
type Repository struct {
	Call  *store.Call
	Rows  []export.RepositoryRow // the rows the filter selects, by reference
	Total int                    // rows in the whole repository
	// ByClass counts the whole repository's rows per published class, with
	// "" for the notes without one; ByArea per policy area.
	ByClass map[string]int
	ByArea  map[string]int
}

// Repository returns the public repository of call callKey (id or slug)
// with the rows f selects, or ErrNotPublished before its results are
// published. Anyone may read it.
func (a *App) Repository(ctx context.Context, callKey string, f RepositoryFilter) (*Repository, error) {
	c, err := a.publishedCall(ctx, callKey)
	if err != nil {
		return nil, err
	}
	all, err := a.repositoryRows(ctx, c)
	if err != nil {
		return nil, err
	}
	out := &Repository{Call: c, Total: len(all), ByClass: map[string]int{}, ByArea: map[string]int{}}
	for i := range all {
		r := &all[i]
		out.ByClass[r.Class]++
		out.ByArea[r.PolicyArea]++
		if f.matches(r) {
			out.Rows = append(out.Rows, *r)
		}
	}
	return out, nil
}

// RepositoryNote returns the public row and the note of reference ref in
// call callKey's repository: apperr.ErrNotFound for a note that is not in
// it (unknown, not consenting, withdrawn), ErrNotPublished before
// publication. The caller shows only the note's public fields.
func (a *App) RepositoryNote(ctx context.Context, callKey, ref string) (*store.Call, *store.Note, *export.RepositoryRow, error) {
	c, err := a.publishedCall(ctx, callKey)
	if err != nil {
		return nil, nil, nil, err
	}
	all, err := a.repositoryRows(ctx, c)
	if err != nil {
		return nil, nil, nil, err
	}
	i := slices.IndexFunc(all, func(r export.RepositoryRow) bool { return r.Ref == ref })
	if i < 0 {
		return nil, nil, nil, fmt.Errorf("note %s of the repository of %s: %w", ref, c.Slug, apperr.ErrNotFound)
	}
	n, err := a.Store.NoteByID(ctx, all[i].ID)
	if err != nil {
		return nil, nil, nil, err
	}
	// The kept row was current when read; the note itself decides.
	if e := rpEntryOf(n); e == nil || !e.public || n.CallID != c.ID {
		return nil, nil, nil, fmt.Errorf("note %s of the repository of %s: %w", ref, c.Slug, apperr.ErrNotFound)
	}
	return c, n, &all[i], nil
}

// publishedCall is the call, or ErrNotPublished.
func (a *App) publishedCall(ctx context.Context, callKey string) (*store.Call, error) {
	c, err := a.CallByKey(ctx, callKey)
	if err != nil {
		return nil, err
	}
	if c.PublishedAt == nil {
		return nil, fmt.Errorf("repository of %s: %w", c.Slug, ErrNotPublished)
	}
	return c, nil
}

// repositoryRows are the call's public rows, by reference, with the
// submitters' organisation and sector.
func (a *App) repositoryRows(ctx context.Context, c *store.Call) ([]export.RepositoryRow, error) {
	entries, err := a.repositoryEntries(ctx, c)
	if err != nil {
		return nil, err
	}
	refs := make(map[string]*rpEntry, len(entries))
	var owners []string
	seen := map[string]bool{}
	for _, e := range entries {
		refs[e.row.ID] = e
		if e.public && !seen[e.owner] {
			seen[e.owner] = true
			owners = append(owners, e.owner)
		}
	}
	users, err := a.Store.UsersByIDs(ctx, owners)
	if err != nil {
		return nil, fmt.Errorf("read the submitters of %s: %w", c.Slug, err)
	}
	out := make([]export.RepositoryRow, 0, len(entries))
	for _, e := range entries {
		if !e.public {
			continue
		}
		r := e.row
		if u := users[e.owner]; u != nil {
			r.Organisation, r.Sector = u.Organization, u.Sector
		}
		if m := refs[e.mergedInto]; m != nil {
			r.MergedInto, r.MergedShown = m.row.Ref, m.public
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(x, y export.RepositoryRow) int { return cmp.Compare(x.Ref, y.Ref) })
	return out, nil
}

// rpEntry is one submitted note's repository material.
type rpEntry struct {
	row        export.RepositoryRow // without organisation, sector and merge reference
	owner      string
	mergedInto string // the published decision's merged_into (a note id)
	public     bool   // consenting and not withdrawn: the row is shown
}

// rpEntryOf is n's material, nil for a note that never reached the committee.
func rpEntryOf(n *store.Note) *rpEntry {
	if neverSubmitted(n.State, n.SubmittedAt != nil) || n.Ref == "" {
		return nil
	}
	e := &rpEntry{owner: n.Owner, public: n.ConsentPublish && n.State != string(workflow.Withdrawn),
		row: export.RepositoryRow{ID: n.ID, Ref: n.Ref, Title: n.Title, Summary: n.Summary, PolicyArea: n.PolicyArea,
			Values: slices.Clone(n.Values), Status: export.StatusUnderReview}}
	if n.Moderation != nil && n.Moderation.Hidden { // a coordinator withheld its text (Moderate)
		e.row.Title, e.row.Summary, e.row.Values, e.row.Withheld = export.WithheldTitle, "", nil, true
	}
	switch {
	case n.Published != nil:
		d := n.Published
		e.row.Status, e.row.Class, e.row.ReasonCode, e.row.Rationale = export.StatusDecided, d.Class, d.ReasonCode, d.Rationale
		e.mergedInto = d.MergedInto
	case n.State == string(workflow.Ineligible):
		e.row.Status = export.StatusIneligible
	}
	return e
}

// rpCall is one call's kept repository material.
type rpCall struct {
	mu     sync.Mutex // one refresh at a time
	built  bool
	cursor int64 // the change-log position the entries are at
	notes  map[string]*rpEntry
}

var rpCaches sync.Map // *App → *sync.Map of call id → *rpCall

func (a *App) rpCall(callID string) *rpCall {
	m, _ := rpCaches.LoadOrStore(a, &sync.Map{})
	c, _ := m.(*sync.Map).LoadOrStore(callID, &rpCall{})
	return c.(*rpCall)
}

// repositoryEntries returns the material of every submitted note of c,
// read whole the first time and patched from the change log afterwards
// (on MongoDB, where the log cannot tell, read whole every time).
func (a *App) repositoryEntries(ctx context.Context, c *store.Call) ([]*rpEntry, error) {
	rc := a.rpCall(c.ID)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.built {
		if ids, now, ok := a.Store.ChangesSince(c.ID, rc.cursor); ok {
			for _, id := range ids {
				n, err := a.Store.NoteByID(ctx, id)
				if store.IsNotFound(err) {
					delete(rc.notes, id)
					continue
				}
				if err != nil {
					return nil, err
				}
				if e := rpEntryOf(n); e != nil {
					rc.notes[id] = e
				} else {
					delete(rc.notes, id)
				}
			}
			rc.cursor = now
			return rpSnapshot(rc.notes), nil
		}
	}
	// The position is taken before reading, so a change made during the
	// scan is applied again next time (reading a note twice is harmless).
	_, cursor, _ := a.Store.ChangesSince(c.ID, 0)
	notes := map[string]*rpEntry{}
	keep := func(n *store.Note) error {
		if e := rpEntryOf(n); e != nil {
			notes[n.ID] = e
		}
		return nil
	}
	// On the embedded engine StreamNotes reads the shards' files, not the
	// engine's scan (store/shortlist.go).
	if err := a.Store.StreamNotes(ctx, c.ID, keep); err != nil {
		return nil, fmt.Errorf("read the notes of %s: %w", c.Slug, err)
	}
	rc.notes, rc.cursor, rc.built = notes, cursor, true
	return rpSnapshot(notes), nil
}

// rpSnapshot lists the kept entries; entries are replaced, never changed,
// so the list stays valid after the lock is released.
func rpSnapshot(m map[string]*rpEntry) []*rpEntry {
	out := make([]*rpEntry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	return out
}
