package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"cocreate/internal/app"
	"cocreate/internal/store"
)

// outboxRoutes are the outbox's page and API route: what e-mail was queued,
// sent or failed, so that nothing is dropped without a coordinator seeing it.
func (h *Handler) outboxRoutes() []route {
	return []route{
		{"GET", "/admin/outbox", coord, h.outboxPage},
		{"GET", "/api/v1/outbox", coord, h.apiOutbox},
	}
}

type outboxPage struct {
	Layout
	Messages []*store.Message
	State    string
	States   []string
	Total    int64
	Shown    int
}

func (h *Handler) outboxPage(c *gin.Context) {
	state := c.Query("state")
	if !slices.Contains(app.OutboxStates, state) {
		state = ""
	}
	list, total, err := h.app.Outbox(c.Request.Context(), currentUser(c), state)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, "outbox", &outboxPage{Layout: Layout{Title: "Outbox"}, Messages: list, State: state,
		States: app.OutboxStates, Total: total, Shown: len(list)})
}

type messageJSON struct {
	ID        string     `json:"id"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Event     string     `json:"event"`
	State     string     `json:"state"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
	NextAt    *time.Time `json:"next_attempt_at"`
}

func (h *Handler) apiOutbox(c *gin.Context) {
	list, total, err := h.app.Outbox(c.Request.Context(), currentUser(c), c.Query("state"))
	if err != nil {
		h.fail(c, err)
		return
	}
	items := make([]messageJSON, len(list))
	for i, m := range list {
		items[i] = messageJSON{ID: m.ID, To: m.To, Subject: m.Subject, Event: m.Event, State: m.State, Attempts: m.Attempts,
			LastError: m.LastError, CreatedAt: m.CreatedAt, SentAt: m.SentAt}
		if m.State == store.MessageQueued || m.State == store.MessageSending {
			next := m.NextAt
			items[i].NextAt = &next
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total})
}
