package browsertest

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"cocreate/internal/demo"
)

// TestTableRegionsAreTabStopsOnlyWhenTheyScroll loads the dashboard, whose
// tables are keyboard-reachable regions in the markup, on a phone and on a
// desktop: with the script, a region is a tab stop exactly when its table
// is wider than it, and the phone has at least one such region.
func TestTableRegionsAreTabStopsOnlyWhenTheyScroll(t *testing.T) {
	s := demoSite(t)
	ctx := browser(t)
	do(t, ctx, chromedp.EmulateViewport(390, 844))
	s.signInAs(ctx, "coordinator@demo.example", demo.Password)
	load(t, ctx, s.url+"/committee?call="+demo.Slug)
	type region struct {
		Label     string
		Scrolls   bool
		Focusable bool
	}
	check := func(width int64) int {
		t.Helper()
		do(t, ctx, chromedp.EmulateViewport(width, 844), chromedp.Sleep(200*time.Millisecond))
		rs := run(t, ctx, chromedp.Evaluate[[]region](`[...document.querySelectorAll('.table-wrap[role=region]')].map(r => ({
		  label: r.getAttribute('aria-label'), scrolls: r.scrollWidth > r.clientWidth + 1, focusable: r.getAttribute('tabindex') === '0'}))`))
		if len(rs) == 0 {
			t.Fatal("the dashboard has no table region")
		}
		scrolling := 0
		for _, r := range rs {
			if r.Scrolls {
				scrolling++
			}
			if r.Scrolls != r.Focusable {
				t.Errorf("at %d px the region %q scrolls %v but is a tab stop %v", width, r.Label, r.Scrolls, r.Focusable)
			}
		}
		return scrolling
	}
	if n := check(390); n == 0 {
		t.Error("at 390 px no table of the dashboard scrolls: the test checks nothing on a phone")
	}
	check(1280)
	check(390)
}
