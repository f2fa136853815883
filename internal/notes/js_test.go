package notes

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestJavaScriptCounters checks app.js's counter texts and its wiring to the
// form markup contract, using a fake DOM (testdata/dom_check.js).
func TestJavaScriptCounters(t *testing.T) {
	node, app := nodeApp(t)
	check, err := filepath.Abs(filepath.Join("testdata", "dom_check.js"))
	if err != nil {
		t.Fatalf("locate dom_check.js: %v", err)
	}
	out := runNode(t, node, app, `require(process.env.CHECK)`, "CHECK="+check)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line != "" {
			t.Error(line)
		}
	}
}
