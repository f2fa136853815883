package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"cocreate/internal/enum"
	"cocreate/internal/store"
)

// changeVerbs say what a history entry's event did to a note, after its actor's name.
var changeVerbs = map[string]string{
	"submit": "submitted it", "screen_pass": "passed it", "screen_return": "returned it for revision",
	"resubmit": "resubmitted it", "screen_fail": "failed it", "classify": "classified it",
	"reopen": "reopened its decision", "reinstate": "reinstated it for screening", "withdraw": "withdrew it",
}

// screenStale answers a screening refused because the note changed after
// the screener opened it: the form comes back with their checklist and
// comments, a sentence of what changed, and, when the note can still be
// screened, the new version, so that submitting again goes on from it.
func (h *Handler) screenStale(c *gin.Context, f screenPost) {
	ctx := c.Request.Context()
	u := currentUser(c)
	n, call, _, err := h.app.CommitteeNote(ctx, u, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	in := f.in
	in.Version = n.Version
	p, ok := h.screenPageFor(c, &in, nil)
	if !ok {
		return
	}
	since, _ := time.Parse(time.RFC3339Nano, f.openedAt)
	p.Stale = h.whatChanged(ctx, n, call, since)
	p.GoOn = len(p.Outcomes) > 0
	if !p.GoOn {
		p.In.Version = f.in.Version
	}
	p.Title = "Changed since you opened it: " + p.Title
	h.render(c, http.StatusConflict, "screen_note", p)
}

// whatChanged is one sentence naming who did what to n after since, in the
// call's zone, and the state it is in now. The participant is not named: a
// call may use blind review.
func (h *Handler) whatChanged(ctx context.Context, n *store.Note, call *store.Call, since time.Time) string {
	var entries []store.HistoryEntry
	switch {
	case since.IsZero() && len(n.History) > 0: // a form without its opening time: name the last change
		entries = n.History[len(n.History)-1:]
	default:
		for _, e := range n.History {
			if !e.At.Before(since) {
				entries = append(entries, e)
			}
		}
	}
	state := enum.CommitteeStates.Label(n.State)
	if len(entries) == 0 {
		return "Someone changed this note since you opened it: it is now “" + state + "”."
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.By)
	}
	names := h.userNames(ctx, ids...)
	var parts []string
	for _, e := range entries {
		who := names[e.By]
		switch {
		case e.ByRole == "owner":
			who = "the participant"
		case who == "":
			who = "a committee member"
		}
		verb := changeVerbs[e.Event]
		if verb == "" {
			verb = "changed it"
		}
		parts = append(parts, who+" "+verb+" at "+clockInZone(e.At, call.TimeZone))
	}
	s := strings.Join(parts, ", then ")
	return "Since you opened this note, " + s + ": it is now “" + state + "”."
}

// clockInZone is t's time of day in zone with the zone named: "14:05 Belize time".
func clockInZone(t time.Time, zone string) string {
	loc, name := namedZone(zone)
	return t.In(loc).Format("15:04") + " " + name
}
