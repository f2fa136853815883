package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"cocreate/internal/notes"
)

// unsavedField is one answer of a form that could not be saved.
type unsavedField struct {
	Label string
	Text  string
}

// noteUnsavedPage tells someone whose session ended what was not saved,
// and gives them their text back to copy.
type noteUnsavedPage struct {
	Layout
	NoteID string
	Next   string
	Fields []unsavedField
}

// noteNotSaved answers a form post that arrived without a valid session
// (it expired, or they signed out in another tab). Nothing is saved and
// nothing about the note is read: the page shows back only what was posted.
func (h *Handler) noteNotSaved(c *gin.Context, posted postedNote) {
	p := &noteUnsavedPage{Layout: Layout{Title: "Sign in again: your changes were not saved"}, NoteID: c.Param("id"),
		Next: safeNext("/notes/" + c.Param("id") + "/edit")}
	f := posted.Fields
	for _, s := range notes.Specs() {
		var text string
		switch s.Key {
		case "values":
			labels := make([]string, 0, len(f.Values))
			for _, v := range f.Values {
				labels = append(labels, lists["value"].Label(v))
			}
			text = strings.Join(labels, "; ")
		case "milestones":
			rows := make([]string, 0, len(f.Milestones))
			for _, m := range f.Milestones {
				rows = append(rows, strings.Join([]string{m.Deliverable, m.Responsible, m.Due}, " | "))
			}
			text = strings.Join(rows, "\n")
		case "policy_area":
			text = lists["policy_area"].Label(f.PolicyArea)
		case "consent_publish":
			if f.ConsentPublish {
				text = "Yes"
			}
		default:
			if ptr := textOf(&f, s.Key); ptr != nil {
				text = *ptr
			}
		}
		if text != "" {
			p.Fields = append(p.Fields, unsavedField{Label: s.Label, Text: text})
		}
	}
	h.render(c, http.StatusUnauthorized, "note_unsaved", p)
}
