package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeVersion is the axe-core that scripts/axe.sh installs.
const axeVersion = "4.14.1"

var axeScript struct {
	once sync.Once
	src  string
	err  error
}

// axeSource returns axe.min.js: $AXE_CORE_JS, or what scripts/axe.sh put in
// .cache. Missing, the test skips saying how to install it, and fails under
// CI=true (CI runs the script first).
func axeSource(t *testing.T) string {
	t.Helper()
	axeScript.once.Do(func() {
		file := os.Getenv("AXE_CORE_JS")
		if file == "" {
			root, err := repoRoot()
			if err != nil {
				axeScript.err = err
				return
			}
			file = filepath.Join(root, ".cache", "axe-core-"+axeVersion, "axe.min.js")
		}
		b, err := os.ReadFile(file)
		if err != nil {
			axeScript.err = fmt.Errorf("axe-core is not installed (%v): run scripts/axe.sh to install it", err)
			return
		}
		axeScript.src = string(b)
	})
	if axeScript.err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(axeScript.err.Error() + "; CI=true, so the accessibility checks must run")
		}
		t.Skip(axeScript.err.Error())
	}
	return axeScript.src
}

// axeViolation is one rule axe-core found broken, with the first few elements.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeRun runs axe-core's WCAG 2.x A and AA rules and best practices on
// the page and returns the serious and critical violations.
const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' (' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 200) + ')')})))`

// overflowScript measures the page against the viewport. When the page is
// wider it names the culprit: the outermost element reaching furthest right
// that no scrolling or clipping box of its own holds in.
const overflowScript = `(() => {
  const vw = window.innerWidth, sw = document.scrollingElement.scrollWidth;
  if (sw <= vw) return {width: sw, viewport: vw, culprit: ''};
  // Whether a scrolling or clipping box holds el in: only a box on el's
  // chain of containing blocks can (an absolute element escapes every box
  // between it and its nearest positioned ancestor).
  const clipped = el => {
    let pos = getComputedStyle(el).position;
    if (pos === 'fixed') return true;
    for (let p = el.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
      const cs = getComputedStyle(p);
      if (pos === 'absolute' && cs.position === 'static') continue;
      if (cs.overflowX !== 'visible') return true;
      pos = cs.position;
    }
    return false;
  };
  let best = null, right = vw;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= right + 0.5 || clipped(el)) continue;
    best = el; right = r.right;
  }
  let name = '';
  if (best) {
    name = best.tagName.toLowerCase() + (best.id ? '#' + best.id : '') +
      (best.className && typeof best.className === 'string' ? '.' + best.className.trim().split(/\s+/).join('.') : '');
    const text = (best.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60);
    name += ' (' + Math.round(best.getBoundingClientRect().width) + ' px wide, right edge at ' + Math.round(right) + ' px' + (text ? ': "' + text + '"' : '') + ')';
  }
  return {width: sw, viewport: vw, culprit: name};
})()`

// maxHeader is the height of a one-line header on a phone: a 44 px tap
// target, its padding and the header's border.
const maxHeader = 80

// overflow is what overflowScript reports.
type overflow struct {
	Width    int    `json:"width"`
	Viewport int    `json:"viewport"`
	Culprit  string `json:"culprit"`
}

// pageCheck checks the page the tab shows: no horizontal overflow (when
// phone is set), no serious or critical axe-core violation, and no error in
// the console since the last check. Each problem is an error naming where,
// with a full-page screenshot kept in the artefact folder.
type pageCheck struct {
	t     *testing.T
	ctx   context.Context
	con   *console
	axe   string
	phone bool
	noJS  bool   // the tab runs with page scripts off
	who   string // whose tab, to tell the screenshots of several tabs apart
	seen  int
}

// newPageCheck prepares the checks for the tab (call before loading pages).
func newPageCheck(t *testing.T, ctx context.Context, phone bool) *pageCheck {
	t.Helper()
	return &pageCheck{t: t, ctx: ctx, con: watchConsole(t, ctx), axe: axeSource(t), phone: phone}
}

// problems checks the current page and returns what is wrong with it.
func (c *pageCheck) problems() []string {
	var out []string
	if c.phone {
		o, err := chromedp.Run(c.ctx, chromedp.Evaluate[overflow](overflowScript))
		switch {
		case err != nil:
			out = append(out, "measure the page's width: "+err.Error())
		case o.Width > o.Viewport:
			out = append(out, fmt.Sprintf("the page is %d px wide on a %d px screen; widest: %s", o.Width, o.Viewport, o.Culprit))
		}
		// The header is one line on a phone: the name and the Menu button.
		if h, err := chromedp.Run(c.ctx, chromedp.Evaluate[int](`Math.round((document.querySelector('.site-header') || document.body).getBoundingClientRect().height)`)); err == nil && h > maxHeader {
			out = append(out, fmt.Sprintf("the page's header is %d px high on a phone, more than one line (%d px)", h, maxHeader))
		}
	}
	out = append(out, c.axeProblems()...)
	return append(out, c.con.take()...)
}

// axeProblems runs axe-core on the page. With the page's scripts switched
// off axe's own timers would never fire, so scripts go on for the check and
// off again: the page's scripts, skipped when it loaded, stay skipped.
func (c *pageCheck) axeProblems() []string {
	ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
	defer cancel()
	if c.noJS {
		if err := scriptsOff(ctx, false); err != nil {
			return []string{"switch scripts on for axe-core: " + err.Error()}
		}
		defer scriptsOff(c.ctx, true)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("typeof axe === 'object' || (function(){"+c.axe+"\n;return true})()")); err != nil {
		return []string{"inject axe-core: " + err.Error()}
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		return []string{"run axe-core: " + err.Error()}
	}
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("axe %s %s: %s; at %s", v.Impact, v.ID, v.Help, strings.Join(v.Nodes, "; ")))
	}
	return out
}

// scriptsOff switches the tab's page scripts off (or on).
func scriptsOff(ctx context.Context, off bool) error {
	_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
	return err
}

// check checks the current page; where names it in the errors.
func (c *pageCheck) check(where string) {
	c.t.Helper()
	probs := c.problems()
	c.seen++
	if len(probs) == 0 {
		// BROWSER_SCREENSHOTS=all keeps a screenshot of every page checked, to look through.
		if os.Getenv("BROWSER_SCREENSHOTS") == "all" {
			screenshot(c.ctx, c.t.Name(), c.shotName(where))
		}
		return
	}
	file := screenshot(c.ctx, c.t.Name(), c.shotName(where))
	if file == "" {
		file = "(no screenshot could be saved)"
	}
	c.t.Errorf("%s: %d problem(s), screenshot %s:\n  %s", where, len(probs), file, strings.Join(probs, "\n  "))
}

// shotName names the screenshot of the tab's page where.
func (c *pageCheck) shotName(where string) string {
	if c.who != "" {
		return fmt.Sprintf("%s-%02d-%s", c.who, c.seen, where)
	}
	return fmt.Sprintf("%02d-%s", c.seen, where)
}
