package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestWebSpeaksToTheAppOnly keeps the web layer off the store: its
// handlers call the app's operations, which decide what may happen. The
// store's types (a note, a user) are data and may be shown; its *Store,
// and the app's, may not be reached from here.
func TestWebSpeaksToTheAppOnly(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	banned := regexp.MustCompile(`\*store\.Store\b|\.app\.Store\b|\bApp\.Store\b`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if banned.MatchString(line) {
				t.Errorf("%s:%d reaches the store: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
