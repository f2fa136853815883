package web

import (
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/store"
)

// Kinds of note page a previous/next link leads to: the same kind as the
// page it is on, when the neighbour's state allows it.
const (
	navCommittee = "committee"
	navScreen    = "screen"
	navReview    = "review"
	navClassify  = "classify"
)

// noteNav is the previous/next links of a note page opened from the
// dashboard: the dashboard's view (filter and order) travels in ?from=, and
// the neighbours come from that same ordered list.
type noteNav struct {
	Prev, Next *navLink
	Pos, Total int
	Back       string // the dashboard view the note was opened from
	From       string // the ?from= value, for forms that post back to the page
}

// navLink is one neighbour: where the link goes and how it is named.
type navLink struct {
	Href, Ref, Title string
}

// noteNavFor builds the links for note n of call on a page of kind; nil
// when the page was not opened from a dashboard view of the note's call.
// A failure to read the view only hides the links.
func (h *Handler) noteNavFor(c *gin.Context, n *store.Note, call *store.Call, kind string) *noteNav {
	from := c.Query("from")
	if from == "" {
		from = c.PostForm("from")
	}
	if from == "" || len(from) > 2000 {
		return nil
	}
	v, err := url.ParseQuery(from)
	if err != nil || (v.Get("call") != call.Slug && v.Get("call") != call.ID) {
		return nil
	}
	q := dashboardQueryFrom(v)
	u := currentUser(c)
	nb, err := h.app.DashboardNeighbours(c.Request.Context(), u, call, q, n.ID)
	if err != nil || nb.Pos == 0 {
		return nil
	}
	from = strings.TrimPrefix(dashboardURL(call, q, q.Sort, q.Desc, 1), "/committee?")
	nav := &noteNav{Pos: nb.Pos, Total: nb.Total, Back: "/committee?" + from, From: from}
	link := func(r *app.DashboardRow) *navLink {
		if r == nil {
			return nil
		}
		return &navLink{Href: neighbourPath(u, r, kind) + "?from=" + url.QueryEscape(from), Ref: r.Ref, Title: r.Title}
	}
	nav.Prev, nav.Next = link(nb.Prev), link(nb.Next)
	return nav
}

// neighbourPath is the page of kind for the neighbour r when its state
// allows that page for u, else its committee page.
func neighbourPath(u *store.User, r *app.DashboardRow, kind string) string {
	switch {
	case kind == navScreen && (r.State == "submitted" || r.State == "returned"):
		return "/notes/" + r.ID + "/screen"
	case kind == navClassify && r.State == "screened" && u.Has("chair"):
		return "/notes/" + r.ID + "/classify"
	case kind == navReview && r.State == "screened" && r.ReviewStates[u.ID] != "":
		return "/notes/" + r.ID + "/review"
	}
	return "/committee/notes/" + r.ID
}

// fromQuery is "?from=…" carrying nav's dashboard view onto another page, or "" without one.
func fromQuery(nav *noteNav) string {
	if nav == nil {
		return ""
	}
	return "?from=" + url.QueryEscape(nav.From)
}

// navBefore is noteNavFor for the note in the address, read before an
// action changes it (a note classified or screened may leave the view); nil
// without a ?from= view.
func (h *Handler) navBefore(c *gin.Context, kind string) *noteNav {
	if c.Query("from") == "" && c.PostForm("from") == "" {
		return nil
	}
	n, call, _, err := h.app.CommitteeNote(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return nil
	}
	return h.noteNavFor(c, n, call, kind)
}

// afterAction is where a form of a note page leads once it has acted: the
// next note of the dashboard view when there is one, the view itself at its
// end, else fallback.
func afterAction(nav *noteNav, fallback string) string {
	switch {
	case nav == nil:
		return fallback
	case nav.Next != nil:
		return nav.Next.Href
	}
	return nav.Back
}
