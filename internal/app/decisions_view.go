package app

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"cocreate/internal/apperr"
	"cocreate/internal/review"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// committeeEvents are the events the committee fires, in the order pages show them.
var committeeEvents = []workflow.Event{workflow.ScreenPass, workflow.ScreenReturn, workflow.ScreenFail,
	workflow.Classify, workflow.Reopen, workflow.Reinstate}

// CommitteeActions returns the committee events u may fire on n now, so a
// page shows only those. Reasons and override reasons are asked for on the
// action's own page, so they are taken as given here; the state, the role,
// return-once and the revise-by day decide.
func (a *App) CommitteeActions(u *store.User, n *store.Note, c *store.Call) []workflow.Event {
	if u == nil || n.Owner == u.ID {
		return nil
	}
	now := a.Now()
	sit := workflow.Situation{CallStatus: c.Status(now), Now: now, ReturnedBefore: n.ReturnedBefore,
		Reviews: ReviewsOf(n), MinReviews: c.MinReviews, Reason: "given", Override: "given"}
	if n.Screening != nil && n.Screening.ReviseBy != "" {
		sit.ReviseBy = ReviseByEnd(n.Screening.ReviseBy, c.Location())
	}
	var out []workflow.Event
	for _, e := range committeeEvents {
		if workflow.Check(workflow.State(n.State), e, actorFor(u, n), sit) == nil {
			out = append(out, e)
		}
	}
	return out
}

// SuggestionExplained says in words which class the figures suggest and why,
// or why none is suggested yet; the chair decides.
func SuggestionExplained(n *store.Note, c *store.Call) string {
	got := ReviewsOf(n)
	if n.Score == nil || got < c.MinReviews || got == 0 {
		return fmt.Sprintf("No class is suggested yet: the note has %d of the %d submitted reviews the call requires.", got, c.MinReviews)
	}
	s := n.Score
	mean := fmt.Sprintf("%.1f", s.Mean)
	switch s.SuggestedClass {
	case "A":
		return fmt.Sprintf("Suggested A: the mean score is %s (%.0f or more) and ambition, relevance and verifiability each average %.0f or more.",
			mean, review.ClassAMean, review.ClassACriterionMin)
	case "B":
		if s.Mean >= review.ClassAMean {
			var low []string
			for _, k := range []string{"ambition", "relevance", "verifiability"} {
				if v := s.PerCriterion[k]; v < review.ClassACriterionMin {
					low = append(low, fmt.Sprintf("%s averages %.1f", k, v))
				}
			}
			return fmt.Sprintf("Suggested B: the mean score is %s, but %s (below %.0f).", mean, strings.Join(low, " and "), review.ClassACriterionMin)
		}
		return fmt.Sprintf("Suggested B: the mean score is %s, from %.0f to below %.0f.", mean, review.ClassBMean, review.ClassAMean)
	case "D":
		return fmt.Sprintf("Suggested D: the mean score is %s, below %.0f.", mean, review.ClassBMean)
	}
	return "No class is suggested for these figures; C is never suggested: it is the chair's judgement."
}

// CommitteeNote loads note id for the committee's workspace: committee
// members and coordinators who may see it, never its author. It returns the
// note, its call and its submitter (nil when the account is gone).
func (a *App) CommitteeNote(ctx context.Context, u *store.User, id string) (*store.Note, *store.Call, *store.User, error) {
	if !u.IsCommittee() && !u.Has("coordinator") {
		return nil, nil, nil, fmt.Errorf("committee view of note %s: %w", id, apperr.ErrForbidden)
	}
	n, c, err := a.NoteFor(ctx, u, id)
	if err != nil {
		return nil, nil, nil, err
	}
	if n.Owner == u.ID {
		return nil, nil, nil, denied("this is your own note: the committee's view of it is not shown to you")
	}
	owner, err := a.Store.UserByID(ctx, n.Owner)
	if err != nil && !store.IsNotFound(err) {
		return nil, nil, nil, err
	}
	return n, c, owner, nil
}

// BulkCandidates returns the call's (id or slug) notes the chair may accept
// the suggestion for in one go: screened, with a suggested class and no
// decision recorded, never the chair's own, by reference.
func (a *App) BulkCandidates(ctx context.Context, u *store.User, callKey string) (*store.Call, []store.Summary, error) {
	if !u.Has("chair") {
		return nil, nil, denied("only the chair classifies notes")
	}
	c, err := a.CallByKey(ctx, callKey)
	if err != nil {
		return nil, nil, err
	}
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: c.ID, States: []string{string(workflow.Screened)}})
	if err != nil {
		return nil, nil, fmt.Errorf("notes to classify in %s: %w", c.Slug, err)
	}
	out := make([]store.Summary, 0, len(sums))
	for _, s := range sums {
		if s.Owner != u.ID && s.Class == "" && s.Score != nil && s.Score.SuggestedClass != "" {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref < out[j].Ref })
	return c, out, nil
}

// MergeTarget returns the reference and title of the note a decision
// names (merged_into), for the owner's result page; both "" when it is gone.
func (a *App) MergeTarget(ctx context.Context, id string) (ref, title string, err error) {
	if id == "" {
		return "", "", nil
	}
	s, err := a.Store.SummaryByID(ctx, id)
	if store.IsNotFound(err) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("merge target %s: %w", id, err)
	}
	return s.Ref, s.Title, nil
}
