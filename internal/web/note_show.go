package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/enum"
	"cocreate/internal/review"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// checkItem is one screening criterion with its outcome.
type checkItem struct {
	Label   string
	Passed  bool
	Comment string
}

// noteShowPage is the note and its status for whoever may see it: the
// owner's view follows noteView (no unpublished decision or score, the
// committee by role); the committee's adds links to its own pages.
type noteShowPage struct {
	Layout
	Note       *store.Note
	Call       *store.Call
	View       noteJSON
	IsOwner    bool
	Answers    []noteAnswer
	History    []historyItem
	Checklist  []checkItem
	ReviseBy   string
	Submitted  string
	OwnerScore *ownerScoreJSON
	Score      *review.Score
	Result     *resultView // the owner's published result, in plain words
	Failed     []checkItem // for the owner of an ineligible note: the items it did not meet
	// What the viewer can do now (workflow.Can on the stored state).
	CanEdit, CanSubmit, CanResubmit, CanWithdraw bool
	CanScreen, CanReview, CanClassify            bool
}

// loadNoteView loads note id for the signed-in user with its view and the submitter's account.
func (h *Handler) loadNoteView(ctx context.Context, u *store.User, id string) (*store.Note, *store.Call, noteJSON, error) {
	n, call, err := h.app.NoteFor(ctx, u, id)
	if err != nil {
		return nil, nil, noteJSON{}, err
	}
	owner, err := h.app.UserByID(ctx, n.Owner)
	if err != nil && !store.IsNotFound(err) {
		return nil, nil, noteJSON{}, err
	}
	return n, call, noteView(n, call, u, owner), nil
}

// noteShowPage shows the note, its status timeline and the actions allowed now.
func (h *Handler) noteShowPage(c *gin.Context) {
	ctx, u := c.Request.Context(), currentUser(c)
	n, call, v, err := h.loadNoteView(ctx, u, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	title := v.Title
	if title == "" {
		title = "Untitled draft"
	}
	if v.Ref != "" {
		title = v.Ref + ": " + title
	}
	p := &noteShowPage{Layout: Layout{Title: title}, Note: n, Call: call, View: v, IsOwner: n.Owner == u.ID,
		Answers: noteAnswers(&store.Note{Fields: v.Fields}, call, nil), History: h.historyView(ctx, u, n, call)}
	if n.SubmittedAt != nil {
		p.Submitted = formatInZone(*n.SubmittedAt, call.TimeZone)
	}
	if s := v.Screening; s != nil {
		for _, o := range enum.Checklist {
			if passed, ok := s.Checklist[o.Value]; ok {
				p.Checklist = append(p.Checklist, checkItem{Label: o.Label, Passed: passed, Comment: s.ItemComments[o.Value]})
			}
		}
		if s.ReviseBy != "" {
			p.ReviseBy = dayInZone(s.ReviseBy, call.TimeZone)
		}
	}
	switch sc := v.Score.(type) {
	case ownerScoreJSON:
		p.OwnerScore = &sc
	case *review.Score:
		p.Score = sc
	}
	if p.IsOwner {
		if p.Result, err = h.resultFor(ctx, n, call, p.OwnerScore); err != nil {
			h.fail(c, err)
			return
		}
		if v.State == string(workflow.Ineligible) {
			for _, it := range p.Checklist {
				if !it.Passed {
					p.Failed = append(p.Failed, it)
				}
			}
		}
	}
	state := workflow.State(n.State)
	if p.IsOwner {
		editable := h.app.Editable(n, call) == nil
		p.CanEdit = editable
		p.CanSubmit = editable && state == workflow.Draft
		p.CanResubmit = editable && state == workflow.Returned
		p.CanWithdraw = workflow.Can(state, workflow.Withdraw)
	}
	if u.IsCommittee() && !p.IsOwner {
		p.CanScreen = workflow.Can(state, workflow.ScreenPass)
		p.CanClassify = u.Has("chair") && (workflow.Can(state, workflow.Classify) || workflow.Can(state, workflow.Reopen))
		for _, a := range n.Assignments {
			p.CanReview = p.CanReview || (a.ReviewerID == u.ID && state == workflow.Screened)
		}
	}
	h.render(c, http.StatusOK, "note_show", p)
}

// resultView is the published decision as its owner reads it: what the
// class means for them, the reason in words, the rationale, the means, and
// the note it joined. Never who scored what, or the committee's comments.
type resultView struct {
	Class, ClassLabel, Meaning   string
	ReasonLabel, ReasonExplained string
	Rationale                    string
	Mean                         *float64
	Criteria                     []criterionMean
	MergedRef, MergedTitle       string
	Merged                       bool
	Revised                      bool
}

// criterionMean is one criterion's mean score, 0 to 4.
type criterionMean struct {
	Label string
	Mean  float64
}

// resultFor is n's published result for its owner, or nil before publication.
func (h *Handler) resultFor(ctx context.Context, n *store.Note, call *store.Call, sc *ownerScoreJSON) (*resultView, error) {
	d := n.Published
	if d == nil {
		return nil, nil
	}
	r := &resultView{Class: d.Class, ClassLabel: enum.Classes.Label(d.Class), Meaning: app.ClassMeaning[d.Class],
		ReasonLabel: enum.ReasonCodes.Label(d.ReasonCode), ReasonExplained: app.ReasonExplained[d.ReasonCode],
		Rationale: d.Rationale, Revised: d.Revised, Merged: d.MergedInto != ""}
	if sc != nil {
		r.Mean = &sc.Mean
		for _, k := range call.Criteria {
			if m, ok := sc.PerCriterion[k.Key]; ok {
				r.Criteria = append(r.Criteria, criterionMean{Label: k.Label, Mean: m})
			}
		}
	}
	if r.Merged {
		ref, title, err := h.app.MergeTarget(ctx, d.MergedInto)
		if err != nil {
			return nil, err
		}
		r.MergedRef, r.MergedTitle = ref, title
	}
	return r, nil
}
