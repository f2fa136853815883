package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/auth"
	"cocreate/internal/enum"
	"cocreate/internal/store"
)

// Account self-service (issue 11): password reset, e-mail verification and
// change, profile and password changes, the personal-data export and
// account deletion. Every address typed in is read by the one rule of
// registration and sign-in (store.NormalizeEmail, then validEmail).

// How long the links sent by e-mail work.
const (
	ResetLinkLife  = time.Hour
	VerifyLinkLife = 48 * time.Hour
)

// Outbox events of self-service.
const (
	MsgPasswordReset = "password-reset"
	MsgVerifyEmail   = "verify-email"
	MsgEmailChanging = "email-changing"
	MsgModerated     = "moderated"
)

// ErrBadLink answers a reset or verification link that is unknown, used,
// expired or meant for something else: all alike, so the answer says
// nothing about which.
var ErrBadLink = &apperr.Invalid{Message: "This link does not work any more: it was used already, it has expired, or it was not copied whole. Ask for a new one.",
	Fields: map[string]string{"token": "This link does not work any more: ask for a new one"}}

// ErrEmailUnverified refuses a submission to a call that requires a
// verified e-mail address from an account that has not verified its own.
var ErrEmailUnverified = &apperr.Conflict{Code: "email_unverified",
	Message: "This call accepts concept notes only from accounts whose e-mail address is verified. Open the link we sent to your e-mail address, or ask for a new one, then submit again. Your draft is kept."}

// newLink makes a one-use link of kind for account userID ("" for an
// address without one: the link then works for nobody) proving email,
// stores its hash and returns the secret that goes in the message and the
// stored id.
func (a *App) newLink(ctx context.Context, kind, userID, email string, life time.Duration) (string, string, error) {
	secret := auth.NewSecret()
	now := a.Now().UTC().Truncate(time.Millisecond)
	t := &store.AccountToken{ID: auth.HashSecret(secret), Kind: kind, UserID: userID, Email: email, CreatedAt: now, ExpiresAt: now.Add(life)}
	if err := a.Store.CreateAccountToken(ctx, t); err != nil {
		return "", "", err
	}
	return secret, t.ID, nil
}

// readLink reads a one-use link of kind: ErrBadLink unless it is known, of that
// kind, unexpired and for an account that still exists and may sign in.
func (a *App) readLink(ctx context.Context, kind, secret string) (*store.AccountToken, *store.User, error) {
	if secret == "" || len(secret) > 200 {
		return nil, nil, ErrBadLink
	}
	t, err := a.Store.AccountTokenByID(ctx, auth.HashSecret(secret))
	if store.IsNotFound(err) {
		return nil, nil, ErrBadLink
	}
	if err != nil {
		return nil, nil, err
	}
	if t.Kind != kind || !a.Now().Before(t.ExpiresAt) || t.UserID == "" {
		return nil, nil, ErrBadLink
	}
	u, err := a.Store.UserByID(ctx, t.UserID)
	if store.IsNotFound(err) {
		return nil, nil, ErrBadLink
	}
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled || u.DeletedAt != nil || u.Deleting {
		return nil, nil, ErrBadLink
	}
	return t, u, nil
}

func emailField(email string) (string, error) {
	email = store.NormalizeEmail(email)
	if !validEmail(email) {
		return "", apperr.Fields{"email": "Enter an e-mail address in the correct format, like name@example.org"}
	}
	return email, nil
}

// ForgotPassword sends a reset link to the account of email, if there is
// one. The answer is the same either way, and so is the work: a link is
// stored and a message queued to the address in both cases (for an address
// without an active account the link belongs to nobody, and the message
// says that no account uses the address), so neither the answer nor its
// timing reveals who has an account. Requests are throttled per address
// and per client as sign-ins are.
func (a *App) ForgotPassword(ctx context.Context, email string) error {
	email, err := emailField(email)
	if err != nil {
		return err
	}
	addr := ClientIP(ctx)
	wait, err := a.Resets.Blocked(ctx, email, addr)
	if err != nil {
		return err
	}
	if wait > 0 {
		return &ErrThrottled{RetryAfter: wait, What: "password reset requests"}
	}
	if err := a.Resets.Failed(ctx, email, addr); err != nil {
		return err
	}
	u, err := a.Store.UserByEmail(ctx, email)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	active := u != nil && !u.Disabled && u.DeletedAt == nil && !u.Deleting
	to, userID := &store.User{Email: email}, ""
	if active {
		to, userID = u, u.ID
	}
	secret, id, err := a.newLink(ctx, store.TokenReset, userID, email, ResetLinkLife)
	if err != nil {
		return err
	}
	var body string
	if active {
		body = greeting(u) + "Someone, probably you, asked to reset the password of your account on the co-creation platform.\n\nTo choose a new password, open this link within one hour:\n" +
			a.link("/password/reset?token="+secret) + "\n\nThe link works once. Choosing a new password signs you out everywhere.\n\nIf you did not ask for this, ignore this message: your password stays as it is." + signOff
	} else {
		body = "Hello,\n\nSomeone, probably you, asked to reset the password of an account on the co-creation platform for this e-mail address, but no active account uses it.\n\nIf you meant to create an account, you can do so here:\n" +
			a.link("/register") + "\n\nIf you did not ask for this, ignore this message." + signOff
	}
	recipient := userID
	if recipient == "" {
		recipient = "nobody"
	}
	a.queue(ctx, MessageKey(MsgPasswordReset, recipient, id[:16]), to, "", "Reset your password", body)
	a.record(ctx, EventPasswordResetRequested, userID, userID, map[string]string{"email": email})
	return nil
}

// ResetPassword sets a new password through a reset link. The link is
// used up first, so it works once even when two requests race; a failure
// after that leaves the old password, and a new link can be asked for.
// Every session and token of the account is signed out, its other reset
// links stop working, and, since the link reached the address, the
// address counts as verified.
func (a *App) ResetPassword(ctx context.Context, secret, password string) error {
	addr := ClientIP(ctx)
	wait, err := a.Resets.Blocked(ctx, "", addr)
	if err != nil {
		return err
	}
	if wait > 0 {
		return &ErrThrottled{RetryAfter: wait, What: "password reset attempts"}
	}
	if msg := auth.ValidatePassword(password); msg != "" {
		return apperr.Fields{"password": msg}
	}
	t, u, err := a.readLink(ctx, store.TokenReset, secret)
	if err == nil && t.Email != u.Email {
		err = ErrBadLink // the account moved to another address since
	}
	if err != nil {
		if errors.Is(err, ErrBadLink) {
			_ = a.Resets.Failed(ctx, "", addr)
		}
		return err
	}
	won, err := a.Store.UseAccountToken(ctx, t.ID)
	if err != nil {
		return err
	}
	if !won {
		return ErrBadLink
	}
	hash, err := a.Hasher.Hash(password)
	if err != nil {
		return err
	}
	if _, err := a.Store.UpdateUser(ctx, u.ID, store.UserPatch{PasswordHash: &hash, Unverified: ptr(false)}); err != nil {
		return err
	}
	if err := a.Store.DeleteUserSessions(ctx, u.ID); err != nil {
		return err
	}
	a.record(ctx, EventPasswordReset, u.ID, u.ID, nil)
	if err := a.Store.DeleteAccountTokens(ctx, u.ID, store.TokenReset); err != nil {
		a.Log.Error("delete the other reset links", "user", u.ID, "err", err)
	}
	if err := a.Throttle.Succeeded(ctx, u.Email); err != nil {
		a.Log.Error("clear sign-in failures after a reset", "user", u.ID, "err", err)
	}
	return nil
}

// sendVerification queues a verification link for email (the account's
// address, or the one it asked to change to).
func (a *App) sendVerification(ctx context.Context, u *store.User, email string) error {
	secret, id, err := a.newLink(ctx, store.TokenVerify, u.ID, email, VerifyLinkLife)
	if err != nil {
		return err
	}
	body := greeting(u) + "Please confirm that this e-mail address is yours by opening this link within two days:\n" +
		a.link("/me/email/verify?token="+secret) + "\n\nUntil it is confirmed you can write drafts, but calls that require a verified address do not accept your submission." + signOff
	to := *u
	to.Email = email
	a.queue(ctx, MessageKey(MsgVerifyEmail, u.ID, id[:16]), &to, "", "Confirm your e-mail address", body)
	return nil
}

// ResendVerification sends a new verification link: to the address the
// account is changing to when there is one, else to its own unverified
// address. Resending is throttled as reset requests are.
func (a *App) ResendVerification(ctx context.Context, u *store.User) error {
	email := u.PendingEmail
	if email == "" {
		if u.EmailVerified() {
			return &apperr.Conflict{Code: "already_verified", Message: "Your e-mail address is verified already."}
		}
		email = u.Email
	}
	addr := ClientIP(ctx)
	wait, err := a.Resets.Blocked(ctx, email, addr)
	if err != nil {
		return err
	}
	if wait > 0 {
		return &ErrThrottled{RetryAfter: wait, What: "verification e-mails"}
	}
	if err := a.Resets.Failed(ctx, email, addr); err != nil {
		return err
	}
	return a.sendVerification(ctx, u, email)
}

// VerifyEmail uses a verification link. For the account's own address it
// marks it verified; for the address the account asked to change to it
// moves the account there (store.MoveEmail). The link is used up last, so
// a change interrupted half-way is finished by opening the link again.
func (a *App) VerifyEmail(ctx context.Context, secret string) (*store.User, error) {
	t, u, err := a.readLink(ctx, store.TokenVerify, secret)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Email == u.Email:
		if u, err = a.Store.UpdateUser(ctx, u.ID, store.UserPatch{Unverified: ptr(false)}); err != nil {
			return nil, err
		}
		a.record(ctx, EventEmailVerified, u.ID, u.ID, nil)
	case t.Email == u.PendingEmail:
		moved, err := a.Store.MoveEmail(ctx, u, t.Email)
		if errors.Is(err, apperr.ErrDuplicate) {
			return nil, &apperr.Conflict{Code: "duplicate", Message: "Another account uses this e-mail address now, so your address was not changed."}
		}
		if err != nil {
			return nil, err
		}
		u = moved
		a.record(ctx, EventEmailChanged, u.ID, u.ID, nil)
		if err := a.Store.DeleteAccountTokens(ctx, u.ID, store.TokenReset); err != nil {
			a.Log.Error("delete reset links of the old address", "user", u.ID, "err", err)
		}
	default:
		return nil, ErrBadLink // the change it was for was replaced or cancelled
	}
	if _, err := a.Store.UseAccountToken(ctx, t.ID); err != nil {
		a.Log.Error("use up a verification link", "user", u.ID, "err", err)
	}
	return u, nil
}

// checkPassword checks u's password, counting a wrong one as a failed
// sign-in (so guessing through these forms is throttled as sign-in is).
func (a *App) checkPassword(ctx context.Context, u *store.User, field, password string) error {
	addr := ClientIP(ctx)
	wait, err := a.Throttle.Blocked(ctx, u.Email, addr)
	if err != nil {
		return err
	}
	if wait > 0 {
		return &ErrThrottled{RetryAfter: wait}
	}
	if !auth.Check(u.PasswordHash, password) {
		if err := a.Throttle.Failed(ctx, u.Email, addr); err != nil {
			return err
		}
		return apperr.Fields{field: "Your current password is not right"}
	}
	return nil
}

// ProfilePatch is a person's change to their own profile; nil fields stay.
type ProfilePatch struct {
	Name         *string `json:"name"`
	Organization *string `json:"organization"`
	Sector       *string `json:"sector"`
	District     *string `json:"district"`
	Phone        *string `json:"phone"`
}

// UpdateProfile applies a person's change to their own profile. A change
// of organisation is recorded in the audit log with the old and new
// names, because assignment conflicts are decided by organisation.
func (a *App) UpdateProfile(ctx context.Context, u *store.User, p ProfilePatch) (*store.User, error) {
	errs := apperr.Fields{}
	var sp store.UserPatch
	trim := func(v *string) *string {
		if v == nil {
			return nil
		}
		t := strings.TrimSpace(*v)
		return &t
	}
	if p.Name != nil {
		checkText(errs, "name", "name", *p.Name, true, 120)
		sp.Name = trim(p.Name)
	}
	if p.Organization != nil {
		checkText(errs, "organization", "organisation", *p.Organization, true, 160)
		sp.Organization = trim(p.Organization)
	}
	if p.Phone != nil {
		checkText(errs, "phone", "phone number", *p.Phone, false, 40)
		sp.Phone = trim(p.Phone)
	}
	if p.Sector != nil {
		if !enum.Sectors.Has(*p.Sector) {
			errs["sector"] = "Choose your sector from the list"
		}
		sp.Sector = p.Sector
	}
	if p.District != nil {
		if !enum.Districts.Has(*p.District) {
			errs["district"] = "Choose your district from the list"
		}
		sp.District = p.District
	}
	if len(errs) > 0 {
		return nil, errs
	}
	out, err := a.Store.UpdateUser(ctx, u.ID, sp)
	if err != nil {
		return nil, err
	}
	if sp.Organization != nil && *sp.Organization != u.Organization {
		a.record(ctx, EventOrganizationChanged, u.ID, u.ID, map[string]string{"from": u.Organization, "to": *sp.Organization})
	}
	return out, nil
}

// ChangePassword sets a new password after checking the current one, and
// signs out every other session and token of the account (keep, the
// stored id of the caller's own, stays).
func (a *App) ChangePassword(ctx context.Context, u *store.User, keep, current, password string) error {
	if msg := auth.ValidatePassword(password); msg != "" {
		return apperr.Fields{"password": msg}
	}
	if err := a.checkPassword(ctx, u, "current", current); err != nil {
		return err
	}
	hash, err := a.Hasher.Hash(password)
	if err != nil {
		return err
	}
	if _, err := a.Store.UpdateUser(ctx, u.ID, store.UserPatch{PasswordHash: &hash}); err != nil {
		return err
	}
	if err := a.Store.DeleteOtherSessions(ctx, u.ID, keep); err != nil {
		return err
	}
	a.record(ctx, EventPasswordChanged, u.ID, u.ID, nil)
	return nil
}

// ChangeEmail asks to move the account to another address: it needs the
// password, and takes effect only once the link sent to the new address is
// opened (VerifyEmail). The old address is told. Until then the account
// keeps its address, and signs in with it.
func (a *App) ChangeEmail(ctx context.Context, u *store.User, email, password string) error {
	email, err := emailField(email)
	if err != nil {
		return err
	}
	if email == u.Email {
		return apperr.Fields{"email": "This is your e-mail address already"}
	}
	if err := a.checkPassword(ctx, u, "password", password); err != nil {
		return err
	}
	other, err := a.Store.UserByEmail(ctx, email)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	if other != nil && other.ID != u.ID {
		return apperr.Fields{"email": "Another account uses this e-mail address"}
	}
	if u, err = a.Store.UpdateUser(ctx, u.ID, store.UserPatch{PendingEmail: &email}); err != nil {
		return err
	}
	if err := a.sendVerification(ctx, u, email); err != nil {
		return err
	}
	body := greeting(u) + "Someone signed in to your account asked to change its e-mail address. The change takes effect only when the link sent to the new address is opened.\n\nIf this was not you, change your password now:\n" +
		a.link("/password/forgot") + signOff
	a.queue(ctx, MessageKey(MsgEmailChanging, u.ID, auth.HashSecret(email)[:16]), u, "", "Your e-mail address is being changed", body)
	a.record(ctx, EventEmailChangeRequested, u.ID, u.ID, nil)
	return nil
}
