package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/demo"
)

// seedDemo seeds the demo data (-demo) when the database has no call yet;
// on a database with a call it says so and leaves it alone. With admin (the
// COCREATE_ADMIN_EMAIL account) it says how that account differs from the demo ones.
func seedDemo(ctx context.Context, a *app.App, out io.Writer, admin string) error {
	seeded, err := demo.Seed(ctx, a, time.Now(), out)
	if err != nil {
		return err
	}
	if !seeded {
		io.WriteString(out, "Demo data not added: the database already has a call.\n")
	}
	if admin != "" {
		fmt.Fprintf(out, "Your own account %s (COCREATE_ADMIN_EMAIL) is a coordinator and chair with no notes of its own:\n"+
			"use it to run calls and manage people. The demo accounts show each role with work waiting.\n", admin)
	}
	return nil
}
