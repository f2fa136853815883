// Command ferretpg is a test and CI helper, not part of the service: it runs
// FerretDB 1.24 with its PostgreSQL handler, through FerretDB's embeddable
// package (FerretDB's own command panics on a missing version file), behind
// a wire-protocol proxy (internal/wireproxy) that runs writes to any one
// collection one at a time. That gives the single-document atomicity MongoDB
// guarantees and FerretDB lacks, so the suite can run the MONGODB_URI code
// path for real without a MongoDB server (scripts/test-mongo.sh).
//
//	ferretpg -listen 127.0.0.1:27017 -postgresql-url 'postgres://user@127.0.0.1:5432/ferretdb?pool_max_conns=400'
//
// It serves until SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"

	"cocreate/internal/wireproxy"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ferretpg:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:27017", "address the proxy listens on (what clients connect to)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL connection string for FerretDB (set pool_max_conns above the clients' total pool size)")
	backendFlag := flag.String("backend", "", "loopback address FerretDB itself listens on, without the proxy (default: a free port); only tests of the proxy should connect there")
	logLevel := flag.String("log-level", "error", "FerretDB's log level: debug, info, warn or error")
	flag.Parse()
	if *pgURL == "" {
		return errors.New("-postgresql-url is required")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// FerretDB listens on a loopback port of its own, for the proxy.
	backend := *backendFlag
	if backend == "" {
		var err error
		if backend, err = freeAddr(); err != nil {
			return err
		}
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: backend},
		Handler:       "postgresql",
		PostgreSQLURL: *pgURL,
		Logger:        log,
	})
	if err != nil {
		return fmt.Errorf("start FerretDB: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fdone := make(chan struct{})
	go func() {
		defer close(fdone)
		_ = f.Run(ctx)
	}()
	if err := waitListening(backend, 10*time.Second); err != nil {
		return fmt.Errorf("FerretDB did not start: %w", err)
	}

	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	p := wireproxy.New(backend, log)
	pdone := make(chan error, 1)
	go func() { pdone <- p.Serve(l) }()
	fmt.Fprintf(os.Stderr, "ferretpg: serving mongodb://%s/ (FerretDB %s on PostgreSQL, writes serialised per collection)\n",
		l.Addr(), backend)

	select {
	case <-ctx.Done():
	case err := <-pdone:
		if err != nil {
			return err
		}
	}
	l.Close()
	p.Close()
	stop()
	<-fdone
	return nil
}

// freeAddr returns a loopback address with a port nothing listens on.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitListening waits until addr accepts TCP connections.
func waitListening(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
