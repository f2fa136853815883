package browsertest

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"cocreate/internal/notes"
)

// TestPageCountsWordsLikeTheServer runs the page's countWords (static/js/app.js,
// as served) in Chromium on every case of the shared table and compares it with
// notes.CountWords and the table's expectation.
func TestPageCountsWordsLikeTheServer(t *testing.T) {
	raw, err := os.ReadFile("../notes/testdata/wordcount.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Text  string `json:"text"`
		Words int    `json:"words"`
		Why   string `json:"why"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 10 {
		t.Fatalf("only %d cases in wordcount.json", len(cases))
	}
	texts := make([]string, len(cases))
	for i, c := range cases {
		texts[i] = c.Text
	}
	js, _ := json.Marshal(texts)

	s := newSite(t)
	ctx := browser(t)
	load(t, ctx, s.url+"/")
	got := run(t, ctx, chromedp.Evaluate[[]int](`(`+string(js)+`).map(function (s) { return window.cocreate.countWords(s); })`))
	if len(got) != len(cases) {
		t.Fatalf("the page counted %d texts, want %d", len(got), len(cases))
	}
	for i, c := range cases {
		if goCount := notes.CountWords(c.Text); got[i] != goCount || got[i] != c.Words {
			t.Errorf("%q (%s): page %d, Go %d, table %d", c.Text, c.Why, got[i], goCount, c.Words)
		}
	}
}
