// Package wireproxy is a MongoDB wire-protocol proxy that runs the writes to
// any one collection one at a time. It is a test and CI helper, not part of
// the service: FerretDB 1.24 (with its PostgreSQL handler as with SQLite)
// does not make an update's read and write atomic, so two updates of one
// document can both read the old value and one increment is lost. MongoDB
// guarantees single-document atomicity; putting this proxy in front of
// FerretDB gives the suite's MONGODB_URI runs that guarantee.
//
// Each client connection gets its own backend connection, and messages go
// through in order, one request and its reply at a time. For an OP_MSG whose
// command (the first key of its first section) is insert, update, delete or
// findAndModify, the proxy takes the lock of the namespace (the `$db` field
// and the command's collection) before it forwards the request and releases
// it once the backend's reply has arrived, even if the client has gone away
// meanwhile. Every other message (reads, commands, the handshake) passes
// through without a lock. Compressed messages (OP_COMPRESSED) are not
// looked into: FerretDB 1.24 refuses them (it offers no compression).
package wireproxy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
)

const (
	opMsg = 2013 // OP_MSG opcode

	flagChecksumPresent = 1 << 0
	flagMoreToCome      = 1 << 1

	headerLen = 16
	// maxMessage bounds a message's length: MongoDB's limit is 48 MB.
	maxMessage = 48 << 20
)

// writeCommands are the commands whose target collection is locked.
var writeCommands = map[string]bool{"insert": true, "update": true, "delete": true,
	"findandmodify": true}

// Proxy forwards MongoDB wire-protocol connections to a backend.
type Proxy struct {
	backend string
	log     *slog.Logger

	mu    sync.Mutex
	locks map[string]*sync.Mutex // namespace → its write lock

	connMu sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// New returns a proxy to the server at backend (host:port). A nil logger
// discards the proxy's messages.
func New(backend string, log *slog.Logger) *Proxy {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Proxy{backend: backend, log: log, locks: map[string]*sync.Mutex{},
		conns: map[net.Conn]struct{}{}}
}

// Serve accepts connections on l until l is closed, and serves each in its
// own goroutine. It returns nil once Close has been called.
func (p *Proxy) Serve(l net.Listener) error {
	for {
		c, err := l.Accept()
		if err != nil {
			p.connMu.Lock()
			closed := p.closed
			p.connMu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("accept: %w", err)
		}
		if !p.track(c) {
			c.Close()
			return nil
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.untrack(c)
			if err := p.serveConn(c); err != nil {
				p.log.Debug("wireproxy: connection ended", "err", err)
			}
		}()
	}
}

// Close closes every open connection and waits for their goroutines. The
// caller closes the listener given to Serve.
func (p *Proxy) Close() {
	p.connMu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.connMu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) track(c net.Conn) bool {
	p.connMu.Lock()
	defer p.connMu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.connMu.Lock()
	delete(p.conns, c)
	p.connMu.Unlock()
	c.Close()
}

// lockOf returns the write lock of namespace ns.
func (p *Proxy) lockOf(ns string) *sync.Mutex {
	p.mu.Lock()
	defer p.mu.Unlock()
	m, ok := p.locks[ns]
	if !ok {
		m = &sync.Mutex{}
		p.locks[ns] = m
	}
	return m
}

// serveConn relays one client connection: a request, then its replies,
// then the next request.
func (p *Proxy) serveConn(c net.Conn) error {
	b, err := net.Dial("tcp", p.backend)
	if err != nil {
		return fmt.Errorf("dial backend %s: %w", p.backend, err)
	}
	defer b.Close()
	p.connMu.Lock()
	if p.closed {
		p.connMu.Unlock()
		return nil
	}
	p.conns[b] = struct{}{}
	p.connMu.Unlock()
	defer func() {
		p.connMu.Lock()
		delete(p.conns, b)
		p.connMu.Unlock()
	}()

	for {
		req, err := readMessage(c)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read request: %w", err)
		}
		if err := p.relay(c, b, req); err != nil {
			return err
		}
	}
}

// relay forwards req to the backend and the replies back to the client,
// under the namespace's lock when req is a write.
func (p *Proxy) relay(c, b net.Conn, req []byte) error {
	if ns := writeNamespace(req); ns != "" {
		m := p.lockOf(ns)
		m.Lock()
		defer m.Unlock()
	}
	if _, err := b.Write(req); err != nil {
		return fmt.Errorf("write request to backend: %w", err)
	}
	if moreToCome(req) {
		return nil // the client asked for no reply (an unacknowledged write)
	}
	var clientErr error
	for {
		reply, err := readMessage(b)
		if err != nil {
			return fmt.Errorf("read reply from backend: %w", err)
		}
		// Once the client has gone, keep reading: the write finishes under
		// the lock, and the lock is released only after its reply.
		if clientErr == nil {
			if _, err := c.Write(reply); err != nil {
				clientErr = fmt.Errorf("write reply to client: %w", err)
			}
		}
		if !moreToCome(reply) {
			return clientErr
		}
	}
}

// readMessage reads one whole wire-protocol message, header included.
func readMessage(r io.Reader) ([]byte, error) {
	var h [headerLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.LittleEndian.Uint32(h[:4])))
	if n < headerLen || n > maxMessage {
		return nil, fmt.Errorf("message length %d out of range", n)
	}
	msg := make([]byte, n)
	copy(msg, h[:])
	if _, err := io.ReadFull(r, msg[headerLen:]); err != nil {
		return nil, fmt.Errorf("read message body: %w", err)
	}
	return msg, nil
}

// moreToCome reports whether msg is an OP_MSG with the moreToCome flag: no
// reply follows a request with it, and another reply follows a reply with it.
func moreToCome(msg []byte) bool {
	if len(msg) < headerLen+4 || binary.LittleEndian.Uint32(msg[12:16]) != opMsg {
		return false
	}
	return binary.LittleEndian.Uint32(msg[16:20])&flagMoreToCome != 0
}

// writeNamespace returns "db.collection" when msg is an OP_MSG running a
// write command, and "" otherwise.
func writeNamespace(msg []byte) string {
	if len(msg) < headerLen+5 || binary.LittleEndian.Uint32(msg[12:16]) != opMsg {
		return ""
	}
	flags := binary.LittleEndian.Uint32(msg[16:20])
	end := len(msg)
	if flags&flagChecksumPresent != 0 {
		end -= 4
	}
	// The body (kind 0) section is the only one with the command; drivers
	// send it first, but the protocol lets it come after document sequences.
	for i := headerLen + 4; i < end; {
		kind := msg[i]
		i++
		if i+4 > end {
			return ""
		}
		size := int(int32(binary.LittleEndian.Uint32(msg[i : i+4])))
		if size < 5 || i+size > end {
			return ""
		}
		if kind == 0 {
			return commandNamespace(bson.Raw(msg[i : i+size]))
		}
		i += size // kind 1: a document sequence, its size counts itself
	}
	return ""
}

// commandNamespace returns "db.collection" for a write command's body.
func commandNamespace(doc bson.Raw) string {
	first, err := doc.IndexErr(0)
	if err != nil || !writeCommands[strings.ToLower(first.Key())] {
		return ""
	}
	coll, ok := first.Value().StringValueOK()
	if !ok {
		return ""
	}
	v, err := doc.LookupErr("$db")
	if err != nil {
		return ""
	}
	db, ok := v.StringValueOK()
	if !ok {
		return ""
	}
	return db + "." + coll
}
