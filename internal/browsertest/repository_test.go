package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"cocreate/internal/notes"
	"cocreate/internal/store"
)

// TestRepositoryOnAPhoneWithoutJavaScript reads a published call's public
// repository 390 px wide with scripts off: nothing is wider than the
// screen, and the filter form narrows the list by its GET parameters.
func TestRepositoryOnAPhoneWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	u := s.participant("marisol@example.org")
	ctx0 := context.Background()
	at := time.Now().UTC()
	var ns []*store.Note
	for i := range 60 {
		class := []string{"A", "B", "D"}[i%3]
		ns = append(ns, &store.Note{ID: store.NewID(), CallID: s.call.ID, Ref: fmt.Sprintf("BZ2020-%04d", i+1), State: "classified",
			Owner: u.ID, SubmittedAt: &at,
			Fields: notes.Fields{Title: fmt.Sprintf("Open district budgets, published monthly in open formats, number %d", i+1),
				Summary: "Every district council publishes its budget and monthly spending in open formats, with a plain-language guide.",
				Values:  []string{"transparency", "participation"}, PolicyArea: "fiscal_openness", ConsentPublish: true},
			Published: &store.Decision{Class: class, ReasonCode: map[string]string{"A": "included", "B": "lower_priority", "D": "status_quo"}[class],
				Rationale: "The committee found the note clear, with dated milestones that anyone can check, and an owner in government."}})
	}
	if err := s.app.Store.InsertNotes(ctx0, ns); err != nil {
		t.Fatal(err)
	}
	if err := s.app.Store.SetCallPublished(ctx0, s.call.ID, at); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.EmulateViewport(390, 844))
	wide := func(where string) {
		t.Helper()
		if w := run(t, ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth")); w > 390 {
			t.Errorf("%s is %d px wide on a 390 px screen", where, w)
		}
	}
	load(t, ctx, s.url+"/calls/bz/repository")
	wide("the repository")
	if got := run(t, ctx, chromedp.TextContent(chromedp.ID("showing"))); !strings.Contains(got, "Showing 1–50 of 60 notes") {
		t.Fatalf("showing: %q", got)
	}
	do(t, ctx, chromedp.SetValue(chromedp.ID("class"), "A"))
	clickAndLoad(t, ctx, chromedp.CSS(`form.filters button[type=submit]`))
	if loc := run(t, ctx, chromedp.Location()); !strings.Contains(loc, "/calls/bz/repository?") || !strings.Contains(loc, "class=A") {
		t.Fatalf("after filtering the browser is at %s", loc)
	}
	if got := run(t, ctx, chromedp.TextContent(chromedp.ID("showing"))); !strings.Contains(got, "Showing 1–20 of 20 notes") {
		t.Fatalf("filtered: %q", got)
	}
	wide("the filtered repository")
	load(t, ctx, s.url+"/calls/bz/repository/BZ2020-0001")
	wide("a note's public page")
	if text := run(t, ctx, chromedp.TextContent(chromedp.CSS("article"))); !strings.Contains(text, "A: prioritise") || strings.Contains(text, "Marisol Cal") {
		t.Errorf("the note's public page: %q", text)
	}
}
