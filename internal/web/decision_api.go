package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/store"
)

// reasonBody is the body of reopen and reinstate.
type reasonBody struct {
	Version *int   `json:"version"`
	Reason  string `json:"reason"`
}

// chairAction binds a reason body and answers the note after do.
func (h *Handler) chairAction(c *gin.Context, do func(u *store.User, id string, version int, reason string) (*store.Note, error)) {
	var b reasonBody
	if !h.bindJSON(c, &b) {
		return
	}
	if b.Version == nil {
		h.fail(c, badRequest("Send the version of the note you are acting on (\"version\")."))
		return
	}
	n, err := do(currentUser(c), c.Param("id"), *b.Version, b.Reason)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.sendNote(c, http.StatusOK, n, nil)
}

// apiReopenNote takes a classified note back to screened, with a reason.
func (h *Handler) apiReopenNote(c *gin.Context) {
	h.chairAction(c, func(u *store.User, id string, version int, reason string) (*store.Note, error) {
		return h.app.Reopen(c.Request.Context(), u, id, version, reason)
	})
}

// apiReinstateNote takes an ineligible note back to screening, with a reason.
func (h *Handler) apiReinstateNote(c *gin.Context) {
	h.chairAction(c, func(u *store.User, id string, version int, reason string) (*store.Note, error) {
		return h.app.Reinstate(c.Request.Context(), u, id, version, reason)
	})
}

// historyJSON is one entry of GET /api/v1/notes/{id}/history.
type historyJSON struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Event  string `json:"event"`
	By     string `json:"by"`
	At     string `json:"at"`
	Reason string `json:"reason,omitempty"`
}

// apiNoteHistory lists a note's transitions as the caller may see them:
// for its owner, committee actions by role and unpublished decisions left out.
func (h *Handler) apiNoteHistory(c *gin.Context) {
	u := currentUser(c)
	n, call, err := h.app.NoteFor(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	entries := app.HistoryFor(u, n, call)
	items := make([]historyJSON, len(entries))
	for i, e := range entries {
		items[i] = historyJSON{From: e.From, To: e.To, Event: e.Event, By: e.By, At: jsonTime(e.At), Reason: e.Reason}
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
}

// apiPublishResults releases the call's decisions to participants.
func (h *Handler) apiPublishResults(c *gin.Context) {
	var b struct{}
	if c.Request.ContentLength != 0 && !h.bindJSON(c, &b) {
		return
	}
	r, err := h.app.Publish(c.Request.Context(), currentUser(c), c.Param("call_id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"published_at": jsonTime(r.PublishedAt), "notes": r.Notes})
}
