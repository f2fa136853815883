// Package mail sends the e-mail that cocreate's operations queue in the
// outbox: a sender loop claims each due message by _id, hands it to an SMTP
// server and records the outcome, retrying with backoff.
package mail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"cocreate/internal/config"
)

// Envelope is one e-mail as a Transport sends it.
type Envelope struct {
	From, To, Subject, Body string
	// Key is the message's idempotency key; the Message-ID is derived from
	// it, so a copy sent twice (the process died between the server's
	// acceptance and the record of it) carries the same Message-ID.
	Key string
}

// Transport hands an e-mail to a server. Send returns nil only once the
// server has accepted the message.
type Transport interface {
	Send(ctx context.Context, e Envelope) error
}

// SMTP is a Transport through an SMTP server, with go-mail.
type SMTP struct {
	cfg     config.SMTP
	timeout time.Duration
}

// NewSMTP returns a Transport to the server cfg names; each send opens its
// own connection and gives up after timeout.
func NewSMTP(cfg config.SMTP, timeout time.Duration) *SMTP {
	return &SMTP{cfg: cfg, timeout: timeout}
}

// Send delivers e through the server: the message is accepted when the
// server answers the end of its DATA with success.
func (t *SMTP) Send(ctx context.Context, e Envelope) error {
	m := gomail.NewMsg()
	if err := m.From(e.From); err != nil {
		return fmt.Errorf("sender address %q: %w", e.From, err)
	}
	if err := m.To(e.To); err != nil {
		return fmt.Errorf("recipient address %q: %w", e.To, err)
	}
	m.Subject(e.Subject)
	m.SetDate()
	m.SetMessageIDWithValue(MessageID(e.Key, domainOf(e.From)))
	m.SetBodyString(gomail.TypeTextPlain, e.Body)
	opts := []gomail.Option{gomail.WithPort(t.cfg.Port), gomail.WithTimeout(t.timeout)}
	if t.cfg.ImplicitTLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if t.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(t.cfg.Username), gomail.WithPassword(t.cfg.Password))
	}
	c, err := gomail.NewClient(t.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	return c.DialAndSendWithContext(ctx, m)
}

// MessageID is the Message-ID (without angle brackets) of the message with
// idempotency key key: the same key always gives the same id.
func MessageID(key, domain string) string {
	sum := sha256.Sum256([]byte(key))
	if domain == "" {
		domain = "cocreate.invalid"
	}
	return hex.EncodeToString(sum[:16]) + "@" + domain
}

func domainOf(addr string) string {
	addr = strings.TrimSuffix(strings.TrimSpace(addr), ">")
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}
