// Package config loads cocreate's settings from flags and environment
// variables. Every setting has both; a flag wins over its variable.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"
)

// Config holds every setting of the service. It is passed explicitly, never global.
type Config struct {
	Addr           string
	MongoURI       string
	DataDir        string
	DBName         string
	LogFormat      string
	LogLevel       string
	AdminEmail     string
	AdminPassword  string
	TrustedProxies []netip.Prefix
	Demo           bool
	ShutdownGrace  time.Duration
	// PasswordMemoryKiB is argon2id's memory cost; tests lower it.
	PasswordMemoryKiB uint32
	// SMTP is where e-mail goes; nil keeps messages in the outbox unsent.
	SMTP     *SMTP
	MailFrom string
	BaseURL  string // the service's public address, which links in e-mail start with
}

// Setting documents one setting: its flag, its environment variable, its default and what it does.
type Setting struct {
	Flag, Env, Default, Usage string
}

// Settings lists every setting in the order `cocreate -h` and the README show them.
var Settings = []Setting{
	{"addr", "COCREATE_ADDR", ":8080", "address to serve HTTP on"},
	{"mongodb-uri", "MONGODB_URI", "", "MongoDB connection string; empty starts the embedded database"},
	{"data", "COCREATE_DATA", "./data", "data directory of the embedded database"},
	{"db", "COCREATE_DB", "cocreate", "database name"},
	{"log-format", "COCREATE_LOG_FORMAT", "text", "log format: text or json"},
	{"log-level", "COCREATE_LOG_LEVEL", "info", "log level: debug, info, warn or error"},
	{"admin-email", "COCREATE_ADMIN_EMAIL", "", "e-mail of a coordinator+chair account ensured at start"},
	{"admin-password", "COCREATE_ADMIN_PASSWORD", "", "password for that account when it is created (at least 10 characters)"},
	{"trusted-proxies", "COCREATE_TRUSTED_PROXIES", "", "comma-separated addresses or CIDR ranges whose X-Forwarded-For/-Proto are believed"},
	{"demo", "COCREATE_DEMO", "false", "seed demo data when the database has no calls, print the demo sign-ins"},
	{"shutdown-grace", "COCREATE_SHUTDOWN_GRACE", "15s", "how long in-flight requests may finish at shutdown"},
	{"smtp-url", "COCREATE_SMTP_URL", "", "SMTP server for e-mail: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://… (implicit TLS); empty keeps messages in the outbox unsent"},
	{"mail-from", "COCREATE_MAIL_FROM", "", "sender address of e-mail; required with -smtp-url"},
	{"base-url", "COCREATE_BASE_URL", "http://localhost:8080", "the service's public address, which links in e-mail start with"},
}

// ErrHelp is returned when -h was asked for; the usage has been printed.
var ErrHelp = flag.ErrHelp

// Load reads the settings from args (without the program name) and getenv.
func Load(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	fs := flag.NewFlagSet("cocreate", flag.ContinueOnError)
	fs.SetOutput(out)
	vals := map[string]*string{}
	for _, s := range Settings {
		def := s.Default
		if v := getenv(s.Env); v != "" {
			def = v
		}
		vals[s.Flag] = fs.String(s.Flag, def, fmt.Sprintf("%s (env %s)", s.Usage, s.Env))
	}
	fs.Usage = func() {
		fmt.Fprintln(out, "Usage: cocreate [flags]            serve")
		fmt.Fprintln(out, "       cocreate user add --email E --name N --roles coordinator,chair   (password on stdin)")
		fmt.Fprintln(out, "       cocreate recompute --call SLUG   rebuild a call's scores and summaries (server stopped)")
		fmt.Fprintln(out, "       cocreate export shortlist --call SLUG [--class A,B] [--state S,…] [--format xlsx|csv] -o FILE")
		fmt.Fprintln(out, "\nEvery flag has an environment variable:")
		fs.PrintDefaults()
	}
	// -demo is usually given bare; accept it as a boolean flag.
	args = normaliseBoolFlag(args, "demo")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q (see cocreate -h)", fs.Arg(0))
	}
	c := Config{
		Addr:              *vals["addr"],
		MongoURI:          strings.TrimSpace(*vals["mongodb-uri"]),
		DataDir:           *vals["data"],
		DBName:            *vals["db"],
		LogFormat:         *vals["log-format"],
		LogLevel:          *vals["log-level"],
		AdminEmail:        strings.TrimSpace(*vals["admin-email"]),
		AdminPassword:     *vals["admin-password"],
		PasswordMemoryKiB: 19 * 1024,
	}
	var err error
	if c.Demo, err = parseBool(*vals["demo"]); err != nil {
		return Config{}, fmt.Errorf("-demo / COCREATE_DEMO: %w", err)
	}
	if c.ShutdownGrace, err = time.ParseDuration(*vals["shutdown-grace"]); err != nil || c.ShutdownGrace < 0 {
		return Config{}, fmt.Errorf("-shutdown-grace / COCREATE_SHUTDOWN_GRACE: %q is not a duration such as 15s", *vals["shutdown-grace"])
	}
	if c.TrustedProxies, err = parseProxies(*vals["trusted-proxies"]); err != nil {
		return Config{}, err
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return Config{}, fmt.Errorf("-log-format / COCREATE_LOG_FORMAT must be text or json, not %q", c.LogFormat)
	}
	if c.DBName == "" {
		return Config{}, errors.New("-db / COCREATE_DB must not be empty")
	}
	if err := c.loadMail(*vals["smtp-url"], *vals["mail-from"], *vals["base-url"]); err != nil {
		return Config{}, err
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		return Config{}, errors.New("set both COCREATE_ADMIN_EMAIL and COCREATE_ADMIN_PASSWORD, or neither")
	}
	return c, nil
}

func normaliseBoolFlag(args []string, name string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "-"+name || a == "--"+name {
			a = "-" + name + "=true"
		}
		out[i] = a
	}
	return out
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "", "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}

func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("-trusted-proxies / COCREATE_TRUSTED_PROXIES: %q is not an address or CIDR range", part)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
