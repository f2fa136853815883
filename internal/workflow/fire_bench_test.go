package workflow

import (
	"context"
	"testing"
)

// BenchmarkFire measures one guarded transition on a fresh FSM (what every
// action pays before its write). Run: go test -bench . -run '^$' ./internal/workflow/
func BenchmarkFire(b *testing.B) {
	ctx := context.Background()
	owner := Actor{Roles: []string{"participant"}, IsOwner: true}
	for b.Loop() {
		if _, err := Fire(ctx, Draft, Submit, owner, allOK); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCan measures one "may this button show" question on a fresh FSM.
func BenchmarkCan(b *testing.B) {
	for b.Loop() {
		if !Can(Submitted, ScreenPass) {
			b.Fatal("cannot")
		}
	}
}
