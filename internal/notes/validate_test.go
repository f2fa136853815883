package notes

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// nWords returns text of exactly n words.
func nWords(n int) string {
	return strings.TrimSpace(strings.Repeat("word ", n))
}

const (
	planStart = "2020-09"
	planEnd   = "2022-08"
)

// validNote returns a note that passes ValidateSubmit with default limits.
func validNote() Fields {
	return Fields{
		Title:             "Open contracting for public works",
		Summary:           "Publish every public works contract in open data format.",
		Problem:           "Citizens cannot see who builds roads or at what cost.",
		Commitment:        "Publish contracts on a portal using the Open Contracting Data Standard.",
		Change:            "Communities can compare prices and report delays.",
		Values:            []string{"transparency", "accountability"},
		ValuesExplanation: "Contract data lets the public hold agencies to account.",
		Milestones: []Milestone{
			{Deliverable: "Portal launched", Responsible: "Ministry of Works", Due: "2021-03"},
			{Deliverable: "All 2021 contracts published", Responsible: "Ministry of Works", Due: "2022-01"},
		},
		LeadAgency: "Ministry of Works",
		PolicyArea: "fiscal_openness",
	}
}

// rows returns n complete milestone rows inside the plan period.
func rows(n int) []Milestone {
	out := make([]Milestone, n)
	for i := range out {
		out[i] = Milestone{Deliverable: "Report published", Responsible: "Ministry", Due: "2021-06"}
	}
	return out
}

// checkErrors fails unless got has exactly the keys of want, each with the
// wanted message ("" in want accepts any non-empty message).
func checkErrors(t *testing.T, got, want FieldErrors) {
	t.Helper()
	gotKeys := slices.Sorted(maps.Keys(got))
	wantKeys := slices.Sorted(maps.Keys(want))
	if !slices.Equal(gotKeys, wantKeys) {
		t.Fatalf("error keys = %v, want %v (errors: %v)", gotKeys, wantKeys, got)
	}
	for k, msg := range want {
		if got[k] == "" {
			t.Errorf("%s: empty message", k)
		}
		if msg != "" && got[k] != msg {
			t.Errorf("%s: message %q, want %q", k, got[k], msg)
		}
	}
}

// submitCase edits a valid note and names the errors ValidateSubmit must
// report: exactly those keys, nil when want is empty.
type submitCase struct {
	name   string
	edit   func(*Fields)
	limits map[string]int
	start  string // plan start; "" means planStart
	end    string // plan end; "" means planEnd
	want   FieldErrors
}

func TestValidateSubmit(t *testing.T) {
	defaults := DefaultWordLimits()
	tests := []submitCase{
		{name: "valid note", edit: func(*Fields) {}},
		{name: "valid with optional fields", edit: func(f *Fields) {
			f.Partners, f.Resources, f.ConflictDeclaration, f.ConsentPublish = "UNDP", "Existing budget line", "None", true
		}},

		// Required fields.
		{name: "no title", edit: func(f *Fields) { f.Title = "" }, want: FieldErrors{"title": "Enter a title"}},
		{name: "blank title", edit: func(f *Fields) { f.Title = " \n " }, want: FieldErrors{"title": "Enter a title"}},
		{name: "no summary", edit: func(f *Fields) { f.Summary = "" }, want: FieldErrors{"summary": "Enter a one-sentence summary of the commitment"}},
		{name: "no problem", edit: func(f *Fields) { f.Problem = "" }, want: FieldErrors{"problem": "Describe the public problem the commitment addresses"}},
		{name: "no commitment", edit: func(f *Fields) { f.Commitment = "" }, want: FieldErrors{"commitment": "Describe what will be done"}},
		{name: "no change", edit: func(f *Fields) { f.Change = "" }, want: FieldErrors{"change": "Describe how it changes the status quo and the result you expect"}},
		{name: "no values explanation", edit: func(f *Fields) { f.ValuesExplanation = "" }, want: FieldErrors{"values_explanation": "Explain how the commitment advances the values you chose"}},
		{name: "no lead agency", edit: func(f *Fields) { f.LeadAgency = "" }, want: FieldErrors{"lead_agency": `Enter the proposed lead agency, or "not sure"`}},
		{name: "lead agency not sure", edit: func(f *Fields) { f.LeadAgency = "not sure" }},
		{name: "no policy area", edit: func(f *Fields) { f.PolicyArea = "" }, want: FieldErrors{"policy_area": "Choose a policy area"}},
		{name: "no milestones", edit: func(f *Fields) { f.Milestones = nil }, want: FieldErrors{"milestones": "Add at least 2 milestones"}},
		{name: "empty note", edit: func(f *Fields) { *f = Fields{} }, want: FieldErrors{
			"title": "", "summary": "", "problem": "", "commitment": "", "change": "",
			"values": coreValuesMessage, "values_explanation": "", "milestones": "",
			"lead_agency": "", "policy_area": "",
		}},

		// Policy area.
		{name: "unknown policy area", edit: func(f *Fields) { f.PolicyArea = "tourism" }, want: FieldErrors{"policy_area": "Choose a policy area from the list"}},
		{name: "policy area other", edit: func(f *Fields) { f.PolicyArea = "other" }},

		// Values.
		{name: "no values", edit: func(f *Fields) { f.Values = nil }, want: FieldErrors{"values": coreValuesMessage}},
		{name: "only technology", edit: func(f *Fields) { f.Values = []string{"technology"} }, want: FieldErrors{"values": "Technology and inclusion count only beside a core value: also choose transparency, participation or accountability"}},
		{name: "only inclusion", edit: func(f *Fields) { f.Values = []string{"inclusion"} }, want: FieldErrors{"values": ""}},
		{name: "technology and inclusion", edit: func(f *Fields) { f.Values = []string{"technology", "inclusion"} }, want: FieldErrors{"values": ""}},
		{name: "technology beside participation", edit: func(f *Fields) { f.Values = []string{"technology", "participation"} }},
		{name: "inclusion beside accountability", edit: func(f *Fields) { f.Values = []string{"inclusion", "accountability"} }},
		{name: "transparency alone", edit: func(f *Fields) { f.Values = []string{"transparency"} }},
		{name: "unknown value beside a core one", edit: func(f *Fields) { f.Values = []string{"transparency", "openness"} }, want: FieldErrors{"values": `Choose values from the list: "openness" is not one of them`}},
		{name: "unknown value alone", edit: func(f *Fields) { f.Values = []string{"openness"} }, want: FieldErrors{"values": `Choose values from the list: "openness" is not one of them`}},

		// Milestone count.
		{name: "1 milestone", edit: func(f *Fields) { f.Milestones = rows(1) }, want: FieldErrors{"milestones": "Add at least 2 milestones"}},
		{name: "2 milestones", edit: func(f *Fields) { f.Milestones = rows(2) }},
		{name: "5 milestones", edit: func(f *Fields) { f.Milestones = rows(5) }},
		{name: "6 milestones", edit: func(f *Fields) { f.Milestones = rows(6) }, want: FieldErrors{"milestones": "Remove milestones until there are 5 or fewer: there are 6"}},

		// Milestone cells.
		{name: "milestone without deliverable", edit: func(f *Fields) { f.Milestones[1].Deliverable = "" }, want: FieldErrors{"milestones.1.deliverable": "Milestone 2: enter a deliverable that can be checked"}},
		{name: "milestone without responsible", edit: func(f *Fields) { f.Milestones[0].Responsible = "" }, want: FieldErrors{"milestones.0.responsible": "Milestone 1: enter who is responsible"}},
		{name: "milestone without due", edit: func(f *Fields) { f.Milestones[1].Due = "" }, want: FieldErrors{"milestones.1.due": "Milestone 2: enter a due month as YYYY-MM"}},
		{name: "milestone row at its limit", edit: func(f *Fields) {
			f.Milestones[0].Deliverable, f.Milestones[0].Responsible = nWords(15), nWords(5)
		}},
		{name: "milestone row over its limit", edit: func(f *Fields) {
			f.Milestones[1].Deliverable, f.Milestones[1].Responsible = nWords(15), nWords(6)
		}, want: FieldErrors{"milestones.1.deliverable": "Milestone 2: the deliverable and responsible actor must be 20 words or fewer together: they have 21"}},
		{name: "milestone row with its own limit", limits: map[string]int{"milestone": 7}, edit: func(f *Fields) {
			// Row 2 of validNote has exactly 7 words.
			f.Milestones[0].Deliverable, f.Milestones[0].Responsible = nWords(4), nWords(4)
		}, want: FieldErrors{"milestones.0.deliverable": "Milestone 1: the deliverable and responsible actor must be 7 words or fewer together: they have 8"}},

		// Malformed months.
		{name: "month 13", edit: func(f *Fields) { f.Milestones[1].Due = "2021-13" }, want: FieldErrors{"milestones.1.due": "Milestone 2: enter a due month as YYYY-MM"}},
		{name: "month 00", edit: func(f *Fields) { f.Milestones[0].Due = "2021-00" }, want: FieldErrors{"milestones.0.due": "Milestone 1: enter a due month as YYYY-MM"}},
		{name: "one-digit month", edit: func(f *Fields) { f.Milestones[0].Due = "2021-1" }, want: FieldErrors{"milestones.0.due": "Milestone 1: enter a due month as YYYY-MM"}},
		{name: "two-digit year", edit: func(f *Fields) { f.Milestones[0].Due = "21-01" }, want: FieldErrors{"milestones.0.due": "Milestone 1: enter a due month as YYYY-MM"}},
		{name: "full date", edit: func(f *Fields) { f.Milestones[0].Due = "2021-01-15" }, want: FieldErrors{"milestones.0.due": "Milestone 1: enter a due month as YYYY-MM"}},

		// Plan period, inclusive at both ends.
		{name: "due on plan start", edit: func(f *Fields) { f.Milestones[0].Due = planStart }},
		{name: "due on plan end", edit: func(f *Fields) { f.Milestones[1].Due = planEnd }},
		{name: "due the month before the plan", edit: func(f *Fields) { f.Milestones[0].Due = "2020-08" }, want: FieldErrors{"milestones.0.due": "Milestone 1: the due month must fall inside the plan period (2020-09 to 2022-08)"}},
		{name: "due the month after the plan", edit: func(f *Fields) { f.Milestones[1].Due = "2022-09" }, want: FieldErrors{"milestones.1.due": "Milestone 2: the due month must fall inside the plan period (2020-09 to 2022-08)"}},
		{name: "due a year after the plan", edit: func(f *Fields) { f.Milestones[1].Due = "2023-01" }, want: FieldErrors{"milestones.1.due": ""}},
		{name: "no plan end set", end: "-", edit: func(f *Fields) { f.Milestones[1].Due = "2030-01" }},
		{name: "no plan end set, before start", end: "-", edit: func(f *Fields) { f.Milestones[1].Due = "2019-01" }, want: FieldErrors{"milestones.1.due": "Milestone 2: the due month must fall inside the plan period (2020-09 or later)"}},
		{name: "no plan start set, after end", start: "-", edit: func(f *Fields) { f.Milestones[1].Due = "2030-01" }, want: FieldErrors{"milestones.1.due": "Milestone 2: the due month must fall inside the plan period (2022-08 or earlier)"}},

		// Several problems at once, each reported.
		{name: "several problems", edit: func(f *Fields) {
			f.Title, f.Values, f.Milestones = "", []string{"inclusion"}, []Milestone{{Due: "2021-1"}}
		}, want: FieldErrors{
			"title": "", "values": "", "milestones": "",
			"milestones.0.deliverable": "", "milestones.0.responsible": "", "milestones.0.due": "Milestone 1: enter a due month as YYYY-MM",
		}},
	}

	// Each word limit, exactly at it and one over.
	labels := map[string]string{
		"title": "Title", "summary": "Summary", "problem": "Problem", "commitment": "Commitment",
		"change": "Expected change", "values_explanation": "How it advances the values",
		"lead_agency": "Lead agency", "partners": "Partners", "resources": "Resources",
		"conflict_declaration": "Conflicts of interest",
	}
	for _, key := range textFields {
		limit := defaults[key]
		tests = append(tests,
			submitCase{name: key + " at its limit", edit: func(f *Fields) { setText(f, key, nWords(limit)) }},
			submitCase{name: key + " one over its limit", edit: func(f *Fields) { setText(f, key, nWords(limit+1)) },
				want: FieldErrors{key: labels[key] + " must be " + strconv.Itoa(limit) + " words or fewer: it has " + strconv.Itoa(limit+1)}},
		)
	}

	// Call-specific limits.
	tests = append(tests, []submitCase{
		{name: "call limit lower than default", limits: map[string]int{"problem": 5}, edit: func(f *Fields) { f.Problem = nWords(6) },
			want: FieldErrors{"problem": "Problem must be 5 words or fewer: it has 6"}},
		{name: "call limit higher than default", limits: map[string]int{"problem": 200}, edit: func(f *Fields) { f.Problem = nWords(200) }},
		{name: "key missing from call limits takes the default", limits: map[string]int{"problem": 200}, edit: func(f *Fields) { f.Title = nWords(16) },
			want: FieldErrors{"title": "Title must be 15 words or fewer: it has 16"}},
		{name: "limit of 1 uses the singular", limits: map[string]int{"title": 1}, edit: func(f *Fields) { f.Title = "Open data" },
			want: FieldErrors{"title": "Title must be 1 word or fewer: it has 2"}},
		{name: "limit 0 switches the limit off", limits: map[string]int{"title": 0}, edit: func(f *Fields) { f.Title = nWords(100) }},
	}...)

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := validNote()
			tc.edit(&f)
			start, end := planStart, planEnd
			if tc.start != "" {
				start = tc.start
			}
			if tc.end != "" {
				end = tc.end
			}
			before := f.TotalWords()
			got := ValidateSubmit(f, tc.limits, start, end)
			if len(tc.want) == 0 {
				if got != nil {
					t.Fatalf("ValidateSubmit = %v, want nil", got)
				}
			} else {
				checkErrors(t, got, tc.want)
			}
			if f.TotalWords() != before {
				t.Error("ValidateSubmit changed its argument")
			}
		})
	}
}

// setText sets the free-text field key.
func setText(f *Fields, key, v string) {
	switch key {
	case "title":
		f.Title = v
	case "summary":
		f.Summary = v
	case "problem":
		f.Problem = v
	case "commitment":
		f.Commitment = v
	case "change":
		f.Change = v
	case "values_explanation":
		f.ValuesExplanation = v
	case "lead_agency":
		f.LeadAgency = v
	case "partners":
		f.Partners = v
	case "resources":
		f.Resources = v
	case "conflict_declaration":
		f.ConflictDeclaration = v
	default:
		panic("no text field " + key)
	}
}

func TestValidateDraft(t *testing.T) {
	tests := []struct {
		name string
		f    Fields
		want FieldErrors
	}{
		{name: "empty draft", f: Fields{}},
		{name: "valid note", f: validNote()},
		{name: "incomplete draft", f: Fields{
			Title:      nWords(40), // over its limit: checked on submit only
			Values:     []string{"technology"},
			Milestones: []Milestone{{Deliverable: "Portal", Due: "2035-01"}},
		}},
		{name: "known values", f: Fields{Values: []string{"transparency", "participation", "accountability", "technology", "inclusion"}}},
		{name: "unknown value", f: Fields{Values: []string{"participation", "Transparency"}},
			want: FieldErrors{"values": `Choose values from the list: "Transparency" is not one of them`}},
		{name: "every policy area", f: Fields{PolicyArea: "public_service_delivery"}},
		{name: "unknown policy area", f: Fields{PolicyArea: "Justice"},
			want: FieldErrors{"policy_area": "Choose a policy area from the list"}},
		{name: "5 milestone rows", f: Fields{Milestones: rows(5)}},
		{name: "6 milestone rows", f: Fields{Milestones: rows(6)},
			want: FieldErrors{"milestones": "Remove milestones until there are 5 or fewer: there are 6"}},
		{name: "month 13", f: Fields{Milestones: []Milestone{{Due: "2021-12"}, {Due: "2021-13"}}},
			want: FieldErrors{"milestones.1.due": "Milestone 2: enter a due month as YYYY-MM"}},
		{name: "one-digit month", f: Fields{Milestones: []Milestone{{Due: "2021-1"}}},
			want: FieldErrors{"milestones.0.due": "Milestone 1: enter a due month as YYYY-MM"}},
		{name: "two-digit year", f: Fields{Milestones: []Milestone{{Due: "21-01"}}},
			want: FieldErrors{"milestones.0.due": "Milestone 1: enter a due month as YYYY-MM"}},
		{name: "words for a month", f: Fields{Milestones: []Milestone{{Due: "March 2021"}}},
			want: FieldErrors{"milestones.0.due": ""}},
		{name: "everything wrong at once", f: Fields{
			Values: []string{"x"}, PolicyArea: "y",
			Milestones: append(rows(5), Milestone{Due: "2021/01"}),
		}, want: FieldErrors{"values": "", "policy_area": "", "milestones": "", "milestones.5.due": ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ValidateDraft(tc.f, nil)
			if len(tc.want) == 0 {
				if got != nil {
					t.Fatalf("ValidateDraft = %v, want nil", got)
				}
				return
			}
			checkErrors(t, got, tc.want)
		})
	}
}

func TestValidMonth(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"2021-01", true},
		{"2021-12", true},
		{"2020-09", true},
		{"2021-13", false},
		{"2021-00", false},
		{"2021-1", false},
		{"21-01", false},
		{"2021/01", false},
		{"2021-01-01", false},
		{" 2021-01", false},
		{"２０２１-01", false}, // full-width digits
		{"202a-01", false},
		{"2021-1a", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := ValidMonth(tc.in); got != tc.want {
			t.Errorf("ValidMonth(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestFieldErrorsOrderAndError(t *testing.T) {
	e := FieldErrors{
		"policy_area":              "Choose a policy area",
		"milestones.1.due":         "Milestone 2: enter a due month as YYYY-MM",
		"milestones.0.responsible": "Milestone 1: enter who is responsible",
		"milestones.10.due":        "Milestone 11: enter a due month as YYYY-MM",
		"milestones":               "Add at least 2 milestones",
		"title":                    "Enter a title",
		"zzz":                      "unknown key",
	}
	want := []string{"title", "milestones", "milestones.0.responsible", "milestones.1.due", "milestones.10.due", "policy_area", "zzz"}
	if got := e.Keys(); !slices.Equal(got, want) {
		t.Errorf("Keys = %v, want %v", got, want)
	}
	var err error = FieldErrors{"title": "Enter a title", "problem": "Describe the public problem the commitment addresses"}
	if got, want := err.Error(), "invalid fields: title: Enter a title; problem: Describe the public problem the commitment addresses"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestDraftCharacterBounds refuses a field far beyond its word limit, and
// a note whose fields each fit raised limits but are too long together.
func TestDraftCharacterBounds(t *testing.T) {
	long := strings.Repeat("x", 15*CharsPerWord+1)
	if errs := ValidateDraft(Fields{Title: long}, nil); errs["title"] == "" {
		t.Fatalf("a title of %d characters passed", len(long))
	}
	if errs := ValidateDraft(Fields{Title: long}, map[string]int{"title": 16}); errs != nil {
		t.Fatalf("a raised limit still refused the title: %v", errs)
	}
	raised := map[string]int{"problem": 1000, "commitment": 1000, "change": 1000}
	part := strings.Repeat("word ", 3000) // 15,000 characters each
	if errs := ValidateDraft(Fields{Problem: part, Commitment: part}, raised); errs != nil {
		t.Fatalf("two long fields within the note's bound: %v", errs)
	}
	if errs := ValidateDraft(Fields{Problem: part, Commitment: part, Change: part}, raised); errs["title"] == "" {
		t.Fatalf("45,000 characters in all passed: %v", errs)
	}
}
