package review

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"cocreate/internal/enum"
)

// Reviewer is a committee member who may be assigned notes to score.
type Reviewer struct {
	ID           string
	Name         string
	Sector       string
	Organization string
}

// Slot is a screened note that needs reviewers.
type Slot struct {
	NoteID       string
	AuthorID     string
	Organization string   // Organization of the submitter
	Conflicts    []string // reviewer ids that declared a conflict on this note
	Existing     []string // reviewer ids already assigned (kept, count toward the per-note need and toward load)
}

// Shortfall is a note left with fewer reviewers than it needs, and why.
type Shortfall struct {
	NoteID string `json:"note_id"`
	Have   int    `json:"have"`
	Need   int    `json:"need"`
	Reason string `json:"reason"`
}

// Plan is the outcome of Assign.
type Plan struct {
	Added map[string][]string // note id -> reviewer ids newly assigned, sorted; notes given nobody are absent
	Short []Shortfall         // every note left short, in the order of the slots, never nil
	Load  map[string]int      // reviewer id -> total assignments after the plan (existing + added), every reviewer present
}

// Reasons Eligible gives; they read after the reviewer's name.
const (
	reasonAuthor   = "is the author of the note"
	reasonOrg      = "shares the submitter's organisation"
	reasonConflict = "declared a conflict of interest on the note"
	reasonExisting = "is already assigned to the note"
)

// SameOrganization reports whether two organisation names are the same once
// trimmed, lower-cased and with inner white space collapsed; an empty name
// never matches, since "no organisation" is not a shared one.
func SameOrganization(a, b string) bool {
	a, b = normOrg(a), normOrg(b)
	return a != "" && strings.EqualFold(a, b)
}

func normOrg(s string) string { return strings.Join(strings.Fields(s), " ") }

// Eligible reports whether r may be assigned to s: not the author, not of
// the submitter's organisation, no declared conflict, not already on it;
// when not, the reason reads after the reviewer's name.
func Eligible(r Reviewer, s Slot) (bool, string) {
	if reason := exclusion(r, s); reason != "" {
		return false, reason
	}
	if slices.Contains(s.Existing, r.ID) {
		return false, reasonExisting
	}
	return true, ""
}

// exclusion is the lasting reason r can never review s ("" when none);
// being already assigned is not one.
func exclusion(r Reviewer, s Slot) string {
	switch {
	case r.ID == s.AuthorID:
		return reasonAuthor
	case SameOrganization(r.Organization, s.Organization):
		return reasonOrg
	case slices.Contains(s.Conflicts, r.ID):
		return reasonConflict
	}
	return ""
}

// note is Assign's working state for one slot.
type note struct {
	slot     Slot
	members  []string        // existing then added reviewer ids
	on       map[string]bool // members as a set
	added    []string
	eligible []Reviewer // in id order, existing members excluded
}

// Assign gives each slot perNote distinct eligible reviewers, keeping what
// is already assigned. existingLoad counts assignments on notes that are not
// among slots (e.g. classified notes); the slots' Existing are counted here,
// so they must not be in existingLoad too. Notes with the fewest eligible
// reviewers go first, each place goes to the least-loaded eligible reviewer,
// preferring the sector group (government or not) the note still lacks,
// ties going to the smaller id so that a re-run gives the same plan.
// Load also keeps ids of existingLoad and Existing that are no longer
// reviewers, since their assignments stand.
func Assign(slots []Slot, reviewers []Reviewer, perNote int, existingLoad map[string]int) Plan {
	byID := map[string]Reviewer{}
	for _, r := range reviewers {
		if r.ID != "" {
			byID[r.ID] = r
		}
	}
	revs := make([]Reviewer, 0, len(byID))
	for _, r := range byID {
		revs = append(revs, r)
	}
	slices.SortFunc(revs, func(a, b Reviewer) int { return cmp.Compare(a.ID, b.ID) })

	load := make(map[string]int, len(revs)+len(existingLoad))
	for _, r := range revs {
		load[r.ID] = 0
	}
	for id, n := range existingLoad {
		load[id] += n
	}

	notes := make([]*note, len(slots))
	for i, s := range slots {
		n := &note{slot: s, on: map[string]bool{}}
		for _, id := range s.Existing {
			if id != "" && !n.on[id] {
				n.on[id] = true
				n.members = append(n.members, id)
				load[id]++
			}
		}
		for _, r := range revs {
			if !n.on[r.ID] && exclusion(r, s) == "" {
				n.eligible = append(n.eligible, r)
			}
		}
		notes[i] = n
	}

	order := slices.Clone(notes)
	slices.SortStableFunc(order, func(a, b *note) int {
		return cmp.Or(cmp.Compare(len(a.eligible), len(b.eligible)), cmp.Compare(a.slot.NoteID, b.slot.NoteID))
	})

	// groups reports which sector groups a note's members cover; members
	// who are no longer reviewers have no known sector and cover neither.
	groups := func(n *note) (gov, nonGov int) {
		for _, id := range n.members {
			r, ok := byID[id]
			switch {
			case !ok:
			case enum.IsGovernment(r.Sector):
				gov++
			default:
				nonGov++
			}
		}
		return gov, nonGov
	}

	for _, n := range order {
		for len(n.members) < perNote {
			gov, nonGov := groups(n)
			// Only a note that has one group and lacks the other prefers;
			// an empty note takes whoever is least loaded.
			wantGov := gov == 0 && nonGov > 0
			wantNonGov := nonGov == 0 && gov > 0
			penalty := func(r Reviewer) int {
				g := enum.IsGovernment(r.Sector)
				if (wantGov && !g) || (wantNonGov && g) {
					return 1
				}
				return 0
			}
			var best *Reviewer
			for i := range n.eligible {
				r := &n.eligible[i]
				if n.on[r.ID] {
					continue
				}
				// eligible is in id order, so strict comparison keeps the smaller id on ties.
				if best == nil || cmp.Or(cmp.Compare(load[r.ID], load[best.ID]), cmp.Compare(penalty(*r), penalty(*best))) < 0 {
					best = r
				}
			}
			if best == nil {
				break
			}
			n.on[best.ID] = true
			n.members = append(n.members, best.ID)
			n.added = append(n.added, best.ID)
			load[best.ID]++
		}
	}

	mixBySwapping(order, byID, groups)

	plan := Plan{Added: map[string][]string{}, Short: []Shortfall{}, Load: load}
	for _, n := range notes {
		if len(n.added) > 0 {
			plan.Added[n.slot.NoteID] = slices.Sorted(slices.Values(n.added))
		}
		if len(n.members) < perNote {
			plan.Short = append(plan.Short, Shortfall{
				NoteID: n.slot.NoteID,
				Have:   len(n.members),
				Need:   perNote,
				Reason: shortReason(n, revs),
			})
		}
	}
	return plan
}

// mixBySwapping exchanges newly added reviewers between notes so that a
// note with one sector group only gains the other, while a note that gives
// up a member of that group keeps another. Swaps leave every load as it
// is, so balance is not traded for mixing; each swap adds a mixed note, so
// the loop ends.
func mixBySwapping(order []*note, byID map[string]Reviewer, groups func(*note) (int, int)) {
	isGov := func(id string) (gov, known bool) {
		r, ok := byID[id]
		return enum.IsGovernment(r.Sector), ok
	}
	fits := func(id string, n *note) bool {
		return !n.on[id] && exclusion(byID[id], n.slot) == ""
	}
	swap := func(x *note) bool {
		gov, nonGov := groups(x)
		if (gov > 0) == (nonGov > 0) {
			return false // mixed already, or no known sector to build on
		}
		wantGov := gov == 0
		for _, h := range slices.Sorted(slices.Values(x.added)) {
			if g, ok := isGov(h); !ok || g == wantGov {
				continue
			}
			for _, y := range order {
				if y == x || !fits(h, y) {
					continue
				}
				yg, yn := groups(y)
				if (wantGov && yg < 2) || (!wantGov && yn < 2) {
					continue
				}
				for _, g := range slices.Sorted(slices.Values(y.added)) {
					if gg, ok := isGov(g); !ok || gg != wantGov || !fits(g, x) {
						continue
					}
					replace(x, h, g)
					replace(y, g, h)
					return true
				}
			}
		}
		return false
	}
	for changed := true; changed; {
		changed = false
		for _, x := range order {
			if swap(x) {
				changed = true
			}
		}
	}
}

// replace puts in where out was among n's added reviewers.
func replace(n *note, out, in string) {
	delete(n.on, out)
	n.on[in] = true
	n.members[slices.Index(n.members, out)] = in
	n.added[slices.Index(n.added, out)] = in
}

// shortReason explains to a coordinator why a note could not be filled:
// greedy filling takes every eligible reviewer before leaving a note short,
// so what is missing is always eligible people.
func shortReason(n *note, revs []Reviewer) string {
	var org, conflict, author int
	for _, r := range revs {
		if slices.Contains(n.slot.Existing, r.ID) {
			continue
		}
		switch exclusion(r, n.slot) {
		case reasonOrg:
			org++
		case reasonConflict:
			conflict++
		case reasonAuthor:
			author++
		}
	}
	var parts []string
	if org > 0 {
		parts = append(parts, fmt.Sprintf("%d %s the submitter's organisation", org, plural(org, "shares", "share")))
	}
	if conflict > 0 {
		parts = append(parts, fmt.Sprintf("%d declared a conflict", conflict))
	}
	if author > 0 {
		parts = append(parts, fmt.Sprintf("%d %s the author", author, plural(author, "is", "are")))
	}
	if len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("the committee has %d %s in all", len(revs), plural(len(revs), "reviewer", "reviewers")))
	}
	have := len(n.members)
	head := "no eligible reviewers"
	if have > 0 {
		head = fmt.Sprintf("only %d eligible %s", have, plural(have, "reviewer", "reviewers"))
	}
	return head + ": " + strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
