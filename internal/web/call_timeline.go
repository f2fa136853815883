package web

import (
	"slices"
	"time"

	"cocreate/internal/store"
)

// stage is one step of a call's life: when it happens (zero when it has no
// date of its own, then it follows the step before it) and whether it is over at now.
type stage struct {
	at   time.Time
	past bool
	step timelineStep
}

// callTimeline is the call's steps in date order with one "now" marker
// between the steps that are over and the next one. Steps read in the
// future tense until they are over ("The call closes"), then in the past
// ("The call closed"); the marker says in its own words where things stand,
// so no step ever reads "closes now".
func callTimeline(c *store.Call, now time.Time, reviewDue, result string) []timelineStep {
	opens, closes := formatInZone(c.OpensAt, c.TimeZone), formatInZone(c.ClosesAt, c.TimeZone)
	published := c.PublishedAt != nil
	stages := []stage{
		{at: c.OpensAt, past: !now.Before(c.OpensAt), step: timelineStep{Title: "The call opens", When: opens,
			Text: "Write your concept note and save it as a draft as often as you like."}},
		{at: c.ClosesAt, past: !now.Before(c.ClosesAt), step: timelineStep{Title: "The call closes", When: closes,
			Text: "Submit before this moment: the deadline is enforced to the second. You get a reference and a printable copy."}},
		{past: published, step: timelineStep{Title: "Screening",
			Text: "The Steering Committee checks each note against the basic criteria below, starting while the call is still open. A note can be returned once for changes, with instructions and a date to resubmit by."}},
		{past: published || (c.ReviewDue != nil && !now.Before(*c.ReviewDue)), step: timelineStep{Title: "Scoring", When: reviewDue,
			Text: "Committee members from government and civil society score each note that passes screening against the criteria below."}},
		{past: published, step: timelineStep{Title: "Classification and reasoned response", When: result,
			Text: "The chair classifies the notes and publishes the results: everyone learns what became of their note and why."}},
	}
	if c.ReviewDue != nil {
		stages[3].at = *c.ReviewDue
	}
	if published {
		stages[4].at = *c.PublishedAt
	}
	// Undated steps take the date of the step before them, so a stable sort
	// keeps them in place; dated steps fall in date order.
	for i := 1; i < len(stages); i++ {
		if stages[i].at.IsZero() {
			stages[i].at = stages[i-1].at
		}
	}
	slices.SortStableFunc(stages, func(a, b stage) int { return a.at.Compare(b.at) })
	// The marker goes after the last step that is over; every step before it is over too.
	last := -1
	for i, s := range stages {
		if s.past {
			last = i
		}
	}
	pastTense := map[string]string{"The call opens": "The call opened", "The call closes": "The call closed"}
	out := make([]timelineStep, 0, len(stages)+1)
	if last < 0 {
		out = append(out, nowMarker(c, now))
	}
	for i, s := range stages {
		st := s.step
		if i <= last {
			st.Past = true
			if t, ok := pastTense[st.Title]; ok {
				st.Title = t
			}
		}
		out = append(out, st)
		if i == last {
			out = append(out, nowMarker(c, now))
		}
	}
	return out
}

// nowMarker says where the call stands at now, in a sentence of its own.
func nowMarker(c *store.Call, now time.Time) timelineStep {
	m := timelineStep{Title: "Now", Now: true, When: formatInZone(now, c.TimeZone)}
	switch {
	case c.PublishedAt != nil:
		m.Text = "The results are published."
	case now.Before(c.OpensAt):
		m.Text = "The call has not opened yet: it " + callCountdown(now, c) + "."
	case now.Before(c.ClosesAt):
		m.Text = "The call is open for concept notes: it " + callCountdown(now, c) + "."
	default:
		m.Text = "The call has closed. The committee is screening and scoring the notes; results follow."
	}
	return m
}
