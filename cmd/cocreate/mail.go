package main

import (
	"log/slog"

	"cocreate/internal/app"
	"cocreate/internal/config"
	"cocreate/internal/mail"
	"cocreate/internal/store"
)

// newSender makes the outbox's sender loop and points the app's messages
// at it. Without an SMTP server the loop only runs the periodic jobs
// (reminders): messages stay queued for the outbox page.
func newSender(cfg config.Config, st *store.Store, a *app.App, log *slog.Logger) *mail.Sender {
	o := mail.Options{Store: st, From: cfg.MailFrom, Jobs: a.MessageJobs, Log: log}
	if cfg.SMTP != nil {
		o.Transport = mail.NewSMTP(*cfg.SMTP, mail.DefaultSendTimeout)
		log.Info("e-mail goes through SMTP", "host", cfg.SMTP.Host, "port", cfg.SMTP.Port, "implicit_tls", cfg.SMTP.ImplicitTLS)
	} else {
		log.Info("no SMTP server configured (COCREATE_SMTP_URL): e-mail is kept in the outbox, see /admin/outbox")
	}
	s := mail.NewSender(o)
	a.Messages = app.Messages{BaseURL: cfg.BaseURL, Wake: s.Wake}
	return s
}
