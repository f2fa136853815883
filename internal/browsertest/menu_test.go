package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPhoneMenuWorksWithoutJavaScript signs in as a coordinator, who has the
// longest menu, with scripts off. At 390 px the header is one line (the
// name and a Menu button) and the button opens the links; at 1280 px the
// links stand in the header and the button is gone.
func TestPhoneMenuWorksWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	ctx := browser(t)
	if err := scriptsOff(ctx, true); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.EmulateViewport(390, 844))
	s.signIn(ctx, "coordinator@example.org")
	load(t, ctx, s.url+"/calls")
	type header struct {
		Height         int
		WideShown      bool
		MenuShown      bool
		LinksShown     bool
		BrandTop, Menu int
	}
	measure := func() header {
		return run(t, ctx, chromedp.Evaluate[header](`(() => {
		  const shown = el => !!el && el.checkVisibility({visibilityProperty: true});
		  const menu = document.querySelector('.nav-menu > summary');
		  return {height: Math.round(document.querySelector('.site-header').getBoundingClientRect().height),
		    wideShown: shown(document.querySelector('.nav-wide')), menuShown: shown(menu),
		    linksShown: shown(document.querySelector('.nav-menu a[href="/admin/users"]')),
		    brandTop: Math.round(document.querySelector('.brand').getBoundingClientRect().top),
		    menu: menu ? Math.round(menu.getBoundingClientRect().top) : -1};
		})()`))
	}
	h := measure()
	if h.WideShown || !h.MenuShown || h.LinksShown {
		t.Fatalf("at 390 px: links in the header %v, Menu button %v, menu links before opening %v; want false, true, false", h.WideShown, h.MenuShown, h.LinksShown)
	}
	if h.Height > 80 || h.Menu-h.BrandTop > 20 || h.BrandTop-h.Menu > 20 {
		t.Errorf("at 390 px the header is %d px high, the name at %d px and the Menu button at %d px: not one line", h.Height, h.BrandTop, h.Menu)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(".nav-menu > summary")))
	if h := measure(); !h.LinksShown {
		t.Fatal("the Menu button did not open the links with scripts off")
	}
	clickAndLoad(t, ctx, chromedp.CSS(`.nav-menu a[href="/admin/users"]`))
	if loc := run(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/admin/users") {
		t.Fatalf("the menu's People link led to %s", loc)
	}
	do(t, ctx, chromedp.EmulateViewport(1280, 800))
	if h := measure(); !h.WideShown || h.MenuShown {
		t.Errorf("at 1280 px: links in the header %v, Menu button %v; want true, false", h.WideShown, h.MenuShown)
	}
}
