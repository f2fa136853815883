package web

import (
	"net/url"
	"strings"
	"testing"
)

func TestSignInThroughThePageAndSeeUsers(t *testing.T) {
	ts := newTestServer(t)
	u, _ := ts.user("Ada Coordinator", "Ministry", "government", "coordinator")
	b := ts.browser()
	b.signIn(u.Email, "a long enough password")
	p := b.get("/admin/users")
	if p.Status != 200 || !strings.Contains(p.Body, "Ada Coordinator") {
		t.Fatalf("users page: %d\n%s", p.Status, p.Body)
	}
	// A form post without the CSRF token is refused.
	if p := b.post("/admin/users", url.Values{"email": {"x@example.org"}}); p.Status != 403 {
		t.Fatalf("post without csrf: %d", p.Status)
	}
}
