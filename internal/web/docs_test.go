package web

import (
	"cocreate/internal/app"
	"os"
	"strings"
	"testing"
)

// TestAPIReferenceListsEveryRoute keeps docs/api.md in step with the router:
// every API route must have its row there, and no row may name a route
// the router does not answer.
func TestAPIReferenceListsEveryRoute(t *testing.T) {
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	h, err := newHandler(Deps{App: app.New(nil, fastHasher, nil, nil)})
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]bool{}
	for _, r := range h.table() {
		if !strings.HasPrefix(r.path, "/api/") {
			continue
		}
		row := "| " + r.method + " | `" + r.path + "` |"
		routes[row] = true
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/api.md has no row for %s %s", r.method, r.path)
		}
	}
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(line, "| ") || !strings.Contains(line, "| `/api/") {
			continue
		}
		parts := strings.SplitN(line, "|", 4)
		row := "|" + parts[1] + "|" + parts[2] + "|"
		if !routes[row] {
			t.Errorf("docs/api.md lists a route the router does not answer: %s", row)
		}
	}
}
