package notes

import "unicode"

// PageWords is the "one page" guide: the counted words of a note together
// should stay under it. It is shown to the participant, never enforced.
const PageWords = 650

// Limit keys that are not field keys: a milestone row's limit applies to
// its deliverable and responsible actor together.
const milestoneLimitKey = "milestone"

// DefaultWordLimits returns the default word limit of each limited field
// (domain.md); "milestone" is the limit of one milestone row, deliverable
// and responsible actor together. The caller owns the returned map.
func DefaultWordLimits() map[string]int {
	return map[string]int{
		"title":                15,
		"summary":              40,
		"problem":              120,
		"commitment":           120,
		"change":               80,
		"values_explanation":   60,
		milestoneLimitKey:      20,
		"lead_agency":          12,
		"partners":             30,
		"resources":            40,
		"conflict_declaration": 40,
	}
}

// CountWords returns the number of words in s under the package's single
// definition of a word (see the package documentation).
func CountWords(s string) int {
	n := 0
	// inWord is true once the current token has a letter or number; other
	// characters (punctuation, symbols, marks) neither make nor end a word.
	inWord := false
	for _, r := range s {
		switch {
		case isWordSeparator(r):
			if inWord {
				n++
				inWord = false
			}
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			if isCountedByCharacter(r) {
				if inWord {
					n++
					inWord = false
				}
				n++
			} else {
				inWord = true
			}
		}
	}
	if inWord {
		n++
	}
	return n
}

// isWordSeparator mirrors /[\p{White_Space}\u200B]/u in app.js; Go's
// unicode.IsSpace is exactly the White_Space property.
func isWordSeparator(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200B'
}

// isCountedByCharacter reports whether r belongs to a script written without
// spaces, where each character stands for a word.
func isCountedByCharacter(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// textFields are the free-text fields, in form order, whose words count
// towards the page and have a limit of their own.
var textFields = []string{
	"title", "summary", "problem", "commitment", "change",
	"values_explanation", "lead_agency", "partners", "resources",
	"conflict_declaration",
}

// text returns the value of the free-text field key.
func (f Fields) text(key string) string {
	switch key {
	case "title":
		return f.Title
	case "summary":
		return f.Summary
	case "problem":
		return f.Problem
	case "commitment":
		return f.Commitment
	case "change":
		return f.Change
	case "values_explanation":
		return f.ValuesExplanation
	case "lead_agency":
		return f.LeadAgency
	case "partners":
		return f.Partners
	case "policy_area":
		return f.PolicyArea
	case "resources":
		return f.Resources
	case "conflict_declaration":
		return f.ConflictDeclaration
	}
	return ""
}

// Words returns the counted words of one milestone row: its deliverable and
// responsible actor (the due month is a date, not prose).
func (m Milestone) Words() int {
	return CountWords(m.Deliverable) + CountWords(m.Responsible)
}

// TotalWords returns the counted words of every free-text field and every
// milestone row, the figure compared with PageWords.
func (f Fields) TotalWords() int {
	n := 0
	for _, k := range textFields {
		n += CountWords(f.text(k))
	}
	for _, m := range f.Milestones {
		n += m.Words()
	}
	return n
}
