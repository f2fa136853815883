package app

import (
	"context"
	"fmt"
	"time"

	"cocreate/internal/enum"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// PublishPreview is what publishing a call's results would do now, for the
// confirmation page.
type PublishPreview struct {
	Call        *store.Call
	Classified  int            // decisions that will be published
	ByClass     map[string]int // of those, per class
	Changed     int            // of those, new or different from what the owner last saw
	Undecided   int            // notes still in screening or review: they stay "under review"
	LastPublish *time.Time
}

// PublishResult is the answer of a publication.
type PublishResult struct {
	PublishedAt time.Time
	Notes       int
}

func (a *App) chairCall(ctx context.Context, u *store.User, callKey string) (*store.Call, error) {
	if !u.Has("chair") {
		return nil, denied("only the chair can publish results")
	}
	return a.CallByKey(ctx, callKey)
}

// PreviewPublish counts what publishing the call's results (id or slug) would release.
func (a *App) PreviewPublish(ctx context.Context, u *store.User, callKey string) (*PublishPreview, error) {
	c, err := a.chairCall(ctx, u, callKey)
	if err != nil {
		return nil, err
	}
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{CallID: c.ID})
	if err != nil {
		return nil, fmt.Errorf("preview publication of %s: %w", c.Slug, err)
	}
	p := &PublishPreview{Call: c, ByClass: map[string]int{}, LastPublish: c.PublishedAt}
	for _, k := range enum.Classes.Values() {
		p.ByClass[k] = 0
	}
	for _, s := range sums {
		switch workflow.State(s.State) {
		case workflow.Classified:
			p.Classified++
			p.ByClass[s.Class]++
			if s.Class != s.PublishedClass {
				p.Changed++
			}
		case workflow.Submitted, workflow.Returned, workflow.Screened:
			p.Undecided++
		}
	}
	return p, nil
}

// Publish releases the decision of every classified note of the call (id or
// slug) to its owner and records the moment as the call's published_at.
// Decisions changed later reach owners at the next publication.
func (a *App) Publish(ctx context.Context, u *store.User, callKey string) (*PublishResult, error) {
	c, err := a.chairCall(ctx, u, callKey)
	if err != nil {
		return nil, err
	}
	at := a.Now().UTC().Truncate(time.Millisecond)
	n, err := a.Store.PublishDecisions(ctx, c.ID, at)
	if err != nil {
		return nil, err
	}
	a.queuePublished(ctx, c)
	a.record(ctx, EventResultsPublished, "", u.ID, map[string]string{"call": c.ID, "notes": fmt.Sprint(n)})
	return &PublishResult{PublishedAt: at, Notes: n}, nil
}
