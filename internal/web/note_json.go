package web

import (
	"time"

	"cocreate/internal/app"
	"cocreate/internal/notes"
	"cocreate/internal/store"
)

// noteJSON is the api.md `note` object as one viewer may see it.
type noteJSON struct {
	ID      string `json:"id"`
	CallID  string `json:"call_id"`
	Ref     string `json:"ref,omitempty"`
	State   string `json:"state"`
	Version int    `json:"version"`
	notes.Fields
	Owner       *ownerJSON       `json:"owner"`
	CreatedAt   string           `json:"created_at"`
	UpdatedAt   string           `json:"updated_at"`
	SubmittedAt *string          `json:"submitted_at"`
	Screening   *screeningJSON   `json:"screening,omitempty"`
	Assignments []assignmentJSON `json:"assignments,omitempty"`
	Score       any              `json:"score,omitempty"`
	Decision    *decisionJSON    `json:"decision,omitempty"`
}

// ownerJSON is the submitter as the viewer may know them; with blind
// review a plain reviewer sees only sector and district.
type ownerJSON struct {
	ID           string `json:"id,omitempty"`
	Name         string `json:"name,omitempty"`
	Organization string `json:"organization,omitempty"`
	Sector       string `json:"sector"`
	District     string `json:"district"`
	Email        string `json:"email,omitempty"`
	Phone        string `json:"phone,omitempty"`
}

type screeningJSON struct {
	Outcome      string            `json:"outcome"`
	Checklist    map[string]bool   `json:"checklist"`
	ItemComments map[string]string `json:"item_comments,omitempty"`
	Comment      string            `json:"comment,omitempty"`
	Instructions string            `json:"instructions,omitempty"`
	ReviseBy     string            `json:"revise_by,omitempty"`
	DuplicateOf  string            `json:"duplicate_of,omitempty"`
	By           string            `json:"by,omitempty"`
	At           string            `json:"at"`
}

type assignmentJSON struct {
	ReviewerID  string `json:"reviewer_id"`
	Sector      string `json:"sector"`
	ReviewState string `json:"review_state"`
}

type decisionJSON struct {
	Class          string `json:"class"`
	ReasonCode     string `json:"reason_code"`
	Rationale      string `json:"rationale"`
	MergedInto     string `json:"merged_into,omitempty"`
	OverrideReason string `json:"override_reason,omitempty"`
	Revised        bool   `json:"revised,omitempty"` // it changed a decision already published to the owner
	By             string `json:"by,omitempty"`
	At             string `json:"at,omitempty"`
}

// ownerScoreJSON is what an owner learns of the score after publication:
// the means, never who scored what.
type ownerScoreJSON struct {
	Mean         float64            `json:"mean"`
	PerCriterion map[string]float64 `json:"per_criterion"`
}

// jsonTime formats t as RFC 3339 UTC, the API's form of times.
func jsonTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func jsonTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := jsonTime(*t)
	return &s
}

// noteView is n as viewer may see it; owner is the submitter's account (nil
// when it cannot be found). The rules (pages follow the same ones):
//   - the owner sees their text, the owner's state (app.OwnerState), the
//     screening without who did it, and no assignments; the decision and the
//     mean scores only once published;
//   - the committee and coordinators see everything, except that with blind
//     review a plain reviewer never learns who submitted the note, and a plain
//     reviewer sees the score only after submitting their own review of it
//     and never after declaring a conflict (domain.md, scoring rubric).
func noteView(n *store.Note, call *store.Call, viewer, owner *store.User) noteJSON {
	v := noteJSON{ID: n.ID, CallID: n.CallID, Ref: n.Ref, State: n.State, Version: n.Version, Fields: n.Fields,
		CreatedAt: jsonTime(n.CreatedAt), UpdatedAt: jsonTime(n.UpdatedAt), SubmittedAt: jsonTimePtr(n.SubmittedAt)}
	if v.Values == nil {
		v.Values = []string{}
	}
	if v.Milestones == nil {
		v.Milestones = []notes.Milestone{}
	}
	isOwner := viewer != nil && viewer.ID == n.Owner
	lead := viewer.Has("chair") || viewer.Has("coordinator")
	blind := app.Blind(viewer, n, call)
	if owner != nil {
		o := &ownerJSON{Sector: owner.Sector, District: owner.District}
		if !blind {
			o.ID, o.Name, o.Organization, o.Email, o.Phone = owner.ID, owner.Name, owner.Organization, owner.Email, owner.Phone
		}
		v.Owner = o
	}
	if blind {
		v.ConflictDeclaration = ""
	}
	if s := n.Screening; s != nil {
		v.Screening = &screeningJSON{Outcome: s.Outcome, Checklist: s.Checklist, ItemComments: s.ItemComments,
			Comment: s.Comment, Instructions: s.Instructions, ReviseBy: s.ReviseBy, DuplicateOf: s.DuplicateOf,
			By: s.By, At: jsonTime(s.At)}
		if isOwner {
			v.Screening.By = ""
		}
	}
	if isOwner {
		v.State = app.OwnerState(n)
		if p := n.Published; p != nil {
			v.Decision = &decisionJSON{Class: p.Class, ReasonCode: p.ReasonCode, Rationale: p.Rationale, MergedInto: p.MergedInto,
				Revised: p.Revised}
			if n.Score != nil {
				v.Score = ownerScoreJSON{Mean: n.Score.Mean, PerCriterion: n.Score.PerCriterion}
			}
		}
		return v
	}
	v.Assignments = make([]assignmentJSON, len(n.Assignments))
	for i, a := range n.Assignments {
		v.Assignments[i] = assignmentJSON{ReviewerID: a.ReviewerID, Sector: a.Sector, ReviewState: a.ReviewState}
	}
	if d := n.Decision; d != nil {
		v.Decision = &decisionJSON{Class: d.Class, ReasonCode: d.ReasonCode, Rationale: d.Rationale, MergedInto: d.MergedInto,
			OverrideReason: d.Override, Revised: d.Revised, By: d.By, At: jsonTime(d.At)}
	}
	if n.Score != nil && (lead || reviewedBy(n, viewer)) {
		v.Score = n.Score
	}
	return v
}

// reviewedBy reports whether u has submitted a review of n and declared no conflict on it.
func reviewedBy(n *store.Note, u *store.User) bool {
	if u == nil {
		return false
	}
	for _, id := range n.Conflicts {
		if id == u.ID {
			return false
		}
	}
	for _, a := range n.Assignments {
		if a.ReviewerID == u.ID && a.ReviewState == "submitted" {
			return true
		}
	}
	return false
}

// noteItem is the compact note of list answers.
type noteItem struct {
	ID          string  `json:"id"`
	CallID      string  `json:"call_id"`
	Ref         string  `json:"ref,omitempty"`
	Title       string  `json:"title"`
	State       string  `json:"state"`
	Version     int     `json:"version"`
	PolicyArea  string  `json:"policy_area"`
	UpdatedAt   string  `json:"updated_at"`
	SubmittedAt *string `json:"submitted_at"`
}

// toNoteItem is a summary as a list item; app.ListNotes has already mapped
// the state of the caller's own notes.
func toNoteItem(s store.Summary) noteItem {
	return noteItem{ID: s.ID, CallID: s.CallID, Ref: s.Ref, Title: s.Title, State: s.State, Version: s.Version,
		PolicyArea: s.PolicyArea, UpdatedAt: jsonTime(s.UpdatedAt), SubmittedAt: jsonTimePtr(s.SubmittedAt)}
}
