package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// api sends the load's requests to one server and keeps what went wrong.
type api struct {
	base string
	hc   *http.Client
	// down is set while the program has the server killed or restarting:
	// a transport error then is expected, and the request is retried.
	down atomic.Bool
	// retryFor bounds how long one request is retried across a crash.
	retryFor time.Duration
	// gen counts the crashes so far: an answer whose request was sent
	// before the latest crash is not a steady-state latency.
	gen atomic.Int64

	mu       sync.Mutex
	problems []string // 5xx answers and transport errors while the server was up
	fiveXX   int
	giveUps  atomic.Int64 // requests this program abandoned mid-way on purpose
	retried  atomic.Int64 // requests sent again with the same key after a crash or a give-up
	replays  atomic.Int64 // answers marked Idempotent-Replay: true
}

func newAPI(base string) *api {
	tr := &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: 30 * time.Second}
	return &api{base: base, hc: &http.Client{Transport: tr}, retryFor: 3 * time.Minute}
}

func (a *api) problem(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.problems) < 200 {
		a.problems = append(a.problems, fmt.Sprintf(format, args...))
	}
}

// answer is one HTTP answer.
type answer struct {
	Status int
	Body   []byte
	Replay bool
	Took   time.Duration
	// Clean is set when the answer came to the first attempt, with no
	// crash since it was sent: a steady-state latency.
	Clean bool
}

func (r answer) decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("answer %d is not the JSON expected: %v: %.200s", r.Status, err, r.Body)
	}
	return nil
}

// errCode is the api.md error code of an error answer.
func (r answer) errCode() string {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

func (r answer) errMessage() string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Message
}

// req is one request to send, with what it needs to be repeated.
type req struct {
	Method, Path, Token, Key string
	Body                     []byte
}

// once sends r one time on ctx.
func (a *api) once(ctx context.Context, r req) (answer, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, r.Method, a.base+r.Path, body)
	if err != nil {
		return answer{}, err
	}
	if r.Body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.Token)
	}
	if r.Key != "" {
		hr.Header.Set("Idempotency-Key", r.Key)
	}
	start := time.Now()
	res, err := a.hc.Do(hr)
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return answer{}, err
	}
	ans := answer{Status: res.StatusCode, Body: b, Replay: res.Header.Get("Idempotent-Replay") == "true", Took: time.Since(start)}
	if ans.Replay {
		a.replays.Add(1)
	}
	return ans, nil
}

// giveUp says when a client abandons an attempt: after the duration it
// returns, or never when it returns 0.
type giveUp func(attempt int) time.Duration

// send sends r until it gets an answer that is not a failure of the
// moment: a transport error while the server is down, a 409 in_progress
// (the first attempt with the key is still being answered), or an
// attempt this client abandoned (gu). Every repeat carries the same key
// and body. A 5xx, or a transport error while the server is up, is
// recorded as a problem and retried too, so that the run goes on and the
// report lists them all.
func (a *api) send(ctx context.Context, what string, r req, gu giveUp) (answer, error) {
	deadline := time.Now().Add(a.retryFor)
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			a.retried.Add(1)
		}
		actx, cancel := ctx, context.CancelFunc(func() {})
		var limit time.Duration
		if gu != nil {
			limit = gu(attempt)
		}
		if limit > 0 {
			actx, cancel = context.WithTimeout(ctx, limit)
		}
		gen := a.gen.Load()
		ans, err := a.once(actx, r)
		ans.Clean = attempt == 0 && gen == a.gen.Load() && !a.down.Load()
		gaveUp := limit > 0 && actx.Err() != nil && ctx.Err() == nil
		cancel()
		switch {
		case ctx.Err() != nil:
			return answer{}, ctx.Err()
		case gaveUp && err != nil:
			a.giveUps.Add(1)
		case err != nil:
			if !a.down.Load() {
				a.problem("%s: %v while the server was up", what, err)
			}
			time.Sleep(100 * time.Millisecond)
		case ans.Status >= 500:
			a.mu.Lock()
			a.fiveXX++
			a.mu.Unlock()
			a.problem("%s: %d %.300s", what, ans.Status, ans.Body)
			time.Sleep(200 * time.Millisecond)
		case ans.Status == 409 && ans.errCode() == "in_progress":
			time.Sleep(100 * time.Millisecond)
		default:
			return ans, nil
		}
		if time.Now().After(deadline) {
			return answer{}, fmt.Errorf("%s: no answer within %s of retrying", what, a.retryFor)
		}
	}
}

// sendJSON marshals body and sends it (see send).
func (a *api) sendJSON(ctx context.Context, what, method, path, token, key string, body any, gu giveUp) (answer, error) {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return answer{}, err
		}
	}
	return a.send(ctx, what, req{Method: method, Path: path, Token: token, Key: key, Body: b}, gu)
}

// expect sends (a POST with a fresh key) and fails unless the answer has
// status want.
func (a *api) expect(ctx context.Context, what, method, path, token string, body any, want int, out any) error {
	key := ""
	if method == "POST" {
		key = newKey()
	}
	ans, err := a.sendJSON(ctx, what, method, path, token, key, body, nil)
	if err != nil {
		return err
	}
	if ans.Status != want {
		return fmt.Errorf("%s: want %d, got %d %.300s", what, want, ans.Status, ans.Body)
	}
	if out != nil {
		return ans.decode(out)
	}
	return nil
}

// newKey is a fresh idempotency key.
func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
