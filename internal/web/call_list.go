package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/store"
)

// callCard is one call as a list shows it.
type callCard struct {
	*store.Call
	Status, StatusLabel, Tag string
	Countdown                string
	Opens, Closes            string // in the call's zone, with the zone named
}

func (h *Handler) callCard(c *store.Call) callCard {
	st := c.Status(h.now())
	return callCard{Call: c, Status: st, StatusLabel: callStatusLabel[st], Tag: callStatusTag[st],
		Countdown: callCountdown(h.now(), c), Opens: formatInZone(c.OpensAt, c.TimeZone), Closes: formatInZone(c.ClosesAt, c.TimeZone)}
}

// callListPage is the public list of calls, open ones first.
type callListPage struct {
	Layout
	Open, Upcoming, Closed []callCard
}

func (h *Handler) callListPage(c *gin.Context) {
	list, err := h.app.Calls(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	p := &callListPage{Layout: Layout{Title: "Calls for concept notes"}}
	for _, call := range list {
		card := h.callCard(call)
		switch card.Status {
		case "open":
			p.Open = append(p.Open, card)
		case "upcoming":
			p.Upcoming = append(p.Upcoming, card)
		default:
			p.Closed = append(p.Closed, card)
		}
	}
	h.render(c, http.StatusOK, "call_list", p)
}
