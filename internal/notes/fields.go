package notes

import (
	"strconv"
	"strings"
)

// Milestone is one dated deliverable of a note.
type Milestone struct {
	Deliverable string `json:"deliverable" bson:"deliverable"`
	Responsible string `json:"responsible" bson:"responsible"`
	Due         string `json:"due" bson:"due"` // YYYY-MM
}

// Fields are the participant-editable fields of a concept note (domain.md table).
type Fields struct {
	Title               string      `json:"title" bson:"title"`
	Summary             string      `json:"summary" bson:"summary"`
	Problem             string      `json:"problem" bson:"problem"`
	Commitment          string      `json:"commitment" bson:"commitment"`
	Change              string      `json:"change" bson:"change"`
	Values              []string    `json:"values" bson:"values"`
	ValuesExplanation   string      `json:"values_explanation" bson:"values_explanation"`
	Milestones          []Milestone `json:"milestones" bson:"milestones"`
	LeadAgency          string      `json:"lead_agency" bson:"lead_agency"`
	Partners            string      `json:"partners" bson:"partners"`
	PolicyArea          string      `json:"policy_area" bson:"policy_area"`
	Resources           string      `json:"resources" bson:"resources"`
	ConsentPublish      bool        `json:"consent_publish" bson:"consent_publish"`
	ConflictDeclaration string      `json:"conflict_declaration" bson:"conflict_declaration"`
}

// Normalize trims the surrounding white space of every text, drops
// milestone rows left fully empty and empty or repeated values, keeping
// the order of what remains.
//
// Forms post every row of a fixed-size milestone table and browsers keep
// stray spaces, so normalising first makes "what the person meant" the thing
// that is validated and stored.
func (f *Fields) Normalize() {
	for _, p := range []*string{
		&f.Title, &f.Summary, &f.Problem, &f.Commitment, &f.Change,
		&f.ValuesExplanation, &f.LeadAgency, &f.Partners, &f.PolicyArea,
		&f.Resources, &f.ConflictDeclaration,
	} {
		*p = strings.TrimSpace(*p)
	}

	if f.Values != nil {
		seen := make(map[string]bool, len(f.Values))
		values := make([]string, 0, len(f.Values))
		for _, v := range f.Values {
			v = strings.TrimSpace(v)
			if v == "" || seen[v] {
				continue
			}
			seen[v] = true
			values = append(values, v)
		}
		f.Values = values
	}

	if f.Milestones != nil {
		rows := make([]Milestone, 0, len(f.Milestones))
		for _, m := range f.Milestones {
			m.Deliverable = strings.TrimSpace(m.Deliverable)
			m.Responsible = strings.TrimSpace(m.Responsible)
			m.Due = strings.TrimSpace(m.Due)
			if m == (Milestone{}) {
				continue
			}
			rows = append(rows, m)
		}
		f.Milestones = rows
	}
}

// ValidMonth reports whether s is a month written YYYY-MM with a month from
// 01 to 12; such strings compare correctly as plain strings.
func ValidMonth(s string) bool {
	if len(s) != 7 || s[4] != '-' {
		return false
	}
	for i, c := range []byte(s) {
		if i != 4 && (c < '0' || c > '9') {
			return false
		}
	}
	month := int(s[5]-'0')*10 + int(s[6]-'0')
	return month >= 1 && month <= 12
}

// FieldSpec describes one field of the concept-note form.
//
// Limit is the default word limit (0 where there is none); a call may set
// its own, so a form should show the call's limit ("Up to 120 words") rather
// than this one, which is why Hint does not repeat it.
type FieldSpec struct {
	Key      string // json field name
	Label    string // short noun phrase, also used in error messages
	Hint     string // plain-English guidance shown under the label
	Required bool   // must be filled in to submit
	Long     bool   // a textarea rather than a one-line input
	Limit    int    // default word limit; for milestones, per row
}

// specs is the form in order; Specs hands out copies.
var specs = []FieldSpec{
	{Key: "title", Label: "Title", Required: true,
		Hint: "A short name for the commitment."},
	{Key: "summary", Label: "Summary", Required: true,
		Hint: "The commitment in one sentence: who will do what, and to what end."},
	{Key: "problem", Label: "Problem", Required: true, Long: true,
		Hint: "The public problem, who is affected, and any evidence or baseline."},
	{Key: "commitment", Label: "Commitment", Required: true, Long: true,
		Hint: "What will be done to address the problem."},
	{Key: "change", Label: "Expected change", Required: true, Long: true,
		Hint: "How it changes the status quo and the result you expect. Go beyond what the law already requires or what is already under way."},
	{Key: "values", Label: "Open government values", Required: true,
		Hint: "Choose at least one core value: transparency and access to information, civic participation or public accountability. Technology and innovation, and inclusion, count only beside a core value."},
	{Key: "values_explanation", Label: "How it advances the values", Required: true, Long: true,
		Hint: "How the commitment makes a policy area, institution or decision more transparent, participatory or accountable."},
	{Key: "milestones", Label: "Milestones", Required: true,
		Hint: "2 to 5 deliverables that can be checked, each with who is responsible and the month it is due (YYYY-MM) inside the plan period."},
	{Key: "lead_agency", Label: "Lead agency", Required: true,
		Hint: `The public agency you propose to lead the work, or "not sure".`},
	{Key: "partners", Label: "Partners",
		Hint: "Other actors who could take part: government, civil society, private sector or multilateral organisations."},
	{Key: "policy_area", Label: "Policy area", Required: true,
		Hint: "The area the commitment mainly falls under."},
	{Key: "resources", Label: "Resources",
		Hint: "Likely cost, and any existing programme or funding it could build on."},
	{Key: "consent_publish", Label: "Publish in the public repository",
		Hint: "Tick to let this note appear in the public repository of submitted notes."},
	{Key: "conflict_declaration", Label: "Conflicts of interest",
		Hint: "Any links you have to Steering Committee members or to the agencies named. Leave blank if there are none."},
}

func init() {
	limits := DefaultWordLimits()
	for i := range specs {
		key := specs[i].Key
		if key == "milestones" {
			key = milestoneLimitKey
		}
		specs[i].Limit = limits[key]
	}
}

// Specs returns the fields of the concept-note form in form order.
func Specs() []FieldSpec {
	return append([]FieldSpec(nil), specs...)
}

// milestoneLabels name the columns of a milestone row.
var milestoneLabels = map[string]string{
	"deliverable": "deliverable",
	"responsible": "responsible actor",
	"due":         "due month",
}

// Label returns the label people read for a field key, including milestone
// keys such as "milestones.1.due" ("Milestone 2 due month") and the limit key
// "milestone"; an unknown key is returned as it is.
func Label(key string) string {
	for _, s := range specs {
		if s.Key == key {
			return s.Label
		}
	}
	if key == milestoneLimitKey {
		return "Milestone"
	}
	if i, col, ok := parseMilestoneKey(key); ok {
		return "Milestone " + strconv.Itoa(i+1) + " " + milestoneLabels[col]
	}
	return key
}

// milestoneKey returns the field-error key of column col of row i.
func milestoneKey(i int, col string) string {
	return "milestones." + strconv.Itoa(i) + "." + col
}

// parseMilestoneKey splits "milestones.<i>.<col>" into its row and column.
func parseMilestoneKey(key string) (int, string, bool) {
	rest, ok := strings.CutPrefix(key, "milestones.")
	if !ok {
		return 0, "", false
	}
	num, col, ok := strings.Cut(rest, ".")
	if !ok || milestoneLabels[col] == "" {
		return 0, "", false
	}
	i, err := strconv.Atoi(num)
	if err != nil || i < 0 || strconv.Itoa(i) != num {
		return 0, "", false
	}
	return i, col, true
}
