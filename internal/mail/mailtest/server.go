// Package mailtest runs a real SMTP server on loopback for tests
// (github.com/emersion/go-smtp): it records what it accepts and can refuse
// the first attempts with a temporary error.
package mailtest

import (
	"errors"
	"io"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one message the server accepted.
type Mail struct {
	From    string
	To      []string
	Subject string
	ID      string // Message-ID
	Body    string // decoded body
	Raw     string
}

// Server is an SMTP server on 127.0.0.1.
type Server struct {
	Addr string // host:port
	Port int

	mu       sync.Mutex
	got      []Mail
	refuse   int // data commands still to refuse with 451
	attempts int // DATA commands seen
}

// Start runs a server until the test ends. The first refuse messages'
// DATA are answered 451 (a temporary failure), after which it accepts.
func Start(t testing.TB, refuse int) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port, refuse: refuse}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Mails returns what the server has accepted so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.got...)
}

// Attempts is how many messages were offered (DATA), accepted or refused.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Wait waits until n messages were accepted, or fails the test after d.
func (s *Server) Wait(t testing.TB, n int, d time.Duration) []Mail {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		got := s.Mails()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("the SMTP server accepted %d messages in %s, want %d: %+v", len(got), d, n, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := x.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	if s.refuse > 0 {
		s.refuse--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	m := Mail{From: x.from, To: x.to, Raw: string(raw)}
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return errors.New("unreadable message")
	}
	var dec mime.WordDecoder
	m.Subject, _ = dec.DecodeHeader(msg.Header.Get("Subject"))
	m.ID = msg.Header.Get("Message-Id")
	body, _ := io.ReadAll(msg.Body)
	m.Body = decodeBody(msg.Header.Get("Content-Transfer-Encoding"), string(body))
	s.got = append(s.got, m)
	return nil
}
