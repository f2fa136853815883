package web

import (
	"context"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// contactTTL is how long error pages reuse the contact address they found.
const contactTTL = time.Minute

// contactCache keeps the address error pages name, so an error (a burst of
// 404s from a crawler, say) costs no database read most of the time.
type contactCache struct {
	mu    sync.Mutex
	at    time.Time
	email string
}

// siteContact is the address error pages give for questions: the contact
// of the open call closing soonest, else of the newest call that names one;
// "" when no call does. It is read at most once per contactTTL, briefly,
// and never when the database is known to be unreachable (status 503):
// an error page must not wait on the thing that failed.
func (h *Handler) siteContact(c *gin.Context, status int) string {
	h.contact.mu.Lock()
	defer h.contact.mu.Unlock()
	if !h.contact.at.IsZero() && time.Since(h.contact.at) < contactTTL || status == 503 || h.app == nil {
		return h.contact.email
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 500*time.Millisecond)
	defer cancel()
	calls, err := h.app.Calls(ctx)
	if err != nil {
		h.log.Debug("error page: list calls for the contact line", "request_id", requestID(c), "err", err)
		return h.contact.email
	}
	email := ""
	var soonest time.Time
	now := h.now()
	for _, call := range calls { // newest opening first
		if call.ContactEmail == "" {
			continue
		}
		if call.Status(now) == "open" && (soonest.IsZero() || call.ClosesAt.Before(soonest)) {
			email, soonest = call.ContactEmail, call.ClosesAt
		} else if email == "" {
			email = call.ContactEmail
		}
	}
	h.contact.email, h.contact.at = email, time.Now()
	return email
}
