package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"cocreate/internal/enum"
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

// timelineStep is one stage of a call, as the call page lists them, or
// (Now) the marker of where the call stands between the past and the next stage.
type timelineStep struct {
	Title, When, Text string
	Now               bool
	Past              bool
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
	Screening         []string // the screening checklist's criteria, in order
	Programme         string   // the training programme's title, "" when the call has none
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
	p.Timeline = callTimeline(call, h.now(), p.ReviewDue, p.Result)
	for _, item := range enum.Checklist {
		p.Screening = append(p.Screening, item.Label)
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
