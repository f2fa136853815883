package app

import (
	"context"
	"fmt"
	"strings"

	"cocreate/internal/apperr"
	"cocreate/internal/review"
	"cocreate/internal/store"
	"cocreate/internal/workflow"
)

// maxComment is the longest comment, in characters.
const maxComment = 2000

// deniedError is a refusal with a reason the person must hear; it matches
// workflow.ErrForbidden, so it answers 403 with its own message.
type deniedError struct{ msg string }

func (e *deniedError) Error() string { return e.msg }
func (e *deniedError) Unwrap() error { return workflow.ErrForbidden }

// SafeMessage is the refusal's reason, which is written for people.
func (e *deniedError) SafeMessage() string { return e.msg }

func denied(format string, a ...any) error { return &deniedError{msg: fmt.Sprintf(format, a...)} }

// Comment is one message of the committee's discussion on a note, with its author's name.
type Comment struct {
	store.Comment
	AuthorName string
}

// ConflictWhy says why u, as a plain reviewer, has a conflict of interest
// with n, whose submitter is owner: a declared conflict or the same
// organisation. The chair and coordinators are never excluded here: they
// run the process. "" when there is none.
func ConflictWhy(u, owner *store.User, n *store.Note) string {
	if u == nil || u.Has("chair") || u.Has("coordinator") {
		return ""
	}
	for _, id := range n.Conflicts {
		if id == u.ID {
			return "you declared a conflict of interest with this note"
		}
	}
	if owner != nil && review.SameOrganization(u.Organization, owner.Organization) {
		return "you belong to the submitter's organisation, so you have a conflict of interest with this note"
	}
	return ""
}

// discussion loads note id for reading or writing its comments: the
// committee and coordinators only, never the note's author, never a
// reviewer with a conflict of interest.
func (a *App) discussion(ctx context.Context, u *store.User, id string) (*store.Note, error) {
	if !u.IsCommittee() && !u.Has("coordinator") {
		return nil, fmt.Errorf("comments on note %s: %w", id, apperr.ErrForbidden)
	}
	n, _, err := a.NoteFor(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if n.Owner == u.ID {
		return nil, denied("the committee's discussion of a note is not shown to its author")
	}
	owner, err := a.Store.UserByID(ctx, n.Owner)
	if err != nil && !store.IsNotFound(err) {
		return nil, err
	}
	if why := ConflictWhy(u, owner, n); why != "" {
		return nil, denied("%s: its discussion is hidden from you", why)
	}
	return n, nil
}

// Comments returns the committee's discussion of note id, oldest first.
func (a *App) Comments(ctx context.Context, u *store.User, id string) ([]Comment, error) {
	if _, err := a.discussion(ctx, u, id); err != nil {
		return nil, err
	}
	list, err := a.Store.CommentsFor(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("comments on note %s: %w", id, err)
	}
	ids := make([]string, 0, len(list))
	for _, c := range list {
		ids = append(ids, c.AuthorID)
	}
	users, err := a.Store.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("comments on note %s: %w", id, err)
	}
	out := make([]Comment, len(list))
	for i, c := range list {
		out[i] = Comment{Comment: c, AuthorName: "Former member"}
		if au := users[c.AuthorID]; au != nil {
			out[i].AuthorName = au.Name
		}
	}
	return out, nil
}

// AddComment adds u's comment (1 to 2,000 characters) to note id's discussion.
func (a *App) AddComment(ctx context.Context, u *store.User, id, text string) (*Comment, error) {
	n, err := a.discussion(ctx, u, id)
	if err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	switch l := len([]rune(text)); {
	case l == 0:
		return nil, apperr.Fields{"text": "Write your comment"}
	case l > maxComment:
		return nil, apperr.Fields{"text": fmt.Sprintf("The comment must be %d characters or fewer: it has %d", maxComment, l)}
	}
	c := &store.Comment{NoteID: n.ID, CallID: n.CallID, AuthorID: u.ID, Text: text, At: a.Now()}
	if err := a.Store.AddComment(ctx, c); err != nil {
		return nil, err
	}
	return &Comment{Comment: *c, AuthorName: u.Name}, nil
}
