package app

import (
	"context"
	"strings"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
)

// Events of the audit log besides the exports' (export.go). The log is
// append-only: the service records and reads entries, and no route
// changes or deletes one.
const (
	EventSignIn                 = "signin.success"
	EventSignInFailed           = "signin.failure"
	EventPasswordResetRequested = "password.reset_requested"
	EventPasswordReset          = "password.reset"
	EventPasswordChanged        = "password.changed"
	EventEmailVerified          = "email.verified"
	EventEmailChangeRequested   = "email.change_requested"
	EventEmailChanged           = "email.changed"
	EventOrganizationChanged    = "profile.organization_changed"
	EventRolesChanged           = "account.roles_changed"
	EventAccountDisabled        = "account.disabled"
	EventAccountEnabled         = "account.enabled"
	EventAccountDeleted         = "account.deleted"
	EventMyDataExported         = "export.my_data"
	EventResultsPublished       = "results.published"
	EventNoteModerated          = "note.moderated"
	EventNoteUnmoderated        = "note.unmoderated"
	EventConsentWithdrawn       = "consent.withdrawn"
	EventConsentGiven           = "consent.given"
)

// AuditEvents lists every event name the log records, for the audit
// page's filter.
var AuditEvents = []string{EventSignIn, EventSignInFailed, EventPasswordResetRequested, EventPasswordReset,
	EventPasswordChanged, EventEmailVerified, EventEmailChangeRequested, EventEmailChanged, EventOrganizationChanged,
	EventRolesChanged, EventAccountDisabled, EventAccountEnabled, EventAccountDeleted, EventExportShortlist,
	EventExportScoringSheet, EventImportScoringSheet, EventMyDataExported, EventResultsPublished,
	EventNoteModerated, EventNoteUnmoderated, EventConsentWithdrawn, EventConsentGiven}

type clientIPKey struct{}

// WithClientIP returns ctx carrying the address the request came from,
// which the audit log records with each event.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientIP is the address WithClientIP put in ctx ("" when none).
func ClientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}

// record appends an audit entry about userID done by by, from the
// request's address. The event happened already, so a failure to record
// it is logged, not returned.
func (a *App) record(ctx context.Context, event, userID, by string, detail map[string]string) {
	a.recordOnce(ctx, "", event, userID, by, detail)
}

// recordOnce is record with the entry's id, so a repeated step records it once.
func (a *App) recordOnce(ctx context.Context, id, event, userID, by string, detail map[string]string) {
	e := store.AuditEntry{ID: id, Event: event, UserID: userID, By: by, IP: ClientIP(ctx), At: a.Now(), Detail: detail}
	if err := a.Store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		a.Log.Error("record an audit entry", "event", event, "user", userID, "err", err)
	}
}

// AuditQuery selects entries of the audit log; empty fields select all.
type AuditQuery struct {
	Event   string
	UserID  string
	Page    int // from 1
	PerPage int
}

// AuditPage is one page of the log.
type AuditPage struct {
	Items   []store.AuditEntry
	Total   int64
	Page    int
	PerPage int
}

// Audit returns one page of the audit log, newest first (coordinators
// only). An unknown event name or a malformed user id is a 400.
func (a *App) Audit(ctx context.Context, by *store.User, q AuditQuery) (*AuditPage, error) {
	if !by.Has("coordinator") {
		return nil, apperr.ErrForbidden
	}
	if q.Event != "" && !knownEvent(q.Event) {
		return nil, &apperr.BadRequest{Message: "event must be one of " + strings.Join(AuditEvents, ", ") + "."}
	}
	if len(q.UserID) > 64 || strings.ContainsAny(q.UserID, "$.{}") {
		return nil, &apperr.BadRequest{Message: "user_id must be an account's id."}
	}
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 || q.PerPage > 200 {
		q.PerPage = 50
	}
	items, total, err := a.Store.AuditPage(ctx, q.Event, q.UserID, q.Page, q.PerPage)
	if err != nil {
		return nil, err
	}
	return &AuditPage{Items: items, Total: total, Page: q.Page, PerPage: q.PerPage}, nil
}

func knownEvent(e string) bool {
	for _, x := range AuditEvents {
		if x == e {
			return true
		}
	}
	return false
}
