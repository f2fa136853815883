package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"cocreate/internal/notes"
)

// TestLiveCountersSayWhatIsLeft types into the form and reads the counters
// the script keeps up to date: per field, per milestone row and in total.
func TestLiveCountersSayWhatIsLeft(t *testing.T) {
	s := newSite(t)
	u := s.participant("marisol@example.org")
	n := s.draft(u, notes.Fields{Title: "Open budgets"})
	ctx := browser(t)
	s.signIn(ctx, u.Email)
	load(t, ctx, s.url+"/notes/"+n.ID+"/edit")

	text := func(sel string) string {
		return strings.TrimSpace(run(t, ctx, chromedp.TextContent(chromedp.CSS(sel))))
	}
	if got := text("#title-count"); got != "13 words left" {
		t.Fatalf("title counter on load: %q, want 13 words left", got)
	}
	// The cursor lands at the start of a filled field: type the whole title afresh.
	do(t, ctx, chromedp.Clear(chromedp.ID("title")), chromedp.SendKeys(chromedp.ID("title"), "Open budgets for every district"))
	if got := text("#title-count"); got != "10 words left" {
		t.Errorf("title counter after typing: %q, want 10 words left", got)
	}
	do(t, ctx, chromedp.SendKeys(chromedp.ID("title"), " and every village council in all six districts of Belize from today"))
	if got := text("#title-count"); got != "2 words too many" {
		t.Errorf("title counter over the limit: %q, want 2 words too many", got)
	}
	if cls := run(t, ctx, chromedp.AttributeValue(chromedp.CSS("#title-count"), "class")); !strings.Contains(cls.Value, "is-over") {
		t.Errorf("an over-limit counter has class %q, want is-over", cls.Value)
	}
	// The typing was not blocked: every word is in the field.
	if v := run(t, ctx, chromedp.Value(chromedp.ID("title"))); notes.CountWords(v) != 17 {
		t.Errorf("the title holds %d words, want all 17 typed", notes.CountWords(v))
	}
	// A milestone row counts its deliverable and responsible actor together.
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(`[id="milestones.0.deliverable"]`), "Data standard agreed"),
		chromedp.SendKeys(chromedp.CSS(`[id="milestones.0.responsible"]`), "Ministry of Finance"))
	if got := text(`[id="milestones.0.deliverable-count"]`); got != "14 words left" {
		t.Errorf("milestone row counter: %q, want 14 words left", got)
	}
	do(t, ctx, chromedp.SendKeys(chromedp.ID("problem"), "One\ntwo  three"))
	if got := text("#problem-count"); got != "117 words left" {
		t.Errorf("problem counter: %q, want 117 words left", got)
	}
	if got := text("[data-word-total]"); got != "26 of 650 words" {
		t.Errorf("total: %q, want 26 of 650 words", got)
	}
}
