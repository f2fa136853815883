package app

import (
	"fmt"
	"slices"
	"strings"

	"cocreate/internal/enum"
)

// The rules of a coherent decision (domain.md, "Classes" and "Reason codes
// allowed per class") live in this one file: validation, the
// classification pages and the owner's result page all read them here.

const (
	// MinRationale is the fewest characters of a rationale, after trimming.
	MinRationale = 20
	// MaxRationale is the most characters of a rationale, after trimming.
	MaxRationale = 600
)

// ReasonsByClass lists, for each class, the reason codes it allows, in the
// order pages offer them, so that a decision cannot contradict itself.
var ReasonsByClass = map[string][]string{
	"A": {"included", "merged"},
	"B": {"merged", "not_verifiable", "no_owner", "status_quo", "lower_priority"},
	"C": {"out_of_scope"},
	"D": {"status_quo", "not_verifiable", "no_owner", "duplicate", "lower_priority"},
}

// ReasonAllowed reports whether class allows reason code.
func ReasonAllowed(class, code string) bool {
	return slices.Contains(ReasonsByClass[class], code)
}

// ReasonsFor is the reason codes class allows, with their labels.
func ReasonsFor(class string) enum.List {
	var out enum.List
	for _, code := range ReasonsByClass[class] {
		out = append(out, enum.Option{Value: code, Label: enum.ReasonCodes.Label(code)})
	}
	return out
}

// NamesNote reports whether reason code names another note (merged_into).
func NamesNote(code string) bool { return code == "merged" || code == "duplicate" }

// reasonLabels is the labels of codes joined for a sentence ("Included or Merged with another note").
func reasonLabels(codes []string) string {
	labels := make([]string, len(codes))
	for i, c := range codes {
		labels[i] = "“" + enum.ReasonCodes.Label(c) + "”"
	}
	if len(labels) <= 1 {
		return strings.Join(labels, "")
	}
	return strings.Join(labels[:len(labels)-1], ", ") + " or " + labels[len(labels)-1]
}

// reasonMismatch is the field message for a reason code class does not allow.
func reasonMismatch(class, code string) string {
	return fmt.Sprintf("Class %s cannot have the reason “%s”: choose %s, or another class",
		class, enum.ReasonCodes.Label(code), reasonLabels(ReasonsByClass[class]))
}

// ClassMeaning says to a participant what each class means for their note.
var ClassMeaning = map[string]string{
	"A": "Your proposal goes forward into co-creation as a candidate commitment for the action plan. You will be invited to help develop it with the government agencies concerned.",
	"B": "Your proposal is promising but needs more work before it can be a commitment: it may be developed further during co-creation, or combined with similar proposals.",
	"C": "Your proposal is valuable but does not belong in the action plan. The Steering Committee refers it to a body or programme better placed to take it forward.",
	"D": "Your proposal was not selected for this action plan. You are welcome to develop it and submit it again in a future call.",
}

// ReasonExplained says in words, to the participant, what each reason code means.
var ReasonExplained = map[string]string{
	"included":       "It meets the criteria and is significant enough to be included.",
	"merged":         "It overlaps with another proposal, so the two go forward together as one.",
	"out_of_scope":   "It falls outside what an open government action plan can commit to.",
	"status_quo":     "It does not go far enough beyond existing legal duties or ongoing practice.",
	"not_verifiable": "Its results could not be checked objectively: it needs dated deliverables that someone can verify.",
	"no_owner":       "No public institution was identified that could plausibly own and carry it out.",
	"duplicate":      "Another proposal in this call covers the same ground, and that one is the one taken forward.",
	"lower_priority": "It ranked below other proposals that the committee could take forward this time.",
}

// RationaleTemplate is the text each class's rationale starts from on the
// classification pages, addressed to the participant; the chair replaces
// every part in square brackets.
var RationaleTemplate = map[string]string{
	"A": "Thank you for your proposal. The Steering Committee found that [what makes it strong]. It goes forward into co-creation, where [what happens next].",
	"B": "Thank you for your proposal. The Steering Committee found it promising because [its strengths], but [what it still needs]. It will be [developed further or combined with a similar proposal].",
	"C": "Thank you for your proposal. The Steering Committee values [its contribution], but it is outside the action plan because [why]. We refer it to [the body better placed to act].",
	"D": "Thank you for your proposal. The Steering Committee did not select it because [the main reason]. To strengthen a future proposal, [one concrete suggestion].",
}

// templatePlaceholder reports whether rationale still holds a part in
// square brackets from one of the templates, which the chair must replace.
func templatePlaceholder(rationale string) string {
	for _, t := range RationaleTemplate {
		for rest := t; ; {
			i := strings.Index(rest, "[")
			if i < 0 {
				break
			}
			j := strings.Index(rest[i:], "]")
			if j < 0 {
				break
			}
			if p := rest[i : i+j+1]; strings.Contains(rationale, p) {
				return p
			}
			rest = rest[i+j+1:]
		}
	}
	return ""
}

// rationaleProblem is the field message for a rationale (already trimmed)
// that breaks the rules, or "".
func rationaleProblem(r string) string {
	n := len([]rune(r))
	switch {
	case r == "":
		return "Write the rationale the participant will read: two or three sentences"
	case n < MinRationale:
		return fmt.Sprintf("The rationale must be at least %d characters: it has %d. Write two or three sentences to the participant", MinRationale, n)
	case n > MaxRationale:
		return fmt.Sprintf("The rationale must be %d characters or fewer: it has %d", MaxRationale, n)
	}
	if p := templatePlaceholder(r); p != "" {
		return fmt.Sprintf("Replace “%s” with your own words: the participant reads this text", p)
	}
	return ""
}
