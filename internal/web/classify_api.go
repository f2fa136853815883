package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/store"
)

// classifyBody is POST /api/v1/notes/{id}/classify and one item of the bulk route.
type classifyBody struct {
	ID             string `json:"id"`
	Version        *int   `json:"version"`
	Class          string `json:"class"`
	ReasonCode     string `json:"reason_code"`
	Rationale      string `json:"rationale"`
	MergedInto     string `json:"merged_into"`
	OverrideReason string `json:"override_reason"`
}

func (b classifyBody) input() app.ClassifyInput {
	in := app.ClassifyInput{ID: b.ID, Class: b.Class, ReasonCode: b.ReasonCode, Rationale: b.Rationale,
		MergedInto: b.MergedInto, OverrideReason: b.OverrideReason}
	if b.Version != nil {
		in.Version = *b.Version
	}
	return in
}

// apiClassifyNote records the chair's decision on one note.
func (h *Handler) apiClassifyNote(c *gin.Context) {
	var b classifyBody
	if !h.bindJSON(c, &b) {
		return
	}
	if b.ID != "" && b.ID != c.Param("id") {
		h.fail(c, badRequest("Leave out \"id\": the note is the one in the address."))
		return
	}
	if b.Version == nil {
		h.fail(c, badRequest("Send the version of the note you classified (\"version\")."))
		return
	}
	n, err := h.app.Classify(c.Request.Context(), currentUser(c), c.Param("id"), b.input())
	if err != nil {
		h.fail(c, err)
		return
	}
	h.sendNote(c, http.StatusOK, n, nil)
}

// bulkItemJSON is one answer of the bulk route: the note, or why it failed.
type bulkItemJSON struct {
	ID    string    `json:"id"`
	OK    bool      `json:"ok"`
	Note  *noteJSON `json:"note,omitempty"`
	Error *apiError `json:"error,omitempty"`
}

// apiBulkClassify classifies several notes of a call; each item succeeds or
// fails on its own, and the answer lists them in the order sent.
func (h *Handler) apiBulkClassify(c *gin.Context) {
	var b struct {
		Items []classifyBody `json:"items"`
	}
	if !h.bindJSON(c, &b) {
		return
	}
	items := make([]app.ClassifyInput, len(b.Items))
	for i, it := range b.Items {
		if it.ID == "" {
			h.fail(c, badRequest("Item %d has no \"id\".", i+1))
			return
		}
		if it.Version == nil {
			h.fail(c, badRequest("Item %d (%s) has no \"version\".", i+1, it.ID))
			return
		}
		items[i] = it.input()
	}
	ctx := c.Request.Context()
	viewer := currentUser(c)
	res, err := h.app.BulkClassify(ctx, viewer, c.Param("call_id"), items)
	if err != nil {
		h.fail(c, err)
		return
	}
	call, err := h.app.CallByKey(ctx, c.Param("call_id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	out := make([]bulkItemJSON, len(res))
	for i, r := range res {
		out[i] = bulkItemJSON{ID: r.ID, OK: r.Err == nil}
		if r.Err != nil {
			status, ae := classify(r.Err)
			if status >= 500 {
				h.log.Error("bulk classify item", "request_id", requestID(c), "note", r.ID, "err", r.Err)
			}
			out[i].Error = &ae
			continue
		}
		owner, err := h.app.UserByID(ctx, r.Note.Owner)
		if err != nil && !store.IsNotFound(err) {
			h.fail(c, err)
			return
		}
		v := noteView(r.Note, call, viewer, owner)
		out[i].Note = &v
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}
