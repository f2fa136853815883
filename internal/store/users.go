package store

import (
	"unicode"

	"context"
	"errors"
	"fmt"
	"golang.org/x/text/unicode/norm"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"cocreate/internal/apperr"
)

// User is an account. PasswordHash never leaves the server.
type User struct {
	ID           string    `bson:"_id" json:"id"`
	Email        string    `bson:"email" json:"email"`
	Name         string    `bson:"name" json:"name"`
	Organization string    `bson:"organization" json:"organization"`
	Sector       string    `bson:"sector" json:"sector"`
	District     string    `bson:"district" json:"district"`
	Phone        string    `bson:"phone,omitempty" json:"phone,omitempty"`
	Roles        []string  `bson:"roles" json:"roles"`
	Disabled     bool      `bson:"disabled" json:"disabled"`
	PasswordHash string    `bson:"password_hash" json:"-"`
	CreatedAt    time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at" json:"-"`
	// Unverified is set for a self-registered account until its e-mail
	// address is proved by the link sent to it. Accounts without the field
	// (created by a coordinator, or before verification existed) count as
	// verified.
	Unverified bool `bson:"email_unverified,omitempty" json:"-"`
	// PendingEmail is an address the person asked to change to; it takes
	// effect only once the link sent to it is used.
	PendingEmail string `bson:"pending_email,omitempty" json:"-"`
	// Deleting marks an account whose deletion has started and not yet
	// finished: the deletion is resumed until it has (app.DeleteAccount).
	Deleting bool `bson:"deleting,omitempty" json:"-"`
	// DeletedAt is when the account was deleted: its personal fields are
	// erased and it can no longer sign in.
	DeletedAt *time.Time `bson:"deleted_at,omitempty" json:"-"`
}

// EmailVerified reports whether the account's e-mail address is proved.
func (u *User) EmailVerified() bool { return u != nil && !u.Unverified }

// Has reports whether the user holds role.
func (u *User) Has(role string) bool {
	if u == nil {
		return false
	}
	for _, r := range u.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// IsCommittee reports whether the user is a reviewer or the chair.
func (u *User) IsCommittee() bool { return u.Has("reviewer") || u.Has("chair") }

// NormalizeEmail is the form an e-mail address is compared in: Unicode
// compatibility-normalised (NFKC: fullwidth "ｃ" is "c"), without invisible
// format characters (a zero-width space), trimmed and lower-cased. So an
// address that only looks different is the same address.
func NormalizeEmail(e string) string {
	e = norm.NFKC.String(e)
	e = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, e)
	return strings.ToLower(strings.TrimSpace(e))
}

// emailDoc maps a normalised e-mail to its user by _id, the one look-up the
// embedded engine answers without a scan.
type emailDoc struct {
	Email     string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	CreatedAt time.Time `bson:"created_at,omitempty"`
}

// orphanAge is how old a mapping without its user must be before another
// registration may take the address: younger ones may belong to a
// registration still between its two inserts.
const orphanAge = 10 * time.Minute

// CreateUser inserts u (ID and timestamps are set here). A taken e-mail is apperr.ErrDuplicate.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	u.Email = NormalizeEmail(u.Email)
	if u.ID == "" {
		u.ID = NewID()
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	u.CreatedAt, u.UpdatedAt = now, now
	if err := s.insertOne(ctx, s.emails, emailDoc{Email: u.Email, UserID: u.ID, CreatedAt: now}); err != nil {
		if !errors.Is(err, apperr.ErrDuplicate) || !s.reclaimEmail(ctx, u) {
			return fmt.Errorf("create user %s: %w", u.Email, err)
		}
	}
	if err := s.insertOne(ctx, s.users, u); err != nil {
		// Give the address back so a retry can succeed (only if it is still ours).
		_, _ = s.deleteOne(context.WithoutCancel(ctx), s.emails, bson.D{{Key: "_id", Value: u.Email}, {Key: "user_id", Value: u.ID}})
		return fmt.Errorf("create user %s: %w", u.Email, err)
	}
	return nil
}

// reclaimEmail takes over an address whose mapping points at no user (a
// process that stopped between CreateUser's two inserts leaves one behind),
// so the address is not blocked for ever. It reports whether u now holds it.
func (s *Store) reclaimEmail(ctx context.Context, u *User) bool {
	var d emailDoc
	if err := s.emails.FindOne(ctx, bson.D{{Key: "_id", Value: u.Email}}).Decode(&d); err != nil {
		return false
	}
	if time.Since(d.CreatedAt) < orphanAge {
		return false
	}
	if _, err := s.UserByID(ctx, d.UserID); !errors.Is(err, apperr.ErrNotFound) {
		return false
	}
	// Compare-and-set on the orphaned mapping, so two reclaimers cannot both win.
	r, err := s.updateOne(ctx, s.emails, bson.D{{Key: "_id", Value: u.Email}, {Key: "user_id", Value: d.UserID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "user_id", Value: u.ID}, {Key: "created_at", Value: u.CreatedAt}}}})
	return err == nil && r.ModifiedCount == 1
}

// UserByID returns the user with id, or apperr.ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id string) (*User, error) {
	var u User
	if err := s.findByID(ctx, s.users, id, &u); err != nil {
		return nil, notFound(err, "user "+id)
	}
	return &u, nil
}

// UserByEmail returns the user with that e-mail (compared normalised), or apperr.ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var d emailDoc
	if err := s.emails.FindOne(ctx, bson.D{{Key: "_id", Value: NormalizeEmail(email)}}).Decode(&d); err != nil {
		return nil, notFound(err, "user with that e-mail")
	}
	return s.UserByID(ctx, d.UserID)
}

// UsersByIDs returns the users with the given ids, keyed by id. On the
// embedded engine each is an _id look-up (cached): a $in filter would
// decode every account.
func (s *Store) UsersByIDs(ctx context.Context, ids []string) (map[string]*User, error) {
	out := make(map[string]*User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if s.embedded {
		for _, id := range ids {
			u, err := s.UserByID(ctx, id)
			if IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out[u.ID] = u
		}
		return out, nil
	}
	cur, err := s.users.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, wrapDB(err)
	}
	var list []*User
	if err := cur.All(ctx, &list); err != nil {
		return nil, wrapDB(err)
	}
	for _, u := range list {
		out[u.ID] = u
	}
	return out, nil
}

// ListUsers returns users holding role (any when empty), by name, one page at a time.
func (s *Store) ListUsers(ctx context.Context, role string, page, perPage int) ([]*User, int64, error) {
	filter := bson.D{}
	if role != "" {
		filter = bson.D{{Key: "roles", Value: role}}
	}
	total, err := s.users.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, wrapDB(err)
	}
	opts := options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}})
	if perPage > 0 {
		opts.SetSkip(int64((page - 1) * perPage)).SetLimit(int64(perPage))
	}
	cur, err := s.users.Find(ctx, filter, opts)
	if err != nil {
		return nil, 0, wrapDB(err)
	}
	var list []*User
	if err := cur.All(ctx, &list); err != nil {
		return nil, 0, wrapDB(err)
	}
	return list, total, nil
}

// UserPatch holds the fields a coordinator may change; nil means unchanged.
type UserPatch struct {
	Name         *string
	Organization *string
	Sector       *string
	District     *string
	Roles        []string
	Disabled     *bool
	PasswordHash *string
	Phone        *string
	Unverified   *bool
	PendingEmail *string // "" removes it
	Deleting     *bool
}

// UpdateUser applies p to the user with id and returns the result.
func (s *Store) UpdateUser(ctx context.Context, id string, p UserPatch) (*User, error) {
	set := bson.D{{Key: "updated_at", Value: time.Now().UTC()}}
	add := func(k string, v any) { set = append(set, bson.E{Key: k, Value: v}) }
	if p.Name != nil {
		add("name", *p.Name)
	}
	if p.Organization != nil {
		add("organization", *p.Organization)
	}
	if p.Sector != nil {
		add("sector", *p.Sector)
	}
	if p.District != nil {
		add("district", *p.District)
	}
	if p.Roles != nil {
		add("roles", p.Roles)
	}
	if p.Disabled != nil {
		add("disabled", *p.Disabled)
	}
	if p.PasswordHash != nil {
		add("password_hash", *p.PasswordHash)
	}
	if p.Phone != nil {
		add("phone", *p.Phone)
	}
	if p.Unverified != nil {
		add("email_unverified", *p.Unverified)
	}
	if p.PendingEmail != nil {
		add("pending_email", *p.PendingEmail)
	}
	if p.Deleting != nil {
		add("deleting", *p.Deleting)
	}
	var u User
	err := s.findOneAndUpdate(ctx, s.users, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}}, &u,
		options.FindOneAndUpdate().SetReturnDocument(options.After))
	if err != nil {
		return nil, notFound(err, "user "+id)
	}
	if p.Disabled != nil && *p.Disabled {
		if err := s.DeleteUserSessions(ctx, id); err != nil {
			return nil, err
		}
	}
	return &u, nil
}

// CountUsers returns how many accounts exist.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	n, err := s.users.CountDocuments(ctx, bson.D{})
	return n, wrapDB(err)
}

// IsNotFound reports whether err means "no such object".
func IsNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }
