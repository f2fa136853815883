package config

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestDefaults(t *testing.T) {
	c, err := Load(nil, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Addr: ":8080", DataDir: "./data", DBName: "cocreate", LogFormat: "text", LogLevel: "info",
		ShutdownGrace: 15 * time.Second, PasswordMemoryKiB: 19 * 1024}
	if c.Addr != want.Addr || c.MongoURI != "" || c.DataDir != want.DataDir || c.DBName != want.DBName ||
		c.LogFormat != want.LogFormat || c.LogLevel != want.LogLevel || c.AdminEmail != "" || c.AdminPassword != "" ||
		len(c.TrustedProxies) != 0 || c.Demo || c.ShutdownGrace != want.ShutdownGrace || c.PasswordMemoryKiB != want.PasswordMemoryKiB {
		t.Fatalf("defaults: %+v", c)
	}
	// Every Setting's default is what Load gives with nothing set.
	for _, s := range Settings {
		if s.Default == "" && s.Flag != "mongodb-uri" && !strings.HasPrefix(s.Flag, "admin-") && s.Flag != "trusted-proxies" &&
			s.Flag != "smtp-url" && s.Flag != "mail-from" { // empty: no SMTP, no sender address
			t.Errorf("setting %s has no default", s.Flag)
		}
	}
}

func TestEnvironmentAndFlags(t *testing.T) {
	vars := map[string]string{
		"COCREATE_ADDR":            "127.0.0.1:9000",
		"MONGODB_URI":              "  mongodb://db:27017  ",
		"COCREATE_DATA":            "/var/lib/cocreate",
		"COCREATE_DB":              "plan2026",
		"COCREATE_LOG_FORMAT":      "json",
		"COCREATE_LOG_LEVEL":       "debug",
		"COCREATE_ADMIN_EMAIL":     " admin@example.org ",
		"COCREATE_ADMIN_PASSWORD":  "change-me-now",
		"COCREATE_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.5 ,::1",
		"COCREATE_DEMO":            "yes",
		"COCREATE_SHUTDOWN_GRACE":  "3s",
	}
	c, err := Load(nil, env(vars), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.MongoURI != "mongodb://db:27017" || c.DataDir != "/var/lib/cocreate" ||
		c.DBName != "plan2026" || c.LogFormat != "json" || c.LogLevel != "debug" || c.AdminEmail != "admin@example.org" ||
		c.AdminPassword != "change-me-now" || !c.Demo || c.ShutdownGrace != 3*time.Second {
		t.Fatalf("from the environment: %+v", c)
	}
	wantProxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.5/32"), netip.MustParsePrefix("::1/128")}
	if len(c.TrustedProxies) != len(wantProxies) {
		t.Fatalf("proxies %v", c.TrustedProxies)
	}
	for i, p := range wantProxies {
		if c.TrustedProxies[i] != p {
			t.Errorf("proxy %d = %v, want %v", i, c.TrustedProxies[i], p)
		}
	}

	// A flag wins over its variable.
	c, err = Load([]string{"-addr", ":7000", "-db=other", "-demo=false", "--log-format", "text", "-trusted-proxies", "10.1.2.3/16"}, env(vars), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":7000" || c.DBName != "other" || c.Demo || c.LogFormat != "text" {
		t.Fatalf("flags did not win: %+v", c)
	}
	if len(c.TrustedProxies) != 1 || c.TrustedProxies[0] != netip.MustParsePrefix("10.1.0.0/16") {
		t.Fatalf("a CIDR range is kept masked: %v", c.TrustedProxies)
	}
}

func TestDemoFlagMayBeBare(t *testing.T) {
	for _, args := range [][]string{{"-demo"}, {"--demo"}, {"-demo=true"}, {"-demo", "-addr", ":1"}} {
		c, err := Load(args, env(nil), &bytes.Buffer{})
		if err != nil || !c.Demo {
			t.Errorf("Load(%q): demo=%v err=%v", args, c.Demo, err)
		}
	}
}

func TestBadValuesAreClearErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string // part of the message
	}{
		{"log format", nil, map[string]string{"COCREATE_LOG_FORMAT": "xml"}, `COCREATE_LOG_FORMAT must be text or json, not "xml"`},
		{"only admin e-mail", nil, map[string]string{"COCREATE_ADMIN_EMAIL": "a@example.org"}, "set both COCREATE_ADMIN_EMAIL and COCREATE_ADMIN_PASSWORD"},
		{"only admin password", nil, map[string]string{"COCREATE_ADMIN_PASSWORD": "change-me-now"}, "set both COCREATE_ADMIN_EMAIL and COCREATE_ADMIN_PASSWORD"},
		{"grace not a duration", nil, map[string]string{"COCREATE_SHUTDOWN_GRACE": "15"}, "COCREATE_SHUTDOWN_GRACE"},
		{"negative grace", []string{"-shutdown-grace=-1s"}, nil, "COCREATE_SHUTDOWN_GRACE"},
		{"bad proxy", nil, map[string]string{"COCREATE_TRUSTED_PROXIES": "10.0.0.1,proxy.local"}, `"proxy.local" is not an address or CIDR range`},
		{"bad demo", nil, map[string]string{"COCREATE_DEMO": "maybe"}, `COCREATE_DEMO: "maybe" is not true or false`},
		{"empty db", []string{"-db="}, nil, "COCREATE_DB must not be empty"},
		{"stray argument", []string{"serve"}, nil, `unexpected argument "serve"`},
		{"unknown flag", []string{"-port=80"}, nil, "flag provided but not defined: -port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.args, env(tc.env), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	var out bytes.Buffer
	_, err := Load([]string{"-h"}, env(nil), &out)
	if !errors.Is(err, ErrHelp) {
		t.Fatalf("err = %v, want ErrHelp", err)
	}
	for _, s := range Settings {
		if !strings.Contains(out.String(), "-"+s.Flag) || !strings.Contains(out.String(), s.Env) {
			t.Errorf("help does not mention -%s / %s:\n%s", s.Flag, s.Env, out.String())
		}
	}
	if !strings.Contains(out.String(), "user add") {
		t.Error("help does not mention the user add command")
	}
}

// TestREADMEDocumentsEverySetting keeps the README's configuration table and
// Settings from drifting apart: each setting needs a row with its flag,
// variable and default.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	// Only the "## Configuration" section's table counts.
	_, section, found := strings.Cut(string(readme), "\n## Configuration\n")
	if !found {
		t.Fatal(`README.md has no "## Configuration" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	rows := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		if m := regexp.MustCompile("^\\| `-([a-z-]+)` \\|").FindStringSubmatch(line); m != nil {
			rows[m[1]] = line
		}
	}
	for _, s := range Settings {
		row, ok := rows[s.Flag]
		if !ok {
			t.Errorf("README.md has no configuration row starting | `-%s` |", s.Flag)
			continue
		}
		if !strings.Contains(row, "`"+s.Env+"`") {
			t.Errorf("README row for -%s does not name `%s`: %s", s.Flag, s.Env, row)
		}
		if s.Default != "" && !strings.Contains(row, "`"+s.Default+"`") {
			t.Errorf("README row for -%s does not give the default `%s`: %s", s.Flag, s.Default, row)
		}
		delete(rows, s.Flag)
	}
	for f := range rows {
		t.Errorf("README.md documents -%s, which is not a setting", f)
	}
}
