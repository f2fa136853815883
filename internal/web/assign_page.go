package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/apperr"
)

// assignPerPage is how many notes the assignment page lists at once.
const assignPerPage = 50

// assignPage is the coordinator's assignment page for one call.
type assignPage struct {
	Layout
	O            *app.AssignmentOverview
	Rows         []app.AssignmentRow // this page of notes
	Page, Pages  int
	From, To     int
	PerNote      string
	RowNote      string // the note whose action failed
	RowError     string
	PerNoteError string
	Prev, Next   string
}

func (h *Handler) assignPageGet(c *gin.Context) { h.showAssignPage(c, http.StatusOK, "", "", "", "") }

// showAssignPage renders the page; a failed action comes back with its message beside the note or the button.
func (h *Handler) showAssignPage(c *gin.Context, status int, rowNote, rowErr, perNote, perNoteErr string) {
	o, err := h.app.AssignmentOverview(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	page, _ := pageParam(c) // a page, so it clamps and never fails
	p := &assignPage{Layout: Layout{Title: "Assign reviewers: " + o.Call.Title}, O: o, Page: page,
		Pages: max(1, (len(o.Notes)+assignPerPage-1)/assignPerPage), RowNote: rowNote, RowError: rowErr,
		PerNote: perNote, PerNoteError: perNoteErr}
	if p.PerNote == "" {
		p.PerNote = strconv.Itoa(o.Call.ReviewersPerNote)
	}
	from := min((page-1)*assignPerPage, len(o.Notes))
	p.Rows = o.Notes[from:min(from+assignPerPage, len(o.Notes))]
	if len(p.Rows) > 0 {
		p.From, p.To = from+1, from+len(p.Rows)
	}
	base := "/admin/calls/" + o.Call.ID + "/assignments"
	if page > 1 {
		p.Prev = fmt.Sprintf("%s?page=%d", base, page-1)
	}
	if page < p.Pages {
		p.Next = fmt.Sprintf("%s?page=%d", base, page+1)
	}
	if rowErr != "" || perNoteErr != "" {
		p.Title = "Error: " + p.Title
	}
	h.render(c, status, "assign_page", p)
}

// assignAutoPost runs automatic assignment and reports what it did.
func (h *Handler) assignAutoPost(c *gin.Context) {
	perText := c.PostForm("per_note")
	per, err := strconv.Atoi(perText)
	if err != nil || per < 1 {
		h.showAssignPage(c, http.StatusUnprocessableEntity, "", "", perText, "Enter the number of reviewers each note needs, a whole number of 1 or more")
		return
	}
	res, err := h.app.AutoAssign(c.Request.Context(), currentUser(c), c.Param("id"), per)
	var fe apperr.Fields
	if errors.As(err, &fe) {
		h.showAssignPage(c, http.StatusUnprocessableEntity, "", "", perText, fe["per_note"])
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	msg := fmt.Sprintf("Automatic assignment made %d new %s across %d screened notes.", res.Assigned, pluralOf(res.Assigned, "assignment", "assignments"), res.Notes)
	if len(res.Short) > 0 {
		msg += fmt.Sprintf(" %d %s still short of reviewers: the reasons are listed below.", len(res.Short), pluralOf(len(res.Short), "note is", "notes are"))
	}
	h.flash(c, msg)
	redirect(c, "/admin/calls/"+c.Param("id")+"/assignments")
}

// assignNotePost assigns (add) or unassigns (remove) one reviewer on one note.
func (h *Handler) assignNotePost(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	noteID := c.PostForm("note_id")
	n, call, err := h.app.NoteFor(ctx, u, noteID)
	if err == nil && call.ID != c.Param("id") && call.Slug != c.Param("id") {
		err = fmt.Errorf("note %s is not in this call: %w", noteID, apperr.ErrNotFound)
	}
	if err == nil {
		var add, remove []string
		if v := c.PostForm("add"); v != "" {
			add = []string{v}
		}
		if v := c.PostForm("remove"); v != "" {
			remove = []string{v}
		}
		if len(add) == 0 && len(remove) == 0 {
			err = apperr.Fields{"reviewer_ids": "Choose a reviewer to assign"}
		} else {
			_, err = h.app.ChangeReviewers(ctx, u, n, call, add, remove)
		}
	}
	var fe apperr.Fields
	var con *apperr.Conflict
	switch {
	case errors.As(err, &fe):
		h.showAssignPage(c, http.StatusUnprocessableEntity, noteID, fe["reviewer_ids"], "", "")
		return
	case errors.As(err, &con):
		h.showAssignPage(c, http.StatusConflict, noteID, con.Message, "", "")
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	h.flash(c, "The reviewers of "+refOrTitle(n)+" were changed.")
	redirect(c, "/admin/calls/"+c.Param("id")+"/assignments?page="+c.DefaultPostForm("page", "1")+"#note-"+n.ID)
}

// pluralOf picks the singular or plural wording for n.
func pluralOf(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
