package review

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"cocreate/internal/enum"
)

func TestSameOrganization(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Ministry of Health", "Ministry of Health", true},
		{"  ministry   of HEALTH ", "Ministry of Health", true},
		{"Ministry\tof\nHealth", "ministry of health", true},
		{"Ministry of Health", "Ministry of Healthcare", false},
		{"MinistryofHealth", "Ministry of Health", false},
		{"", "", false},
		{"   ", " ", false},
		{"", "Ministry of Health", false},
	}
	for _, tt := range tests {
		if got := SameOrganization(tt.a, tt.b); got != tt.want {
			t.Errorf("SameOrganization(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestEligible(t *testing.T) {
	s := Slot{NoteID: "n", AuthorID: "u1", Organization: "Belize  Open Data Network", Conflicts: []string{"r3"}, Existing: []string{"r4"}}
	tests := []struct {
		name   string
		r      Reviewer
		want   bool
		reason string
	}{
		{"author", Reviewer{ID: "u1", Organization: "Elsewhere"}, false, "is the author of the note"},
		{"same organisation, odd spacing and case", Reviewer{ID: "r2", Organization: " belize open DATA network"}, false, "shares the submitter's organisation"},
		{"declared conflict", Reviewer{ID: "r3", Organization: "Elsewhere"}, false, "declared a conflict of interest on the note"},
		{"already assigned", Reviewer{ID: "r4", Organization: "Elsewhere"}, false, "is already assigned to the note"},
		{"no organisation is no match", Reviewer{ID: "r5"}, true, ""},
		{"other organisation", Reviewer{ID: "r6", Organization: "Belize Open Data"}, true, ""},
	}
	for _, tt := range tests {
		ok, reason := Eligible(tt.r, s)
		if ok != tt.want || reason != tt.reason {
			t.Errorf("%s: Eligible() = %v, %q; want %v, %q", tt.name, ok, reason, tt.want, tt.reason)
		}
	}
	// A submitter without an organisation shares it with nobody.
	if ok, _ := Eligible(Reviewer{ID: "r7"}, Slot{NoteID: "n", AuthorID: "u1"}); !ok {
		t.Error("a reviewer without organisation is ineligible for a submitter without one")
	}
}

// committee makes n reviewers r01…, the first gov of them government, each of its own organisation.
func committee(n, gov int) []Reviewer {
	rs := make([]Reviewer, n)
	for i := range rs {
		sector := "civil_society"
		if i < gov {
			sector = "government"
		}
		rs[i] = Reviewer{ID: fmt.Sprintf("r%02d", i+1), Name: fmt.Sprintf("Reviewer %d", i+1), Sector: sector, Organization: fmt.Sprintf("Org %d", i+1)}
	}
	return rs
}

// notesFor makes n slots n01… by participants p01… of organisation "Submitter N".
func notesFor(n int) []Slot {
	ss := make([]Slot, n)
	for i := range ss {
		ss[i] = Slot{NoteID: fmt.Sprintf("n%02d", i+1), AuthorID: fmt.Sprintf("p%02d", i+1), Organization: fmt.Sprintf("Submitter %d", i+1)}
	}
	return ss
}

// checkPlan checks what every plan must satisfy: each added reviewer is
// eligible and not added twice, Load is existing + existingLoad + added.
func checkPlan(t *testing.T, p Plan, slots []Slot, reviewers []Reviewer, existingLoad map[string]int) {
	t.Helper()
	byID := map[string]Reviewer{}
	for _, r := range reviewers {
		byID[r.ID] = r
	}
	want := maps.Clone(existingLoad)
	if want == nil {
		want = map[string]int{}
	}
	for _, r := range reviewers {
		want[r.ID] += 0
	}
	for _, s := range slots {
		for _, id := range s.Existing {
			want[id]++
		}
		added := p.Added[s.NoteID]
		if !slices.IsSorted(added) {
			t.Errorf("%s: Added %v not sorted", s.NoteID, added)
		}
		for i, id := range added {
			if i > 0 && added[i-1] == id {
				t.Errorf("%s: %s added twice", s.NoteID, id)
			}
			if ok, why := Eligible(byID[id], s); !ok {
				t.Errorf("%s: added %s who %s", s.NoteID, id, why)
			}
			want[id]++
		}
	}
	if !maps.Equal(p.Load, want) {
		t.Errorf("Load = %v, want %v", p.Load, want)
	}
}

func spread(load map[string]int, reviewers []Reviewer) (lo, hi int) {
	lo, hi = load[reviewers[0].ID], load[reviewers[0].ID]
	for _, r := range reviewers {
		lo, hi = min(lo, load[r.ID]), max(hi, load[r.ID])
	}
	return lo, hi
}

// sectors counts the government and other members of a note after the plan.
func sectors(p Plan, s Slot, reviewers []Reviewer) (gov, nonGov int) {
	for _, id := range append(slices.Clone(s.Existing), p.Added[s.NoteID]...) {
		for _, r := range reviewers {
			if r.ID == id {
				if enum.IsGovernment(r.Sector) {
					gov++
				} else {
					nonGov++
				}
			}
		}
	}
	return gov, nonGov
}

func TestAssignBalance(t *testing.T) {
	tests := []struct {
		notes, reviewers, gov, perNote int
		lo, hi                         int
	}{
		// 90 places over 7 people: 6 carry 13 and 1 carries 12
		{30, 7, 2, 3, 12, 13},
		{30, 7, 0, 3, 12, 13},
		{10, 6, 3, 3, 5, 5},
		{5, 3, 1, 3, 5, 5},
		{1, 7, 3, 3, 0, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d notes, %d reviewers, %d per note", tt.notes, tt.reviewers, tt.perNote), func(t *testing.T) {
			rs, ss := committee(tt.reviewers, tt.gov), notesFor(tt.notes)
			p := Assign(ss, rs, tt.perNote, nil)
			checkPlan(t, p, ss, rs, nil)
			if len(p.Short) != 0 {
				t.Errorf("Short = %v, want none", p.Short)
			}
			for _, s := range ss {
				if n := len(p.Added[s.NoteID]); n != tt.perNote {
					t.Errorf("%s got %d reviewers, want %d", s.NoteID, n, tt.perNote)
				}
			}
			if lo, hi := spread(p.Load, rs); lo != tt.lo || hi != tt.hi {
				t.Errorf("loads from %d to %d, want %d to %d: %v", lo, hi, tt.lo, tt.hi, p.Load)
			}
		})
	}
}

func TestAssignBalanceWithConflicts(t *testing.T) {
	rs, ss := committee(7, 2), notesFor(30)
	// r01 wrote two notes, r02's organisation submitted three (spelt
	// carelessly), r03 and r04 declared conflicts on a few.
	ss[0].AuthorID, ss[1].AuthorID = "r01", "r01"
	for _, i := range []int{2, 3, 4} {
		ss[i].Organization = "  ORG   2 "
	}
	ss[5].Conflicts = []string{"r03", "r04"}
	ss[6].Conflicts = []string{"r03"}
	ss[7].Conflicts = []string{"r04", "r05", "r06"}
	p := Assign(ss, rs, 3, nil)
	checkPlan(t, p, ss, rs, nil)
	if len(p.Short) != 0 {
		t.Errorf("Short = %v, want none", p.Short)
	}
	if lo, hi := spread(p.Load, rs); hi-lo > 1 {
		t.Errorf("loads from %d to %d, want a spread of at most 1: %v", lo, hi, p.Load)
	}
	for _, c := range []struct {
		note string
		not  []string
	}{
		{"n01", []string{"r01"}}, {"n02", []string{"r01"}},
		{"n03", []string{"r02"}}, {"n04", []string{"r02"}}, {"n05", []string{"r02"}},
		{"n06", []string{"r03", "r04"}}, {"n07", []string{"r03"}}, {"n08", []string{"r04", "r05", "r06"}},
	} {
		for _, id := range c.not {
			if slices.Contains(p.Added[c.note], id) {
				t.Errorf("%s was given excluded reviewer %s", c.note, id)
			}
		}
	}
}

func TestAssignSectorMix(t *testing.T) {
	t.Run("enough of both groups: every note mixed", func(t *testing.T) {
		rs, ss := committee(6, 3), notesFor(10)
		p := Assign(ss, rs, 3, nil)
		checkPlan(t, p, ss, rs, nil)
		for _, s := range ss {
			if gov, non := sectors(p, s, rs); gov == 0 || non == 0 {
				t.Errorf("%s has %d government and %d other reviewers, want both", s.NoteID, gov, non)
			}
		}
	})
	t.Run("few government reviewers: each placed on a different note", func(t *testing.T) {
		rs, ss := committee(7, 2), notesFor(30)
		p := Assign(ss, rs, 3, nil)
		checkPlan(t, p, ss, rs, nil)
		govPlaces := p.Load["r01"] + p.Load["r02"]
		mixed := 0
		for _, s := range ss {
			gov, non := sectors(p, s, rs)
			if gov > 1 {
				t.Errorf("%s has %d government reviewers while others have none", s.NoteID, gov)
			}
			if gov > 0 && non > 0 {
				mixed++
			}
		}
		if mixed != govPlaces {
			t.Errorf("%d notes mixed, want %d (one per government place)", mixed, govPlaces)
		}
	})
	t.Run("the lacking group wins a tie on load over a smaller id", func(t *testing.T) {
		rs := []Reviewer{
			{ID: "a", Sector: "government"},
			{ID: "b", Sector: "government"},
			{ID: "z", Sector: "academia"},
		}
		ss := []Slot{{NoteID: "n", AuthorID: "p", Existing: []string{"a"}}}
		p := Assign(ss, rs, 2, nil)
		if got := p.Added["n"]; !slices.Equal(got, []string{"z"}) {
			t.Errorf("Added = %v, want [z]", got)
		}
	})
	t.Run("load comes before sector", func(t *testing.T) {
		rs := []Reviewer{
			{ID: "a", Sector: "government"},
			{ID: "b", Sector: "government"},
			{ID: "z", Sector: "academia"},
		}
		ss := []Slot{{NoteID: "n", AuthorID: "p", Existing: []string{"a"}}}
		p := Assign(ss, rs, 2, map[string]int{"z": 1})
		if got := p.Added["n"]; !slices.Equal(got, []string{"b"}) {
			t.Errorf("Added = %v, want [b]", got)
		}
	})
}

func TestAssignExclusions(t *testing.T) {
	rs := []Reviewer{
		{ID: "author", Sector: "civil_society", Organization: "Citizens Forum"},
		{ID: "colleague", Sector: "government", Organization: "  ministry of  PUBLIC service"},
		{ID: "conflicted", Sector: "government", Organization: "Auditor General"},
		{ID: "ok1", Sector: "government", Organization: "Statistical Institute"},
		{ID: "ok2", Sector: "media", Organization: "Amandala"},
		{ID: "ok3", Sector: "academia", Organization: "University of Belize"},
	}
	ss := []Slot{{NoteID: "n", AuthorID: "author", Organization: "Ministry of Public\tService", Conflicts: []string{"conflicted"}}}
	p := Assign(ss, rs, 3, nil)
	checkPlan(t, p, ss, rs, nil)
	if got, want := p.Added["n"], []string{"ok1", "ok2", "ok3"}; !slices.Equal(got, want) {
		t.Errorf("Added = %v, want %v", got, want)
	}
	if len(p.Short) != 0 {
		t.Errorf("Short = %v, want none", p.Short)
	}
}

func TestAssignFewestEligibleFirst(t *testing.T) {
	// If n1 went first it would take r1 (smaller id), leaving n2, which can
	// only have r1, to pile a second note on r1.
	rs := []Reviewer{{ID: "r1", Sector: "media"}, {ID: "r2", Sector: "media"}}
	ss := []Slot{
		{NoteID: "n1", AuthorID: "p1"},
		{NoteID: "n2", AuthorID: "p2", Conflicts: []string{"r2"}},
	}
	p := Assign(ss, rs, 1, nil)
	want := map[string][]string{"n1": {"r2"}, "n2": {"r1"}}
	if !maps.EqualFunc(p.Added, want, slices.Equal) {
		t.Errorf("Added = %v, want %v", p.Added, want)
	}
	if !maps.Equal(p.Load, map[string]int{"r1": 1, "r2": 1}) {
		t.Errorf("Load = %v, want r1 1, r2 1", p.Load)
	}
}

func TestAssignRerun(t *testing.T) {
	rs, ss := committee(7, 2), notesFor(30)
	ss[0].Existing = []string{"r05"}
	ss[1].Existing = []string{"r05", "r06", "r07"}
	ss[2].Existing = []string{"r01", "r02", "r03", "r04"} // more than needed: kept
	ss[3].Conflicts = []string{"r01", "r02", "r03", "r04", "r05"}
	extra := map[string]int{"r07": 2}
	first := Assign(ss, rs, 3, extra)
	checkPlan(t, first, ss, rs, extra)

	if got := first.Added["n01"]; len(got) != 2 || slices.Contains(got, "r05") {
		t.Errorf("n01 with r05 already on it got %v, want two others", got)
	}
	for _, n := range []string{"n02", "n03"} {
		if got, ok := first.Added[n]; ok {
			t.Errorf("%s already full got %v", n, got)
		}
	}
	wantShort := []Shortfall{{NoteID: "n04", Have: 2, Need: 3, Reason: "only 2 eligible reviewers: 5 declared a conflict"}}
	if !slices.Equal(first.Short, wantShort) {
		t.Errorf("Short = %v, want %v", first.Short, wantShort)
	}

	// The same input in another order gives the same plan.
	rev := slices.Clone(rs)
	slices.Reverse(rev)
	shuffled := slices.Clone(ss)
	slices.Reverse(shuffled)
	again := Assign(shuffled, rev, 3, extra)
	if !maps.EqualFunc(again.Added, first.Added, slices.Equal) || !maps.Equal(again.Load, first.Load) {
		t.Errorf("re-ordered input changed the plan:\n%v\n%v", again.Added, first.Added)
	}

	// Re-running with the plan applied adds nothing and changes no load.
	applied := slices.Clone(ss)
	for i := range applied {
		applied[i].Existing = append(slices.Clone(applied[i].Existing), first.Added[applied[i].NoteID]...)
	}
	second := Assign(applied, rs, 3, extra)
	if len(second.Added) != 0 {
		t.Errorf("re-run added %v, want nothing", second.Added)
	}
	if !maps.Equal(second.Load, first.Load) {
		t.Errorf("re-run Load = %v, want %v", second.Load, first.Load)
	}
	if !slices.Equal(second.Short, wantShort) {
		t.Errorf("re-run Short = %v, want %v", second.Short, wantShort)
	}

	// A reviewer removed from one note is the only gap a re-run fills.
	applied[10].Existing = applied[10].Existing[:2]
	third := Assign(applied, rs, 3, extra)
	if len(third.Added) != 1 || len(third.Added["n11"]) != 1 {
		t.Errorf("re-run after a removal added %v, want one reviewer on n11", third.Added)
	}
}

func TestAssignShortfalls(t *testing.T) {
	rs := []Reviewer{
		{ID: "a1", Sector: "civil_society", Organization: "Acme Trust"},
		{ID: "a2", Sector: "civil_society", Organization: " acme  trust"},
		{ID: "a3", Sector: "government", Organization: "ACME TRUST "},
		{ID: "c1", Sector: "government", Organization: "Ministry"},
		{ID: "e1", Sector: "media", Organization: "Paper"},
		{ID: "e2", Sector: "government", Organization: "Ministry of Works"},
	}
	tests := []struct {
		name    string
		slot    Slot
		perNote int
		want    []Shortfall
	}{
		{
			name:    "organisation and conflict",
			slot:    Slot{NoteID: "n", AuthorID: "p", Organization: "Acme Trust", Conflicts: []string{"c1"}},
			perNote: 3,
			want:    []Shortfall{{"n", 2, 3, "only 2 eligible reviewers: 3 share the submitter's organisation, 1 declared a conflict"}},
		},
		{
			name:    "singular",
			slot:    Slot{NoteID: "n", AuthorID: "e1", Organization: "Ministry", Conflicts: []string{"a1", "a2", "a3"}},
			perNote: 2,
			want:    []Shortfall{{"n", 1, 2, "only 1 eligible reviewer: 1 shares the submitter's organisation, 3 declared a conflict, 1 is the author"}},
		},
		{
			name:    "nobody eligible",
			slot:    Slot{NoteID: "n", AuthorID: "e1", Organization: "acme trust", Conflicts: []string{"c1", "e2"}},
			perNote: 1,
			want:    []Shortfall{{"n", 0, 1, "no eligible reviewers: 3 share the submitter's organisation, 2 declared a conflict, 1 is the author"}},
		},
		{
			name:    "committee too small",
			slot:    Slot{NoteID: "n", AuthorID: "p"},
			perNote: 7,
			want:    []Shortfall{{"n", 6, 7, "only 6 eligible reviewers: the committee has 6 reviewers in all"}},
		},
		{
			// a1 (same organisation) and a former reviewer were assigned before:
			// both are kept and count, so c1, e1 and e2 complete the five.
			name:    "existing members count toward the need",
			slot:    Slot{NoteID: "n", AuthorID: "p", Organization: "Acme Trust", Existing: []string{"a1", "gone"}},
			perNote: 5,
			want:    []Shortfall{},
		},
		{
			name:    "no per-note need",
			slot:    Slot{NoteID: "n", AuthorID: "p"},
			perNote: 0,
			want:    []Shortfall{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss := []Slot{tt.slot}
			p := Assign(ss, rs, tt.perNote, nil)
			if !slices.Equal(p.Short, tt.want) {
				t.Errorf("Short = %v, want %v", p.Short, tt.want)
			}
		})
	}
	if p := Assign(notesFor(1), nil, 3, nil); !slices.Equal(p.Short, []Shortfall{{"n01", 0, 3, "no eligible reviewers: the committee has 0 reviewers in all"}}) {
		t.Errorf("no committee: Short = %v", p.Short)
	}
}

func TestAssignLoadIncludesExistingLoad(t *testing.T) {
	rs := committee(3, 0)
	ss := notesFor(3)
	extra := map[string]int{"r01": 5, "former": 2}
	p := Assign(ss, rs, 1, extra)
	checkPlan(t, p, ss, rs, extra)
	// r01 already carries 5 elsewhere, so r02 and r03 share the three notes,
	// the tie at load 1 going to the smaller id.
	want := map[string]int{"r01": 5, "r02": 2, "r03": 1, "former": 2}
	if !maps.Equal(p.Load, want) {
		t.Errorf("Load = %v, want %v", p.Load, want)
	}
}
