package notes

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   Fields
		want Fields
	}{
		{name: "empty stays empty", in: Fields{}, want: Fields{}},
		{
			name: "trims every text",
			in: Fields{
				Title: "  Open data \n", Summary: "\tOne sentence. ", Problem: "\r\nProblem\r\n",
				Commitment: " c ", Change: " ch ", ValuesExplanation: " ve ", LeadAgency: " Ministry ",
				Partners: " p ", PolicyArea: " justice ", Resources: " r ", ConflictDeclaration: " none ",
				ConsentPublish: true,
			},
			want: Fields{
				Title: "Open data", Summary: "One sentence.", Problem: "Problem",
				Commitment: "c", Change: "ch", ValuesExplanation: "ve", LeadAgency: "Ministry",
				Partners: "p", PolicyArea: "justice", Resources: "r", ConflictDeclaration: "none",
				ConsentPublish: true,
			},
		},
		{
			name: "keeps inner spacing and line breaks",
			in:   Fields{Problem: " First line.\n\nSecond  line. "},
			want: Fields{Problem: "First line.\n\nSecond  line."},
		},
		{
			name: "trims no-break and ideographic spaces",
			in:   Fields{Title: "\u00a0開放\u3000"},
			want: Fields{Title: "開放"},
		},
		{
			name: "drops repeated and empty values, keeps order",
			in:   Fields{Values: []string{"participation", " transparency ", "participation", "", "transparency", "inclusion"}},
			want: Fields{Values: []string{"participation", "transparency", "inclusion"}},
		},
		{
			name: "keeps unknown values for validation to report",
			in:   Fields{Values: []string{"openness", "openness"}},
			want: Fields{Values: []string{"openness"}},
		},
		{
			name: "drops fully empty milestone rows, keeps partial ones in order",
			in: Fields{Milestones: []Milestone{
				{},
				{Deliverable: " Portal ", Responsible: " Ministry ", Due: " 2021-03 "},
				{Deliverable: "  ", Responsible: "\t", Due: " "},
				{Due: "2021-06"},
				{Responsible: "NGO"},
				{},
			}},
			want: Fields{Milestones: []Milestone{
				{Deliverable: "Portal", Responsible: "Ministry", Due: "2021-03"},
				{Due: "2021-06"},
				{Responsible: "NGO"},
			}},
		},
		{
			name: "all rows empty leaves no rows",
			in:   Fields{Milestones: []Milestone{{}, {Deliverable: " "}}},
			want: Fields{Milestones: []Milestone{}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.in
			got.Normalize()
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Normalize:\n got %#v\nwant %#v", got, tc.want)
			}
			again := got
			again.Normalize()
			if !reflect.DeepEqual(again, got) {
				t.Errorf("Normalize is not idempotent: %#v then %#v", got, again)
			}
		})
	}
}

func TestNormalizeDoesNotShareInput(t *testing.T) {
	in := []string{"transparency", "transparency", "participation"}
	f := Fields{Values: in}
	f.Normalize()
	if !slices.Equal(in, []string{"transparency", "transparency", "participation"}) {
		t.Errorf("Normalize rewrote the caller's slice: %v", in)
	}
}

func TestFieldsJSONNames(t *testing.T) {
	data, err := json.Marshal(validNote())
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	want := []string{"title", "summary", "problem", "commitment", "change", "values",
		"values_explanation", "milestones", "lead_agency", "partners", "policy_area",
		"resources", "consent_publish", "conflict_declaration"}
	got := make([]string, 0, len(m))
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	sorted := slices.Sorted(slices.Values(want))
	if !slices.Equal(got, sorted) {
		t.Errorf("json keys = %v, want %v", got, sorted)
	}
	row := m["milestones"].([]any)[0].(map[string]any)
	for _, k := range []string{"deliverable", "responsible", "due"} {
		if _, ok := row[k]; !ok {
			t.Errorf("milestone json has no %q: %v", k, row)
		}
	}
	// bson names must match json names: stored documents and API bodies agree.
	typ := reflect.TypeFor[Fields]()
	for i := range typ.NumField() {
		tag := typ.Field(i).Tag
		if tag.Get("json") != tag.Get("bson") {
			t.Errorf("field %s: json %q, bson %q", typ.Field(i).Name, tag.Get("json"), tag.Get("bson"))
		}
	}
}

func TestSpecs(t *testing.T) {
	specs := Specs()
	// The form order is the order of Fields, which follows domain.md.
	typ := reflect.TypeFor[Fields]()
	if len(specs) != typ.NumField() {
		t.Fatalf("Specs has %d fields, Fields has %d", len(specs), typ.NumField())
	}
	defaults := DefaultWordLimits()
	required := map[string]bool{
		"title": true, "summary": true, "problem": true, "commitment": true, "change": true,
		"values": true, "values_explanation": true, "milestones": true, "lead_agency": true,
		"policy_area": true,
	}
	long := map[string]bool{"problem": true, "commitment": true, "change": true, "values_explanation": true}
	for i, s := range specs {
		if want := typ.Field(i).Tag.Get("json"); s.Key != want {
			t.Errorf("Specs()[%d].Key = %q, want %q (form order)", i, s.Key, want)
		}
		if s.Label == "" || s.Hint == "" {
			t.Errorf("%s: label %q, hint %q: both needed", s.Key, s.Label, s.Hint)
		}
		if !strings.HasSuffix(s.Hint, ".") {
			t.Errorf("%s: hint %q should be a sentence", s.Key, s.Hint)
		}
		if s.Required != required[s.Key] {
			t.Errorf("%s: Required = %v, want %v", s.Key, s.Required, required[s.Key])
		}
		if s.Long != long[s.Key] {
			t.Errorf("%s: Long = %v, want %v", s.Key, s.Long, long[s.Key])
		}
		limitKey := s.Key
		if limitKey == "milestones" {
			limitKey = "milestone"
		}
		if s.Limit != defaults[limitKey] {
			t.Errorf("%s: Limit = %d, want %d", s.Key, s.Limit, defaults[limitKey])
		}
		if Label(s.Key) != s.Label {
			t.Errorf("Label(%q) = %q, want %q", s.Key, Label(s.Key), s.Label)
		}
	}
	if got := specs[2].Hint; got != "The public problem, who is affected, and any evidence or baseline." {
		t.Errorf("problem hint = %q", got)
	}
	specs[0].Label = "changed"
	if Specs()[0].Label != "Title" {
		t.Error("Specs returned shared storage: changing it changed the form")
	}
}

func TestLabel(t *testing.T) {
	tests := map[string]string{
		"title":                    "Title",
		"policy_area":              "Policy area",
		"milestones":               "Milestones",
		"milestone":                "Milestone",
		"milestones.0.deliverable": "Milestone 1 deliverable",
		"milestones.1.responsible": "Milestone 2 responsible actor",
		"milestones.4.due":         "Milestone 5 due month",
		"milestones.x.due":         "milestones.x.due",
		"milestones.01.due":        "milestones.01.due",
		"milestones.-1.due":        "milestones.-1.due",
		"milestones.0.cost":        "milestones.0.cost",
		"nonsense":                 "nonsense",
	}
	for key, want := range tests {
		if got := Label(key); got != want {
			t.Errorf("Label(%q) = %q, want %q", key, got, want)
		}
	}
}
