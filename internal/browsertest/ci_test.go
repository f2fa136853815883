package browsertest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMissingBrowserFailsUnderCI runs the browser look-up in a child test
// process that can find no browser: with CI=true it must fail, without it
// skip.
func TestMissingBrowserFailsUnderCI(t *testing.T) {
	if os.Getenv("COCREATE_BROWSERTEST_NO_BROWSER") == "1" {
		chromePaths = nil
		t.Setenv("PATH", "")
		chrome(t)
		return
	}
	for _, ci := range []string{"true", ""} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissingBrowserFailsUnderCI$", "-test.v")
		cmd.Env = append(os.Environ(), "COCREATE_BROWSERTEST_NO_BROWSER=1", "CHROME_PATH=", "CI="+ci)
		out, err := cmd.CombinedOutput()
		switch {
		case ci == "true" && (err == nil || !strings.Contains(string(out), "CI=true, so the browser tests must run")):
			t.Errorf("CI=true, no browser: the test did not fail as it must (err %v):\n%s", err, out)
		case ci == "" && (err != nil || !strings.Contains(string(out), "--- SKIP")):
			t.Errorf("no CI, no browser: the test did not skip (err %v):\n%s", err, out)
		}
	}
}
