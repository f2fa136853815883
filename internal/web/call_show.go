package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"cocreate/internal/notes"
	"cocreate/internal/review"
)

// criterionRow is a rubric criterion with its weight and the anchors of its lowest and highest levels.
type criterionRow struct {
	review.Criterion
	Low, High string
}

// limitRow is a field of the note with the call's word limit.
type limitRow struct {
	Label string
	Limit int
}

// timelineStep is one stage of a call, as the call page lists them.
type timelineStep struct {
	Title, When, Text string
	Current           bool
}

// callShowPage is the public page of one call.
type callShowPage struct {
	Layout
	callCard
	Criteria          []criterionRow
	Limits            []limitRow
	PlanFrom, PlanTo  string
	Timeline          []timelineStep
	About             []string // the description's paragraphs
	CanWrite, SignIn  bool
	ReviewDue, Result string
	Programme         string // the training programme's title, "" when the call has none
}

func (h *Handler) callShowPage(c *gin.Context) {
	call, err := h.app.CallByKey(c.Request.Context(), c.Param("slug"))
	if err != nil {
		h.fail(c, err)
		return
	}
	u := currentUser(c)
	p := &callShowPage{Layout: Layout{Title: call.Title}, callCard: h.callCard(call),
		PlanFrom: planMonth(call.PlanStart), PlanTo: planMonth(call.PlanEnd)}
	p.About = paragraphs(call.Description)
	if _, prog, err := h.app.Programme(c.Request.Context(), call.ID); err == nil {
		p.Programme = prog.Title
	}
	p.CanWrite = p.Status == "open" && u.Has("participant")
	p.SignIn = p.Status == "open" && u == nil
	for _, cr := range call.Criteria {
		a := review.Anchors(cr.Key)
		p.Criteria = append(p.Criteria, criterionRow{Criterion: cr, Low: a[0], High: a[review.MaxScore]})
	}
	for _, s := range notes.Specs() {
		key := s.Key
		if key == "milestones" {
			key = "milestone"
		}
		if n := call.WordLimits[key]; n > 0 {
			label := s.Label
			if key == "milestone" {
				label = "Each milestone (deliverable and responsible actor)"
			}
			p.Limits = append(p.Limits, limitRow{Label: label, Limit: n})
		}
	}
	if call.ReviewDue != nil {
		p.ReviewDue = formatInZone(*call.ReviewDue, call.TimeZone)
	}
	if call.PublishedAt != nil {
		p.Result = formatInZone(*call.PublishedAt, call.TimeZone)
	}
	p.Timeline = []timelineStep{
		{Title: "The call opens", When: p.Opens, Current: p.Status == "upcoming",
			Text: "Write your concept note and save it as a draft as often as you like."},
		{Title: "The call closes", When: p.Closes, Current: p.Status == "open",
			Text: "Submit before this moment: the deadline is enforced to the second. You get a reference and a printable copy."},
		{Title: "Screening", Current: p.Status == "closed" && call.PublishedAt == nil,
			Text: "The Steering Committee checks each note against basic criteria, starting while the call is still open. A note can be returned once for changes, with instructions and a date to resubmit by."},
		{Title: "Scoring", When: p.ReviewDue,
			Text: "Committee members from government and civil society score each note that passes screening against the criteria below."},
		{Title: "Classification and reasoned response", When: p.Result, Current: call.PublishedAt != nil,
			Text: "The chair classifies the notes and publishes the results: everyone learns what became of their note and why."},
	}
	h.render(c, http.StatusOK, "call_show", p)
}

// paragraphs splits text at blank lines, so a description keeps its shape without inline styles.
func paragraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// planMonth writes a YYYY-MM month as "September 2026".
func planMonth(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.Format("January 2006")
}
