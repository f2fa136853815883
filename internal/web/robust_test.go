package web

import (
	"net/url"
	"strings"
	"testing"
)

// TestNoRouteAnswers500ToUnknownOrMalformedInput walks every route of the
// table as a coordinator-chair and as a participant, with ids that do not
// exist or are malformed, and with empty forms and bodies: every answer must
// be a clear 4xx (or a page), never a 500.
func TestNoRouteAnswers500ToUnknownOrMalformedInput(t *testing.T) {
	ts := newTestServer(t)
	lead, leadTok := ts.user("Lead Person", "Ministry", "government", "coordinator", "chair", "reviewer")
	part, partTok := ts.user("Part Person", "Group", "civil_society", "participant")
	checked := 0
	ids := []string{"000000000000000000000000", "nope", "%24gt", "a%2Fb", strings.Repeat("x", 300)}
	for _, who := range []struct {
		email, token string
	}{{lead.Email, leadTok}, {part.Email, partTok}} {
		b := ts.browser()
		b.signIn(who.email, "a long enough password")
		csrf := b.csrf("/")
		h, _ := newHandler(Deps{App: ts.app})
		for _, r := range h.table() {
			if r.path == "/logout" || r.path == "/api/v1/logout" {
				continue
			}
			for _, id := range ids {
				path := r.path
				for _, p := range []string{":id", ":call_id", ":slug"} {
					path = strings.ReplaceAll(path, p, id)
				}
				var status int
				switch {
				case strings.HasPrefix(path, "/api/"):
					status = ts.api(r.method, path+"?page=0&per_page=x", who.token, "{}").Status
				case r.method == "GET":
					status = b.get(path + "?call=" + id + "&page=-1&sort=zz").Status
				default:
					status = b.post(path, url.Values{"csrf_token": {csrf}, "version": {"x"}}).Status
				}
				checked++
				if status >= 500 {
					t.Errorf("%s %s as %s: %d", r.method, path, who.email, status)
				}
			}
		}
	}
	if checked < 500 {
		t.Fatalf("only %d requests were made: the route table was not walked", checked)
	}
}
