package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// diskFull runs a server whose data directory is on a small tmpfs, fills
// the tmpfs, and checks: writes answer 503 with the no-space message,
// /readyz says 503, reads keep working, a refused write leaves nothing
// behind, and writes work again once space is freed.
func diskFull(ctx context.Context, bin, tmp string, rep *report) error {
	if os.Geteuid() != 0 {
		say("disk full: SKIPPED: mounting a small tmpfs needs root (run as root, as CI does)")
		return nil
	}
	mnt := filepath.Join(tmp, "full")
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		return err
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mnt).CombinedOutput(); err != nil {
		say("disk full: SKIPPED: cannot mount a tmpfs here: %v %s", err, strings.TrimSpace(string(out)))
		return nil
	}
	defer func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			rep.fail("disk full", fmt.Sprintf("umount %s: %v %s", mnt, err, out))
		}
	}()
	dir := filepath.Join(mnt, "data")
	srv, err := newServer(bin, dir, "", tmp, "diskfull-server")
	if err != nil {
		return err
	}
	if err := srv.start(ctx); err != nil {
		return err
	}
	defer srv.stop()
	a := newAPI(srv.url())
	w, err := setUp(ctx, a, 1, 0, "2")
	if err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	me := w.participants[0]
	var subs []*submission
	create := func(title string) (noteAnswer, answer, error) {
		var n noteAnswer
		b, _ := json.Marshal(noteBody(title, len(title)))
		ans, err := a.once(ctx, req{Method: "POST", Path: "/api/v1/calls/" + w.callID + "/notes", Token: me.Token, Key: newKey(), Body: b})
		if err == nil && ans.Status == 201 {
			err = ans.decode(&n)
		}
		return n, ans, err
	}
	submit := func(n noteAnswer) (answer, error) {
		b, _ := json.Marshal(map[string]int{"version": n.Note.Version})
		return a.once(ctx, req{Method: "POST", Path: "/api/v1/notes/" + n.Note.ID + "/submit", Token: me.Token, Key: newKey(), Body: b})
	}
	for i := range 3 {
		title := fmt.Sprintf("Before the disk filled %d", i)
		n, ans, err := create(title)
		if err != nil || ans.Status != 201 {
			return fmt.Errorf("a draft before the disk filled: %d %v %.200s", ans.Status, err, ans.Body)
		}
		if ans, err := submit(n); err != nil || ans.Status != 200 {
			return fmt.Errorf("a submission before the disk filled: %d %v %.200s", ans.Status, err, ans.Body)
		}
		var s noteAnswer
		_ = a.expect(ctx, "read a note", "GET", "/api/v1/notes/"+n.Note.ID, me.Token, nil, 200, &s)
		subs = append(subs, &submission{OwnerID: me.ID, Title: title, NoteID: n.Note.ID, Ref: s.Note.Ref})
	}
	pending, ans, err := create("Waiting to be submitted")
	if err != nil || ans.Status != 201 {
		return fmt.Errorf("a draft before the disk filled: %d %v", ans.Status, err)
	}

	ballast := filepath.Join(mnt, "ballast")
	if err := fill(ballast); err != nil {
		return err
	}
	// SQLite may still have free pages: drafts fit until one does not.
	var refused answer
	fitted := 0
	for ; fitted < 5000; fitted++ {
		_, ans, err := create(fmt.Sprintf("On a full disk %d", fitted))
		if err != nil {
			return fmt.Errorf("a draft on a full disk: %w", err)
		}
		if ans.Status != 201 {
			refused = ans
			break
		}
	}
	say("disk full: %d drafts fitted in the database's free pages before the first refusal", fitted)
	checkNoSpace := func(what string, ans answer) {
		if ans.Status != 503 || ans.errCode() != "unavailable" || !strings.Contains(ans.errMessage(), "out of storage space") ||
			!strings.Contains(ans.errMessage(), "Nothing was lost") {
			rep.fail("disk full", fmt.Sprintf("%s: want 503 unavailable saying the server is out of space and nothing was lost, got %d %.300s", what, ans.Status, ans.Body))
		}
	}
	checkNoSpace("a draft on a full disk", refused)
	if ans, err := submit(pending); err != nil {
		rep.fail("disk full", "a submission on a full disk: "+err.Error())
	} else {
		checkNoSpace("a submission on a full disk", ans)
	}
	if code, body := getStatus(ctx, srv.url()+"/readyz"); code != 503 || !strings.Contains(body, "disk") {
		rep.fail("disk full", fmt.Sprintf("/readyz on a full disk: want 503 naming the disk, got %d %q", code, body))
	}
	// Reads keep working, and the refused writes left nothing.
	for _, s := range subs {
		var n noteAnswer
		if err := a.expect(ctx, "read a note on a full disk", "GET", "/api/v1/notes/"+s.NoteID, me.Token, nil, 200, &n); err != nil {
			rep.fail("disk full", err.Error())
		} else if n.Note.Ref != s.Ref || n.Note.State != "submitted" {
			rep.fail("disk full", fmt.Sprintf("note %s on a full disk reads %s %s", s.Ref, n.Note.State, n.Note.Ref))
		}
	}
	var mine struct {
		Total int `json:"total"`
	}
	if err := a.expect(ctx, "list my notes on a full disk", "GET", "/api/v1/notes?mine=true&call_id="+w.callID, me.Token, nil, 200, &mine); err != nil {
		rep.fail("disk full", err.Error())
	} else if want := len(subs) + 1 + fitted; mine.Total != want {
		rep.fail("disk full", fmt.Sprintf("on a full disk the participant has %d notes, want %d (a refused draft was stored)", mine.Total, want))
	}
	var p noteAnswer
	if err := a.expect(ctx, "read the draft on a full disk", "GET", "/api/v1/notes/"+pending.Note.ID, me.Token, nil, 200, &p); err != nil {
		rep.fail("disk full", err.Error())
	} else if p.Note.State != "draft" || p.Note.Ref != "" || p.Note.Version != pending.Note.Version {
		rep.fail("disk full", fmt.Sprintf("the refused submission changed the draft: %s %q version %d", p.Note.State, p.Note.Ref, p.Note.Version))
	}
	say("disk full: writes refused with 503, /readyz 503, reads answered")

	// Space again: the service recovers by itself.
	if err := os.Remove(ballast); err != nil {
		return err
	}
	ready := false
	for range 100 {
		if code, _ := getStatus(ctx, srv.url()+"/readyz"); code == 200 {
			ready = true
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !ready {
		rep.fail("disk full", "/readyz did not answer 200 within 10 s of space being freed")
	}
	if ans, err := submit(pending); err != nil || ans.Status != 200 {
		rep.fail("disk full", fmt.Sprintf("a submission once space was freed: %d %v %.200s", ans.Status, err, ans.Body))
	} else {
		var n noteAnswer
		_ = ans.decode(&n)
		subs = append(subs, &submission{OwnerID: me.ID, Title: "Waiting to be submitted", NoteID: n.Note.ID, Ref: n.Note.Ref})
	}
	if _, ans, err := create("Once there is room"); err != nil || ans.Status != 201 {
		rep.fail("disk full", fmt.Sprintf("a draft once space was freed: %d %v", ans.Status, err))
	}
	if err := srv.stop(); err != nil {
		return err
	}
	problems, _, info, err := verifyData(ctx, dir, expected{CallID: w.callID, Subs: subs})
	if err != nil {
		return fmt.Errorf("reading the data after the disk-full run: %w", err)
	}
	rep.fail("disk full", problems...)
	say("disk full: writes resumed once space was freed; the data after a stop: %s; %d problems", info, len(problems))
	return nil
}

// fill writes path until the file system has no space left.
func fill(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return nil
			}
			return fmt.Errorf("filling the tmpfs: %w", err)
		}
	}
}
