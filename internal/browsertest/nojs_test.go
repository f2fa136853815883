package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"cocreate/internal/notes"
)

// TestFormWorksWithoutJavaScript adds a milestone row with scripts switched
// off: the form posts, the server saves and shows one row more, and what was
// typed is still there.
func TestFormWorksWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	u := s.participant("marisol@example.org")
	n := s.draft(u, notes.Fields{})
	ctx := browser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	s.signIn(ctx, u.Email)
	load(t, ctx, s.url+"/notes/"+n.ID+"/edit")
	// Without the script the counters keep what the server wrote.
	if got := strings.TrimSpace(run(t, ctx, chromedp.TextContent(chromedp.CSS("#title-count")))); got != "15 words left" {
		t.Fatalf("title counter: %q", got)
	}
	do(t, ctx,
		chromedp.SendKeys(chromedp.ID("title"), "Open budgets for every district"),
		chromedp.SendKeys(chromedp.CSS(`[id="milestones.1.deliverable"]`), "First monthly release"),
	)
	if got := strings.TrimSpace(run(t, ctx, chromedp.TextContent(chromedp.CSS("#title-count")))); got != "15 words left" {
		t.Fatalf("with scripts off the counter changed to %q: the script ran", got)
	}
	clickAndLoad(t, ctx, chromedp.CSS(`button[name="add"]`))
	if loc := run(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/notes/"+n.ID+"/edit?rows=3#milestone-3") {
		t.Fatalf("after Add another milestone the browser is at %s", loc)
	}
	html := run(t, ctx, chromedp.OuterHTML(chromedp.CSS("form.note-form")))
	for _, want := range []string{`id="milestones.2.deliverable"`, `value="Open budgets for every district"`, `value="First monthly release"`, "Remove milestone 3", ">10 words left<"} {
		if !strings.Contains(html, want) {
			t.Errorf("after adding a row without JavaScript the form lacks %s", want)
		}
	}
	saved, _, err := s.app.NoteFor(context.Background(), u, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Title != "Open budgets for every district" || len(saved.Milestones) != 1 || saved.Milestones[0].Deliverable != "First monthly release" {
		t.Fatalf("the draft was not saved with the row change: %q %+v", saved.Title, saved.Milestones)
	}
}
