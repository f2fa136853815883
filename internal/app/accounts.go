package app

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"

	"cocreate/internal/apperr"
	"cocreate/internal/auth"
	"cocreate/internal/enum"
	"cocreate/internal/store"
)

// ErrThrottled means too many failed sign-ins (or What, when set: too many
// reset requests); RetryAfter says how long to wait.
type ErrThrottled struct {
	RetryAfter time.Duration
	What       string
}

func (e *ErrThrottled) Error() string {
	what := e.What
	if what == "" {
		what = "failed sign-ins"
	}
	return fmt.Sprintf("Too many %s. Try again in %d minutes.", what, int(e.RetryAfter.Minutes())+1)
}

// Registration is what a participant gives to register.
type Registration struct {
	Email        string `json:"email"`
	Password     string `json:"password"`
	Name         string `json:"name"`
	Organization string `json:"organization"`
	Sector       string `json:"sector"`
	District     string `json:"district"`
	Phone        string `json:"phone"`
}

// validEmail accepts a normalised address (store.NormalizeEmail) that
// parses as one plain address, has only visible characters, and whose
// letters all come from one script: "сoordinator@example.org" with a
// Cyrillic "с" would otherwise pass for another person's address.
func validEmail(e string) bool {
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 || !strings.Contains(e, "@") {
		return false
	}
	script := ""
	for _, r := range e {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return false
		}
		if !unicode.IsLetter(r) {
			continue
		}
		s := scriptOf(r)
		if script == "" {
			script = s
		} else if s != script {
			return false
		}
	}
	return true
}

// scriptOf names the Unicode script of a letter ("" when none claims it).
func scriptOf(r rune) string {
	if r < 0x80 {
		return "Latin"
	}
	for name, t := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(t, r) {
			return name
		}
	}
	return ""
}

func checkText(errs apperr.Fields, key, label, v string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(v) == "":
		errs[key] = "Enter your " + label
	case len([]rune(v)) > max:
		errs[key] = fmt.Sprintf("%s must be %d characters or fewer", strings.ToUpper(label[:1])+label[1:], max)
	}
}

// Register creates a participant account.
func (a *App) Register(ctx context.Context, r Registration) (*store.User, error) {
	r.Email = store.NormalizeEmail(r.Email)
	errs := apperr.Fields{}
	if !validEmail(r.Email) {
		errs["email"] = "Enter an e-mail address in the correct format, like name@example.org"
	}
	if msg := auth.ValidatePassword(r.Password); msg != "" {
		errs["password"] = msg
	}
	checkText(errs, "name", "name", r.Name, true, 120)
	checkText(errs, "organization", "organisation", r.Organization, true, 160)
	checkText(errs, "phone", "phone number", r.Phone, false, 40)
	if !enum.Sectors.Has(r.Sector) {
		errs["sector"] = "Choose your sector from the list"
	}
	if !enum.Districts.Has(r.District) {
		errs["district"] = "Choose your district from the list"
	}
	if len(errs) > 0 {
		return nil, errs
	}
	hash, err := a.Hasher.Hash(r.Password)
	if err != nil {
		return nil, err
	}
	u := &store.User{Email: r.Email, Name: strings.TrimSpace(r.Name), Organization: strings.TrimSpace(r.Organization),
		Sector: r.Sector, District: r.District, Phone: strings.TrimSpace(r.Phone),
		Roles: []string{"participant"}, PasswordHash: hash, Unverified: true}
	if err := a.Store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, apperr.ErrDuplicate) {
			return nil, &apperr.Conflict{Code: "duplicate", Message: "An account with this e-mail address already exists. Sign in instead.",
				Extra: map[string]any{"fields": map[string]string{"email": "An account with this e-mail address already exists"}}}
		}
		return nil, err
	}
	// The account exists: a verification link that fails to go out can be
	// asked for again from the account page.
	if err := a.sendVerification(ctx, u, u.Email); err != nil {
		a.Log.Error("send the verification link", "user", u.ID, "err", err)
	}
	return u, nil
}

// SignIn checks the credentials from addr, throttling failures. Wrong e-mail
// and wrong password answer alike, so the answer does not reveal accounts.
func (a *App) SignIn(ctx context.Context, email, password, addr string) (*store.User, error) {
	wait, err := a.Throttle.Blocked(ctx, email, addr)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		return nil, &ErrThrottled{RetryAfter: wait}
	}
	u, err := a.Store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	// Always spend the time one check takes, so timing reveals neither
	// whether an account exists nor whether it is disabled.
	hash := dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	if ok := auth.Check(hash, password); u == nil || u.Disabled || u.DeletedAt != nil || !ok {
		if err := a.Throttle.Failed(ctx, email, addr); err != nil {
			return nil, err
		}
		id := ""
		if u != nil {
			id = u.ID
		}
		a.record(WithClientIP(ctx, addr), EventSignInFailed, id, id, map[string]string{"email": store.NormalizeEmail(email)})
		return nil, apperr.Say(apperr.ErrUnauthenticated, "The e-mail address or password is not right.")
	}
	if err := a.Throttle.Succeeded(ctx, email); err != nil {
		return nil, err
	}
	a.record(WithClientIP(ctx, addr), EventSignIn, u.ID, u.ID, nil)
	return u, nil
}

var dummyHash, _ = auth.Hasher{MemoryKiB: 19 * 1024, Time: 2}.Hash("not a real password")

// NewMember is what a coordinator gives to create an account.
type NewMember struct {
	Email        string   `json:"email"`
	Name         string   `json:"name"`
	Organization string   `json:"organization"`
	Sector       string   `json:"sector"`
	District     string   `json:"district"`
	Roles        []string `json:"roles"`
	Password     string   `json:"password"`
}

func validRoles(errs apperr.Fields, roles []string) []string {
	if len(roles) == 0 {
		errs["roles"] = "Choose at least one role"
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range roles {
		if !enum.Roles.Has(r) {
			errs["roles"] = fmt.Sprintf("%q is not a role: choose from participant, reviewer, chair, coordinator", r)
			return nil
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// CreateMember creates an account with the given roles (a coordinator's action).
// Without a password the account cannot sign in until one is set.
func (a *App) CreateMember(ctx context.Context, m NewMember) (*store.User, error) {
	m.Email = store.NormalizeEmail(m.Email)
	errs := apperr.Fields{}
	if !validEmail(m.Email) {
		errs["email"] = "Enter an e-mail address in the correct format, like name@example.org"
	}
	checkText(errs, "name", "name", m.Name, true, 120)
	checkText(errs, "organization", "organisation", m.Organization, true, 160)
	if !enum.Sectors.Has(m.Sector) {
		errs["sector"] = "Choose a sector from the list"
	}
	if m.District == "" {
		m.District = "belize"
	}
	if !enum.Districts.Has(m.District) {
		errs["district"] = "Choose a district from the list"
	}
	roles := validRoles(errs, m.Roles)
	hash := "!" // no password set: nothing matches
	if m.Password != "" {
		if msg := auth.ValidatePassword(m.Password); msg != "" {
			errs["password"] = msg
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if m.Password != "" {
		h, err := a.Hasher.Hash(m.Password)
		if err != nil {
			return nil, err
		}
		hash = h
	}
	u := &store.User{Email: m.Email, Name: strings.TrimSpace(m.Name), Organization: strings.TrimSpace(m.Organization),
		Sector: m.Sector, District: m.District, Roles: roles, PasswordHash: hash}
	if err := a.Store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, apperr.ErrDuplicate) {
			return nil, &apperr.Conflict{Code: "duplicate", Message: "An account with this e-mail address already exists.",
				Extra: map[string]any{"fields": map[string]string{"email": "An account with this e-mail address already exists"}}}
		}
		return nil, err
	}
	return u, nil
}

// MemberPatch is a coordinator's change to an account; nil fields stay.
type MemberPatch struct {
	Roles        *[]string `json:"roles"`
	Name         *string   `json:"name"`
	Organization *string   `json:"organization"`
	Sector       *string   `json:"sector"`
	District     *string   `json:"district"`
	Disabled     *bool     `json:"disabled"`
}

// UpdateMember applies a coordinator's change. A coordinator cannot remove
// their own coordinator role or disable themselves, so a call never loses its last administrator by accident.
func (a *App) UpdateMember(ctx context.Context, by *store.User, id string, p MemberPatch) (*store.User, error) {
	errs := apperr.Fields{}
	var sp store.UserPatch
	if p.Roles != nil {
		sp.Roles = validRoles(errs, *p.Roles)
		if id == by.ID && sp.Roles != nil && !(&store.User{Roles: sp.Roles}).Has("coordinator") {
			errs["roles"] = "You cannot remove your own coordinator role"
		}
	}
	if p.Name != nil {
		checkText(errs, "name", "name", *p.Name, true, 120)
		v := strings.TrimSpace(*p.Name)
		sp.Name = &v
	}
	if p.Organization != nil {
		checkText(errs, "organization", "organisation", *p.Organization, true, 160)
		v := strings.TrimSpace(*p.Organization)
		sp.Organization = &v
	}
	if p.Sector != nil {
		if !enum.Sectors.Has(*p.Sector) {
			errs["sector"] = "Choose a sector from the list"
		}
		sp.Sector = p.Sector
	}
	if p.District != nil {
		if !enum.Districts.Has(*p.District) {
			errs["district"] = "Choose a district from the list"
		}
		sp.District = p.District
	}
	if p.Disabled != nil {
		if id == by.ID && *p.Disabled {
			errs["disabled"] = "You cannot disable your own account"
		}
		sp.Disabled = p.Disabled
	}
	if len(errs) > 0 {
		return nil, errs
	}
	old, err := a.Store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	u, err := a.Store.UpdateUser(ctx, id, sp)
	if err != nil {
		return nil, err
	}
	if sp.Roles != nil && strings.Join(sp.Roles, ",") != strings.Join(old.Roles, ",") {
		a.record(ctx, EventRolesChanged, id, by.ID, map[string]string{"from": strings.Join(old.Roles, ","), "to": strings.Join(sp.Roles, ",")})
	}
	if sp.Disabled != nil && *sp.Disabled != old.Disabled {
		ev := EventAccountEnabled
		if *sp.Disabled {
			ev = EventAccountDisabled
		}
		a.record(ctx, ev, id, by.ID, nil)
	}
	if sp.Organization != nil && *sp.Organization != old.Organization {
		a.record(ctx, EventOrganizationChanged, id, by.ID, map[string]string{"from": old.Organization, "to": *sp.Organization})
	}
	return u, nil
}

// EnsureAdmin makes sure an account with email exists holding coordinator and
// chair. It creates it with password when missing; an existing account gains
// the roles but keeps its password.
func (a *App) EnsureAdmin(ctx context.Context, email, password string) (*store.User, bool, error) {
	u, err := a.Store.UserByEmail(ctx, email)
	if errors.Is(err, apperr.ErrNotFound) {
		u, err = a.CreateMember(ctx, NewMember{Email: email, Name: "Coordinator", Organization: "Open Government Programme",
			Sector: "government", Roles: []string{"participant", "coordinator", "chair"}, Password: password})
		if err != nil {
			return nil, false, fmt.Errorf("create the first coordinator %s: %w", email, err)
		}
		return u, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	roles := append([]string(nil), u.Roles...)
	for _, r := range []string{"coordinator", "chair"} {
		if !u.Has(r) {
			roles = append(roles, r)
		}
	}
	if len(roles) == len(u.Roles) {
		return u, false, nil
	}
	u, err = a.Store.UpdateUser(ctx, u.ID, store.UserPatch{Roles: roles})
	return u, false, err
}
