package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/enum"
	"cocreate/internal/review"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// committeeNotePage is the committee's workspace for one note: the note,
// its screening, scores, decision, discussion, history and the actions
// allowed now.
type committeeNotePage struct {
	Layout
	Note        *store.Note
	Call        *store.Call
	Owner       *ownerJSON
	Answers     []noteAnswer
	ScreenedBy  string
	Duplicate   *store.Note
	Score       *review.Score
	ScoreHidden string
	Suggestion  string
	MergedInto  *store.Note
	DecidedBy   string
	Unpublished bool // the decision differs from what the owner last saw
	Comments    []app.Comment
	Hidden      string // why the discussion is hidden from the viewer
	Text        string
	Errors      map[string]string
	History     []historyItem
	Actions     []actionLink
	Nav         *noteNav
}

// actionLink is one action the viewer may take now.
type actionLink struct {
	Label, Href string
	Warning     bool
}

func (h *Handler) committeeNotePage(c *gin.Context) { h.showCommitteeNote(c, http.StatusOK, "", nil) }

// showCommitteeNote renders the workspace; text and errs come back from a comment that needs fixing.
func (h *Handler) showCommitteeNote(c *gin.Context, status int, text string, errs map[string]string) {
	ctx := c.Request.Context()
	u := currentUser(c)
	n, call, owner, err := h.app.CommitteeNote(ctx, u, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	v := noteView(n, call, u, owner)
	p := &committeeNotePage{Layout: Layout{Title: "Note " + refOrTitle(n)}, Note: n, Call: call, Owner: v.Owner,
		Answers: committeeAnswers(n, call, v), Text: text, Errors: errs,
		History: h.historyView(ctx, u, n, call), Actions: h.noteActions(u, n, call), Nav: h.noteNavFor(c, n, call, navCommittee)}
	if len(errs) > 0 {
		p.Title = "Error: " + p.Title
	}
	if p.Nav != nil { // the actions keep the dashboard view, so their pages show previous and next too
		for i, a := range p.Actions {
			if !a.Warning {
				p.Actions[i].Href += fromQuery(p.Nav)
			}
		}
	}
	names := h.userNames(ctx, screenedBy(n), decidedBy(n))
	if n.Screening != nil {
		p.ScreenedBy = names[n.Screening.By]
		p.Duplicate = h.otherNote(ctx, n.Screening.DuplicateOf)
	}
	if d := n.Decision; d != nil {
		p.DecidedBy = names[d.By]
		p.MergedInto = h.otherNote(ctx, d.MergedInto)
		p.Unpublished = !sameDecision(n.Published, d)
	}
	why := app.ConflictWhy(u, owner, n)
	switch {
	case why != "":
		p.ScoreHidden, p.Hidden = "Scores are hidden: "+why+".", "The discussion is hidden: "+why+"."
	case v.Score == nil && n.Score != nil:
		p.ScoreHidden = "Scores are shown once you have submitted your own review of this note."
	default:
		p.Score = n.Score
		p.Suggestion = app.SuggestionExplained(n, call)
	}
	if p.Hidden == "" {
		if p.Comments, err = h.app.Comments(ctx, u, n.ID); err != nil {
			h.fail(c, err)
			return
		}
	}
	h.render(c, status, "committee_note", p)
}

// committeeComment adds a comment from the workspace page.
func (h *Handler) committeeComment(c *gin.Context) {
	text := c.PostForm("text")
	if _, err := h.app.AddComment(c.Request.Context(), currentUser(c), c.Param("id"), text); err != nil {
		if errs, ok := formErrors(err); ok {
			h.showCommitteeNote(c, http.StatusUnprocessableEntity, text, errs)
			return
		}
		h.fail(c, err)
		return
	}
	h.flash(c, "Your comment was added to the committee's discussion.")
	from := ""
	if f := c.Query("from"); f != "" {
		from = "?from=" + url.QueryEscape(f)
	}
	redirect(c, "/committee/notes/"+c.Param("id")+from+"#discussion")
}

// noteActions lists what u may do on n now: the workflow's committee events
// allowed for u's role, and the scoring pages.
func (h *Handler) noteActions(u *store.User, n *store.Note, call *store.Call) []actionLink {
	base := "/notes/" + n.ID
	var out []actionLink
	screening := false
	for _, e := range h.app.CommitteeActions(u, n, call) {
		switch e {
		case workflow.ScreenPass, workflow.ScreenReturn, workflow.ScreenFail:
			if !screening {
				screening = true
				label := "Screen this note"
				if n.State == string(workflow.Returned) {
					label = "Fail this note: its revise-by date has passed"
				}
				out = append(out, actionLink{Label: label, Href: base + "/screen"})
			}
		case workflow.Classify:
			out = append(out, actionLink{Label: "Classify this note", Href: base + "/classify"})
		case workflow.Reopen:
			out = append(out, actionLink{Label: "Reopen the decision", Href: base + "/reopen", Warning: true})
		case workflow.Reinstate:
			out = append(out, actionLink{Label: "Reinstate for screening", Href: base + "/reinstate", Warning: true})
		}
	}
	for _, a := range n.Assignments {
		if a.ReviewerID == u.ID && n.State == string(workflow.Screened) {
			out = append(out, actionLink{Label: "Score this note", Href: base + "/review"})
		}
	}
	if u.Has("chair") || u.Has("coordinator") || reviewedBy(n, u) {
		out = append(out, actionLink{Label: "See the reviews", Href: base + "/reviews"})
	}
	return out
}

func screenedBy(n *store.Note) string {
	if n.Screening == nil {
		return ""
	}
	return n.Screening.By
}

func decidedBy(n *store.Note) string {
	if n.Decision == nil {
		return ""
	}
	return n.Decision.By
}

// userNames maps user ids to names; unknown ids map to "".
func (h *Handler) userNames(ctx context.Context, ids ...string) map[string]string {
	out := map[string]string{}
	if m, err := h.app.UsersByIDs(ctx, ids); err == nil {
		for id, u := range m {
			out[id] = u.Name
		}
	}
	return out
}

// otherNote loads a related note (a duplicate, a merge target) for a link; nil when there is none.
func (h *Handler) otherNote(ctx context.Context, id string) *store.Note {
	if id == "" {
		return nil
	}
	n, err := h.app.NoteByID(ctx, id)
	if err != nil {
		return nil
	}
	return n
}

// committeeAnswers are the note's answers as viewer may read them (v is
// noteView's answer for the viewer): with blind review a plain reviewer does
// not see the conflict declaration, which could name the submitter.
func committeeAnswers(n *store.Note, call *store.Call, v noteJSON) []noteAnswer {
	shown := *n
	shown.Fields = v.Fields
	all := noteAnswers(&shown, call, nil)
	if v.Owner != nil && v.Owner.Name != "" {
		return all
	}
	out := all[:0]
	for _, a := range all {
		if a.Key != "conflict_declaration" {
			out = append(out, a)
		}
	}
	return out
}

// refOrTitle names a note in titles: its reference, or its title before it has one.
func refOrTitle(n *store.Note) string {
	if n.Ref != "" {
		return n.Ref
	}
	return "“" + n.Title + "”"
}

// sameDecision reports whether the published decision p is decision d.
func sameDecision(p, d *store.Decision) bool {
	return p != nil && d != nil && p.Class == d.Class && p.ReasonCode == d.ReasonCode &&
		p.Rationale == d.Rationale && p.MergedInto == d.MergedInto && p.At.Equal(d.At)
}

// committeeFuncs are the template helpers of the committee's pages; a
// state's tag has the colour participants see (stateTags).
func committeeFuncs() template.FuncMap {
	return template.FuncMap{"cmState": func(s string) string {
		return enum.CommitteeStates.Label(s)
	}, "cmStateTag": func(s string) string { return stateTags[s] }, "cmDay": dayInZone, "navFrom": fromQuery,
		"clockInZone": clockInZone}
}
