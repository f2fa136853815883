package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// myNotesGroup is one call's part of My notes: the call's title once, then its notes.
type myNotesGroup struct {
	CallID, CallTitle, Slug string
	Notes                   []noteTaskRow
}

// myNotesPage lists every note of the signed-in participant.
type myNotesPage struct {
	Layout
	Groups []myNotesGroup
	Count  int
	Open   []*store.Call // calls accepting notes now, to start one
}

// myNotesPage lists the signed-in user's notes grouped by call (the call
// of the most recently changed note first), newest change first within a
// call, each with what it asks of them now (app.NoteTasks) and times in
// each call's zone.
func (h *Handler) myNotesPage(c *gin.Context) {
	ctx, u := c.Request.Context(), currentUser(c)
	calls, err := h.app.Calls(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	tasks, err := h.app.NoteTasks(ctx, u, calls)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := &myNotesPage{Layout: Layout{Title: "My notes"}, Count: len(tasks)}
	for _, call := range calls {
		// Only a participant may start a note: offer it to no one else.
		if call.Status(h.now()) == workflow.CallOpen && u.Has("participant") {
			p.Open = append(p.Open, call)
		}
	}
	at := map[string]int{} // call id → index of its group
	for _, t := range tasks {
		i, ok := at[t.CallID]
		if !ok {
			g := myNotesGroup{CallID: t.CallID, CallTitle: "A call that no longer exists"}
			if t.Call != nil {
				g.CallTitle, g.Slug = t.Call.Title, t.Call.Slug
			}
			i = len(p.Groups)
			at[t.CallID] = i
			p.Groups = append(p.Groups, g)
		}
		p.Groups[i].Notes = append(p.Groups[i].Notes, taskRow(t, h.now()))
	}
	h.render(c, http.StatusOK, "my_notes", p)
}
