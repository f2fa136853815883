package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// shared is the one Chromium process of the test binary: starting one costs
// about a second of CPU, so the tests share it and each opens its own
// browser context (see browser).
var shared struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel func()
	dir    string
	err    error
}

// sharedBrowser returns the context of the package's Chromium, starting it on
// first use; it skips (or, under CI=true, fails) the test when there is none.
func sharedBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chrome(t)
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.ctx == nil && shared.err == nil {
		shared.dir, shared.err = os.MkdirTemp("", "cocreate-chromium-*")
		if shared.err == nil {
			opts := append(chromedp.DefaultExecAllocatorOptions[:],
				chromedp.ExecPath(path),
				chromedp.NoSandbox,
				chromedp.DisableGPU,
				chromedp.NoFirstRun,
				chromedp.Flag("disable-quic", true),
				chromedp.Flag("disable-background-networking", true),
				chromedp.Flag("disable-component-update", true),
				chromedp.Flag("disable-sync", true),
				chromedp.UserDataDir(shared.dir),
			)
			allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
			ctx, cancel := chromedp.NewContext(allocCtx)
			if shared.err = chromedp.Do(ctx); shared.err != nil {
				cancel()
				cancelAlloc()
			} else {
				shared.ctx, shared.cancel = ctx, func() { cancel(); cancelAlloc() }
			}
		}
	}
	if shared.err != nil {
		t.Fatalf("start Chromium: %v", shared.err)
	}
	return shared.ctx
}

// closeBrowser stops the shared Chromium, if one was started.
func closeBrowser() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cancel != nil {
		shared.cancel()
		shared.cancel, shared.ctx = nil, nil
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
}

// artefactDir is where screenshots of failures go: $BROWSER_ARTIFACTS, or
// .artifacts/browser at the top of the repository (ignored by git).
func artefactDir() string {
	if d := os.Getenv("BROWSER_ARTIFACTS"); d != "" {
		return d
	}
	if root, err := repoRoot(); err == nil {
		return filepath.Join(root, ".artifacts", "browser")
	}
	return filepath.Join(os.TempDir(), "cocreate-browser-artifacts")
}

// repoRoot is the directory of go.mod above the package's directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("no go.mod above the test's directory")
		}
		dir = up
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// screenshot saves a full-page PNG of the tab as test/what.png in the
// artefact folder and returns its path, or "" when it could not.
func screenshot(ctx context.Context, test, what string) string {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return ""
	}
	dir := filepath.Join(artefactDir(), unsafeName.ReplaceAllString(test, "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ""
	}
	file := filepath.Join(dir, unsafeName.ReplaceAllString(what, "_")+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		return ""
	}
	return file
}

// console gathers what a tab reports as broken: console.error calls,
// uncaught exceptions, browser log errors (a resource that failed to load)
// and failed requests. The pages' own documents are left out of the log
// errors: a form answered with 422 beside its fields is the page working.
type console struct {
	mu        sync.Mutex
	documents map[string]bool
	errs      []string
}

// watchConsole starts gathering the tab's errors.
func watchConsole(t *testing.T, ctx context.Context) *console {
	t.Helper()
	c := &console{documents: map[string]bool{}}
	err := chromedp.Listen(ctx, func(ev any) {
		c.mu.Lock()
		defer c.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if e.Type == network.ResourceTypeDocument && e.Request != nil {
				c.documents[e.Request.URL] = true
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					if a.Description != "" {
						parts = append(parts, a.Description)
					} else {
						parts = append(parts, strings.Trim(string(a.Value), `"`))
					}
				}
				c.errs = append(c.errs, "console.error: "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg += " " + d.Exception.Description
			}
			c.errs = append(c.errs, fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, msg))
		case *log.EventEntryAdded:
			en := e.Entry
			if en.Level != log.EntryLevelError || (en.Source == log.EntrySourceNetwork && c.documents[en.URL]) {
				return
			}
			c.errs = append(c.errs, fmt.Sprintf("browser log (%s): %s %s", en.Source, en.Text, en.URL))
		case *network.EventLoadingFailed:
			// A navigation away or a download cancels requests: that is not a fault.
			if e.Canceled || e.Type == network.ResourceTypeDocument {
				return
			}
			c.errs = append(c.errs, fmt.Sprintf("a %s failed to load: %s", e.Type, e.ErrorText))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// take returns the errors gathered since the last call and forgets them.
// The listener runs on the goroutine that reads the tab's messages in order,
// so after any command's answer it has seen every event sent before it.
func (c *console) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	errs := c.errs
	c.errs = nil
	return errs
}
