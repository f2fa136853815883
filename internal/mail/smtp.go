// Package mail sends the e-mail that cocreate's operations queue in the
// outbox: a sender loop claims each due message by _id, hands it to an SMTP
// server and records the outcome, retrying with backoff.
package mail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig is where and how to reach the SMTP server, parsed from
// COCREATE_SMTP_URL.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// ImplicitTLS is smtps://: TLS from the first byte. Otherwise (smtp://)
	// STARTTLS is used when the server offers it.
	ImplicitTLS bool
}

// ParseSMTPURL reads smtp://user:pass@host:587 (STARTTLS when offered) or
// smtps://user:pass@host:465 (implicit TLS). The port defaults to 587 and
// 465; the credentials are optional.
func ParseSMTPURL(s string) (SMTPConfig, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return SMTPConfig{}, errors.New("it is not a URL such as smtp://user:pass@host:587")
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.ImplicitTLS = 465, true
	default:
		return SMTPConfig{}, fmt.Errorf("the scheme must be smtp:// or smtps://, not %q", u.Scheme+"://")
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTPConfig{}, errors.New("it names no host, as in smtp://user:pass@host:587")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, fmt.Errorf("the port %q is not a number from 1 to 65535", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	return c, nil
}

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
	cfg     SMTPConfig
	timeout time.Duration
}

// NewSMTP returns a Transport to the server cfg names; each send opens its
// own connection and gives up after timeout.
func NewSMTP(cfg SMTPConfig, timeout time.Duration) *SMTP {
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
