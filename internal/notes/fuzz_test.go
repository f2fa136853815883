package notes

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// seedWordCases adds every text of the shared word-count table to f's corpus.
func seedWordCases(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "wordcount.json"))
	if err != nil {
		f.Fatal(err)
	}
	var cases []wordCase
	if err := json.Unmarshal(data, &cases); err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		f.Add(c.Text, "")
	}
	f.Add("open\u200bgovernment", "日本語のテキスト")
	f.Add("\xff\xfe broken", "e\u0301tude — l'été")
}

// FuzzCountWords checks the word counter's laws on any two texts: a count
// is never negative and never more than the letters and digits in the
// text; separators around a text change nothing; and two texts joined by
// a space count as the sum of their counts.
func FuzzCountWords(f *testing.F) {
	seedWordCases(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		n := CountWords(a)
		if n < 0 {
			t.Fatalf("CountWords(%q) = %d", a, n)
		}
		letters := 0
		for _, r := range a {
			if unicode.IsLetter(r) || unicode.IsNumber(r) {
				letters++
			}
		}
		if n > letters {
			t.Fatalf("CountWords(%q) = %d, more than its %d letters and digits", a, n, letters)
		}
		if m := CountWords(" \n" + a + "\u200b\t"); m != n {
			t.Fatalf("separators around %q changed its count from %d to %d", a, n, m)
		}
		if m := CountWords(a + " " + b); m != n+CountWords(b) {
			t.Fatalf("CountWords(%q + \" \" + %q) = %d, want %d + %d", a, b, m, n, CountWords(b))
		}
	})
}

// FuzzNoteFields decodes any JSON body as the API does into Fields and
// checks the validators: they never panic, normalising is idempotent, a
// note that may be submitted may be stored as a draft, every problem a
// draft has is still reported at submission, every error key names a
// field the form has, and a note whose text is over MaxNoteChars is never
// a storable draft.
func FuzzNoteFields(f *testing.F) {
	good, _ := json.Marshal(validNote())
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"title":"<script>alert(1)</script>","values":["transparency","transparency"," "],"policy_area":"x"}`))
	f.Add([]byte(`{"milestones":[{"deliverable":"a","responsible":"b","due":"2021-13"},{},{},{},{},{}]}`))
	f.Add([]byte(`{"title":"` + strings.Repeat("w", 3000) + `","summary":"\u0000\ufffd"}`))
	f.Add([]byte(`{"milestones":[{"due":"0000-01"},{"due":"9999-12"}],"values":["participation"]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var fl Fields
		if json.Unmarshal(body, &fl) != nil {
			return
		}
		fl.Normalize()
		again := fl
		again.Values = slices.Clone(fl.Values)
		again.Milestones = slices.Clone(fl.Milestones)
		again.Normalize()
		if !reflect.DeepEqual(fl, again) {
			t.Fatalf("Normalize is not idempotent:\n%+v\n%+v", fl, again)
		}
		limits := DefaultWordLimits()
		draft := ValidateDraft(fl, limits)
		submit := ValidateSubmit(fl, limits, "2020-09", "2022-08")
		if submit == nil && draft != nil {
			t.Fatalf("submittable but not storable: %v", draft)
		}
		for k := range draft {
			if _, ok := submit[k]; !ok {
				t.Errorf("draft problem %q (%s) is not reported at submission", k, draft[k])
			}
		}
		for _, errs := range []FieldErrors{draft, submit} {
			if got := len(errs.Keys()); got != len(errs) {
				t.Fatalf("Keys() gives %d of %d keys", got, len(errs))
			}
			for k, msg := range errs {
				if msg == "" {
					t.Errorf("key %q has no message", k)
				}
				if _, _, ok := parseMilestoneKey(k); !ok && k != "milestones" && Label(k) == "" {
					t.Errorf("error key %q names no field", k)
				}
			}
		}
		total := 0
		for _, key := range textFields {
			total += utf8.RuneCountInString(fl.text(key))
		}
		for _, m := range fl.Milestones {
			total += utf8.RuneCountInString(m.Deliverable + " " + m.Responsible)
		}
		if total > MaxNoteChars && draft == nil {
			t.Fatalf("a note of %d characters is a storable draft", total)
		}
	})
}
