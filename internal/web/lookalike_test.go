package web

import (
	"net/http"
	"testing"
)

// TestLookAlikeAddresses registers addresses that look like an existing
// one: compatibility forms and invisible characters are the same address
// (so taken), and mixed scripts or invisible characters that do not
// normalise away are refused.
func TestLookAlikeAddresses(t *testing.T) {
	ts := newTestServer(t)
	if r := ts.api("POST", "/api/v1/register", "", registration("coordinator@example.org")); r.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.Status, r.Raw)
	}
	for _, tc := range []struct{ email, code string }{
		{"ｃoordinator@example.org", "duplicate"},              // fullwidth c
		{"coordinator@example.org\u200b", "duplicate"},        // trailing zero-width space
		{"coor\u200ddinator@example.org", "duplicate"},        // zero-width joiner inside
		{"COORDINATOR@ＥＸＡＭＰＬＥ.ORG", "duplicate"},              // fullwidth domain
		{"\u0441oordinator@example.org", "validation_failed"}, // Cyrillic с
		{"coordinator@ex\u0430mple.org", "validation_failed"}, // Cyrillic а in the domain
		{"coord\u00a0inator@example.org", "validation_failed"},
	} {
		r := ts.api("POST", "/api/v1/register", "", registration(tc.email))
		if r.errCode() != tc.code {
			t.Errorf("%q: %d %s, want %s", tc.email, r.Status, r.Raw, tc.code)
		}
	}
	// One script throughout is an address like any other.
	if r := ts.api("POST", "/api/v1/register", "", registration("josé@example.org")); r.Status != http.StatusCreated {
		t.Errorf("a Latin address with an accent: %d %s", r.Status, r.Raw)
	}
	if r := ts.api("POST", "/api/v1/register", "", registration("пример@пример.рф")); r.Status != http.StatusCreated {
		t.Errorf("an all-Cyrillic address: %d %s", r.Status, r.Raw)
	}
}
