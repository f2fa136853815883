package notes

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"cocreate/internal/enum"
)

// Milestone rows a submitted note must have.
const (
	minMilestones = 2
	maxMilestones = 5
)

// FieldErrors maps a field key to a message a person can act on. Keys are
// the json field names, "milestones.<i>.<column>" for a milestone cell
// (i from 0) and "milestones" for the number of rows.
type FieldErrors map[string]string

// Error lists the messages in form order, so FieldErrors can be returned as
// an error.
func (e FieldErrors) Error() string {
	if len(e) == 0 {
		return "no field errors"
	}
	parts := make([]string, 0, len(e))
	for _, k := range e.Keys() {
		parts = append(parts, k+": "+e[k])
	}
	return "invalid fields: " + strings.Join(parts, "; ")
}

// Keys returns the keys in the order their fields appear on the form, the
// order an error summary should list them in.
func (e FieldErrors) Keys() []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		ra, rb := keyRank(keys[a]), keyRank(keys[b])
		for i := range ra {
			if ra[i] != rb[i] {
				return ra[i] < rb[i]
			}
		}
		return keys[a] < keys[b]
	})
	return keys
}

// keyRank orders keys by form position, then milestone row, then column;
// unknown keys go last.
func keyRank(key string) [3]int {
	if i, col, ok := parseMilestoneKey(key); ok {
		c := map[string]int{"deliverable": 1, "responsible": 2, "due": 3}[col]
		return [3]int{specIndex("milestones"), i, c}
	}
	if idx := specIndex(key); idx >= 0 {
		return [3]int{idx, -1, 0}
	}
	return [3]int{len(specs), 0, 0}
}

// specIndex returns the form position of key, or -1.
func specIndex(key string) int {
	for i, s := range specs {
		if s.Key == key {
			return i
		}
	}
	return -1
}

// add records msg for key unless the key already has a message: the first
// problem found is the one to fix first.
func (e FieldErrors) add(key, msg string) {
	if _, ok := e[key]; !ok {
		e[key] = msg
	}
}

// CharsPerWord is how many characters a draft's field may hold per word of
// its limit: far more than any real text needs (words average about six),
// so only a text no one would submit is refused, and a draft stays small.
const CharsPerWord = 20

// switchedOffWords stands for the word limit of a field whose limit the
// call switched off, to bound its characters.
const switchedOffWords = 1000

// MaxNoteChars bounds all the text of one note, whatever the limits.
const MaxNoteChars = 40_000

// ValidateDraft checks only what makes a draft unstorable: unknown values or
// policy area, malformed due months, more than 5 milestone rows, and text
// far beyond the word limits (CharsPerWord characters a word of the limit,
// limits as in ValidateSubmit, and MaxNoteChars in all). Drafts may be
// incomplete, so nothing is required. It returns nil when all is well.
func ValidateDraft(f Fields, limits map[string]int) FieldErrors {
	errs := FieldErrors{}
	limit := limitOf(limits)
	total := 0
	tooLong := func(key, label, text string, words int) {
		n := utf8.RuneCountInString(text)
		total += n
		if words <= 0 {
			words = switchedOffWords // no word limit: still a bound on what is stored
		}
		if capChars := max(words, 10) * CharsPerWord; n > capChars {
			errs.add(key, fmt.Sprintf("%s is far too long to keep: it has %d characters, and %d is the most a draft holds", label, n, capChars))
		}
	}
	for _, key := range textFields {
		tooLong(key, Label(key), f.text(key), limit(key))
	}
	for i, m := range f.Milestones {
		tooLong(milestoneKey(i, "deliverable"), strings.TrimSuffix(milestonePrefix(i), ": ")+" deliverable", m.Deliverable+" "+m.Responsible, limit(milestoneLimitKey))
	}
	if total > MaxNoteChars {
		errs.add("title", fmt.Sprintf("The note is far too long to keep (%d characters in all): shorten it to %d characters or fewer", total, MaxNoteChars))
	}
	for _, v := range f.Values {
		if !enum.Values.Has(v) {
			errs.add("values", "Choose values from the list: "+strconv.Quote(v)+" is not one of them")
		}
	}
	if f.PolicyArea != "" && !enum.PolicyAreas.Has(f.PolicyArea) {
		errs.add("policy_area", "Choose a policy area from the list")
	}
	if n := len(f.Milestones); n > maxMilestones {
		errs.add("milestones", fmt.Sprintf("Remove milestones until there are %d or fewer: there are %d", maxMilestones, n))
	}
	for i, m := range f.Milestones {
		if m.Due != "" && !ValidMonth(m.Due) {
			errs.add(milestoneKey(i, "due"), milestonePrefix(i)+"enter a due month as YYYY-MM")
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// requiredMessages say what to do when a required field is empty.
var requiredMessages = map[string]string{
	"title":              "Enter a title",
	"summary":            "Enter a one-sentence summary of the commitment",
	"problem":            "Describe the public problem the commitment addresses",
	"commitment":         "Describe what will be done",
	"change":             "Describe how it changes the status quo and the result you expect",
	"values_explanation": "Explain how the commitment advances the values you chose",
	"lead_agency":        `Enter the proposed lead agency, or "not sure"`,
	"policy_area":        "Choose a policy area",
}

// coreValuesMessage is the message for a note without a core value.
const coreValuesMessage = "Choose at least one core value: transparency, participation or accountability"

// ValidateSubmit checks everything a note needs before it is submitted:
// ValidateDraft's rules, required fields, word limits (a key missing from
// limits takes its default; a limit of 0 or less is switched off), at least
// one core value, 2 to 5 complete milestones and due months inside
// [planStart, planEnd] (YYYY-MM, inclusive; a bound that is not a valid
// month is not checked). It returns nil when the note may be submitted.
func ValidateSubmit(f Fields, limits map[string]int, planStart, planEnd string) FieldErrors {
	errs := ValidateDraft(f, limits)
	if errs == nil {
		errs = FieldErrors{}
	}
	limit := limitOf(limits)

	for _, key := range textFields {
		text := f.text(key)
		if strings.TrimSpace(text) == "" {
			if msg, ok := requiredMessages[key]; ok {
				errs.add(key, msg)
			}
			continue
		}
		if lim, n := limit(key), CountWords(text); lim > 0 && n > lim {
			errs.add(key, fmt.Sprintf("%s must be %s or fewer: it has %d", Label(key), words(lim), n))
		}
	}
	if strings.TrimSpace(f.PolicyArea) == "" {
		errs.add("policy_area", requiredMessages["policy_area"])
	}

	checkValues(f.Values, errs)

	if n := len(f.Milestones); n < minMilestones {
		errs.add("milestones", fmt.Sprintf("Add at least %d milestones", minMilestones))
	}
	rowLimit := limit(milestoneLimitKey)
	for i, m := range f.Milestones {
		p := milestonePrefix(i)
		if strings.TrimSpace(m.Deliverable) == "" {
			errs.add(milestoneKey(i, "deliverable"), p+"enter a deliverable that can be checked")
		}
		if strings.TrimSpace(m.Responsible) == "" {
			errs.add(milestoneKey(i, "responsible"), p+"enter who is responsible")
		}
		if n := m.Words(); rowLimit > 0 && n > rowLimit {
			// The limit is per row; the deliverable is where words pile up.
			errs.add(milestoneKey(i, "deliverable"), fmt.Sprintf("%sthe deliverable and responsible actor must be %s or fewer together: they have %d", p, words(rowLimit), n))
		}
		switch {
		case m.Due == "":
			errs.add(milestoneKey(i, "due"), p+"enter a due month as YYYY-MM")
		case !ValidMonth(m.Due):
			// Already reported by ValidateDraft.
		case !inPlanPeriod(m.Due, planStart, planEnd):
			errs.add(milestoneKey(i, "due"), p+"the due month must fall inside the plan period ("+periodText(planStart, planEnd)+")")
		}
	}

	if len(errs) == 0 {
		return nil
	}
	return errs
}

// limitOf looks a field's word limit up in limits, and in the defaults when
// limits lacks it.
func limitOf(limits map[string]int) func(key string) int {
	defaults := DefaultWordLimits()
	return func(key string) int {
		if n, ok := limits[key]; ok {
			return n
		}
		return defaults[key]
	}
}

// checkValues applies the core-value rule; unknown values were reported by
// ValidateDraft and take precedence.
func checkValues(values []string, errs FieldErrors) {
	core, other := false, false
	for _, v := range values {
		if enum.CoreValues.Has(v) {
			core = true
		} else if enum.Values.Has(v) {
			other = true
		}
	}
	switch {
	case core:
	case other:
		errs.add("values", "Technology and inclusion count only beside a core value: also choose transparency, participation or accountability")
	default:
		errs.add("values", coreValuesMessage)
	}
}

// inPlanPeriod reports whether month lies in [start, end]; a bound that is
// not a valid month is the call's problem, not the participant's, and is
// ignored.
func inPlanPeriod(month, start, end string) bool {
	if ValidMonth(start) && month < start {
		return false
	}
	if ValidMonth(end) && month > end {
		return false
	}
	return true
}

// periodText describes the plan period for a message.
func periodText(start, end string) string {
	switch {
	case ValidMonth(start) && ValidMonth(end):
		return start + " to " + end
	case ValidMonth(start):
		return start + " or later"
	default:
		return end + " or earlier"
	}
}

// milestonePrefix starts a message about row i, numbered from 1 as people count.
func milestonePrefix(i int) string {
	return "Milestone " + strconv.Itoa(i+1) + ": "
}

// words formats a word count with the right plural.
func words(n int) string {
	if n == 1 {
		return "1 word"
	}
	return strconv.Itoa(n) + " words"
}
