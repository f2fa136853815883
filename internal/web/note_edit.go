package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
	"cocreate/internal/notes"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// noteEditPage is the concept-note form.
type noteEditPage struct {
	Layout
	Note     *store.Note
	Call     *store.Call
	Form     noteForm
	Version  int    // the version the text on the page was based on
	Problem  string // why the text on the page was not saved
	Latest   bool   // offer a link to the latest stored version
	CanSave  bool
	ClosesAt string
	ReviseBy string
}

func newNoteEditPage(n *store.Note, call *store.Call, f notes.Fields, rows, version int, errs notes.FieldErrors) *noteEditPage {
	p := &noteEditPage{Layout: Layout{Title: "Your concept note"}, Note: n, Call: call, Version: version, CanSave: true,
		Form: buildNoteForm(call, f, rows, errs), ClosesAt: formatInZone(call.ClosesAt, call.TimeZone)}
	if n.State == string(workflow.Returned) {
		p.Title = "Revise your concept note"
		if n.Screening != nil {
			p.ReviseBy = dayInZone(n.Screening.ReviseBy, call.TimeZone)
		}
	}
	if len(errs) > 0 {
		p.Title = "Error: " + p.Title
	}
	return p
}

// ownNoteForEdit loads the signed-in owner's note; the committee may read a
// note but only its owner changes it.
func (h *Handler) ownNoteForEdit(c *gin.Context) (*store.Note, *store.Call, bool) {
	u := currentUser(c)
	n, call, err := h.app.NoteFor(c.Request.Context(), u, c.Param("id"))
	if err == nil && n.Owner != u.ID {
		err = fmt.Errorf("only the note's owner can change it: %w", apperr.ErrForbidden)
	}
	if err != nil {
		h.fail(c, err)
		return nil, nil, false
	}
	return n, call, true
}

// noteEditPage shows the form with the stored text, or sends the owner to
// the note when it can no longer be changed.
func (h *Handler) noteEditPage(c *gin.Context) {
	n, call, ok := h.ownNoteForEdit(c)
	if !ok {
		return
	}
	if err := h.app.Editable(n, call); err != nil {
		h.flash(c, whyNotEditable(err, n, call))
		redirect(c, "/notes/"+n.ID)
		return
	}
	rows, _ := strconv.Atoi(c.Query("rows"))
	var errs notes.FieldErrors
	if c.Query("check") != "" {
		// From a Change link on check your answers: show what stops submission beside each field.
		errs = h.app.CheckSubmit(n, call)
	}
	h.render(c, http.StatusOK, "note_edit", newNoteEditPage(n, call, n.Fields, rows, n.Version, errs))
}

// noteEditSubmit saves the form (every button saves first), then continues
// to check your answers, adds or removes a milestone row, or comes back.
// Whatever goes wrong, the participant's text is shown again.
func (h *Handler) noteEditSubmit(c *gin.Context) {
	posted := parseNoteForm(c)
	if currentUser(c) == nil {
		h.noteNotSaved(c, posted)
		return
	}
	n, call, ok := h.ownNoteForEdit(c)
	if !ok {
		return
	}
	saved, err := h.app.SaveNote(c.Request.Context(), currentUser(c), n.ID, posted.Version, posted.Fields)
	if err != nil {
		h.noteEditFailed(c, n, call, posted, err)
		return
	}
	switch posted.Action {
	case "continue":
		redirect(c, "/notes/"+n.ID+"/check")
	case "add":
		redirect(c, fmt.Sprintf("/notes/%s/edit?rows=%d#milestone-%d", n.ID, len(posted.Rows), len(posted.Rows)))
	case "remove":
		redirect(c, fmt.Sprintf("/notes/%s/edit?rows=%d#milestones", n.ID, len(posted.Rows)))
	default:
		h.flash(c, "Your draft was saved at "+formatInZone(saved.UpdatedAt, call.TimeZone)+".")
		redirect(c, "/notes/"+n.ID+"/edit")
	}
}

// noteEditFailed shows the posted text again with what went wrong.
func (h *Handler) noteEditFailed(c *gin.Context, n *store.Note, call *store.Call, posted postedNote, err error) {
	var draft *app.DraftError
	var te *workflow.TransitionError
	p := newNoteEditPage(n, call, posted.Fields, len(posted.Rows), posted.Version, nil)
	status := http.StatusConflict
	switch {
	case errors.As(err, &draft):
		p = newNoteEditPage(n, call, posted.Fields, len(posted.Rows), posted.Version, draft.Fields)
		status = http.StatusBadRequest
	case errors.Is(err, apperr.ErrStaleVersion):
		p.Problem = "Your changes have not been saved: this note was changed in another tab or window after you opened this page. Your text is still below."
		p.Latest = true
	case errors.Is(err, workflow.ErrCallClosed):
		p.Problem = whyNotEditable(err, n, call) + " Nothing on this page was saved: copy any text you want to keep."
		p.CanSave = false
	case errors.As(err, &te):
		p.Problem = "Your changes have not been saved: this note is now " + ownerStateWords(n, te.State) + " and can no longer be changed. Your text is still below: copy any you want to keep."
		p.CanSave = false
	default:
		h.fail(c, err)
		return
	}
	if p.Problem != "" {
		p.Title = "Not saved: " + p.Title
	}
	h.render(c, status, "note_edit", p)
}

// whyNotEditable explains in words why the note's text cannot change now.
func whyNotEditable(err error, n *store.Note, call *store.Call) string {
	var te *workflow.TransitionError
	switch {
	case n.State == string(workflow.Returned) && errors.Is(err, workflow.ErrCallClosed):
		return "The revise-by date of this note has passed, so it can no longer be changed."
	case errors.Is(err, workflow.ErrCallClosed):
		return "The call closed on " + formatInZone(call.ClosesAt, call.TimeZone) + ", so this note can no longer be changed."
	case errors.As(err, &te):
		return "This note is " + ownerStateWords(n, te.State) + ", so it can no longer be changed."
	}
	return "This note cannot be changed now."
}
