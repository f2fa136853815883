package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"cocreate/internal/auth"
)

// privacyPage is /privacy: what personal data the service keeps, who sees
// it and for how long, with whom to ask.
type privacyPage struct {
	Layout
	Contact            string // the coordinator's address (siteContact), "" for none
	SessionDays        int    // how long a sign-in lasts at most
	SessionIdleHours   int    // and without use
	AccountSelfService string // the one sentence on withdrawing consent and deleting an account
}

// accountSelfService says what people can do about their own data from
// their account. It is kept in one place so it can follow the account page.
const accountSelfService = "You can withdraw that consent at any time from the note's page: the note leaves the public repository and its CSV at once. " +
	"From your account page you can correct your details, download everything the service holds about you as a file, and delete your account: " +
	"your drafts are deleted; your submitted notes stay in the committee's record with your name, e-mail address and phone number erased " +
	"(your organisation, sector and district stay, because the committee's decisions depend on them)."

func (h *Handler) privacyPage(c *gin.Context) {
	h.render(c, http.StatusOK, "privacy", &privacyPage{Layout: Layout{Title: "Privacy notice"},
		Contact: h.siteContact(c, http.StatusOK), SessionDays: int(auth.AbsoluteTimeout.Hours() / 24),
		SessionIdleHours: int(auth.IdleTimeout.Hours()), AccountSelfService: accountSelfService})
}
