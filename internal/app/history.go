package app

import (
	"cocreate/internal/store"
)

// decisionEvents are the events whose outcome a participant learns only
// when the chair publishes results (domain.md, "What the participant learns").
var decisionEvents = map[string]bool{"classify": true, "reopen": true}

// OwnerState is the state a note's owner sees: a screened or classified note
// reads "screened" ("under review") until results are published for it, and
// "classified" once a decision has been published.
func OwnerState(n *store.Note) string {
	switch {
	case n.Published != nil && (n.State == "screened" || n.State == "classified"):
		return "classified"
	case n.State == "classified":
		return "screened"
	}
	return n.State
}

// HistoryFor returns the note's history as viewer may see it. The committee
// and coordinators see everything. The owner sees committee actions by role,
// never by person, and decision entries only up to the call's last publication.
func HistoryFor(viewer *store.User, n *store.Note, c *store.Call) []store.HistoryEntry {
	if viewer.ID != n.Owner || viewer.IsCommittee() || viewer.Has("coordinator") {
		return append([]store.HistoryEntry(nil), n.History...)
	}
	out := make([]store.HistoryEntry, 0, len(n.History))
	for _, h := range n.History {
		if decisionEvents[h.Event] && (c.PublishedAt == nil || h.At.After(*c.PublishedAt) || n.Published == nil) {
			continue
		}
		if h.ByRole != "owner" {
			h.By = h.ByRole
		}
		if decisionEvents[h.Event] && h.To == "classified" {
			h.Reason = "" // the reasoned response is shown from the published decision
		}
		out = append(out, h)
	}
	return out
}

// Blind reports whether viewer must not learn who submitted n: the call runs
// blind review and the viewer is neither the owner, the chair nor a coordinator.
func Blind(viewer *store.User, n *store.Note, c *store.Call) bool {
	if viewer == nil || c == nil || !c.BlindReview || viewer.ID == n.Owner {
		return false
	}
	return !viewer.Has("chair") && !viewer.Has("coordinator")
}
