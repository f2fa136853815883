package app

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
)

// MaxPeopleQuery is the longest search the People page takes, in characters.
const MaxPeopleQuery = 200

// CheckPeopleQuery returns the message for a search the People page cannot
// run ("" when q is fine): too long, or not valid text.
func CheckPeopleQuery(q string) string {
	switch {
	case !utf8.ValidString(q):
		return "The search has characters that cannot be read: type it again"
	case utf8.RuneCountInString(q) > MaxPeopleQuery:
		return "Search for at most 200 characters: a name, an e-mail address or an organisation"
	}
	return ""
}

// SearchUsers returns one page of the accounts holding role ("" for any)
// whose name, e-mail address or organisation contains every word of q (any
// case), by name, and how many match. An empty q is ListUsers. The match is
// made in Go over the role's accounts: on the embedded engine a filter on
// these fields would scan and decode every account anyway, and Go's
// matching needs no escaping of what people type.
func (a *App) SearchUsers(ctx context.Context, role, q string, page, perPage int) ([]*store.User, int64, error) {
	if msg := CheckPeopleQuery(q); msg != "" {
		return nil, 0, apperr.Fields{"q": msg}
	}
	words := strings.Fields(strings.ToLower(q))
	if len(words) == 0 {
		return a.Store.ListUsers(ctx, role, page, perPage)
	}
	all, _, err := a.Store.ListUsers(ctx, role, 0, 0)
	if err != nil {
		return nil, 0, err
	}
	var match []*store.User
	for _, u := range all {
		hay := strings.ToLower(u.Name + "\x00" + u.Email + "\x00" + u.Organization)
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(hay, w)
		}
		if ok {
			match = append(match, u)
		}
	}
	slices.SortFunc(match, func(x, y *store.User) int { return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID)) })
	total := int64(len(match))
	if perPage > 0 {
		from := min(max(page-1, 0)*perPage, len(match))
		match = match[from:min(from+perPage, len(match))]
	}
	return match, total, nil
}
