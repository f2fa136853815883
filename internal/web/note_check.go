package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/notes"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// noteCheckPage is "Check your answers" before the final submit.
type noteCheckPage struct {
	Layout
	Note      *store.Note
	Call      *store.Call
	Answers   []noteAnswer
	Errors    notes.FieldErrors
	ErrorKeys []string
	Total     int
	PageWords int
	Action    string // "submit" or "resubmit"
	Problem   string // why it cannot be submitted now, beyond the answers
	CanSubmit bool
	ClosesAt  string
	ReviseBy  string
}

// newNoteCheckPage lays out n with the submission rules' verdict on it.
func (h *Handler) newNoteCheckPage(n *store.Note, call *store.Call) *noteCheckPage {
	errs := h.app.CheckSubmit(n, call)
	p := &noteCheckPage{Layout: Layout{Title: "Check your answers"}, Note: n, Call: call, Answers: noteAnswers(n, call, errs),
		Errors: errs, ErrorKeys: errs.Keys(), Total: n.TotalWords(), PageWords: notes.PageWords,
		Action: "submit", ClosesAt: formatInZone(call.ClosesAt, call.TimeZone)}
	if n.State == string(workflow.Returned) {
		p.Action = "resubmit"
		if n.Screening != nil {
			p.ReviseBy = dayInZone(n.Screening.ReviseBy, call.TimeZone)
		}
	}
	if err := h.app.Editable(n, call); err != nil {
		p.Problem = whyNotEditable(err, n, call) + " It was not submitted."
	}
	p.CanSubmit = len(errs) == 0 && p.Problem == ""
	if len(errs) > 0 {
		p.Title = "Error: " + p.Title
	}
	return p
}

// noteCheckPage shows every answer with a Change link and, when the note
// passes every rule, the Submit button.
func (h *Handler) noteCheckPage(c *gin.Context) {
	n, call, ok := h.ownNoteForEdit(c)
	if !ok {
		return
	}
	if n.State != string(workflow.Draft) && n.State != string(workflow.Returned) {
		redirect(c, "/notes/"+n.ID)
		return
	}
	p := h.newNoteCheckPage(n, call)
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	if p.Problem == "" {
		// The call may require the training (internal/app/training.go): say so before Submit.
		missing, err := h.app.TrainingMissing(c.Request.Context(), n, call)
		if err != nil {
			h.fail(c, err)
			return
		}
		if missing != "" {
			p.Problem, p.CanSubmit = missing, false
		}
	}
	h.render(c, status, "note_check", p)
}
