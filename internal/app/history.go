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

// HistoryFor returns the note's history as viewer may see it. The owner
// sees it as an owner whatever other roles they hold: committee actions by
// role, never by person, the screening steps addressed to them, and of the
// decisions only the one last published (never a reopening, or a class
// decided and changed before publication). The committee and
// coordinators see everything, except that under blind review a plain
// reviewer never learns who the owner is: the owner's own steps name them
// as "owner".
func HistoryFor(viewer *store.User, n *store.Note, c *store.Call) []store.HistoryEntry {
	if viewer.ID == n.Owner {
		return ownerHistory(n, c)
	}
	out := append([]store.HistoryEntry(nil), n.History...)
	if Blind(viewer, n, c) {
		for i := range out {
			if out[i].ByRole == "owner" {
				out[i].By = "owner"
			}
		}
	}
	return out
}

func ownerHistory(n *store.Note, c *store.Call) []store.HistoryEntry {
	published := -1 // the classification entry of the decision last published
	if n.Published != nil && c.PublishedAt != nil {
		for i, h := range n.History {
			if h.Event == "classify" && !h.At.After(*c.PublishedAt) {
				published = i
			}
		}
	}
	out := make([]store.HistoryEntry, 0, len(n.History))
	for i, h := range n.History {
		if decisionEvents[h.Event] && i != published {
			continue
		}
		if h.ByRole != "owner" {
			h.By = h.ByRole
		}
		if i == published {
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
