package notes

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// wordCase is one row of the word-count table shared with app.js.
type wordCase struct {
	Text  string `json:"text"`
	Words int    `json:"words"`
	Why   string `json:"why"`
}

func loadWordCases(t *testing.T) []wordCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "wordcount.json"))
	if err != nil {
		t.Fatalf("read word table: %v", err)
	}
	var cases []wordCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatalf("parse word table: %v", err)
	}
	if len(cases) < 30 {
		t.Fatalf("word table has %d cases, want at least 30", len(cases))
	}
	return cases
}

func TestCountWordsTable(t *testing.T) {
	for _, c := range loadWordCases(t) {
		if got := CountWords(c.Text); got != c.Words {
			t.Errorf("CountWords(%q) = %d, want %d (%s)", c.Text, got, c.Words, c.Why)
		}
	}
}

// nodeApp returns the node binary and the absolute path of app.js, or skips.
func nodeApp(t *testing.T) (string, string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: the JavaScript word counter (static/js/app.js) was not checked against the Go one")
	}
	app, err := filepath.Abs(filepath.Join("..", "..", "static", "js", "app.js"))
	if err != nil {
		t.Fatalf("locate app.js: %v", err)
	}
	if _, err := os.Stat(app); err != nil {
		t.Fatalf("app.js: %v", err)
	}
	return node, app
}

// runNode runs script with APP set to app.js's path and returns its stdout.
func runNode(t *testing.T, node, app, script string, env ...string) []byte {
	t.Helper()
	cmd := exec.Command(node, "-e", script)
	cmd.Env = append(os.Environ(), append(env, "APP="+app)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	return out
}

func TestCountWordsJavaScriptTable(t *testing.T) {
	node, app := nodeApp(t)
	table, err := filepath.Abs(filepath.Join("testdata", "wordcount.json"))
	if err != nil {
		t.Fatalf("locate word table: %v", err)
	}
	out := runNode(t, node, app, `
const app = require(process.env.APP);
const cases = JSON.parse(require("fs").readFileSync(process.env.TABLE, "utf8"));
process.stdout.write(JSON.stringify(cases.map(c => app.countWords(c.text))));
`, "TABLE="+table)
	var got []int
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("parse node output %q: %v", out, err)
	}
	cases := loadWordCases(t)
	if len(got) != len(cases) {
		t.Fatalf("node answered %d cases, want %d", len(got), len(cases))
	}
	for i, c := range cases {
		if got[i] != c.Words {
			t.Errorf("countWords(%q) in app.js = %d, want %d (%s)", c.Text, got[i], c.Words, c.Why)
		}
	}
}

// charClass sums up how one character behaves: alone, and between two letters.
// Separator, by-character, ordinary word character and other characters all
// give different answers, so equal classes mean equal counting.
func charClass(count func(string) int, r rune) byte {
	s := string(r)
	return byte('0' + count(s)*4 + count("a"+s+"a"))
}

// TestCountWordsJavaScriptEveryCharacter checks Go and JavaScript classify
// every code point alike, which the table alone cannot show.
func TestCountWordsJavaScriptEveryCharacter(t *testing.T) {
	node, app := nodeApp(t)
	out := runNode(t, node, app, `
const app = require(process.env.APP);
const parts = [];
for (let cp = 0; cp <= 0x10FFFF; cp++) {
  if (cp >= 0xD800 && cp <= 0xDFFF) continue;
  const s = String.fromCodePoint(cp);
  parts.push(String.fromCharCode(48 + app.countWords(s) * 4 + app.countWords("a" + s + "a")));
}
process.stdout.write(parts.join(""));
`)
	// unicode.C also holds unassigned code points, so name its parts.
	assigned := []*unicode.RangeTable{unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z}
	i, mismatches, newer := 0, 0, 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		if i >= len(out) {
			t.Fatalf("node output ends at index %d (U+%04X)", i, r)
		}
		js, goc := out[i], charClass(CountWords, r)
		i++
		if js == goc {
			continue
		}
		if !unicode.In(r, assigned...) {
			// Assigned after Go's Unicode version: Node knows more characters.
			newer++
			continue
		}
		mismatches++
		if mismatches <= 20 {
			t.Errorf("U+%04X %q: Go class %c, JavaScript class %c", r, r, goc, js)
		}
	}
	if mismatches > 20 {
		t.Errorf("… %d mismatches in all", mismatches)
	}
	if newer > 0 {
		t.Logf("%d code points unassigned in Go's Unicode %s are classified by Node's newer tables; ignored", newer, unicode.Version)
	}
}

func TestDefaultWordLimits(t *testing.T) {
	want := map[string]int{
		"title": 15, "summary": 40, "problem": 120, "commitment": 120,
		"change": 80, "values_explanation": 60, "milestone": 20,
		"lead_agency": 12, "partners": 30, "resources": 40,
		"conflict_declaration": 40,
	}
	got := DefaultWordLimits()
	if len(got) != len(want) {
		t.Errorf("DefaultWordLimits has %d keys, want %d: %v", len(got), len(want), got)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("DefaultWordLimits()[%q] = %d, want %d", k, got[k], n)
		}
	}
	got["title"] = 1
	if DefaultWordLimits()["title"] != 15 {
		t.Error("DefaultWordLimits returned a shared map: changing it changed the defaults")
	}
}

func TestTotalWords(t *testing.T) {
	f := Fields{
		Title:               "one two", // 2
		Summary:             "three",   // 1
		Problem:             "a b c",   // 3
		Commitment:          "a b c d", // 4
		Change:              "a",       // 1
		Values:              []string{"transparency", "participation"},
		ValuesExplanation:   "a b",               // 2
		LeadAgency:          "Ministry of Works", // 3
		Partners:            "NGOs",              // 1
		PolicyArea:          "access_to_information",
		Resources:           "BZ$10,000",     // 1
		ConflictDeclaration: "none — really", // 2
		Milestones: []Milestone{
			{Deliverable: "portal live", Responsible: "Ministry", Due: "2021-03"}, // 3
			{Deliverable: "report", Responsible: "", Due: "2021-06"},              // 1
		},
	}
	if got, want := f.TotalWords(), 24; got != want {
		t.Errorf("TotalWords = %d, want %d (values, policy area and due months are not counted)", got, want)
	}
	if got := (Fields{}).TotalWords(); got != 0 {
		t.Errorf("empty TotalWords = %d, want 0", got)
	}
}
