package main

import (
	"context"
	"io"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/demo"
)

// seedDemo seeds the demo data (-demo) when the database has no call yet;
// on a database with a call it says so and leaves it alone.
func seedDemo(ctx context.Context, a *app.App, out io.Writer) error {
	seeded, err := demo.Seed(ctx, a, time.Now(), out)
	if err != nil {
		return err
	}
	if !seeded {
		io.WriteString(out, "Demo data not added: the database already has a call.\n")
	}
	return nil
}
