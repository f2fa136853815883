package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/notes"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// noteSubmit submits a draft from check your answers. The form's
// form_token makes a double click or a second tab replay this answer
// (idempotent middleware), so one note never gets two references.
func (h *Handler) noteSubmit(c *gin.Context) { h.submitFromCheck(c, workflow.Submit) }

// noteResubmit sends a revised, returned note back to screening.
func (h *Handler) noteResubmit(c *gin.Context) { h.submitFromCheck(c, workflow.Resubmit) }

func (h *Handler) submitFromCheck(c *gin.Context, e workflow.Event) {
	ctx, u, id := c.Request.Context(), currentUser(c), c.Param("id")
	version, err := strconv.Atoi(c.PostForm("version"))
	if err != nil {
		h.fail(c, badRequest("The form is missing the note's version. Reload the page and try again."))
		return
	}
	if e == workflow.Submit {
		_, err = h.app.SubmitNote(ctx, u, id, version)
	} else {
		_, err = h.app.ResubmitNote(ctx, u, id, version)
	}
	if err == nil {
		redirect(c, "/notes/"+id+"/submitted")
		return
	}
	n, call, lerr := h.app.NoteFor(ctx, u, id)
	if lerr != nil {
		h.fail(c, lerr)
		return
	}
	var fe notes.FieldErrors
	var inv *apperr.Invalid
	switch {
	case errors.As(err, &inv) && inv.Fields["training"] != "":
		// The call requires the training programme (internal/app/training.go).
		p := h.newNoteCheckPage(n, call)
		p.CanSubmit, p.Problem, p.Title = false, inv.Message, "Not submitted: "+p.Title
		h.render(c, http.StatusUnprocessableEntity, "note_check", p)
	case errors.As(err, &fe):
		p := h.newNoteCheckPage(n, call)
		p.Errors, p.ErrorKeys, p.Answers, p.CanSubmit = fe, fe.Keys(), noteAnswers(n, call, fe), false
		h.render(c, http.StatusUnprocessableEntity, "note_check", p)
	case n.Owner == u.ID && n.State != string(workflow.Draft) && n.State != string(workflow.Returned):
		// It moved on already (submitted in another tab, withdrawn): show where it stands.
		h.flash(c, "This note was already "+ownerStateWords(n, workflow.State(n.State))+"; nothing more was sent.")
		redirect(c, "/notes/"+id)
	case errors.Is(err, apperr.ErrStaleVersion):
		p := h.newNoteCheckPage(n, call)
		p.Problem = "Your note changed after you opened this page (in another tab or window). Check the answers below as they are now, then submit again."
		p.Title = "Not submitted: " + p.Title
		h.render(c, http.StatusConflict, "note_check", p)
	case errors.Is(err, app.ErrEmailUnverified):
		p := h.newNoteCheckPage(n, call)
		p.Problem, p.CanSubmit, p.Title = app.ErrEmailUnverified.Message, false, "Not submitted: "+p.Title
		h.render(c, http.StatusConflict, "note_check", p)
	case errors.Is(err, workflow.ErrCallClosed):
		p := h.newNoteCheckPage(n, call)
		p.CanSubmit = false
		if p.Problem == "" {
			p.Problem = whyNotEditable(err, n, call) + " It was not submitted."
		}
		p.Title = "Not submitted: " + p.Title
		h.render(c, http.StatusConflict, "note_check", p)
	default:
		h.fail(c, err)
	}
}

// noteSubmittedPage is the confirmation after a submission or resubmission.
type noteSubmittedPage struct {
	Layout
	Note        *store.Note
	Call        *store.Call
	Resubmitted bool
	At          string
	ClosesAt    string
	ReviewDue   string
	CallOpen    bool
}

// noteSubmittedPage shows the reference, when it arrived and what happens next.
func (h *Handler) noteSubmittedPage(c *gin.Context) {
	n, call, ok := h.ownNoteForEdit(c)
	if !ok {
		return
	}
	if n.SubmittedAt == nil || n.State == string(workflow.Draft) {
		redirect(c, "/notes/"+n.ID)
		return
	}
	p := &noteSubmittedPage{Layout: Layout{Title: "Concept note submitted"}, Note: n, Call: call,
		At: formatInZone(*n.SubmittedAt, call.TimeZone), ClosesAt: formatInZone(call.ClosesAt, call.TimeZone),
		CallOpen: call.Status(h.now()) == workflow.CallOpen}
	for _, e := range n.History {
		if e.Event == string(workflow.Resubmit) {
			p.Resubmitted, p.At, p.Title = true, formatInZone(e.At, call.TimeZone), "Concept note resubmitted"
		}
	}
	if call.ReviewDue != nil {
		p.ReviewDue = formatInZone(*call.ReviewDue, call.TimeZone)
	}
	h.render(c, http.StatusOK, "note_submitted", p)
}
