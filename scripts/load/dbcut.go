package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
)

// cutProxy forwards TCP connections to a database and can cut them: in
// "refuse" mode it closes every connection and stops listening (the
// database's host is down), in "silent" mode it closes every connection
// and accepts new ones without ever answering (packets dropped on the
// way). restore forwards again on the same address.
type cutProxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
	silent       bool
}

func newCutProxy(target string) (*cutProxy, error) {
	p := &cutProxy{target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.addr, p.ln = ln.Addr().String(), ln
	go p.serve(ln)
	return p, nil
}

func (p *cutProxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns[c] = true
		silent := p.silent
		p.mu.Unlock()
		if silent {
			continue // held open, never answered
		}
		go p.pipe(c)
	}
}

func (p *cutProxy) pipe(c net.Conn) {
	up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[up] = true
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close(); c.Close() }()
	_, _ = io.Copy(c, up)
	up.Close()
	c.Close()
}

func (p *cutProxy) dropAll() {
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// cut breaks every connection; silent chooses how new ones fare.
func (p *cutProxy) cut(silent bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.silent = silent
	if !silent && p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.dropAll()
}

// restore forwards again, on the same address.
func (p *cutProxy) restore() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.silent = false
	p.dropAll()
	if p.ln == nil {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			return fmt.Errorf("listen again on %s: %w", p.addr, err)
		}
		p.ln = ln
		go p.serve(ln)
	}
	return nil
}

func (p *cutProxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.dropAll()
}

// unreachableWithin is how soon a request must be answered while the
// database cannot be reached.
const unreachableWithin = 2 * time.Second

// databaseCut runs a server on MONGODB_URI through a cutProxy, cuts the
// database off both ways, and checks: requests answer 503 unavailable with
// a clear message within 2 s, /readyz answers 503, and everything works
// again once the database is back, without a restart.
func databaseCut(ctx context.Context, c config, bin, tmp string, rep *report) error {
	if c.mongoURI == "" {
		say("database cut: SKIPPED: no MongoDB to cut off (scripts/load.sh starts FerretDB on PostgreSQL and sets LOAD_MONGODB_URI)")
		return nil
	}
	u, err := url.Parse(c.mongoURI)
	if err != nil || u.Host == "" || strings.Contains(u.Host, ",") {
		return fmt.Errorf("-mongodb-uri %q: need mongodb://host:port/… with one host", c.mongoURI)
	}
	p, err := newCutProxy(u.Host)
	if err != nil {
		return err
	}
	defer p.close()
	u.Host = p.addr
	dir, err := dataDir(tmp, "cut-data")
	if err != nil {
		return err
	}
	srv, err := newServer(bin, dir, u.String(), tmp, "cut-server")
	if err != nil {
		return err
	}
	srv.db = "load_cut_" + newKey()[:8]
	if err := srv.start(ctx); err != nil {
		return err
	}
	defer srv.stop()
	a := newAPI(srv.url())
	w, err := setUp(ctx, a, 1, 0, "3")
	if err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	me := w.participants[0]
	var before noteAnswer
	if err := a.expect(ctx, "create a draft", "POST", "/api/v1/calls/"+w.callID+"/notes", me.Token, noteBody("Before the cut", 1), 201, &before); err != nil {
		return err
	}
	for _, mode := range []struct {
		name   string
		silent bool
	}{{"connections refused", false}, {"connections silent", true}} {
		p.cut(mode.silent)
		probes := []struct {
			what string
			r    req
		}{
			{"read a note", req{Method: "GET", Path: "/api/v1/notes/" + before.Note.ID, Token: me.Token}},
			{"list notes", req{Method: "GET", Path: "/api/v1/notes?mine=true", Token: me.Token}},
			{"create a draft", req{Method: "POST", Path: "/api/v1/calls/" + w.callID + "/notes", Token: me.Token, Key: newKey(),
				Body: []byte(`{"title": "During the cut"}`)}},
			{"sign in", req{Method: "POST", Path: "/api/v1/login", Body: []byte(fmt.Sprintf(`{"email": %q, "password": %q}`, me.Email, password))}},
		}
		var worst time.Duration
		for round := range 3 {
			for _, pr := range probes {
				rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				ans, err := a.once(rctx, pr.r)
				cancel()
				what := fmt.Sprintf("%s, %s (round %d)", mode.name, pr.what, round+1)
				switch {
				case err != nil:
					rep.fail("database cut", fmt.Sprintf("%s: no answer: %v", what, err))
				case ans.Took > unreachableWithin:
					rep.fail("database cut", fmt.Sprintf("%s: answered %d after %s, more than %s", what, ans.Status, ms(ans.Took), unreachableWithin))
				case ans.Status != 503 || ans.errCode() != "unavailable" || !strings.Contains(ans.errMessage(), "database cannot be reached"):
					rep.fail("database cut", fmt.Sprintf("%s: want 503 unavailable saying the database cannot be reached, got %d %.300s", what, ans.Status, ans.Body))
				}
				worst = max(worst, ans.Took)
			}
		}
		t := time.Now()
		code, body := getStatus(ctx, srv.url()+"/readyz")
		if took := time.Since(t); code != 503 || took > unreachableWithin {
			rep.fail("database cut", fmt.Sprintf("%s: /readyz answered %d %q after %s, want 503 within %s", mode.name, code, body, ms(took), unreachableWithin))
		}
		say("database cut (%s): %d requests answered 503 unavailable, the slowest after %s; /readyz %d", mode.name, 3*len(probes), ms(worst), code)

		if err := p.restore(); err != nil {
			return err
		}
		t = time.Now()
		back := false
		for time.Since(t) < 60*time.Second {
			if code, _ := getStatus(ctx, srv.url()+"/readyz"); code == 200 {
				back = true
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !back {
			rep.fail("database cut", mode.name+": /readyz did not answer 200 within 60 s of the database coming back")
			continue
		}
		say("database cut (%s): ready again %s after the database came back, without a restart", mode.name, ms(time.Since(t)))
		var n noteAnswer
		if err := a.expect(ctx, "create a draft after the cut", "POST", "/api/v1/calls/"+w.callID+"/notes", me.Token, noteBody("After the cut", 2), 201, &n); err != nil {
			rep.fail("database cut", mode.name+": "+err.Error())
			continue
		}
		b, _ := json.Marshal(map[string]int{"version": before.Note.Version})
		if mode.silent {
			continue // the note was submitted after the first cut
		}
		ans, err := a.once(ctx, req{Method: "POST", Path: "/api/v1/notes/" + before.Note.ID + "/submit", Token: me.Token, Key: newKey(), Body: b})
		if err != nil || ans.Status != 200 {
			rep.fail("database cut", fmt.Sprintf("%s: a submission after the cut: %d %v %.200s", mode.name, ans.Status, err, ans.Body))
		}
	}
	return nil
}
