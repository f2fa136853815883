package config

import (
	"bytes"
	"strings"
	"testing"
)

func TestMailSettings(t *testing.T) {
	c, err := Load(nil, env(nil), &bytes.Buffer{})
	if err != nil || c.SMTP != nil || c.BaseURL != "http://localhost:8080" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = Load([]string{"-base-url", "https://cocreate.example.org/"}, env(map[string]string{
		"COCREATE_SMTP_URL": "smtp://mailer:s3cret@mail.example.org", "COCREATE_MAIL_FROM": "Co-creation <cocreate@example.org>"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := SMTP{Host: "mail.example.org", Port: 587, Username: "mailer", Password: "s3cret"}
	if c.SMTP == nil || *c.SMTP != want || c.BaseURL != "https://cocreate.example.org" {
		t.Fatalf("smtp: %+v base %q", c.SMTP, c.BaseURL)
	}
	c, err = Load([]string{"-smtp-url", "smtps://mail.example.org", "-mail-from", "a@example.org"}, env(nil), &bytes.Buffer{})
	if err != nil || !c.SMTP.ImplicitTLS || c.SMTP.Port != 465 || c.SMTP.Username != "" {
		t.Fatalf("smtps: %+v %v", c.SMTP, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-smtp-url", "http://mail.example.org", "-mail-from", "a@example.org"}, "COCREATE_SMTP_URL: the scheme must be smtp:// or smtps://"},
		{[]string{"-smtp-url", "smtp://", "-mail-from", "a@example.org"}, "names no host"},
		{[]string{"-smtp-url", "smtp://h:99999", "-mail-from", "a@example.org"}, "not a number from 1 to 65535"},
		{[]string{"-smtp-url", "smtp://h:587"}, "COCREATE_MAIL_FROM must be set"},
		{[]string{"-mail-from", "not an address"}, "is not an e-mail address"},
		{[]string{"-base-url", "cocreate.example.org"}, "COCREATE_BASE_URL"},
	} {
		_, err := Load(tc.args, env(nil), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
}
