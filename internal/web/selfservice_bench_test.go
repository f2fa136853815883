package web

import (
	"testing"
)

// BenchmarkForgotPassword answers reset requests for an address with an
// account and for one without, through the API on the embedded engine.
// The two should cost alike: that is what keeps the answer's timing from
// telling who has an account (docs/performance.md).
func BenchmarkForgotPassword(b *testing.B) {
	ts := newTestServer(b)
	ts.app.Resets.PerEmail, ts.app.Resets.PerAddr = 1<<30, 1<<30 // measure the work, not the throttle
	u, _ := ts.user("Bench Known", "Org", "media")
	for _, c := range []struct{ name, email string }{{"known", u.Email}, {"unknown", "nobody.bench@example.org"}} {
		b.Run(c.name, func(b *testing.B) {
			body := map[string]any{"email": c.email}
			for b.Loop() {
				if r := ts.api("POST", "/api/v1/password/forgot", "", body); r.Status != 202 {
					b.Fatalf("%d %s", r.Status, r.Raw)
				}
			}
		})
	}
}
