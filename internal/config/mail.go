package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
)

// SMTP is where and how to reach the SMTP server, from COCREATE_SMTP_URL.
type SMTP struct {
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
func ParseSMTPURL(s string) (SMTP, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return SMTP{}, errors.New("it is not a URL such as smtp://user:pass@host:587")
	}
	var c SMTP
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.ImplicitTLS = 465, true
	default:
		return SMTP{}, fmt.Errorf("the scheme must be smtp:// or smtps://, not %q", u.Scheme+"://")
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTP{}, errors.New("it names no host, as in smtp://user:pass@host:587")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTP{}, fmt.Errorf("the port %q is not a number from 1 to 65535", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	return c, nil
}

func (c *Config) loadMail(smtpURL, from, base string) error {
	if strings.TrimSpace(smtpURL) != "" {
		s, err := ParseSMTPURL(smtpURL)
		if err != nil {
			return fmt.Errorf("-smtp-url / COCREATE_SMTP_URL: %w", err)
		}
		c.SMTP = &s
	}
	c.MailFrom = strings.TrimSpace(from)
	if c.MailFrom != "" {
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			return fmt.Errorf("-mail-from / COCREATE_MAIL_FROM: %q is not an e-mail address", c.MailFrom)
		}
	} else if c.SMTP != nil {
		return errors.New("-mail-from / COCREATE_MAIL_FROM must be set when COCREATE_SMTP_URL is")
	}
	c.BaseURL = strings.TrimRight(strings.TrimSpace(base), "/")
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-base-url / COCREATE_BASE_URL: %q is not an address such as https://cocreate.example.org", base)
	}
	return nil
}
