package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/notes"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// MyData is everything the service holds about one person, as the
// personal-data export gives it: the profile, each of their notes as
// their owner sees it (with its history and published outcome), and the
// audit log's entries about their account.
type MyData struct {
	ExportedAt time.Time          `json:"exported_at"`
	Profile    MyProfile          `json:"profile"`
	Notes      []MyNote           `json:"notes"`
	Audit      []store.AuditEntry `json:"audit"`
}

// MyProfile is the account as its holder may read it.
type MyProfile struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	EmailVerified bool      `json:"email_verified"`
	PendingEmail  string    `json:"pending_email,omitempty"`
	Name          string    `json:"name"`
	Organization  string    `json:"organization"`
	Sector        string    `json:"sector"`
	District      string    `json:"district"`
	Phone         string    `json:"phone"`
	Roles         []string  `json:"roles"`
	CreatedAt     time.Time `json:"created_at"`
}

// MyNote is one note in the export: what its owner may see of it.
type MyNote struct {
	ID          string        `json:"id"`
	CallID      string        `json:"call_id"`
	Ref         string        `json:"ref,omitempty"`
	State       string        `json:"state"`
	Fields      notes.Fields  `json:"fields"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	SubmittedAt *time.Time    `json:"submitted_at,omitempty"`
	History     []MyHistory   `json:"history"`
	Outcome     *MyOutcome    `json:"published_outcome,omitempty"`
	Moderation  *MyModeration `json:"moderation,omitempty"`
	Screening   *MyScreening  `json:"screening,omitempty"`
}

// MyHistory is one step of a note's history as its owner sees it.
type MyHistory struct {
	From   string    `json:"from"`
	To     string    `json:"to"`
	Event  string    `json:"event"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// MyOutcome is a published decision.
type MyOutcome struct {
	Class      string `json:"class"`
	ReasonCode string `json:"reason_code"`
	Rationale  string `json:"rationale"`
}

// MyScreening is what the owner learns of a return or an ineligibility.
type MyScreening struct {
	Outcome      string `json:"outcome"`
	Instructions string `json:"instructions,omitempty"`
	ReviseBy     string `json:"revise_by,omitempty"`
}

// MyModeration is a moderator's hiding of the note from the repository.
type MyModeration struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// ExportMyData gathers everything held about u, and only about u, and
// records that it was exported.
func (a *App) ExportMyData(ctx context.Context, u *store.User) (*MyData, error) {
	out := &MyData{ExportedAt: a.Now().UTC(), Notes: []MyNote{},
		Profile: MyProfile{ID: u.ID, Email: u.Email, EmailVerified: u.EmailVerified(), PendingEmail: u.PendingEmail, Name: u.Name,
			Organization: u.Organization, Sector: u.Sector, District: u.District, Phone: u.Phone, Roles: u.Roles, CreatedAt: u.CreatedAt}}
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{Owner: u.ID})
	if err != nil {
		return nil, err
	}
	calls := map[string]*store.Call{}
	for _, s := range sums {
		n, err := a.Store.NoteByID(ctx, s.ID)
		if store.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n.Owner != u.ID {
			continue
		}
		c := calls[n.CallID]
		if c == nil {
			if c, err = a.Store.CallByID(ctx, n.CallID); err != nil {
				return nil, fmt.Errorf("read the call of note %s: %w", n.ID, err)
			}
			calls[n.CallID] = c
		}
		out.Notes = append(out.Notes, myNote(u, n, c))
	}
	audit, err := a.Store.AuditEntries(ctx, "", u.ID, 0)
	if err != nil {
		return nil, err
	}
	out.Audit = append([]store.AuditEntry{}, audit...)
	a.record(ctx, EventMyDataExported, u.ID, u.ID, nil)
	return out, nil
}

func myNote(u *store.User, n *store.Note, c *store.Call) MyNote {
	m := MyNote{ID: n.ID, CallID: n.CallID, Ref: n.Ref, State: OwnerState(n), Fields: n.Fields, CreatedAt: n.CreatedAt,
		UpdatedAt: n.UpdatedAt, SubmittedAt: n.SubmittedAt, History: []MyHistory{}}
	for _, h := range HistoryFor(u, n, c) {
		m.History = append(m.History, MyHistory{From: h.From, To: h.To, Event: h.Event, By: h.By, At: h.At, Reason: h.Reason})
	}
	if n.Published != nil {
		m.Outcome = &MyOutcome{Class: n.Published.Class, ReasonCode: n.Published.ReasonCode, Rationale: n.Published.Rationale}
	}
	if s := n.Screening; s != nil && (n.State == string(workflow.Returned) || n.State == string(workflow.Ineligible)) {
		m.Screening = &MyScreening{Outcome: s.Outcome, Instructions: s.Instructions, ReviseBy: s.ReviseBy}
	}
	if md := n.Moderation; md != nil && md.Hidden {
		m.Moderation = &MyModeration{Reason: md.Reason, At: md.At}
	}
	return m
}

// DeleteAccount deletes u's account after checking the password.
func (a *App) DeleteAccount(ctx context.Context, u *store.User, password string) error {
	if err := a.checkPassword(ctx, u, "password", password); err != nil {
		return err
	}
	return a.finishDeletion(ctx, u)
}

// finishDeletion runs every step of an account's deletion. Each step can
// be repeated, and the account is marked deleting before the first, so an
// interruption at any point is finished by running it again: by the
// person (who can still sign in until the erasure) or by the periodic job
// (ResumeAccountDeletions). Drafts are deleted; submitted notes stay for
// the committee's record, pointing at the account, whose name, e-mail,
// phone and password are erased and whose organisation, sector and
// district stay; the addresses are released; every session ends.
func (a *App) finishDeletion(ctx context.Context, u *store.User) error {
	ctx = context.WithoutCancel(ctx)
	if !u.Deleting {
		if _, err := a.Store.UpdateUser(ctx, u.ID, store.UserPatch{Deleting: ptr(true)}); err != nil {
			return err
		}
	}
	sums, err := a.Store.Summaries(ctx, store.SummaryFilter{Owner: u.ID, States: []string{string(workflow.Draft)}})
	if err != nil {
		return err
	}
	for _, s := range sums {
		if s.SubmittedAt != nil {
			continue
		}
		if _, err := a.Store.DeleteDraft(ctx, s.ID); err != nil {
			return err
		}
	}
	at := a.Now()
	if u.DeletedAt != nil {
		at = *u.DeletedAt
	}
	if _, err := a.Store.EraseUser(ctx, u.ID, at); err != nil {
		return err
	}
	if err := a.Store.ReleaseEmails(ctx, u.ID); err != nil {
		return err
	}
	if err := a.Store.DeleteUserSessions(ctx, u.ID); err != nil {
		return err
	}
	if err := a.Store.DeleteAccountTokens(ctx, u.ID, ""); err != nil {
		return err
	}
	a.recordOnce(ctx, "deleted:"+u.ID, EventAccountDeleted, u.ID, u.ID, map[string]string{"drafts_deleted": fmt.Sprint(len(sums))})
	_, err = a.Store.UpdateUser(ctx, u.ID, store.UserPatch{Deleting: ptr(false)})
	return err
}

// ResumeAccountDeletions finishes every deletion that was interrupted. The
// periodic job runs it.
func (a *App) ResumeAccountDeletions(ctx context.Context) error {
	list, err := a.Store.UsersDeleting(ctx)
	if err != nil {
		return err
	}
	for _, u := range list {
		if err := a.finishDeletion(ctx, u); err != nil {
			return fmt.Errorf("finish deleting account %s: %w", u.ID, err)
		}
	}
	return nil
}

// SetConsent gives or withdraws the owner's consent to publish note id in
// the call's public repository. It takes effect at once: the repository
// and its CSV follow the note's changes. It does not move the note's
// version, so the committee's work on it goes on.
func (a *App) SetConsent(ctx context.Context, u *store.User, id string, consent bool) (*store.Note, error) {
	n, err := a.Store.NoteByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CanSee(u, n) {
		return nil, fmt.Errorf("note %s: %w", id, apperr.ErrNotFound)
	}
	if n.Owner != u.ID {
		return nil, apperr.Say(apperr.ErrForbidden, "Only the note's owner can give or withdraw consent to publish it.")
	}
	if n.ConsentPublish == consent {
		return n, nil
	}
	out, err := a.Store.SetNoteConsent(ctx, id, consent)
	if err != nil {
		return nil, err
	}
	ev := EventConsentGiven
	if !consent {
		ev = EventConsentWithdrawn
	}
	a.record(ctx, ev, u.ID, u.ID, map[string]string{"note": id})
	return out, nil
}

// Moderate hides (or shows again) note id's text in the public repository
// with a recorded reason, without changing its committee status
// (coordinators only). The owner is told by e-mail, and sees it on the note.
func (a *App) Moderate(ctx context.Context, by *store.User, id string, hide bool, reason string) (*store.Note, error) {
	if !by.Has("coordinator") {
		return nil, apperr.ErrForbidden
	}
	reason = strings.TrimSpace(reason)
	switch {
	case hide && reason == "":
		return nil, apperr.Fields{"reason": "Enter the reason the note is hidden; its owner reads it"}
	case len([]rune(reason)) > 1000:
		return nil, apperr.Fields{"reason": "Reason must be 1000 characters or fewer"}
	}
	n, err := a.Store.NoteByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if neverSubmitted(n.State, n.SubmittedAt != nil) || n.Ref == "" {
		return nil, apperr.Say(apperr.ErrNotFound, "Only submitted notes can be moderated.")
	}
	var m *store.Moderation
	if hide {
		m = &store.Moderation{Hidden: true, Reason: reason, By: by.ID, At: a.Now().UTC().Truncate(time.Millisecond)}
	}
	out, err := a.Store.SetNoteModeration(ctx, id, m)
	if err != nil {
		return nil, err
	}
	ev := EventNoteUnmoderated
	if hide {
		ev = EventNoteModerated
	}
	a.record(ctx, ev, n.Owner, by.ID, map[string]string{"note": id, "reason": reason})
	if hide {
		if c, owner, ok := a.noteMessageParts(ctx, out); ok {
			body := greeting(owner) + fmt.Sprintf("The programme's coordinators have hidden the text of your concept note %s, %q, from the public repository, for this reason:\n%s\n\nIts review by the Steering Committee is not affected.\n\nYour note:\n%s",
				out.Ref, out.Title, indent(reason), a.link("/notes/"+out.ID)) + signOff
			a.queue(ctx, MessageKey(MsgModerated, owner.ID, out.ID, m.At.Format("20060102150405")), owner, c.ID, "Your concept note "+out.Ref+" is hidden from the public repository", body)
		}
	}
	return out, nil
}
