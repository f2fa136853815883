package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/enum"
	"cocreate/internal/notes"
	"cocreate/internal/store"
)

// noteSaveBody is PUT /api/v1/notes/{id}: the note fields and the version they were written on.
type noteSaveBody struct {
	notes.Fields
	Version *int `json:"version"`
}

// noteActionBody is the body of submit, resubmit and withdraw.
type noteActionBody struct {
	Version *int   `json:"version"`
	Reason  string `json:"reason"`
}

// noteFail answers err; a draft that cannot be stored is a 400 that keeps
// its field messages, so a client can show each beside its field.
func (h *Handler) noteFail(c *gin.Context, err error) {
	var de *app.DraftError
	if errors.As(err, &de) {
		c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": apiError{Code: "bad_request",
			Message: de.Error(), Fields: de.Fields, RequestID: requestID(c)}})
		return
	}
	h.fail(c, err)
}

// sendNote answers with n as the caller may see it.
func (h *Handler) sendNote(c *gin.Context, status int, n *store.Note, call *store.Call) {
	ctx := c.Request.Context()
	viewer := currentUser(c)
	if call == nil {
		var err error
		if call, err = h.app.CallByID(ctx, n.CallID); err != nil {
			h.fail(c, err)
			return
		}
	}
	owner := viewer
	if n.Owner != viewer.ID {
		u, err := h.app.UserByID(ctx, n.Owner)
		if err != nil && !store.IsNotFound(err) {
			h.fail(c, err)
			return
		}
		owner = u
	}
	c.JSON(status, gin.H{"note": noteView(n, call, viewer, owner)})
}

// apiCreateNote starts a draft in an open call.
func (h *Handler) apiCreateNote(c *gin.Context) {
	var f notes.Fields
	if !h.bindJSON(c, &f) {
		return
	}
	n, err := h.app.CreateNote(c.Request.Context(), currentUser(c), c.Param("call_id"), f)
	if err != nil {
		h.noteFail(c, err)
		return
	}
	h.sendNote(c, http.StatusCreated, n, nil)
}

// apiSaveNote stores new text for a draft or returned note.
func (h *Handler) apiSaveNote(c *gin.Context) {
	var b noteSaveBody
	if !h.bindJSON(c, &b) {
		return
	}
	if b.Version == nil {
		h.fail(c, badRequest("Send the version of the note you changed (\"version\")."))
		return
	}
	n, err := h.app.SaveNote(c.Request.Context(), currentUser(c), c.Param("id"), *b.Version, b.Fields)
	if err != nil {
		h.noteFail(c, err)
		return
	}
	h.sendNote(c, http.StatusOK, n, nil)
}

// apiGetNote returns one note as the caller may see it.
func (h *Handler) apiGetNote(c *gin.Context) {
	n, call, err := h.app.NoteFor(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	h.sendNote(c, http.StatusOK, n, call)
}

// apiListNotes lists the notes the caller may see, filtered and paged.
func (h *Handler) apiListNotes(c *gin.Context) {
	page, per, err := pageParams(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	q := app.NoteQuery{CallID: c.Query("call_id"), State: c.Query("state"), Page: page, PerPage: per}
	if q.State != "" && !enum.States.Has(q.State) {
		h.fail(c, badRequest("state must be one of %v.", enum.States.Values()))
		return
	}
	for key, dst := range map[string]*bool{"mine": &q.Mine, "assigned": &q.Assigned} {
		switch c.Query(key) {
		case "", "false":
		case "true":
			*dst = true
		default:
			h.fail(c, badRequest("%s must be true or false.", key))
			return
		}
	}
	list, total, err := h.app.ListNotes(c.Request.Context(), currentUser(c), q)
	if err != nil {
		h.fail(c, err)
		return
	}
	items := make([]noteItem, len(list))
	for i, s := range list {
		items[i] = toNoteItem(s)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total, "page": page, "per_page": per})
}

// noteAction binds an action body, runs do with its version and answers the note.
func (h *Handler) noteAction(c *gin.Context, do func(u *store.User, id string, b noteActionBody) (*store.Note, error)) {
	var b noteActionBody
	if !h.bindJSON(c, &b) {
		return
	}
	if b.Version == nil {
		h.fail(c, badRequest("Send the version of the note you are acting on (\"version\")."))
		return
	}
	n, err := do(currentUser(c), c.Param("id"), b)
	if err != nil {
		h.noteFail(c, err)
		return
	}
	h.sendNote(c, http.StatusOK, n, nil)
}

// apiSubmitNote submits a draft; the answer carries its reference.
func (h *Handler) apiSubmitNote(c *gin.Context) {
	h.noteAction(c, func(u *store.User, id string, b noteActionBody) (*store.Note, error) {
		if b.Reason != "" {
			return nil, badRequest("Unknown field \"reason\".")
		}
		return h.app.SubmitNote(c.Request.Context(), u, id, *b.Version)
	})
}

// apiResubmitNote sends a revised returned note back to screening.
func (h *Handler) apiResubmitNote(c *gin.Context) {
	h.noteAction(c, func(u *store.User, id string, b noteActionBody) (*store.Note, error) {
		if b.Reason != "" {
			return nil, badRequest("Unknown field \"reason\".")
		}
		return h.app.ResubmitNote(c.Request.Context(), u, id, *b.Version)
	})
}

// apiWithdrawNote withdraws a note with an optional reason.
func (h *Handler) apiWithdrawNote(c *gin.Context) {
	h.noteAction(c, func(u *store.User, id string, b noteActionBody) (*store.Note, error) {
		return h.app.WithdrawNote(c.Request.Context(), u, id, *b.Version, b.Reason)
	})
}
