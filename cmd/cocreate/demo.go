package main

import (
	"context"
	"io"

	"cocreate/internal/app"
)

// seedDemo is replaced when demo data lands (issue: participant journey).
func seedDemo(ctx context.Context, a *app.App, out io.Writer) error { return nil }
