package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/auth"
	"cocreate/internal/config"
	"cocreate/internal/embeddb"
	"cocreate/internal/store"
	"cocreate/internal/web"
)

// run is the whole program; main only wires the process to it, so tests can
// call it. Asking for help (-h) prints the usage and returns nil.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) >= 2 && args[0] == "user" && args[1] == "add" {
		return userAdd(ctx, args[2:], getenv, stdin, stdout, stderr)
	}
	if len(args) >= 1 && args[0] == "recompute" {
		return recompute(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) >= 1 && args[0] == "export" {
		return exportCmd(ctx, args[1:], getenv, stdout, stderr)
	}
	cfg, err := config.Load(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	// Listen first: a request that arrives while the store starts waits
	// for it (warmup) instead of being refused.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	warm := newWarmup()
	srv := &http.Server{Handler: warm, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	started := false
	defer func() {
		if !started {
			warm.fail()
			_ = srv.Close()
		}
	}()
	log.Info("starting", "addr", ln.Addr().String())

	st, closeDB, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	a := app.New(st, auth.Hasher{MemoryKiB: cfg.PasswordMemoryKiB, Time: 2}, time.Now, log)
	sender := newSender(cfg, st, a, log)

	if cfg.AdminEmail != "" {
		u, created, err := a.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword)
		if err != nil {
			return err
		}
		if created {
			log.Info("created the first coordinator", "email", u.Email)
		}
	}
	// The demo sign-ins are printed with the serving line, in one write once
	// the server answers, so no log line lands in the middle of them.
	var signIns bytes.Buffer
	if cfg.Demo {
		if err := seedDemo(ctx, a, &signIns, cfg.AdminEmail); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}

	handler, err := web.New(web.Deps{App: a, Logger: log, Now: time.Now, TrustedProxies: cfg.TrustedProxies})
	if err != nil {
		return err
	}

	go purgeLoop(ctx, st, log)
	go accountLoop(ctx, a, log)
	sender.Start(ctx)
	// Derived scores a crash left half-updated are recomputed in the
	// background; queued before the service is ready, so a stop right
	// after start still lets it finish (a.Close).
	if err := a.RefreshAllScores(ctx); err != nil {
		log.Warn("could not queue the score refresh at start", "err", err)
	}

	warm.serve(handler)
	started = true
	log.Info("serving", "addr", ln.Addr().String(), "embedded_db", cfg.MongoURI == "")
	banner := fmt.Appendf(nil, "cocreate is serving on http://%s\n", displayAddr(ln.Addr().String()))
	stdout.Write(append(banner, signIns.Bytes()...))

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("in-flight requests did not finish in time", "err", err)
	}
	sender.Stop() // an attempt under way finishes and is recorded
	// Let a background score refresh finish, within the same grace, so the
	// stored normalised means are not left half-written.
	if err := a.Close(sctx); err != nil {
		log.Warn("a score refresh was cut short; run cocreate recompute --call <slug> to redo it")
	}
	return nil
}

// warmup is the server's handler from the moment it listens: until serve
// hands it the service's handler, /healthz answers 200, /readyz answers
// 503 "starting" (so a load balancer sends nothing yet), and every other
// request waits, then is served; if the service cannot start it is
// answered 503. A client that gives up while waiting is simply dropped.
type warmup struct {
	ready, failed chan struct{}
	once          sync.Once
	h             http.Handler // set before ready is closed
}

func newWarmup() *warmup {
	return &warmup{ready: make(chan struct{}), failed: make(chan struct{})}
}

// serve hands every request, waiting or to come, to h.
func (w *warmup) serve(h http.Handler) {
	w.h = h
	close(w.ready)
}

// fail answers waiting and later requests 503: the service did not start.
func (w *warmup) fail() { w.once.Do(func() { close(w.failed) }) }

func (w *warmup) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	select {
	case <-w.ready:
		w.h.ServeHTTP(rw, r)
		return
	default:
	}
	switch r.URL.Path {
	case "/healthz":
		http.Error(rw, "ok", http.StatusOK)
		return
	case "/readyz":
		http.Error(rw, "starting", http.StatusServiceUnavailable)
		return
	}
	select {
	case <-w.ready:
		w.h.ServeHTTP(rw, r)
	case <-w.failed:
		rw.Header().Set("Retry-After", "5")
		http.Error(rw, "The service could not start. Please try again in a few minutes.", http.StatusServiceUnavailable)
	case <-r.Context().Done():
	}
}

func displayAddr(a string) string {
	if strings.HasPrefix(a, "[::]:") {
		return "localhost:" + strings.TrimPrefix(a, "[::]:")
	}
	if strings.HasPrefix(a, "0.0.0.0:") {
		return "localhost:" + strings.TrimPrefix(a, "0.0.0.0:")
	}
	return a
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore starts the embedded engine when no URI is set, then connects.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, func(), error) {
	uri, embedded := cfg.MongoURI, false
	var srv *embeddb.Server
	if uri == "" {
		var err error
		srv, err = embeddb.Start(ctx, cfg.DataDir, log)
		if err != nil {
			return nil, nil, err
		}
		uri, embedded = srv.URI(), true
		log.Info("embedded database started", "data", cfg.DataDir)
	}
	opts := store.Options{URI: uri, DBName: cfg.DBName, Embedded: embedded, Logger: log}
	if srv != nil {
		opts.Prepare, opts.Scan = srv.IndexIDs, srv.ScanDocuments
	}
	st, err := store.Open(ctx, opts)
	if err != nil {
		if srv != nil {
			srv.Close()
		}
		return nil, nil, err
	}
	return st, func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = st.Close(cctx)
		if srv != nil {
			srv.Close()
		}
	}, nil
}

// purgeLoop deletes expired sessions, old sign-in failures and idempotency
// records: the engine has no TTL indexes.
func purgeLoop(ctx context.Context, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		now := time.Now().UTC()
		if _, err := st.PurgeSessions(ctx, now, now.Add(-auth.IdleTimeout)); err != nil && ctx.Err() == nil {
			log.Warn("purge sessions", "err", err)
		}
		if _, err := st.PurgeSignInFailures(ctx, now.Add(-time.Hour)); err != nil && ctx.Err() == nil {
			log.Warn("purge sign-in failures", "err", err)
		}
		if _, err := st.PurgeIdempotency(ctx, now.Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
			log.Warn("purge idempotency keys", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// accountLoop finishes account deletions that were interrupted (at start,
// then every 10 minutes) and deletes expired reset and verification links.
func accountLoop(ctx context.Context, a *app.App, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if err := a.ResumeAccountDeletions(ctx); err != nil && ctx.Err() == nil {
			log.Warn("finish account deletions", "err", err)
		}
		if _, err := a.Store.PurgeAccountTokens(ctx, time.Now().UTC()); err != nil && ctx.Err() == nil {
			log.Warn("purge account links", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// userAdd creates an account on a stopped server: cocreate user add --email … --name … --roles …; password on stdin.
func userAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cocreate user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "e-mail address (required)")
	name := fs.String("name", "", "full name (required)")
	org := fs.String("organization", "Open Government Programme", "organisation")
	sector := fs.String("sector", "government", "sector")
	roles := fs.String("roles", "coordinator,chair", "comma-separated roles")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *email == "" || *name == "" {
		return errors.New("user add needs --email and --name; the password is read from standard input")
	}
	cfg, err := config.Load(nil, getenv, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, "Password (at least 10 characters), then Enter:")
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return errors.New("no password on standard input")
	}
	pw := strings.TrimRight(line, "\r\n")
	a, closeDB, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	var rl []string
	for _, r := range strings.Split(*roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			rl = append(rl, r)
		}
	}
	u, err := a.CreateMember(ctx, app.NewMember{Email: *email, Name: *name, Organization: *org, Sector: *sector,
		Roles: rl, Password: pw})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created %s <%s> with roles %s\n", u.Name, u.Email, strings.Join(u.Roles, ", "))
	return nil
}

// openAppFromEnv opens the app of a command for a stopped server, with
// the server's database settings from the environment.
func openAppFromEnv(ctx context.Context, getenv func(string) string, stderr io.Writer) (*app.App, func(), error) {
	cfg, err := config.Load(nil, getenv, stderr)
	if err != nil {
		return nil, nil, err
	}
	return openApp(ctx, cfg)
}

// openApp opens the database (starting the embedded engine when no URI is
// set) for a command run while the server is stopped.
func openApp(ctx context.Context, cfg config.Config) (*app.App, func(), error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, closeDB, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	return app.New(st, auth.Hasher{MemoryKiB: cfg.PasswordMemoryKiB, Time: 2}, time.Now, log), closeDB, nil
}
