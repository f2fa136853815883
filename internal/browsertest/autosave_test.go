package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cocreate/internal/notes"
)

// TestAutosaveKeepsTheDraftAndTheFormInStep types and waits for the script to
// save the draft, then saves with the button: the form carries the version
// the autosave returned, so the post is not refused as stale.
func TestAutosaveKeepsTheDraftAndTheFormInStep(t *testing.T) {
	s := newSite(t)
	u := s.participant("marisol@example.org")
	n := s.draft(u, notes.Fields{})
	ctx := browser(t)
	s.signIn(ctx, u.Email)
	load(t, ctx, s.url+"/notes/"+n.ID+"/edit")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("problem"), "Residents cannot see district budgets"))
	status := run(t, ctx, chromedp.Poll[string](`(function () {
		var s = document.querySelector('[data-autosave-status]').textContent;
		return s.indexOf('Draft saved automatically') === 0 ? s : null;
	})()`, chromedp.WithPollingTimeout(20*time.Second)))
	if status == "" {
		t.Fatal("no autosave")
	}
	saved, _, err := s.app.NoteFor(context.Background(), u, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Problem != "Residents cannot see district budgets" {
		t.Fatalf("autosave stored %q", saved.Problem)
	}
	if v := run(t, ctx, chromedp.Value(chromedp.CSS("[data-note-version]"))); v != "2" {
		t.Fatalf("the form's version is %s after the autosave, want 2", v)
	}
	do(t, ctx, chromedp.SendKeys(chromedp.ID("title"), "Open budgets"))
	clickAndLoad(t, ctx, chromedp.CSS(`.actions button[name="save"]`))
	body := run(t, ctx, chromedp.TextContent(chromedp.CSS("main")))
	if !strings.Contains(body, "Your draft was saved") {
		t.Fatalf("Save draft after an autosave did not save:\n%s", body)
	}
	saved, _, _ = s.app.NoteFor(context.Background(), u, n.ID)
	if saved.Title != "Open budgets" || saved.Problem != "Residents cannot see district budgets" {
		t.Fatalf("after Save draft: %q %q", saved.Title, saved.Problem)
	}
}
