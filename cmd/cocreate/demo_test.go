package main

import (
	"strings"
	"testing"
)

// TestDemoPrintsTheSignInsInOneBlockAfterServing checks what a person who
// runs -demo reads: the serving line, then the demo sign-ins and how the
// admin account differs from them, with no log line between (logs go to
// stderr, and stdout gets the whole block in one write once serving).
func TestDemoPrintsTheSignInsInOneBlockAfterServing(t *testing.T) {
	env := baseEnv(t.TempDir(), "COCREATE_ADMIN_EMAIL", "admin@example.org", "COCREATE_ADMIN_PASSWORD", "change-me-now")
	s := startServer(t, env, "-demo")
	out := s.stdout.String()
	serving, demo := strings.Index(out, "cocreate is serving on"), strings.Index(out, "Demo data:")
	if serving != 0 || demo < 0 {
		t.Fatalf("stdout does not start with the serving line followed by the demo sign-ins:\n%s", out)
	}
	for _, want := range []string{"coordinator@demo.example", "participant", "committee member (reviewer)",
		"Your own account admin@example.org (COCREATE_ADMIN_EMAIL) is a coordinator and chair"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "level=") || strings.Contains(out, `"msg"`) {
		t.Errorf("a log line is in the demo sign-ins:\n%s", out)
	}
	if s.get(t, "/calls/bz2020", "") != 200 {
		t.Fatal("the demo call is not served")
	}
}
