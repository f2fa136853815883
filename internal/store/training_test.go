package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"cocreate/internal/apperr"
	"cocreate/internal/store"
	"cocreate/internal/testdb"
	"cocreate/internal/training"
)

func TestTrainingRecords(t *testing.T) {
	s := testdb.Open(t)
	ctx := context.Background()
	p := &training.Programme{CallID: "call1", Title: "Webinars", Sessions: []training.Session{{ID: "s1", Title: "One", StartsAt: time.Now().UTC().Truncate(time.Second), Minutes: 90, MinMinutes: 60}}}
	if err := s.SaveProgramme(ctx, p, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveProgramme(ctx, &training.Programme{CallID: "call1"}, 0); !errors.Is(err, apperr.ErrStaleVersion) {
		t.Fatalf("second first save: %v", err)
	}
	p.Title = "Webinars 2"
	if err := s.SaveProgramme(ctx, p, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveProgramme(ctx, p, 1); !errors.Is(err, apperr.ErrStaleVersion) {
		t.Fatalf("stale save: %v", err)
	}
	got, err := s.ProgrammeOf(ctx, "call1")
	if err != nil || got.Title != "Webinars 2" || got.Version != 2 || len(got.Sessions) != 1 {
		t.Fatalf("%+v %v", got, err)
	}

	if err := s.SetInterest(ctx, "call1", "s1", "u1", training.ModeInPerson); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMinutes(ctx, "call1", "s1", map[string]int{"u1": 70, "u2": 30}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCheckedIn(ctx, "call1", "s1", "u2", true, nil); err != nil {
		t.Fatal(err)
	}
	// Again with one change and one new participant: inserted, updated, and the rest left as it is.
	if err := s.SetMinutes(ctx, "call1", "s1", map[string]int{"u1": 70, "u2": 35, "u3": 90}); err != nil {
		t.Fatal(err)
	}
	a, err := s.AttendanceOf(ctx, "u1", []string{"s1", "s2"})
	if err != nil || len(a) != 1 || a["s1"].Minutes != 70 || a["s1"].Mode != training.ModeInPerson {
		t.Fatalf("%+v %v", a, err)
	}
	all, err := s.AttendanceOfCall(ctx, "call1")
	if err != nil || len(all) != 3 || !all["u2"]["s1"].CheckedIn || all["u2"]["s1"].Minutes != 35 || all["u3"]["s1"].Minutes != 90 || all["u1"]["s1"].Mode != training.ModeInPerson {
		t.Fatalf("%+v %v", all, err)
	}

	c1, err := s.IssueCertificate(ctx, &training.Certificate{Code: training.NewCode(), CallID: "call1", UserID: "u1", Name: "Ana"})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := s.IssueCertificate(ctx, &training.Certificate{Code: training.NewCode(), CallID: "call1", UserID: "u1", Name: "Ana"})
	if err != nil || c2.Code != c1.Code {
		t.Fatalf("a second certificate for the same person: %+v %v", c2, err)
	}
	if got, err := s.CertificateByCode(ctx, c1.Code); err != nil || got.Name != "Ana" {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := s.CertificateByCode(ctx, "00000-00000"); !store.IsNotFound(err) {
		t.Fatalf("unknown code: %v", err)
	}

	data := bytes.Repeat([]byte("0123456789abcdef"), (2<<20)/16+7) // three chunks
	f := &store.File{CallID: "call1", Name: "slides.pdf", Kind: "pdf"}
	if err := s.PutFile(ctx, f, data); err != nil {
		t.Fatal(err)
	}
	back, err := s.FileByID(ctx, f.ID)
	if err != nil || back.Chunks != 3 {
		t.Fatalf("%+v %v", back, err)
	}
	var buf bytes.Buffer
	if err := s.CopyFile(ctx, back, &buf); err != nil || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("file read back differs (%d of %d bytes): %v", buf.Len(), len(data), err)
	}
	if err := s.DeleteFile(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FileByID(ctx, f.ID); !store.IsNotFound(err) {
		t.Fatalf("deleted file: %v", err)
	}
}
