package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/enum"
	"cocreate/internal/store"
)

// bulkPage is the chair's page to accept the suggested class of several
// notes at once, each with its reason code and rationale.
type bulkPage struct {
	Layout
	Calls    []*store.Call // the picker, when no call is chosen
	Call     *store.Call
	Rows     []bulkRow
	Done     []bulkOutcome // the notes classified by the last submission
	Failed   []bulkOutcome // the notes it could not classify, and why
	MinChars int
	MaxChars int
}

// bulkRow is one note that has a suggested class and no decision. Its
// reason codes are the class's, except those that name another note: a
// merge or duplicate is recorded on the note's own page.
type bulkRow struct {
	store.Summary
	Class     string
	Reasons   enum.List
	Picked    bool
	Code      string
	Rationale string
	Errors    map[string]string
}

// bulkOutcome is what became of one submitted note.
type bulkOutcome struct {
	ID, Ref, Title, Class string
	Messages              []string
}

// bulkReasons is the reason codes class allows that need no other note.
func bulkReasons(class string) enum.List {
	var out enum.List
	for _, o := range app.ReasonsFor(class) {
		if !app.NamesNote(o.Value) {
			out = append(out, o)
		}
	}
	return out
}

// classifyBulkGet lists the call's notes whose suggestion the chair may accept.
func (h *Handler) classifyBulkGet(c *gin.Context) {
	key, calls, err := h.chooseCall(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if key == "" {
		h.render(c, http.StatusOK, "classify_bulk", &bulkPage{Layout: Layout{Title: "Accept suggested classes: choose a call"}, Calls: calls})
		return
	}
	h.showBulk(c, http.StatusOK, key, nil, nil, nil)
}

// classifyBulkPost classifies the ticked notes through the bulk operation;
// each succeeds or fails on its own, and the page says which.
func (h *Handler) classifyBulkPost(c *gin.Context) {
	key := c.PostForm("call")
	if key == "" {
		h.fail(c, badRequest("The form has lost its call: go back and try again."))
		return
	}
	picked := c.PostFormArray("pick")
	if len(picked) == 0 {
		h.showBulk(c, http.StatusUnprocessableEntity, key, nil, nil, &bulkOutcome{Messages: []string{"Tick at least one note to classify."}})
		return
	}
	items := make([]app.ClassifyInput, 0, len(picked))
	for _, id := range picked {
		v, err := strconv.Atoi(c.PostForm("version_" + id))
		if err != nil {
			h.fail(c, badRequest("The form has lost a note's version: reload the page."))
			return
		}
		items = append(items, app.ClassifyInput{ID: id, Version: v, Class: c.PostForm("class_" + id),
			ReasonCode: c.PostForm("reason_code_" + id), Rationale: c.PostForm("rationale_" + id)})
	}
	res, err := h.app.BulkClassify(c.Request.Context(), currentUser(c), key, items)
	if err != nil {
		h.fail(c, err)
		return
	}
	status := http.StatusOK
	for _, r := range res {
		if r.Err != nil {
			status = http.StatusUnprocessableEntity
		}
	}
	h.showBulk(c, status, key, res, items, nil)
}

// showBulk renders the list; after a submission, res and items say what
// became of each ticked note, and a failed note keeps what was typed.
func (h *Handler) showBulk(c *gin.Context, status int, key string, res []app.BulkResult, items []app.ClassifyInput, problem *bulkOutcome) {
	ctx := c.Request.Context()
	call, sums, err := h.app.BulkCandidates(ctx, currentUser(c), key)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := &bulkPage{Layout: Layout{Title: "Accept suggested classes: " + call.Title}, Call: call,
		MinChars: app.MinRationale, MaxChars: app.MaxRationale}
	if problem != nil {
		p.Failed = append(p.Failed, *problem)
	}
	typed := map[string]app.ClassifyInput{}
	failed := map[string]map[string]string{}
	for i, r := range res {
		in := items[i]
		if r.Err == nil {
			p.Done = append(p.Done, bulkOutcome{ID: r.ID, Ref: r.Note.Ref, Title: r.Note.Title, Class: r.Note.Decision.Class})
			continue
		}
		st, ae := classify(r.Err)
		if st >= 500 {
			h.log.Error("bulk classify page item", "request_id", requestID(c), "note", r.ID, "err", r.Err)
		}
		o := bulkOutcome{ID: r.ID, Ref: r.ID}
		if n, err := h.app.NoteByID(ctx, r.ID); err == nil && n.CallID == call.ID {
			o.Ref, o.Title = refOrTitle(n), n.Title
		}
		if len(ae.Fields) > 0 {
			for _, k := range []string{"class", "reason_code", "rationale", "merged_into", "override_reason"} {
				if m := ae.Fields[k]; m != "" {
					o.Messages = append(o.Messages, m)
				}
			}
		} else {
			o.Messages = append(o.Messages, ae.Message)
		}
		p.Failed = append(p.Failed, o)
		typed[r.ID], failed[r.ID] = in, ae.Fields
	}
	for _, s := range sums {
		row := bulkRow{Summary: s, Class: s.Score.SuggestedClass, Reasons: bulkReasons(s.Score.SuggestedClass),
			Rationale: app.RationaleTemplate[s.Score.SuggestedClass]}
		if in, ok := typed[s.ID]; ok {
			row.Picked, row.Code, row.Rationale, row.Errors = true, in.ReasonCode, in.Rationale, failed[s.ID]
		}
		p.Rows = append(p.Rows, row)
	}
	if len(p.Failed) > 0 {
		p.Title = "Error: " + p.Title
	}
	h.render(c, status, "classify_bulk", p)
}
