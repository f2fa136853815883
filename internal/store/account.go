package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"cocreate/internal/apperr"
)

// Account self-service: the one-use links of password reset and e-mail
// verification, an e-mail change, the erasure of a deleted account, the
// deletion of its drafts, and the moderation and consent of a note.

// Kinds of AccountToken.
const (
	TokenReset  = "reset"  // sets a new password
	TokenVerify = "verify" // proves Email belongs to the account (and, when it is not the account's address yet, moves the account to it)
)

// AccountToken is a one-use link sent by e-mail, stored under the SHA-256
// of its secret (as sessions are), so the database never holds a usable link.
type AccountToken struct {
	ID        string    `bson:"_id"`
	Kind      string    `bson:"kind"`
	UserID    string    `bson:"user_id"`
	Email     string    `bson:"email,omitempty"` // the address a verification link proves
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

func (s *Store) accountTokens() *mongo.Collection { return s.db.Collection("account_tokens") }

// CreateAccountToken stores t.
func (s *Store) CreateAccountToken(ctx context.Context, t *AccountToken) error {
	if err := s.insertOne(ctx, s.accountTokens(), t); err != nil {
		return fmt.Errorf("store a %s link: %w", t.Kind, err)
	}
	return nil
}

// AccountTokenByID returns the token stored under the hashed id, or apperr.ErrNotFound.
func (s *Store) AccountTokenByID(ctx context.Context, id string) (*AccountToken, error) {
	var t AccountToken
	if err := s.accountTokens().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&t); err != nil {
		return nil, notFound(err, "link")
	}
	return &t, nil
}

// UseAccountToken deletes the token with id and reports whether this call
// deleted it: of two uses at once only one wins, so a link works once.
func (s *Store) UseAccountToken(ctx context.Context, id string) (bool, error) {
	n, err := s.deleteOne(ctx, s.accountTokens(), bson.D{{Key: "_id", Value: id}})
	return n == 1, err
}

// DeleteAccountTokens deletes every token of kind (any when "") of a user.
func (s *Store) DeleteAccountTokens(ctx context.Context, userID, kind string) error {
	f := bson.D{{Key: "user_id", Value: userID}}
	if kind != "" {
		f = append(f, bson.E{Key: "kind", Value: kind})
	}
	_, err := s.deleteMany(ctx, s.accountTokens(), f)
	return err
}

// PurgeAccountTokens deletes tokens that expired before now.
func (s *Store) PurgeAccountTokens(ctx context.Context, now time.Time) (int64, error) {
	return s.deleteMany(ctx, s.accountTokens(), bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: now}}}})
}

// MoveEmail makes newEmail the address of user u and releases the old one.
// Each step can be repeated, so a change interrupted between them is
// finished by doing it again: the new address is claimed (a claim that is
// already u's counts), the account is moved to it, verified, with no
// pending change, and the old mapping is removed. An address another
// account holds is apperr.ErrDuplicate.
func (s *Store) MoveEmail(ctx context.Context, u *User, newEmail string) (*User, error) {
	newEmail = NormalizeEmail(newEmail)
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := s.insertOne(ctx, s.emails, emailDoc{Email: newEmail, UserID: u.ID, CreatedAt: now}); err != nil {
		if !errors.Is(err, apperr.ErrDuplicate) {
			return nil, fmt.Errorf("claim %s: %w", newEmail, err)
		}
		var d emailDoc
		if err := s.emails.FindOne(ctx, bson.D{{Key: "_id", Value: newEmail}}).Decode(&d); err != nil {
			return nil, fmt.Errorf("claim %s: %w", newEmail, wrapDB(err))
		}
		if d.UserID != u.ID {
			return nil, fmt.Errorf("claim %s: %w", newEmail, apperr.ErrDuplicate)
		}
	}
	old := u.Email
	var out User
	err := s.findOneAndUpdate(ctx, s.users, bson.D{{Key: "_id", Value: u.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "email", Value: newEmail}, {Key: "email_unverified", Value: false},
			{Key: "pending_email", Value: ""}, {Key: "updated_at", Value: now}}}}, &out,
		options.FindOneAndUpdate().SetReturnDocument(options.After))
	if err != nil {
		return nil, notFound(err, "user "+u.ID)
	}
	if old != "" && old != newEmail {
		if _, err := s.deleteOne(ctx, s.emails, bson.D{{Key: "_id", Value: old}, {Key: "user_id", Value: u.ID}}); err != nil {
			return nil, fmt.Errorf("release %s: %w", old, err)
		}
	}
	return &out, nil
}

// EraseUser erases the personal fields of a deleted account (name, e-mail,
// phone, password, a pending e-mail change) in one write, and marks it
// disabled and deleted at; organisation, sector and district stay, for
// the committee's record of the notes it submitted. The e-mail becomes
// DeletedEmail(id): e-mails are unique, and that is no address.
func (s *Store) EraseUser(ctx context.Context, id string, at time.Time) (*User, error) {
	at = at.UTC().Truncate(time.Millisecond)
	var out User
	err := s.findOneAndUpdate(ctx, s.users, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: ""}, {Key: "email", Value: DeletedEmail(id)}, {Key: "phone", Value: ""},
			{Key: "pending_email", Value: ""}, {Key: "password_hash", Value: "!"}, {Key: "disabled", Value: true},
			{Key: "deleted_at", Value: at}, {Key: "updated_at", Value: at}}}}, &out,
		options.FindOneAndUpdate().SetReturnDocument(options.After))
	if err != nil {
		return nil, notFound(err, "user "+id)
	}
	return &out, nil
}

// DeletedEmail is what a deleted account holds in place of its e-mail.
func DeletedEmail(id string) string { return "deleted:" + id }

// ReleaseEmails deletes every e-mail mapping that points at the user, so
// the addresses may be registered again.
func (s *Store) ReleaseEmails(ctx context.Context, userID string) error {
	_, err := s.deleteMany(ctx, s.emails, bson.D{{Key: "user_id", Value: userID}})
	return err
}

// UsersDeleting returns the accounts whose deletion started and has not
// finished. It scans the accounts: it runs from the periodic job only.
func (s *Store) UsersDeleting(ctx context.Context) ([]*User, error) {
	cur, err := s.users.Find(ctx, bson.D{{Key: "deleting", Value: true}})
	if err != nil {
		return nil, wrapDB(err)
	}
	var out []*User
	if err := cur.All(ctx, &out); err != nil {
		return nil, wrapDB(err)
	}
	return out, nil
}

// DeleteDraft deletes note id when it is still a draft that was never
// submitted, and forgets its summary; it reports whether it deleted it.
// Deleting a note that is gone already is not an error.
func (s *Store) DeleteDraft(ctx context.Context, id string) (bool, error) {
	n, err := s.NoteByID(ctx, id)
	if IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	deleted, err := s.deleteOne(ctx, s.notesOf(id), bson.D{{Key: "_id", Value: id}, {Key: "state", Value: "draft"},
		{Key: "submitted_at", Value: bson.D{{Key: "$exists", Value: false}}}})
	if err != nil {
		return false, fmt.Errorf("delete draft %s: %w", id, err)
	}
	if deleted == 0 {
		if _, err := s.NoteByID(ctx, id); !IsNotFound(err) {
			return false, nil // submitted meanwhile: it is the committee's now
		}
	}
	if s.sums != nil {
		s.sums.remove(id)
	} else if _, err := s.deleteOne(ctx, s.summaries(), bson.D{{Key: "_id", Value: id}}); err != nil {
		return false, fmt.Errorf("forget the summary of draft %s: %w", id, err)
	}
	if err := s.BumpCallRev(ctx, n.CallID, id); err != nil {
		s.log.Error("bump call revision", "call", n.CallID, "err", err)
	}
	return deleted == 1, nil
}

func (x *sumIndex) remove(id string) {
	x.mu.Lock()
	delete(x.byID, id)
	x.mu.Unlock()
}

// Moderation is a coordinator's hiding of a note's text from the public
// repository, with the reason, who and when. It leaves the note's
// committee status alone.
type Moderation struct {
	Hidden bool      `bson:"hidden"`
	Reason string    `bson:"reason"`
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
}

// SetNoteModeration stores m on note id (nil removes it) without moving the
// note's version, so the committee's pending actions on it still apply.
func (s *Store) SetNoteModeration(ctx context.Context, id string, m *Moderation) (*Note, error) {
	var update bson.D
	if m == nil {
		update = bson.D{{Key: "$unset", Value: bson.D{{Key: "moderation", Value: ""}}}}
	} else {
		update = bson.D{{Key: "$set", Value: bson.D{{Key: "moderation", Value: m}}}}
	}
	return s.noteRevUpdate(ctx, id, update)
}

// SetNoteConsent sets note id's consent to publication without moving its
// version.
func (s *Store) SetNoteConsent(ctx context.Context, id string, consent bool) (*Note, error) {
	return s.noteRevUpdate(ctx, id, bson.D{{Key: "$set", Value: bson.D{{Key: "consent_publish", Value: consent}}}})
}

// noteRevUpdate applies update to note id, moving only its rev, and
// refreshes what is derived from it (its summary, the call's change log).
func (s *Store) noteRevUpdate(ctx context.Context, id string, update bson.D) (*Note, error) {
	update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "rev", Value: int64(1)}}})
	var n Note
	err := s.casUpdate(ctx, s.notesOf(id), id, bson.D{{Key: "_id", Value: id}}, func(bson.Raw) bool { return true }, "rev", update, &n, nil)
	if err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, fmt.Errorf("note %s: %w", id, apperr.ErrNotFound)
		}
		s.refreshSummaries(ctx, []string{id})
		return nil, fmt.Errorf("change note %s: %w", id, err)
	}
	s.syncNote(ctx, &n)
	return &n, nil
}

// DeleteOtherSessions revokes every session and token of a user except
// the one stored under keep.
func (s *Store) DeleteOtherSessions(ctx context.Context, userID, keep string) error {
	_, err := s.deleteMany(ctx, s.sessions, bson.D{{Key: "user_id", Value: userID}, {Key: "_id", Value: bson.D{{Key: "$ne", Value: keep}}}})
	return err
}
