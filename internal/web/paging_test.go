package web

import (
	"strings"
	"testing"
)

// TestPagingOutOfRange sends page numbers that once overflowed page ×
// per_page (a panic, answered 500): the API refuses them with 400, pages
// clamp them.
func TestPagingOutOfRange(t *testing.T) {
	ts := newTestServer(t)
	lead, coord := ts.user("Cora", "Ministry", "government", "coordinator", "chair")
	callID := ts.makeCall("paging", nil)
	_, owner := ts.user("Pat", "Group", "civil_society", "participant")
	id, _ := ts.submitted(callID, owner)
	huge := []string{"9223372036854775807", "9223372036854775808", "100001", "-1", "0", "x"}
	for _, p := range huge {
		for _, path := range []string{"/api/v1/notes?page=" + p, "/api/v1/users?page=" + p, "/api/v1/notes/" + id + "/comments?page=" + p,
			"/api/v1/notes?per_page=200&page=" + p, "/api/v1/users?per_page=" + p} {
			if r := ts.api("GET", path, coord, nil); r.Status != 400 || r.errCode() != "bad_request" {
				t.Errorf("%s: %d %s", path, r.Status, r.Raw)
			}
		}
	}
	b := ts.browser()
	b.signIn(lead.Email, "a long enough password")
	for _, p := range huge {
		for _, path := range []string{"/committee?page=" + p, "/admin/users?page=" + p + "&per_page=" + p,
			"/admin/calls/" + callID + "/assignments?page=" + p} {
			if r := b.get(path); r.Status != 200 || strings.Contains(r.Body, "Something went wrong") {
				t.Errorf("%s: %d", path, r.Status)
			}
		}
	}
}
