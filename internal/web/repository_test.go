package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/store"
)

// The author whose personal details must never reach the public.
const (
	secretName  = "Zebulon Quixotewright"
	secretEmail = "zebulon.quixotewright@example.org"
	secretPhone = "+501 555 0199"
)

// repoWorld is a call whose notes cover every case of the repository.
type repoWorld struct {
	*committeeWorld
	author                                      *store.User
	decided, later, private, failed, gone, reef *store.Note
	draft                                       *store.Note
}

func newRepoWorld(t *testing.T) *repoWorld {
	t.Helper()
	w := &repoWorld{committeeWorld: newCommitteeWorld(t)}
	ctx := context.Background()
	w.author = &store.User{Email: secretEmail, Name: secretName, Organization: "Friends of the Reef", Sector: "academia",
		District: "toledo", Phone: secretPhone, Roles: []string{"participant"}, PasswordHash: "!"}
	if err := w.ts.store.CreateUser(ctx, w.author); err != nil {
		t.Fatal(err)
	}
	byAuthor := func(n *store.Note) { n.Owner = w.author.ID }
	decide := func(class, code, rationale string) func(*store.Note) {
		return func(n *store.Note) {
			n.Decision = &store.Decision{Class: class, ReasonCode: code, Rationale: rationale, By: w.chair.ID, At: w.ts.clock.Now()}
		}
	}
	// Text a spreadsheet would run, in the fields the CSV carries.
	w.decided = w.note(t, w.call, "classified", "=HYPERLINK(\"http://evil.example\")", "fiscal_openness", time.Hour, byAuthor,
		decide("A", "included", "@SUM(1) Your note goes into co-creation: it is clear and dated."),
		func(n *store.Note) {
			n.Summary = "-5% of the budget is unpublished; publish it all."
			n.ConflictDeclaration = "My cousin Rita sits on the committee."
		})
	w.private = w.note(t, w.call, "classified", "Hidden ledger reform", "fiscal_openness", time.Hour,
		decide("B", "lower_priority", "Promising but lower priority than the others."),
		func(n *store.Note) { n.ConsentPublish = false })
	w.failed = w.note(t, w.call, "ineligible", "Grant for our own office", "civic_space", time.Hour)
	w.gone = w.note(t, w.call, "withdrawn", "Withdrawn idea about ports", "justice", time.Hour)
	w.draft = w.note(t, w.call, "draft", "Unsubmitted draft on water", "justice", 0, func(n *store.Note) { n.Ref = "" })
	return w
}

// publish publishes the call's results through the API, as the chair.
func (w *repoWorld) publish(t *testing.T) {
	t.Helper()
	if r := w.ts.api("POST", "/api/v1/calls/"+w.call.ID+"/publish", w.chairTok, map[string]any{}); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Raw)
	}
}

// TestRepositoryBeforeAndAfterPublication follows the repository from a
// 404 before publication to its rows after it: only consenting notes that
// were submitted and not withdrawn, only published decisions, no personal
// data, with filters, counts, the public note page and the CSV.
func TestRepositoryBeforeAndAfterPublication(t *testing.T) {
	w := newRepoWorld(t)
	b := w.ts.browser()
	base := "/calls/" + w.call.Slug + "/repository"

	for _, path := range []string{base, base + "/" + w.decided.Ref} {
		if p := b.get(path); p.Status != 404 || !strings.Contains(p.text(), "not yet published") {
			t.Fatalf("%s before publication: %d\n%s", path, p.Status, p.Body)
		}
	}
	r := w.ts.api("GET", "/api/v1/calls/"+w.call.ID+"/repository.csv", "", nil)
	if r.Status != 404 || r.errCode() != "not_found" || !strings.Contains(string(r.Raw), "not yet published") {
		t.Fatalf("CSV before publication: %d %s", r.Status, r.Raw)
	}
	if p := b.get("/calls/" + w.call.Slug); strings.Contains(p.Body, base) {
		t.Fatal("the call page links to the repository before publication")
	}
	if p := b.get("/"); strings.Contains(p.Body, base) {
		t.Fatal("the home page links to the repository before publication")
	}

	w.publish(t)
	// After publication: a note classified but not yet published, and one
	// reopened after publication (its published decision stands) that was
	// merged into the first as a duplicate.
	w.later = w.note(t, w.call, "classified", "Open procurement calendar", "justice", time.Hour, func(n *store.Note) {
		n.Decision = &store.Decision{Class: "B", ReasonCode: "lower_priority", Rationale: "UNPUBLISHED rationale that nobody may read yet.", By: w.chair.ID}
	})
	w.reef = w.note(t, w.call, "screened", "Reef monitoring data in the open", "climate_environment", time.Hour, func(n *store.Note) {
		n.Owner = w.author.ID
		n.Published = &store.Decision{Class: "D", ReasonCode: "duplicate", Rationale: "It repeats an earlier note, which it joins.", MergedInto: w.decided.ID}
	})

	if p := b.get("/calls/" + w.call.Slug); !strings.Contains(p.Body, `href="`+base+`"`) {
		t.Fatal("the call page does not link to the repository after publication")
	}
	if p := b.get("/"); !strings.Contains(p.Body, `href="`+base+`"`) {
		t.Fatal("the home page does not link to the repository after publication")
	}

	p := b.get(base)
	if p.Status != 200 {
		t.Fatalf("repository: %d\n%s", p.Status, p.Body)
	}
	page := p.text()
	for _, want := range []string{w.decided.Ref, w.failed.Ref, w.later.Ref, w.reef.Ref, "Friends of the Reef", "Citizens for Budgets",
		"Did not pass screening", "Under review", "A: prioritise", "Your note goes into co-creation", "4 notes in the repository",
		"Showing 1–4 of 4 notes", "Academia",
		`Duplicate: into <a href="` + base + "/" + w.decided.Ref + `">` + w.decided.Ref + "</a>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the repository does not show %q", want)
		}
	}
	for _, absent := range []string{w.private.Ref, "Hidden ledger reform", w.gone.Ref, "Withdrawn idea", "Unsubmitted draft", "UNPUBLISHED",
		secretName, secretEmail, secretPhone, "Quixotewright", "Paula Participant", "My cousin Rita"} {
		if strings.Contains(page, absent) {
			t.Errorf("the repository shows %q", absent)
		}
	}
	// Counts per class (the unpublished B is not counted as B) and per area.
	for _, want := range []string{"A: prioritise</a></td><td class=\"num\">1<", "B: develop or merge</td><td class=\"num\">0<",
		"D: not selected</a></td><td class=\"num\">1<", "under review, or did not pass screening)</td><td class=\"num\">2<",
		"Justice</a></td><td class=\"num\">1<", "Fiscal openness</a></td><td class=\"num\">1<"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the counts lack %q", want)
		}
	}

	// Filters, bookmarkable as GET parameters.
	for q, want := range map[string][]string{
		"?class=A":                  {w.decided.Ref},
		"?class=D":                  {w.reef.Ref},
		"?class=B":                  {},
		"?area=justice":             {w.later.Ref},
		"?sector=academia":          {w.decided.Ref, w.reef.Ref},
		"?sector=civil_society":     {w.failed.Ref, w.later.Ref},
		"?area=civic_space&class=A": {},
		"?class=Z&area=nowhere":     {w.decided.Ref, w.failed.Ref, w.later.Ref, w.reef.Ref},
	} {
		p := b.get(base + q)
		if p.Status != 200 {
			t.Fatalf("%s: %d", q, p.Status)
		}
		got := 0
		for _, n := range []*store.Note{w.decided, w.failed, w.later, w.reef} {
			shown := strings.Contains(p.Body, "/repository/"+n.Ref+`">`+n.Ref+":")
			if shown {
				got++
			}
			if shown != contains(want, n.Ref) {
				t.Errorf("%s: note %s shown %v", q, n.Ref, shown)
			}
		}
		if got == 0 && !strings.Contains(p.Body, "No notes match") {
			t.Errorf("%s: an empty result does not say so", q)
		}
		if got > 0 && !strings.Contains(p.text(), fmt.Sprintf("Showing 1–%d of %d", got, got)) {
			t.Errorf("%s: the count of matching notes is missing", q)
		}
	}

	// The public page of a note: its text and published decision, nothing personal.
	p = b.get(base + "/" + w.decided.Ref)
	if p.Status != 200 {
		t.Fatalf("note page: %d\n%s", p.Status, p.Body)
	}
	for _, want := range []string{w.decided.Problem, "Portal online", "Friends of the Reef", "A: prioritise", "Your note goes into co-creation"} {
		if !strings.Contains(p.text(), want) {
			t.Errorf("the note page does not show %q", want)
		}
	}
	for _, absent := range []string{secretName, secretEmail, secretPhone, "My cousin Rita"} {
		if strings.Contains(p.text(), absent) {
			t.Errorf("the note page shows %q", absent)
		}
	}
	if p := b.get(base + "/" + w.later.Ref); p.Status != 200 || strings.Contains(p.Body, "UNPUBLISHED") || !strings.Contains(p.Body, "Under review") {
		t.Errorf("a note with an unpublished decision: %d", p.Status)
	}
	for _, ref := range []string{w.private.Ref, w.gone.Ref, "BZ2026-9999", "nonsense"} {
		if p := b.get(base + "/" + ref); p.Status != 404 {
			t.Errorf("note page of %s: %d, want 404", ref, p.Status)
		}
	}
	if p := b.get("/calls/no-such-call/repository"); p.Status != 404 {
		t.Errorf("an unknown call's repository: %d", p.Status)
	}

	// The CSV: the same rows, parsed back, formulas neutralised.
	r = w.ts.api("GET", "/api/v1/calls/"+w.call.Slug+"/repository.csv", "", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(r.Header.Get("Content-Disposition"), w.call.Slug+"-repository-2026-06-15.csv") {
		t.Fatalf("CSV: %d %v", r.Status, r.Header)
	}
	raw := string(r.Raw)
	for _, absent := range []string{secretName, secretEmail, secretPhone, "Quixotewright", "Hidden ledger", "UNPUBLISHED", "Withdrawn idea", "My cousin"} {
		if strings.Contains(raw, absent) {
			t.Errorf("the CSV holds %q", absent)
		}
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\uFEFF")))
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v\n%s", err, raw)
	}
	if !strings.HasPrefix(raw, "\uFEFFReference,") || !strings.Contains(raw, "\r\n") {
		t.Errorf("CSV framing: %q", raw[:min(len(raw), 40)])
	}
	head := recs[0]
	if strings.Join(head, "|") != "Reference|Title|Summary|Policy area|Values|Organisation|Sector|Status|Class|Reason|Rationale|Merged into" {
		t.Fatalf("CSV header: %v", head)
	}
	if len(recs) != 5 {
		t.Fatalf("CSV rows: %d, want 4 and the header\n%s", len(recs)-1, raw)
	}
	rows := map[string][]string{}
	for _, rec := range recs[1:] {
		rows[rec[0]] = rec
	}
	first := rows[w.decided.Ref]
	if first == nil {
		t.Fatalf("the CSV lacks %s", w.decided.Ref)
	}
	if first[1] != `'=HYPERLINK("http://evil.example")` || first[2] != "'-5% of the budget is unpublished; publish it all." ||
		first[10] != "'@SUM(1) Your note goes into co-creation: it is clear and dated." {
		t.Errorf("formulas are not neutralised: %q", first)
	}
	if first[5] != "Friends of the Reef" || first[6] != "Academia" || first[7] != "Decided" || first[8] != "A: prioritise" || first[9] != "Included" {
		t.Errorf("the first row: %q", first)
	}
	if rows[w.later.Ref][7] != "Under review" || rows[w.later.Ref][8] != "" || rows[w.later.Ref][10] != "" {
		t.Errorf("an unpublished decision reaches the CSV: %q", rows[w.later.Ref])
	}
	if rows[w.failed.Ref][7] != "Did not pass screening" || rows[w.reef.Ref][11] != w.decided.Ref {
		t.Errorf("status or merge: %q %q", rows[w.failed.Ref], rows[w.reef.Ref])
	}

	// A change after a read shows at the next one (the kept rows follow the change log).
	cur := w.fresh(t, w.decided.ID)
	if _, err := w.ts.store.ApplyChange(context.Background(), cur.ID, store.Change{Version: cur.Version,
		Raw: bson.D{{Key: "consent_publish", Value: false}}}); err != nil {
		t.Fatal(err)
	}
	if p := b.get(base); strings.Contains(p.Body, w.decided.Ref+":") || !strings.Contains(p.text(), "3 notes in the repository") {
		t.Error("a note whose consent was taken back is still in the repository")
	}
	if p := b.get(base + "/" + w.decided.Ref); p.Status != 404 {
		t.Errorf("the note page of a note no longer consenting: %d", p.Status)
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// TestRepositoryPages pages a call of 120 consenting notes by 50.
func TestRepositoryPages(t *testing.T) {
	w := newCommitteeWorld(t)
	ns := make([]*store.Note, 120)
	sub := w.ts.clock.Now()
	for i := range ns {
		ns[i] = &store.Note{ID: store.NewID(), CallID: w.call.ID, Ref: fmt.Sprintf("BZ2026-%04d", i+1), State: "submitted",
			Owner: w.owner.ID, SubmittedAt: &sub, Fields: validFields(fmt.Sprintf("Note number %d", i+1), "justice")}
	}
	if err := w.ts.store.InsertNotes(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	if err := w.ts.store.SetCallPublished(context.Background(), w.call.ID, sub); err != nil {
		t.Fatal(err)
	}
	b := w.ts.browser()
	base := "/calls/" + w.call.Slug + "/repository"
	for _, c := range []struct {
		q, showing, first, last, prev, next string
	}{
		{"", "Showing 1–50 of 120 notes", "BZ2026-0001", "BZ2026-0050", "", base + "?page=2"},
		{"?page=2", "Showing 51–100 of 120 notes", "BZ2026-0051", "BZ2026-0100", base, base + "?page=3"},
		{"?page=3&area=justice", "Showing 101–120 of 120 notes", "BZ2026-0101", "BZ2026-0120", base + "?area=justice&amp;page=2", ""},
		{"?page=9", "Showing 101–120 of 120 notes", "BZ2026-0101", "BZ2026-0120", base + "?page=2", ""},
	} {
		p := b.get(base + c.q)
		if p.Status != 200 || !strings.Contains(p.text(), c.showing) {
			t.Fatalf("%q: %d, want %q", c.q, p.Status, c.showing)
		}
		if n := strings.Count(p.Body, `<h3><a href="`+base+"/"); n != rowsOf(c.showing) {
			t.Errorf("%q: %d notes listed", c.q, n)
		}
		for _, ref := range []string{c.first, c.last} {
			if !strings.Contains(p.Body, ">"+ref+":") {
				t.Errorf("%q: %s is not listed", c.q, ref)
			}
		}
		if (c.prev != "") != strings.Contains(p.Body, `rel="prev"`) || (c.prev != "" && !strings.Contains(p.Body, `href="`+c.prev+`" rel="prev"`)) {
			t.Errorf("%q: previous link, want %q", c.q, c.prev)
		}
		if (c.next != "") != strings.Contains(p.Body, `rel="next"`) || (c.next != "" && !strings.Contains(p.Body, `href="`+c.next+`" rel="next"`)) {
			t.Errorf("%q: next link, want %q", c.q, c.next)
		}
	}
}

// rowsOf is how many rows a "Showing a–b of n" line says are listed.
func rowsOf(showing string) int {
	var a, b, n int
	fmt.Sscanf(strings.ReplaceAll(showing, "–", " "), "Showing %d %d of %d", &a, &b, &n)
	return b - a + 1
}

// TestRepositoryMergeIntoAPrivateNote names the note a merge joined by its
// reference, and links to it only when it is in the repository itself.
func TestRepositoryMergeIntoAPrivateNote(t *testing.T) {
	w := newCommitteeWorld(t)
	target := w.note(t, w.call, "classified", "The note merged into", "justice", time.Hour, func(n *store.Note) { n.ConsentPublish = false })
	merged := w.note(t, w.call, "classified", "The merged note", "justice", time.Hour, func(n *store.Note) {
		n.Published = &store.Decision{Class: "B", ReasonCode: "merged", Rationale: "It joins a similar note to be developed together.", MergedInto: target.ID}
	})
	if err := w.ts.store.SetCallPublished(context.Background(), w.call.ID, w.ts.clock.Now()); err != nil {
		t.Fatal(err)
	}
	base := "/calls/" + w.call.Slug + "/repository"
	b := w.ts.browser()
	for _, path := range []string{base, base + "/" + merged.Ref} {
		p := b.get(path)
		if p.Status != 200 || !strings.Contains(p.Body, "Merged with another note: into "+target.Ref) || strings.Contains(p.Body, base+"/"+target.Ref) ||
			strings.Contains(p.Body, "The note merged into") {
			t.Errorf("%s: %d, the merge into a note not in the repository:\n%s", path, p.Status, p.Body)
		}
	}
}
