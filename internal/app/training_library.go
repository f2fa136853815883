package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
	"cocreate/internal/training"
)

// ResourceInput is a library item to add to a session: a link (URL), or a
// file (Name and Data) of at most 20 MB, PDF or slides.
type ResourceInput struct {
	Title string
	URL   string
	Name  string
	Data  []byte
}

// AddResource adds an item to a session's library (coordinators). A file
// is stored in the database first and then named in the programme.
func (a *App) AddResource(ctx context.Context, u *store.User, sessionID string, in ResourceInput) (*training.Resource, error) {
	if !u.Has("coordinator") {
		return nil, fmt.Errorf("add resource: %w", apperr.ErrForbidden)
	}
	c, _, s, err := a.Session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	in.Title = strings.TrimSpace(in.Title)
	in.URL = strings.TrimSpace(in.URL)
	if in.Title == "" && in.Name != "" {
		in.Title = strings.TrimSuffix(path.Base(in.Name), path.Ext(in.Name))
	}
	switch {
	case in.Title == "":
		return nil, apperr.Fields{"title": "Enter a title for the item"}
	case !utf8.ValidString(in.Title) || utf8.RuneCountInString(in.Title) > 200:
		return nil, apperr.Fields{"title": "Title must be at most 200 characters"}
	case (in.URL == "") == (in.Data == nil):
		return nil, apperr.Fields{"url": "Give either a link or a file"}
	}
	r := training.Resource{ID: newSessionID("r"), Title: in.Title}
	if in.URL != "" {
		pu, err := url.Parse(in.URL)
		if err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" || len(in.URL) > 2000 {
			return nil, apperr.Fields{"url": "Link must be a web address starting with https://"}
		}
		r.URL = in.URL
	} else {
		kind, err := training.CheckFile(in.Name, in.Data)
		var fe *training.FileError
		if errors.As(err, &fe) {
			return nil, fileInvalid(fe)
		}
		f := &store.File{CallID: c.ID, Name: safeFileName(in.Name), Kind: kind}
		if err := a.Store.PutFile(ctx, f, in.Data); err != nil {
			return nil, err
		}
		r.FileID, r.Kind, r.Size = f.ID, kind, f.Size
	}
	err = a.editSession(ctx, c.ID, s.ID, func(s *training.Session) bool {
		if len(s.Resources) >= 50 {
			return false
		}
		s.Resources = append(s.Resources, r)
		return true
	})
	if err != nil {
		if r.FileID != "" {
			_ = a.Store.DeleteFile(context.WithoutCancel(ctx), r.FileID)
		}
		return nil, err
	}
	return &r, nil
}

// RemoveResource takes an item out of a session's library (coordinators).
func (a *App) RemoveResource(ctx context.Context, u *store.User, sessionID, resourceID string) error {
	if !u.Has("coordinator") {
		return fmt.Errorf("remove resource: %w", apperr.ErrForbidden)
	}
	c, _, s, err := a.Session(ctx, sessionID)
	if err != nil {
		return err
	}
	var fileID string
	err = a.editSession(ctx, c.ID, s.ID, func(s *training.Session) bool {
		for i, r := range s.Resources {
			if r.ID == resourceID {
				fileID = r.FileID
				s.Resources = append(s.Resources[:i:i], s.Resources[i+1:]...)
				return true
			}
		}
		return false
	})
	if err != nil {
		return err
	}
	if fileID != "" {
		return a.Store.DeleteFile(ctx, fileID)
	}
	return nil
}

// editSession applies edit to the session and saves the programme,
// trying again when another change came in between. edit returning false
// means there is nothing to change (apperr.ErrNotFound, or a full library).
func (a *App) editSession(ctx context.Context, callID, sessionID string, edit func(*training.Session) bool) error {
	for try := 0; try < 5; try++ {
		p, err := a.Store.ProgrammeOf(ctx, callID)
		if err != nil {
			return err
		}
		found := false
		for i := range p.Sessions {
			if p.Sessions[i].ID == sessionID {
				if !edit(&p.Sessions[i]) {
					return apperr.Say(apperr.ErrNotFound, "That item is not in the session's library, or the library is full (50 items).")
				}
				found = true
			}
		}
		if !found {
			return fmt.Errorf("session %s: %w", sessionID, apperr.ErrNotFound)
		}
		err = a.Store.SaveProgramme(ctx, p, p.Version)
		if !errors.Is(err, apperr.ErrStaleVersion) {
			return err
		}
	}
	return fmt.Errorf("edit session %s: %w", sessionID, apperr.ErrStaleVersion)
}

// LibraryFile returns a file of a session's library (anyone may read the
// library), with its description; the caller copies it with CopyFile.
func (a *App) LibraryFile(ctx context.Context, sessionID, resourceID string) (*store.File, error) {
	_, _, s, err := a.Session(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	for _, r := range s.Resources {
		if r.ID == resourceID && r.FileID != "" {
			return a.Store.FileByID(ctx, r.FileID)
		}
	}
	return nil, fmt.Errorf("resource %s: %w", resourceID, apperr.ErrNotFound)
}

// CopyFile writes a library file's bytes to w.
func (a *App) CopyFile(ctx context.Context, f *store.File, w io.Writer) error {
	return a.Store.CopyFile(ctx, f, w)
}

// safeFileName keeps a file name's last element, without characters that
// would break a Content-Disposition header.
func safeFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == 0x7f || r == ';' {
			return '_'
		}
		return r
	}, name)
	if len([]rune(name)) > 120 {
		name = string([]rune(name)[:120])
	}
	return name
}
