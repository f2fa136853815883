package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"cocreate/internal/notes"
	"cocreate/internal/store"
)

const testPassword = "a long enough password"

// text is the page body with HTML entities decoded, for checks on wording.
func (p htmlPage) text() string { return html.UnescapeString(p.Body) }

var hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

// hidden returns the hidden inputs of the first form on body that posts to action.
func hidden(t *testing.T, body, action string) url.Values {
	t.Helper()
	i := strings.Index(body, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form posting to %s on the page:\n%s", action, body)
	}
	rest := body[i:]
	if j := strings.Index(rest, "</form>"); j >= 0 {
		rest = rest[:j]
	}
	v := url.Values{}
	for _, m := range hiddenRe.FindAllStringSubmatch(rest, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// noteFormValues is completeNote() as the page's form posts it.
func noteFormValues(extra map[string]any) url.Values {
	b := completeNote()
	for k, v := range extra {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	out := url.Values{}
	for k, v := range b {
		switch x := v.(type) {
		case string:
			out.Set(k, x)
		case []string:
			out[k] = x
		case bool:
			if x {
				out.Set(k, "yes")
			}
		case []map[string]string:
			for i, m := range x {
				for _, col := range []string{"deliverable", "responsible", "due"} {
					out.Set(fmt.Sprintf("milestones.%d.%s", i, col), m[col])
				}
			}
		}
	}
	return out
}

// participant is a signed-in browser of a new participant.
func (ts *testServer) participant(name string) (*browser, *store.User, string) {
	ts.t.Helper()
	u, tok := ts.user(name, "Citizens for Open Budgets", "civil_society")
	b := ts.browser()
	b.signIn(u.Email, testPassword)
	return b, u, tok
}

// startNote starts a draft through the pages and returns its id.
func (b *browser) startNote(slug string) string {
	b.ts.t.Helper()
	p := b.get("/calls/" + slug + "/notes/new")
	if p.Status != 200 {
		b.ts.t.Fatalf("start page: %d\n%s", p.Status, p.Body)
	}
	r := b.post("/calls/"+slug+"/notes", hidden(b.ts.t.(*testing.T), p.Body, "/calls/"+slug+"/notes"))
	id, ok := strings.CutPrefix(r.Location, "/notes/")
	if r.Status != http.StatusSeeOther || !ok || !strings.HasSuffix(id, "/edit") {
		b.ts.t.Fatalf("start a note: %d %q\n%s", r.Status, r.Location, r.Body)
	}
	return strings.TrimSuffix(id, "/edit")
}

// postForm loads the note's form and posts values with its hidden fields (plus extra buttons).
func (b *browser) postForm(id string, values url.Values, button ...string) htmlPage {
	b.ts.t.Helper()
	page := b.get("/notes/" + id + "/edit")
	if page.Status != 200 {
		b.ts.t.Fatalf("edit page: %d\n%s", page.Status, page.Body)
	}
	form := hidden(b.ts.t.(*testing.T), page.Body, "/notes/"+id+"/edit")
	for k, v := range values {
		form[k] = v
	}
	for i := 0; i+1 < len(button); i += 2 {
		form.Set(button[i], button[i+1])
	}
	return b.post("/notes/"+id+"/edit", form)
}

func (ts *testServer) note(id string) *store.Note {
	ts.t.Helper()
	n, err := ts.store.NoteByID(context.Background(), id)
	if err != nil {
		ts.t.Fatal(err)
	}
	return n
}

func TestNoteJourneyThroughThePages(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", nil)
	b, _, _ := ts.participant("Maria Chan")

	id := b.startNote("bz")
	form := b.get("/notes/" + id + "/edit")
	body := form.text()
	// Every field in Specs() order, with the call's limit in the hint and a counter.
	last := -1
	for _, s := range notes.Specs() {
		i := strings.Index(body, `id="`+s.Key+`"`)
		if i < 0 {
			t.Fatalf("the form has no field %s", s.Key)
		}
		if i < last {
			t.Errorf("field %s is out of order", s.Key)
		}
		last = i
	}
	for _, want := range []string{"Up to 120 words.", `id="problem-count" aria-live="polite">120 words left<`,
		"0 of 650 words", `id="milestones.0.deliverable"`, `id="milestones.1.due"`, `type="month"`, "YYYY-MM",
		"Add another milestone", "Save draft", "Continue", "Core values"} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
	if strings.Contains(body, `id="milestones.2.deliverable"`) || strings.Contains(body, "Remove milestone") {
		t.Error("a new form shows more than 2 milestone rows, or lets one be removed")
	}

	r := b.postForm(id, noteFormValues(nil), "save", "1")
	if r.Status != http.StatusSeeOther || r.Location != "/notes/"+id+"/edit" {
		t.Fatalf("save draft: %d %q\n%s", r.Status, r.Location, r.Body)
	}
	saved := b.get(r.Location).text()
	if !strings.Contains(saved, "Your draft was saved at") || !strings.Contains(saved, "Belize time") ||
		!strings.Contains(saved, `value="Open budget data for every district"`) {
		t.Fatalf("after saving, the form does not show the flash and the text:\n%s", saved)
	}
	if want := fmt.Sprintf("%d of 650 words", ts.note(id).TotalWords()); !strings.Contains(saved, want) {
		t.Errorf("the total counter does not say %q", want)
	}

	r = b.postForm(id, noteFormValues(nil), "continue", "1")
	if r.Status != http.StatusSeeOther || r.Location != "/notes/"+id+"/check" {
		t.Fatalf("continue: %d %q", r.Status, r.Location)
	}
	check := b.get(r.Location)
	if check.Status != 200 || !strings.Contains(check.Body, `href="/notes/`+id+`/edit#problem"`) ||
		!strings.Contains(check.Body, "Submit concept note") || !strings.Contains(check.text(), "Residents of Toledo") {
		t.Fatalf("check your answers: %d\n%s", check.Status, check.Body)
	}
	r = b.post("/notes/"+id+"/submit", hidden(t, check.Body, "/notes/"+id+"/submit"))
	if r.Status != http.StatusSeeOther || r.Location != "/notes/"+id+"/submitted" {
		t.Fatalf("submit: %d %q\n%s", r.Status, r.Location, r.Body)
	}
	conf := b.get(r.Location).text()
	for _, want := range []string{`<p class="ref">BZ2026-0001</p>`, "Monday 15 June 2026, 06:00 Belize time", "Screening", "Scoring", "Results", "/notes/" + id + "/print"} {
		if !strings.Contains(conf, want) {
			t.Errorf("the confirmation lacks %q", want)
		}
	}
	mine := b.get("/notes").text()
	if !strings.Contains(mine, "BZ2026-0001") || !strings.Contains(mine, `tag-blue">Submitted<`) || !strings.Contains(mine, "Belize time") {
		t.Errorf("my notes does not list the submitted note:\n%s", mine)
	}
	show := b.get("/notes/" + id).text()
	if !strings.Contains(show, "Draft started") || !strings.Contains(show, "Submitted") || !strings.Contains(show, "You") ||
		!strings.Contains(show, `href="/notes/`+id+`/withdraw"`) || strings.Contains(show, `href="/notes/`+id+`/edit"`) {
		t.Errorf("the note page lacks its timeline or offers the wrong actions:\n%s", show)
	}
}

// formErr reports what is missing for key's error to show beside the field and in the summary.
func formErr(p htmlPage, key, msg string) string {
	body := p.text()
	switch {
	case !strings.Contains(body, `id="`+key+`-error"`):
		return "no message beside " + key
	case !strings.Contains(body, msg):
		return "no message " + strconv.Quote(msg)
	case !strings.Contains(body, `href="#`+key+`"`):
		return "no summary link to #" + key
	}
	return ""
}

func TestSaveErrorsShowBesideTheFieldAndKeepTheText(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", nil)
	b, _, _ := ts.participant("Maria Chan")
	id := b.startNote("bz")
	rows := func(n int, due string) []map[string]string {
		out := []map[string]string{}
		for i := range n {
			out = append(out, map[string]string{"deliverable": fmt.Sprintf("Deliverable number %d", i+1), "responsible": "Ministry", "due": due})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		extra map[string]any
		key   string
		msg   string
	}{
		{"unknown value", map[string]any{"values": []string{"transparency", "magic"}}, "values", `"magic" is not one of them`},
		{"unknown policy area", map[string]any{"policy_area": "space_travel"}, "policy_area", "Choose a policy area from the list"},
		{"malformed month", map[string]any{"milestones": rows(2, "March 2027")}, "milestones.0.due", "Milestone 1: enter a due month as YYYY-MM"},
		{"impossible month", map[string]any{"milestones": rows(3, "2027-13")}, "milestones.0.due", "enter a due month as YYYY-MM"},
		{"six milestones", map[string]any{"milestones": rows(6, "2027-01")}, "milestones", "Remove milestones until there are 5 or fewer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := ts.note(id).Version
			p := b.postForm(id, noteFormValues(tc.extra), "save", "1")
			if p.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", p.Status)
			}
			if miss := formErr(p, tc.key, tc.msg); miss != "" {
				t.Fatalf("%s:\n%s", miss, p.Body)
			}
			if !strings.Contains(p.text(), "Residents of Toledo and Stann Creek cannot see") || !strings.Contains(p.text(), `value="Open budget data for every district"`) {
				t.Fatal("the text typed was not kept")
			}
			if ts.note(id).Version != before {
				t.Fatal("a refused save changed the draft")
			}
		})
	}
	// The malformed month is shown back as typed (a month input would drop it).
	p := b.postForm(id, noteFormValues(map[string]any{"milestones": rows(2, "March 2027")}), "save", "1")
	if !strings.Contains(p.Body, `type="text" class="input-month" id="milestones.0.due" name="milestones.0.due" value="March 2027"`) {
		t.Fatalf("the malformed month was not kept as typed:\n%s", p.Body)
	}
}

func TestSubmitRulesShowOnCheckAndSubmitWithTheTextKept(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", map[string]any{"word_limits": map[string]int{"title": 5}})
	b, _, _ := ts.participant("Maria Chan")
	m := func(rows ...[3]string) []map[string]string {
		out := []map[string]string{}
		for _, r := range rows {
			out = append(out, map[string]string{"deliverable": r[0], "responsible": r[1], "due": r[2]})
		}
		return out
	}
	long := strings.Repeat("word ", 121)
	for _, tc := range []struct {
		name  string
		extra map[string]any
		key   string
		msg   string
	}{
		{"no title", map[string]any{"title": ""}, "title", "Enter a title"},
		{"title over the call's limit", map[string]any{"title": "One two three four five six"}, "title", "Title must be 5 words or fewer: it has 6"},
		{"no summary", map[string]any{"summary": " "}, "summary", "Enter a one-sentence summary"},
		{"no problem", map[string]any{"problem": nil}, "problem", "Describe the public problem"},
		{"problem too long", map[string]any{"problem": long}, "problem", "Problem must be 120 words or fewer: it has 121"},
		{"no commitment", map[string]any{"commitment": ""}, "commitment", "Describe what will be done"},
		{"no change", map[string]any{"change": ""}, "change", "Describe how it changes the status quo"},
		{"no values", map[string]any{"values": nil}, "values", "Choose at least one core value"},
		{"only technology", map[string]any{"values": []string{"technology"}}, "values", "Technology and inclusion count only beside a core value"},
		{"no explanation", map[string]any{"values_explanation": ""}, "values_explanation", "Explain how the commitment advances"},
		{"one milestone", map[string]any{"milestones": m([3]string{"Data standard", "Ministry", "2026-11"})}, "milestones", "Add at least 2 milestones"},
		{"milestone without deliverable", map[string]any{"milestones": m([3]string{"", "Ministry", "2026-11"}, [3]string{"Release", "Ministry", "2027-01"})}, "milestones.0.deliverable", "enter a deliverable"},
		{"milestone without owner", map[string]any{"milestones": m([3]string{"Standard", "", "2026-11"}, [3]string{"Release", "Ministry", "2027-01"})}, "milestones.0.responsible", "enter who is responsible"},
		{"milestone without month", map[string]any{"milestones": m([3]string{"Standard", "Ministry", "2026-11"}, [3]string{"Release", "Ministry", ""})}, "milestones.1.due", "Milestone 2: enter a due month"},
		{"milestone outside the plan", map[string]any{"milestones": m([3]string{"Standard", "Ministry", "2026-08"}, [3]string{"Release", "Ministry", "2027-01"})}, "milestones.0.due", "inside the plan period (2026-09 to 2028-08)"},
		{"milestone row too long", map[string]any{"milestones": m([3]string{strings.Repeat("x ", 18), "Ministry of Finance", "2026-11"}, [3]string{"Release", "Ministry", "2027-01"})}, "milestones.0.deliverable", "must be 20 words or fewer together: they have 21"},
		{"no lead agency", map[string]any{"lead_agency": ""}, "lead_agency", "Enter the proposed lead agency"},
		{"partners too long", map[string]any{"partners": strings.Repeat("partner ", 31)}, "partners", "Partners must be 30 words or fewer"},
		{"no policy area", map[string]any{"policy_area": ""}, "policy_area", "Choose a policy area"},
		{"resources too long", map[string]any{"resources": strings.Repeat("dollar ", 41)}, "resources", "Resources must be 40 words or fewer"},
		{"conflicts too long", map[string]any{"conflict_declaration": strings.Repeat("cousin ", 41)}, "conflict_declaration", "Conflicts of interest must be 40 words or fewer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := b.startNote("bz")
			if r := b.postForm(id, noteFormValues(tc.extra), "continue", "1"); r.Status != http.StatusSeeOther {
				t.Fatalf("a draft with a submit-time problem must still save: %d\n%s", r.Status, r.Body)
			}
			check := b.get("/notes/" + id + "/check")
			if check.Status != http.StatusUnprocessableEntity || !strings.Contains(check.text(), tc.msg) ||
				!strings.Contains(check.Body, `href="/notes/`+id+`/edit?check=1#`+tc.key+`"`) {
				t.Fatalf("check: %d, want 422 with %q linking to #%s:\n%s", check.Status, tc.msg, tc.key, check.Body)
			}
			if strings.Contains(check.Body, "Submit concept note") {
				t.Fatal("check offers Submit although the note breaks a rule")
			}
			// The Change link opens the form with the message beside the field and the text kept.
			edit := b.get("/notes/" + id + "/edit?check=1")
			if !strings.Contains(edit.Body, `id="`+tc.key+`-error"`) || !strings.Contains(edit.text(), tc.msg) ||
				!strings.Contains(edit.text(), "Ministry of Finance") {
				t.Fatalf("the form does not show the error beside %s:\n%s", tc.key, edit.Body)
			}
			// A submit posted anyway (an old page) is refused with the same message; nothing changes.
			r := b.post("/notes/"+id+"/submit", url.Values{"csrf_token": {b.csrf("/notes")}, "version": {strconv.Itoa(ts.note(id).Version)}})
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.text(), tc.msg) {
				t.Fatalf("submit: %d, want 422 with %q", r.Status, tc.msg)
			}
			if n := ts.note(id); n.State != "draft" || n.Ref != "" {
				t.Fatalf("a refused submission left the note %s %q", n.State, n.Ref)
			}
		})
	}
}

func TestMilestoneRowsWithoutJavaScript(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", nil)
	b, _, _ := ts.participant("Maria Chan")
	id := b.startNote("bz")

	v := noteFormValues(map[string]any{"title": "Rows without script"})
	r := b.postForm(id, v, "add", "1")
	if r.Status != http.StatusSeeOther || r.Location != "/notes/"+id+"/edit?rows=3#milestone-3" {
		t.Fatalf("add a row: %d %q", r.Status, r.Location)
	}
	p := b.get(r.Location)
	for _, want := range []string{`id="milestones.2.deliverable"`, `value="Rows without script"`, `value="First monthly release"`, "Remove milestone 3"} {
		if !strings.Contains(p.text(), want) {
			t.Errorf("after adding a row the form lacks %q", want)
		}
	}
	// Fill the new row, add two more (5), then no more can be added.
	v.Set("milestones.2.deliverable", "Public dashboard online")
	v.Set("milestones.2.responsible", "Statistical Institute of Belize")
	v.Set("milestones.2.due", "2027-09")
	b.postForm(id, v, "add", "1")
	p = b.get("/notes/" + id + "/edit?rows=5")
	if !strings.Contains(p.Body, `id="milestones.4.deliverable"`) || strings.Contains(p.Body, "Add another milestone") {
		t.Fatal("five rows should show and no sixth be offered")
	}
	if got := len(ts.note(id).Milestones); got != 3 {
		t.Fatalf("stored %d milestones, want the 3 with text", got)
	}
	// Remove the first row: the others move up, nothing else is lost.
	r = b.postForm(id, v, "remove", "0")
	if r.Status != http.StatusSeeOther {
		t.Fatalf("remove: %d\n%s", r.Status, r.Body)
	}
	n := ts.note(id)
	if len(n.Milestones) != 2 || n.Milestones[0].Deliverable != "First monthly release" || n.Milestones[1].Due != "2027-09" || n.Title != "Rows without script" {
		t.Fatalf("after removing row 1: %+v", n.Milestones)
	}
	// Adding a row while a month is malformed keeps every row and the new one, unsaved.
	v = noteFormValues(map[string]any{"milestones": []map[string]string{{"deliverable": "Bad month row", "responsible": "Ministry", "due": "soon"}, {"deliverable": "Second", "responsible": "Ministry", "due": "2027-01"}}})
	p = b.postForm(id, v, "add", "1")
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `id="milestones.2.deliverable"`) || !strings.Contains(p.Body, `value="Bad month row"`) || !strings.Contains(p.Body, `value="soon"`) {
		t.Fatalf("add with a bad month: %d\n%s", p.Status, p.Body)
	}
}

func TestStaleSaveKeepsTheTextAndTheStoredNote(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", nil)
	b, _, _ := ts.participant("Maria Chan")
	id := b.startNote("bz")
	tab1 := b.get("/notes/" + id + "/edit")
	tab2 := b.get("/notes/" + id + "/edit")
	post := func(tab htmlPage, title string) htmlPage {
		form := hidden(t, tab.Body, "/notes/"+id+"/edit")
		for k, v := range noteFormValues(map[string]any{"title": title}) {
			form[k] = v
		}
		form.Set("save", "1")
		return b.post("/notes/"+id+"/edit", form)
	}
	if r := post(tab1, "Saved in the first tab"); r.Status != http.StatusSeeOther {
		t.Fatalf("first save: %d", r.Status)
	}
	r := post(tab2, "Typed in the second tab")
	if r.Status != http.StatusConflict || !strings.Contains(r.text(), `value="Typed in the second tab"`) ||
		!strings.Contains(r.text(), "changed in another tab or window") || !strings.Contains(r.Body, `href="/notes/`+id+`/edit" target="_blank"`) {
		t.Fatalf("stale save: %d\n%s", r.Status, r.Body)
	}
	if got := ts.note(id).Title; got != "Saved in the first tab" {
		t.Fatalf("the stale save overwrote the note: %q", got)
	}
}

func TestExpiredSessionAndClosedCallKeepTheText(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", nil)
	b, u, _ := ts.participant("Maria Chan")
	id := b.startNote("bz")
	if r := b.postForm(id, noteFormValues(map[string]any{"title": "Saved before the break"}), "save", "1"); r.Status != http.StatusSeeOther {
		t.Fatal("save")
	}
	page := b.get("/notes/" + id + "/edit")
	ts.clock.Add(13 * time.Hour) // past the idle timeout
	form := hidden(t, page.Body, "/notes/"+id+"/edit")
	for k, v := range noteFormValues(map[string]any{"title": "Typed after the break"}) {
		form[k] = v
	}
	form.Set("save", "1")
	r := b.post("/notes/"+id+"/edit", form)
	if r.Status != http.StatusUnauthorized || !strings.Contains(r.text(), "have not been saved") ||
		!strings.Contains(r.text(), "Typed after the break") || !strings.Contains(r.Body, "/login?next=%2fnotes%2f"+id+"%2fedit") {
		t.Fatalf("expired session: %d\n%s", r.Status, r.Body)
	}
	b.signIn(u.Email, testPassword)
	if p := b.get("/notes/" + id + "/edit"); !strings.Contains(p.Body, `value="Saved before the break"`) {
		t.Fatal("after signing in again the saved draft is not there")
	}

	ts.clock.Set(testCallCloses.Add(-time.Minute))
	b.signIn(u.Email, testPassword)
	page = b.get("/notes/" + id + "/edit")
	ts.clock.Set(testCallCloses)
	r = b.postForm2(id, page, map[string]any{"title": "Typed after closing"})
	if r.Status != http.StatusConflict || !strings.Contains(r.text(), "The call closed on Wednesday 1 July 2026, 17:00 Belize time") ||
		!strings.Contains(r.text(), `value="Typed after closing"`) || strings.Contains(r.Body, `name="continue"`) {
		t.Fatalf("closed call: %d\n%s", r.Status, r.Body)
	}
	if p := b.get("/notes/" + id + "/edit"); p.Status != http.StatusSeeOther {
		t.Fatalf("the form of a closed call's draft: %d, want a redirect to the note", p.Status)
	}
}

// postForm2 posts values over the hidden fields of an already loaded form page.
func (b *browser) postForm2(id string, page htmlPage, extra map[string]any) htmlPage {
	b.ts.t.Helper()
	form := hidden(b.ts.t.(*testing.T), page.Body, "/notes/"+id+"/edit")
	for k, v := range noteFormValues(extra) {
		form[k] = v
	}
	form.Set("save", "1")
	return b.post("/notes/"+id+"/edit", form)
}

func TestDoubleSubmitMakesOneSubmissionAndOneReference(t *testing.T) {
	ts := newTestServer(t)
	call := ts.makeCall("bz", nil)
	b, _, _ := ts.participant("Maria Chan")
	id := b.startNote("bz")
	b.postForm(id, noteFormValues(nil), "continue", "1")
	check := b.get("/notes/" + id + "/check")
	form := hidden(t, check.Body, "/notes/"+id+"/submit")
	if form.Get("form_token") == "" || form.Get("version") == "" {
		t.Fatalf("the submit form has no form_token or version: %v", form)
	}
	first, second := b.post("/notes/"+id+"/submit", form), b.post("/notes/"+id+"/submit", form)
	for _, r := range []htmlPage{first, second} {
		if r.Status != http.StatusSeeOther || r.Location != "/notes/"+id+"/submitted" {
			t.Fatalf("submit: %d %q\n%s", r.Status, r.Location, r.Body)
		}
	}
	n := ts.note(id)
	if n.Ref != "BZ2026-0001" || len(n.History) != 1 {
		t.Fatalf("after a double submit: ref %q, %d history entries", n.Ref, len(n.History))
	}
	// No reference was burned: the next note gets the next number.
	id2 := b.startNote("bz")
	b.postForm(id2, noteFormValues(nil), "continue", "1")
	check = b.get("/notes/" + id2 + "/check")
	b.post("/notes/"+id2+"/submit", hidden(t, check.Body, "/notes/"+id2+"/submit"))
	if ref := ts.note(id2).Ref; ref != "BZ2026-0002" {
		t.Fatalf("second note's reference %q, want BZ2026-0002", ref)
	}
	// A new form (new token) posted with the old version is told it is submitted already.
	r := b.post("/notes/"+id+"/submit", url.Values{"csrf_token": {form.Get("csrf_token")}, "form_token": {"another"}, "version": {form.Get("version")}})
	if r.Status != http.StatusSeeOther || r.Location != "/notes/"+id {
		t.Fatalf("a late second submission: %d %q", r.Status, r.Location)
	}
	if seq, _ := ts.store.NextSeq(context.Background(), "ref:"+call); seq != 3 {
		t.Fatalf("the reference counter moved to %d, want 3 after two submissions", seq-1)
	}
}

func TestAnotherParticipantGets404OnEveryPage(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", nil)
	owner, _, _ := ts.participant("Maria Chan")
	other, _, _ := ts.participant("Carlos Bol")
	draftID := owner.startNote("bz")
	subID := owner.startNote("bz")
	owner.postForm(subID, noteFormValues(nil), "continue", "1")
	owner.post("/notes/"+subID+"/submit", hidden(t, owner.get("/notes/"+subID+"/check").Body, "/notes/"+subID+"/submit"))
	csrf := other.csrf("/notes")
	for _, id := range []string{draftID, subID, "000000000000000000000000"} {
		for _, path := range []string{"", "/edit", "/check", "/submitted", "/print", "/withdraw"} {
			if p := other.get("/notes/" + id + path); p.Status != http.StatusNotFound {
				t.Errorf("GET /notes/%s%s: %d, want 404", id, path, p.Status)
			}
		}
		for _, path := range []string{"/edit", "/submit", "/resubmit", "/withdraw"} {
			form := noteFormValues(nil)
			form.Set("csrf_token", csrf)
			form.Set("version", "1")
			if p := other.post("/notes/"+id+path, form); p.Status != http.StatusNotFound {
				t.Errorf("POST /notes/%s%s: %d, want 404", id, path, p.Status)
			}
		}
	}
	if strings.Contains(other.get("/notes").text(), "Open budget data") {
		t.Error("my notes lists another participant's note")
	}
	if n := ts.note(subID); n.State != "submitted" || n.Title != "Open budget data for every district" {
		t.Fatalf("another participant changed the note: %s %q", n.State, n.Title)
	}
}

func TestWithdrawAsksOnceAndRecordsTheReason(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", nil)
	b, _, _ := ts.participant("Maria Chan")
	id := b.startNote("bz")
	b.postForm(id, noteFormValues(nil), "continue", "1")
	b.post("/notes/"+id+"/submit", hidden(t, b.get("/notes/"+id+"/check").Body, "/notes/"+id+"/submit"))

	ask := b.get("/notes/" + id + "/withdraw")
	if ask.Status != 200 || !strings.Contains(ask.text(), "What will happen") || !strings.Contains(ask.text(), "This cannot be undone") ||
		!strings.Contains(ask.text(), "BZ2026-0001 stays with it") {
		t.Fatalf("withdraw confirmation: %d\n%s", ask.Status, ask.Body)
	}
	if ts.note(id).State != "submitted" {
		t.Fatal("asking withdrew the note")
	}
	form := hidden(t, ask.Body, "/notes/"+id+"/withdraw")
	form.Set("reason", strings.Repeat("x", 1001))
	if r := b.post("/notes/"+id+"/withdraw", form); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="reason-error"`) || !strings.Contains(r.Body, "xxxxxxxxxx") {
		t.Fatalf("too long a reason: %d\n%s", r.Status, r.Body)
	}
	form = hidden(t, b.get("/notes/"+id+"/withdraw").Body, "/notes/"+id+"/withdraw")
	form.Set("reason", "We joined a similar proposal from the Ministry.")
	r := b.post("/notes/"+id+"/withdraw", form)
	if r.Status != http.StatusSeeOther || r.Location != "/notes/"+id {
		t.Fatalf("withdraw: %d %q\n%s", r.Status, r.Location, r.Body)
	}
	n := ts.note(id)
	if n.State != "withdrawn" || n.History[len(n.History)-1].Reason != "We joined a similar proposal from the Ministry." {
		t.Fatalf("after withdrawing: %s %+v", n.State, n.History)
	}
	show := b.get("/notes/" + id).text()
	if !strings.Contains(show, "Your note has been withdrawn") || !strings.Contains(show, "We joined a similar proposal") || strings.Contains(show, "/withdraw\"") {
		t.Fatalf("the note page after withdrawing:\n%s", show)
	}
	if p := b.get("/notes/" + id + "/withdraw"); p.Status != http.StatusSeeOther {
		t.Fatalf("asking to withdraw a withdrawn note: %d, want a redirect", p.Status)
	}
}

func TestReturnedNoteIsRevisedAndResubmitted(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", nil)
	b, _, _ := ts.participant("Maria Chan")
	id := b.startNote("bz")
	b.postForm(id, noteFormValues(nil), "continue", "1")
	b.post("/notes/"+id+"/submit", hidden(t, b.get("/notes/"+id+"/check").Body, "/notes/"+id+"/submit"))
	ts.force(id, bson.D{{Key: "state", Value: "returned"}, {Key: "returned_before", Value: true},
		{Key: "screening", Value: store.Screening{Outcome: "return", Checklist: map[string]bool{"complete": true, "verifiable": false},
			Instructions: "Date each milestone and name who delivers it.", ReviseBy: "2026-06-20", By: "someone", At: ts.clock.Now()}}})

	show := b.get("/notes/" + id).text()
	for _, want := range []string{"Returned for revision", "Date each milestone and name who delivers it.", "Saturday 20 June 2026 (until 23:59 Belize time)", "Revise and resubmit", "Not met"} {
		if !strings.Contains(show, want) {
			t.Errorf("the returned note's page lacks %q", want)
		}
	}
	if strings.Contains(show, "someone") {
		t.Error("the owner sees who screened the note")
	}
	if r := b.postForm(id, noteFormValues(map[string]any{"title": "Revised title"}), "continue", "1"); r.Status != http.StatusSeeOther {
		t.Fatalf("save the revision: %d\n%s", r.Status, r.Body)
	}
	check := b.get("/notes/" + id + "/check")
	if !strings.Contains(check.Body, "Resubmit concept note") {
		t.Fatalf("check does not offer Resubmit:\n%s", check.Body)
	}
	r := b.post("/notes/"+id+"/resubmit", hidden(t, check.Body, "/notes/"+id+"/resubmit"))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("resubmit: %d\n%s", r.Status, r.Body)
	}
	if n := ts.note(id); n.State != "submitted" || n.Ref != "BZ2026-0001" || n.Title != "Revised title" {
		t.Fatalf("after resubmitting: %s %q %q", n.State, n.Ref, n.Title)
	}
	if conf := b.get(r.Location).text(); !strings.Contains(conf, "Concept note resubmitted") || !strings.Contains(conf, "BZ2026-0001") {
		t.Fatalf("resubmission confirmation:\n%s", conf)
	}
}

func TestPrintAndNotePagesForEveryOwnerStateHideUnpublishedDecisions(t *testing.T) {
	ts := newTestServer(t)
	callID := ts.makeCall("bz", nil)
	b, _, _ := ts.participant("Maria Chan")
	decision := store.Decision{Class: "A", ReasonCode: "included", Rationale: "A SECRET RATIONALE the owner must not see yet.", By: "chair-id", At: ts.clock.Now()}
	score := bson.D{{Key: "reviews", Value: 3}, {Key: "mean", Value: 87.5}, {Key: "per_criterion", Value: bson.D{{Key: "ambition", Value: 3.5}}}, {Key: "flags", Value: bson.A{}}}
	submittedNote := func() string {
		id := b.startNote("bz")
		b.postForm(id, noteFormValues(nil), "continue", "1")
		b.post("/notes/"+id+"/submit", hidden(t, b.get("/notes/"+id+"/check").Body, "/notes/"+id+"/submit"))
		return id
	}
	classify := bson.D{{Key: "state", Value: "classified"}, {Key: "decision", Value: decision}, {Key: "score", Value: score}}
	for _, tc := range []struct {
		name, word string
		set        bson.D
	}{
		{"draft", "Draft", nil},
		{"submitted", "Submitted", bson.D{}},
		{"returned", "Returned for revision", bson.D{{Key: "state", Value: "returned"}, {Key: "screening", Value: store.Screening{Outcome: "return", Instructions: "Fix it.", ReviseBy: "2026-06-30"}}}},
		{"screened", "Under review", bson.D{{Key: "state", Value: "screened"}, {Key: "score", Value: score}}},
		{"ineligible", "Not eligible", bson.D{{Key: "state", Value: "ineligible"}, {Key: "screening", Value: store.Screening{Outcome: "fail", Checklist: map[string]bool{"public_problem": false}}}}},
		{"classified, unpublished", "Under review", classify},
		{"withdrawn", "Withdrawn", bson.D{{Key: "state", Value: "withdrawn"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var id string
			if tc.set == nil {
				id = b.startNote("bz")
				b.postForm(id, noteFormValues(nil), "save", "1")
			} else {
				id = submittedNote()
				if len(tc.set) > 0 {
					ts.force(id, tc.set)
				}
			}
			// An unpublished decision in the history, whatever the state, stays hidden from the owner.
			n := ts.note(id)
			if _, err := ts.store.ApplyChange(context.Background(), id, store.Change{Version: n.Version, History: &store.HistoryEntry{
				From: "screened", To: "classified", Event: "classify", By: "chair-id", ByRole: "chair", At: ts.clock.Now(), Reason: "A SECRET RATIONALE"}}); err != nil {
				t.Fatal(err)
			}
			for _, path := range []string{"/print", ""} {
				p := b.get("/notes/" + id + path)
				if p.Status != 200 || !strings.Contains(p.text(), ">"+tc.word+"<") || !strings.Contains(p.text(), "Open budget data for every district") {
					t.Fatalf("%s page: %d, want the state %q:\n%s", path, p.Status, tc.word, p.Body)
				}
				for _, secret := range []string{"SECRET", "87.5", "A: prioritise", "chair-id", "Classified"} {
					if strings.Contains(p.text(), secret) {
						t.Fatalf("%s page shows %q before publication", path, secret)
					}
				}
			}
			if p := b.get("/notes/" + id + "/print"); !strings.Contains(p.text(), "Maria Chan") || !strings.Contains(p.text(), "Citizens for Open Budgets") {
				t.Fatal("the printable view lacks the submitter's details")
			}
		})
	}
	// After publication the owner learns the decision, the rationale and the mean, never who scored.
	id := submittedNote()
	published := ts.clock.Now().Add(time.Hour)
	pub := decision
	pub.Rationale = "Strong and verifiable; the ministry is ready to lead it."
	ts.force(id, append(classify, bson.E{Key: "published", Value: pub}))
	if err := ts.store.SetCallPublished(context.Background(), callID, published); err != nil {
		t.Fatal(err)
	}
	show := b.get("/notes/" + id).text()
	for _, want := range []string{">Classified<", "A: prioritise", "Strong and verifiable", "87.5 out of 100", "Ambition: potential for results: 3.5 out of 4"} {
		if !strings.Contains(show, want) {
			t.Errorf("after publication the note page lacks %q", want)
		}
	}
	if strings.Contains(show, "chair-id") {
		t.Error("the owner sees who decided")
	}
	if p := b.get("/notes/" + id + "/print"); p.Status != 200 || !strings.Contains(p.text(), ">Classified<") {
		t.Errorf("the printable view after publication: %d", p.Status)
	}
}

func TestCheckAndSubmitAfterTheCallCloses(t *testing.T) {
	ts := newTestServer(t)
	ts.makeCall("bz", nil)
	b, u, _ := ts.participant("Maria Chan")
	id := b.startNote("bz")
	b.postForm(id, noteFormValues(nil), "continue", "1")
	ts.clock.Set(testCallCloses.Add(-time.Second))
	b.signIn(u.Email, testPassword)
	check := b.get("/notes/" + id + "/check")
	if !strings.Contains(check.Body, "Submit concept note") {
		t.Fatalf("one second before closing, check does not offer Submit:\n%s", check.Body)
	}
	ts.clock.Set(testCallCloses)
	r := b.post("/notes/"+id+"/submit", hidden(t, check.Body, "/notes/"+id+"/submit"))
	if r.Status != http.StatusConflict || !strings.Contains(r.text(), "The call closed on Wednesday 1 July 2026, 17:00 Belize time") ||
		strings.Contains(r.Body, "Submit concept note") || !strings.Contains(r.text(), "Residents of Toledo") {
		t.Fatalf("submit at the closing instant: %d\n%s", r.Status, r.Body)
	}
	if n := ts.note(id); n.State != "draft" || n.Ref != "" {
		t.Fatalf("a submission after closing was accepted: %s %q", n.State, n.Ref)
	}
	if p := b.get("/notes/" + id); !strings.Contains(p.text(), "The call has closed, so it can no longer be submitted") {
		t.Fatalf("the draft's page after closing:\n%s", p.Body)
	}
}
