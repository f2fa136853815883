package browsertest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cocreate/internal/app"
)

// Heights of the screening page before issue 13 (a note at every limit,
// measured in headless Chromium with the same note): the page must now be
// half of these or less.
const (
	screenHeightBefore1280 = 5429
	screenHeightBefore390  = 7865
)

// TestScreeningPageIsHalfAsTall opens the screening page of a note at its
// limits at 1280 px and 390 px and compares the document's height with the
// page's height before the redesign; at 1280 px the note sits beside the
// checklist, at 390 px above it. It then screens the note with "all items
// pass" and nothing else, which derives the pass outcome.
func TestScreeningPageIsHalfAsTall(t *testing.T) {
	s := newSite(t)
	u := s.participant("marisol@example.org")
	n := s.draft(u, atLimits(s.call.PlanStart))
	if _, err := s.app.SubmitNote(context.Background(), u, n.ID, n.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.CreateMember(context.Background(), app.NewMember{Email: "rev@example.org", Name: "Rita Reviewer",
		Organization: "Ministry of Finance", Sector: "government", Roles: []string{"reviewer"}, Password: password}); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	s.signIn(ctx, "rev@example.org")
	height := func(w, h int64) int {
		do(t, ctx, chromedp.EmulateViewport(w, h))
		load(t, ctx, s.url+"/notes/"+n.ID+"/screen")
		if wd := run(t, ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth")); wd > int(w) {
			t.Errorf("the screening page is %d px wide on a %d px screen", wd, w)
		}
		return run(t, ctx, chromedp.Evaluate[int]("document.documentElement.scrollHeight"))
	}
	wide, narrow := height(1280, 800), height(390, 844)
	t.Logf("screening page height: %d px at 1280 px, %d px at 390 px (before: %d and %d)", wide, narrow, screenHeightBefore1280, screenHeightBefore390)
	if 2*wide > screenHeightBefore1280 {
		t.Errorf("at 1280 px the screening page is %d px tall: more than half of %d", wide, screenHeightBefore1280)
	}
	if 2*narrow > screenHeightBefore390 {
		t.Errorf("at 390 px the screening page is %d px tall: more than half of %d", narrow, screenHeightBefore390)
	}

	// With JavaScript, "some items fail" with nothing ticked is caught on the page.
	run(t, ctx, chromedp.Evaluate[bool]("window.stayed = true"))
	do(t, ctx, chromedp.Click(chromedp.ID("items-some")), chromedp.Click(chromedp.CSS(`form[data-screening] button[type=submit]`)), chromedp.Sleep(time.Second))
	if !run(t, ctx, chromedp.Evaluate[bool]("window.stayed === true")) {
		t.Fatal("the contradiction was sent to the server: the page was reloaded")
	}
	if msg := run(t, ctx, chromedp.Evaluate[string](`(function(){var e=document.getElementById('items-js-error');return e.hidden?'':e.textContent})()`)); !strings.Contains(msg, "tick the items that fail") {
		t.Errorf("no inline error for “some items fail” with none ticked: %q", msg)
	}
	if loc := run(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/screen") {
		t.Fatalf("the contradiction was sent: the browser is at %s", loc)
	}
	// "All eight items pass" alone passes the note: the outcome is derived.
	do(t, ctx, chromedp.Click(chromedp.ID("items-all")))
	clickAndLoad(t, ctx, chromedp.CSS(`form[data-screening] button[type=submit]`))
	got, err := s.app.Store.NoteByID(context.Background(), n.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "screened" || got.Screening == nil || got.Screening.Outcome != "pass" || len(got.Screening.Checklist) != 8 {
		t.Fatalf("after “all items pass” the note is %s with %+v", got.State, got.Screening)
	}
}
