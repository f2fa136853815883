package web

import (
	"html/template"
	"strconv"

	"github.com/gin-gonic/gin"

	"cocreate/internal/enum"
	"cocreate/internal/notes"
	"cocreate/internal/store"
)

// Milestone rows the form shows: never fewer than a note needs, never more than it may have.
const (
	minMilestoneRows = 2
	maxMilestoneRows = 5
)

// noteField is one field of the concept-note form (or of a printed note),
// with the call's word limit and what the participant wrote.
type noteField struct {
	notes.FieldSpec
	Value string // the text of a free-text field
	Count int    // its words
	Error string
}

// Counter says what is left of the limit, as app.js does after each keystroke.
func (f noteField) Counter() string { return wordsLeft(f.Count, f.Limit) }

// Over reports whether the text is above its limit.
func (f noteField) Over() bool { return f.Limit > 0 && f.Count > f.Limit }

// milestoneRow is one row of the milestone table on the form.
type milestoneRow struct {
	Index int
	notes.Milestone
	Count, Limit                   int
	DeliverableErr, ResponsibleErr string
	DueErr                         string
}

// Number is the row's number as people count.
func (r milestoneRow) Number() int { return r.Index + 1 }

// Counter says what is left of the row's limit (deliverable and responsible actor together).
func (r milestoneRow) Counter() string { return wordsLeft(r.Count, r.Limit) }

// Over reports whether the row is above its limit.
func (r milestoneRow) Over() bool { return r.Limit > 0 && r.Count > r.Limit }

// noteForm is everything the form template shows besides the layout.
type noteForm struct {
	Fields     []noteField
	Values     []string
	PolicyArea string
	Consent    bool
	Rows       []milestoneRow
	CanAdd     bool
	CanRemove  bool
	Total      int
	PageWords  int
	Errors     notes.FieldErrors
	ErrorKeys  []string
	PlanStart  string
	PlanEnd    string
}

// wordsLeft mirrors counterText in static/js/app.js.
func wordsLeft(count, limit int) string {
	if count > limit {
		return plural(count-limit, "word") + " too many"
	}
	return plural(limit-count, "word") + " left"
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// callLimit is the call's word limit for key, or the default when the call sets none.
func callLimit(c *store.Call, key string) int {
	if n, ok := c.WordLimits[key]; ok {
		return n
	}
	return notes.DefaultWordLimits()[key]
}

// textOf returns a pointer to the free-text field key of f, or nil.
func textOf(f *notes.Fields, key string) *string {
	switch key {
	case "title":
		return &f.Title
	case "summary":
		return &f.Summary
	case "problem":
		return &f.Problem
	case "commitment":
		return &f.Commitment
	case "change":
		return &f.Change
	case "values_explanation":
		return &f.ValuesExplanation
	case "lead_agency":
		return &f.LeadAgency
	case "partners":
		return &f.Partners
	case "resources":
		return &f.Resources
	case "conflict_declaration":
		return &f.ConflictDeclaration
	}
	return nil
}

// buildNoteForm lays out f for the form with rows milestone rows (at least
// the note's own) and errs beside their fields.
func buildNoteForm(c *store.Call, f notes.Fields, rows int, errs notes.FieldErrors) noteForm {
	form := noteForm{Values: f.Values, PolicyArea: f.PolicyArea, Consent: f.ConsentPublish, PageWords: notes.PageWords,
		Errors: errs, ErrorKeys: errs.Keys(), PlanStart: c.PlanStart, PlanEnd: c.PlanEnd}
	for _, s := range notes.Specs() {
		fld := noteField{FieldSpec: s, Error: errs[s.Key]}
		fld.Limit = 0
		if p := textOf(&f, s.Key); p != nil {
			fld.Limit = callLimit(c, s.Key)
			fld.Value = *p
			fld.Count = notes.CountWords(*p)
			form.Total += fld.Count
		}
		if s.Key == "milestones" {
			fld.Limit = callLimit(c, "milestone")
		}
		form.Fields = append(form.Fields, fld)
	}
	rows = min(max(rows, len(f.Milestones), minMilestoneRows), maxMilestoneRows)
	rows = max(rows, len(f.Milestones))
	for i := range rows {
		r := milestoneRow{Index: i, Limit: callLimit(c, "milestone")}
		if i < len(f.Milestones) {
			r.Milestone = f.Milestones[i]
		}
		r.Count = r.Words()
		form.Total += r.Count
		p := "milestones." + strconv.Itoa(i) + "."
		r.DeliverableErr, r.ResponsibleErr, r.DueErr = errs[p+"deliverable"], errs[p+"responsible"], errs[p+"due"]
		form.Rows = append(form.Rows, r)
	}
	form.CanAdd = len(form.Rows) < maxMilestoneRows
	form.CanRemove = len(form.Rows) > minMilestoneRows
	return form
}

// postedNote is the concept-note form as posted: the fields, every
// milestone row as shown (empty ones too, so the page can show them again)
// and which button was pressed.
type postedNote struct {
	Fields  notes.Fields
	Rows    []notes.Milestone
	Version int
	Action  string // "save", "continue", "add" or "remove"
	Remove  int    // the row to remove
}

// parseNoteForm reads the concept-note form. Milestone rows are numbered
// milestones.<i>.<column> from 0; a row counts when its deliverable input was posted.
func parseNoteForm(c *gin.Context) postedNote {
	var p postedNote
	for _, s := range notes.Specs() {
		if ptr := textOf(&p.Fields, s.Key); ptr != nil {
			*ptr = c.PostForm(s.Key)
		}
	}
	p.Fields.PolicyArea = c.PostForm("policy_area")
	p.Fields.Values = c.PostFormArray("values")
	p.Fields.ConsentPublish = c.PostForm("consent_publish") != ""
	for i := range 2 * maxMilestoneRows {
		key := "milestones." + strconv.Itoa(i) + "."
		if _, ok := c.GetPostForm(key + "deliverable"); !ok {
			continue
		}
		p.Rows = append(p.Rows, notes.Milestone{Deliverable: c.PostForm(key + "deliverable"),
			Responsible: c.PostForm(key + "responsible"), Due: c.PostForm(key + "due")})
	}
	p.Version, _ = strconv.Atoi(c.PostForm("version"))
	p.Action = "save"
	switch {
	case c.PostForm("continue") != "":
		p.Action = "continue"
	case c.PostForm("add") != "" && len(p.Rows) < maxMilestoneRows:
		p.Action = "add"
		p.Rows = append(p.Rows, notes.Milestone{})
	case c.PostForm("remove") != "":
		if i, err := strconv.Atoi(c.PostForm("remove")); err == nil && i >= 0 && i < len(p.Rows) {
			p.Action, p.Remove = "remove", i
			p.Rows = append(p.Rows[:i:i], p.Rows[i+1:]...)
		}
	}
	// What is stored: the rows with text in them, trimmed (Normalize).
	p.Fields.Milestones = append([]notes.Milestone(nil), p.Rows...)
	p.Fields.Normalize()
	return p
}

// monthName writes a YYYY-MM month as "July 2026", or returns it as it is.
func monthName(m string) string {
	if !notes.ValidMonth(m) {
		return m
	}
	months := []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	n, _ := strconv.Atoi(m[5:])
	return months[n-1] + " " + m[:4]
}

// stateTags colour each state's tag; the word is always shown beside the colour.
var stateTags = map[string]string{
	"draft": "tag-grey", "submitted": "tag-blue", "returned": "tag-yellow", "screened": "tag-purple",
	"ineligible": "tag-red", "classified": "tag-green", "withdrawn": "tag-grey",
}

// formFuncs are the template helpers of the note form and the participant's pages.
func formFuncs() template.FuncMap {
	return template.FuncMap{"wordsLeft": wordsLeft, "monthName": monthName, "validMonth": notes.ValidMonth,
		"coreValue": enum.CoreValues.Has, "lowerFirst": lowerFirst, "stateTag": func(s string) string { return stateTags[s] }}
}
