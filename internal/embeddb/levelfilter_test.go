package embeddb

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestLevelFilterAppliesAttributesWhenItLogs checks that a record at the
// filter's level carries the attributes and groups of the loggers it came
// through, in order, and that lower records are dropped.
func TestLevelFilterAppliesAttributesWhenItLogs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(levelFilter{h: slog.NewTextHandler(&buf, nil), min: slog.LevelError})
	op := log.With("conn", 7).WithGroup("op").With("name", "update")
	op.Info("not shown")
	if buf.Len() != 0 {
		t.Fatalf("a record below the level was logged: %s", buf.String())
	}
	op.Error("failed", "code", 2)
	got := buf.String()
	for _, want := range []string{"conn=7", "op.name=update", "op.code=2", "msg=failed"} {
		if !strings.Contains(got, want) {
			t.Errorf("the record lacks %s: %s", want, got)
		}
	}
}
