// Command load drives the real cocreate server over HTTP on loopback with
// a deadline rush and the faults the service promises to survive: kill -9
// in the middle of the rush and of the committee's work, clients that give
// up mid-request, the database becoming unreachable (MONGODB_URI, through a
// TCP proxy of its own), and a full disk under the data directory. It
// builds ./cmd/cocreate into a temporary directory and runs it as a child
// process with its own data directory, checks every promise (see
// docs/reliability.md), prints the figures, and exits 1 when any promise
// is broken, saying which.
//
//	go run ./scripts/load -short           # what CI runs: a few minutes
//	go run ./scripts/load                  # 200 participants, 2,000 notes
//	scripts/load.sh [-short]               # the same, with FerretDB on PostgreSQL for the database cut
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// config is one run's size and what it includes.
type config struct {
	short        bool
	participants int
	notes        int
	reviewers    int
	impatient    float64
	mongoURI     string
	keep         bool
	skipRush     bool
}

func main() {
	var c config
	flag.BoolVar(&c.short, "short", false, "the CI run: 40 participants, 400 notes (each size flag still wins)")
	flag.IntVar(&c.participants, "participants", 0, "concurrent participants in the rush (default 200, -short 40)")
	flag.IntVar(&c.notes, "notes", 0, "notes submitted in the rush in total (default 2000, -short 400)")
	flag.IntVar(&c.reviewers, "reviewers", 0, "committee reviewers (default 10, -short 6)")
	flag.Float64Var(&c.impatient, "impatient", 0.2, "share of the rush's clients that give up on some requests mid-way")
	flag.StringVar(&c.mongoURI, "mongodb-uri", os.Getenv("LOAD_MONGODB_URI"),
		"a MongoDB (or FerretDB) for the database-cut scenario (env LOAD_MONGODB_URI; scripts/load.sh sets it); empty skips it")
	flag.BoolVar(&c.keep, "keep", false, "keep the temporary directory (binary, data, server logs)")
	flag.BoolVar(&c.skipRush, "skip-rush", false, "run only the disk-full and database-cut scenarios")
	flag.Parse()
	def := func(v *int, full, short int) {
		if *v == 0 {
			*v = full
			if c.short {
				*v = short
			}
		}
	}
	def(&c.participants, 200, 40)
	def(&c.notes, 2000, 400)
	def(&c.reviewers, 10, 6)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, c))
}

// report gathers the run's figures and broken promises.
type report struct {
	mu       sync.Mutex
	failures []string
}

func (r *report) fail(scenario string, problems ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range problems {
		r.failures = append(r.failures, scenario+": "+p)
	}
}

func say(format string, args ...any) {
	fmt.Printf("load: "+format+"\n", args...)
}

func run(ctx context.Context, c config) int {
	tmp, err := os.MkdirTemp("", "cocreate-load-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		return 1
	}
	if c.keep {
		say("keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	say("machine: %d CPUs (%s), %s, load average %s", runtime.NumCPU(), cpuModel(), runtime.Version(), loadAvg())
	start := time.Now()
	bin, err := buildServer(ctx, tmp)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		return 1
	}
	say("built ./cmd/cocreate in %s", time.Since(start).Round(time.Millisecond))
	rep := &report{}
	if !c.skipRush {
		if err := rushAndCrash(ctx, c, bin, tmp, rep); err != nil {
			rep.fail("rush", err.Error())
		}
	}
	if err := diskFull(ctx, bin, tmp, rep); err != nil {
		rep.fail("disk full", err.Error())
	}
	if err := databaseCut(ctx, c, bin, tmp, rep); err != nil {
		rep.fail("database cut", err.Error())
	}
	say("finished in %s", time.Since(start).Round(time.Second))
	if len(rep.failures) > 0 {
		fmt.Printf("load: FAIL: %d broken promises (server logs in %s; -keep keeps them):\n%s", len(rep.failures), tmp,
			listProblems(rep.failures, 60))
		return 1
	}
	say("PASS: every promise held")
	return 0
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// dataDir is a fresh data directory under tmp.
func dataDir(tmp, name string) (string, error) {
	d := filepath.Join(tmp, name)
	return d, os.MkdirAll(d, 0o755)
}
