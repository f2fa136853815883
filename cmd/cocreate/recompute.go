package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"cocreate/internal/store"
)

// recompute rebuilds every score and summary of one call from its submitted
// reviews, on a stopped server: cocreate recompute --call <slug or id>.
// Running it twice changes nothing the second time.
func recompute(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cocreate recompute", flag.ContinueOnError)
	fs.SetOutput(stderr)
	key := fs.String("call", "", "the call's slug or id (required)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *key == "" {
		return errors.New("recompute needs --call with the call's slug or id")
	}
	a, closeDB, err := openAppFromEnv(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	c, err := a.CallByKey(ctx, *key)
	if store.IsNotFound(err) {
		return fmt.Errorf("no call has the slug or id %q", *key)
	}
	if err != nil {
		return err
	}
	res, err := a.RecomputeCall(ctx, c.ID, true)
	if err != nil {
		return fmt.Errorf("recompute %s: %w", c.Slug, err)
	}
	fmt.Fprintf(stdout, "Recomputed %s: %d notes, %d submitted reviews counted, %d scores changed, %d review states repaired; summaries rebuilt.\n",
		c.Slug, res.Notes, res.Reviews, res.Written, res.Repaired)
	return nil
}
