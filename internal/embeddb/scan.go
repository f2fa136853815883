package embeddb

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// ScanDocuments calls fn with every document of collection coll in
// database db, as BSON, reading the engine's SQLite file directly.
//
// Reading a whole collection through the wire protocol makes FerretDB 1.24
// decode each stored document into its own types (several allocations per
// value, a tracked resource and a stack trace per document) before encoding
// it as BSON; for a start-up that rebuilds what the store derives from
// every note, that was most of the time (docs/performance.md). Here the stored JSON
// (FerretDB's "sjson": the values as JSON plus a "$s" schema with each
// value's BSON type and each document's key order) is converted to the
// same BSON in one pass over the text. The SELECT is one SQLite read transaction, so fn
// sees one consistent state of the collection; the read takes no lock and
// does not block FerretDB's writers (the files are in WAL mode).
// TestScanDocumentsMatchesTheEngine checks the result is byte for byte
// what the engine returns, for every type the engine stores.
//
// The raw document passed to fn is valid only during the call. A missing
// database or collection has no documents. An error means nothing can be
// concluded: the caller reads through the engine instead.
func (s *Server) ScanDocuments(ctx context.Context, db, coll string, fn func(bson.Raw) error) error {
	path := filepath.Join(s.dir, db+".sqlite")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer conn.Close()
	var table string
	err = conn.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, coll).Scan(&table)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find the table of %s.%s: %w", db, coll, err)
	}
	rows, err := conn.QueryContext(ctx, fmt.Sprintf(`SELECT _ferretdb_sjson FROM %q`, table))
	if err != nil {
		return fmt.Errorf("read %s.%s: %w", db, coll, err)
	}
	defer rows.Close()
	var doc []byte
	cache := schemaCache{}
	for rows.Next() {
		var text sql.RawBytes
		if err := rows.Scan(&text); err != nil {
			return fmt.Errorf("read %s.%s: %w", db, coll, err)
		}
		doc, err = sjsonToBSON(doc[:0], text, cache)
		if err != nil {
			return fmt.Errorf("decode a document of %s.%s: %w", db, coll, err)
		}
		if err := fn(bson.Raw(doc)); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s.%s: %w", db, coll, err)
	}
	return nil
}

// sjsonSchema is a document's schema in FerretDB 1.24's stored JSON: its
// keys in order and each value's type.
type sjsonSchema struct {
	Keys  []string
	Props map[string]*sjsonElem
}

// sjsonElem is one value's type; objects carry their schema, arrays one
// element per item.
type sjsonElem struct {
	Type    string
	Schema  *sjsonSchema
	Items   []*sjsonElem
	Subtype byte
	Options string
}

// schemaCache maps the text of a schema to its parsed form: documents of
// one shape (a call's notes have a few dozen) share one schema text, which
// is often longer than the values it describes.
type schemaCache map[string]*sjsonSchema

// maxSchemas bounds a schemaCache; past it, schemas are parsed every time.
const maxSchemas = 4096

// sjsonToBSON appends to dst the BSON of a top-level stored document.
//
// FerretDB writes `{"$s":<schema>,"k1":<v1>,…}` with the values in the
// schema's key order, and nested objects' values in their key order too;
// the conversion reads the text once, in that order, and refuses anything
// else.
func sjsonToBSON(dst, text []byte, cache schemaCache) ([]byte, error) {
	p := &sjsonParser{b: text}
	if err := p.expect('{'); err != nil {
		return nil, err
	}
	k, err := p.str()
	if err != nil || k != "$s" {
		return nil, errors.New(`the document does not start with its "$s" schema`)
	}
	if err := p.expect(':'); err != nil {
		return nil, err
	}
	from := p.i
	if err := p.skip(); err != nil {
		return nil, err
	}
	sch, ok := cache[string(p.b[from:p.i])]
	if !ok {
		sp := &sjsonParser{b: p.b[from:p.i]}
		if sch, err = sp.schema(); err != nil {
			return nil, fmt.Errorf("schema: %w", err)
		}
		if len(cache) < maxSchemas {
			cache[string(p.b[from:p.i])] = sch
		}
	}
	idx, dst := bsoncore.AppendDocumentStart(dst)
	for _, key := range sch.Keys {
		if err := p.expect(','); err != nil {
			return nil, err
		}
		if dst, err = p.member(dst, key, sch.Props[key]); err != nil {
			return nil, err
		}
	}
	if err := p.expect('}'); err != nil {
		return nil, err
	}
	if p.ws(); p.i != len(p.b) {
		return nil, errors.New("text after the document")
	}
	return bsoncore.AppendDocumentEnd(dst, idx)
}

// sjsonParser reads JSON text from b at i.
type sjsonParser struct {
	b []byte
	i int
}

var errSyntax = errors.New("malformed stored document")

func (p *sjsonParser) ws() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

// peek returns the next non-space byte without consuming it (0 at the end).
func (p *sjsonParser) peek() byte {
	p.ws()
	if p.i == len(p.b) {
		return 0
	}
	return p.b[p.i]
}

func (p *sjsonParser) expect(c byte) error {
	if p.peek() != c {
		return fmt.Errorf("%w: want %q at %d", errSyntax, c, p.i)
	}
	p.i++
	return nil
}

// str reads a JSON string.
func (p *sjsonParser) str() (string, error) {
	if p.peek() != '"' {
		return "", fmt.Errorf("%w: want a string at %d", errSyntax, p.i)
	}
	start := p.i
	p.i++
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			p.i++
			return string(p.b[start+1 : p.i-1]), nil
		case c == '\\':
			return p.escapedStr(start)
		case c < 0x20:
			return "", fmt.Errorf("%w: control character in a string", errSyntax)
		}
		p.i++
	}
	return "", fmt.Errorf("%w: unterminated string", errSyntax)
}

// escapedStr reads, from start, a string that has escapes: it finds the
// closing quote and lets encoding/json decode it.
func (p *sjsonParser) escapedStr(start int) (string, error) {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case '\\':
			p.i += 2
			continue
		case '"':
			p.i++
			var s string
			if err := json.Unmarshal(p.b[start:p.i], &s); err != nil {
				return "", err
			}
			return s, nil
		}
		p.i++
	}
	return "", fmt.Errorf("%w: unterminated string", errSyntax)
}

// number reads a JSON number's text.
func (p *sjsonParser) number() (string, error) {
	p.ws()
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		p.i++
	}
	if p.i == start {
		return "", fmt.Errorf("%w: want a number at %d", errSyntax, start)
	}
	return string(p.b[start:p.i]), nil
}

func (p *sjsonParser) literal(word string) error {
	p.ws()
	if !bytes.HasPrefix(p.b[p.i:], []byte(word)) {
		return fmt.Errorf("%w: want %s at %d", errSyntax, word, p.i)
	}
	p.i += len(word)
	return nil
}

// skip passes over one JSON value of any kind.
func (p *sjsonParser) skip() error {
	switch c := p.peek(); c {
	case '"':
		_, err := p.str()
		return err
	case '{', '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		p.i++
		if p.peek() == end {
			p.i++
			return nil
		}
		for {
			if c == '{' {
				if _, err := p.str(); err != nil {
					return err
				}
				if err := p.expect(':'); err != nil {
					return err
				}
			}
			if err := p.skip(); err != nil {
				return err
			}
			switch p.peek() {
			case ',':
				p.i++
			case end:
				p.i++
				return nil
			default:
				return fmt.Errorf("%w: at %d", errSyntax, p.i)
			}
		}
	case 't':
		return p.literal("true")
	case 'f':
		return p.literal("false")
	case 'n':
		return p.literal("null")
	}
	_, err := p.number()
	return err
}

// object calls member for each key of a JSON object, in the text's order.
func (p *sjsonParser) object(member func(key string) error) error {
	if err := p.expect('{'); err != nil {
		return err
	}
	if p.peek() == '}' {
		p.i++
		return nil
	}
	for {
		k, err := p.str()
		if err != nil {
			return err
		}
		if err := p.expect(':'); err != nil {
			return err
		}
		if err := member(k); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return nil
		default:
			return fmt.Errorf("%w: at %d", errSyntax, p.i)
		}
	}
}

// array calls item for each element of a JSON array.
func (p *sjsonParser) array(item func(i int) error) error {
	if err := p.expect('['); err != nil {
		return err
	}
	if p.peek() == ']' {
		p.i++
		return nil
	}
	for i := 0; ; i++ {
		if err := item(i); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return fmt.Errorf("%w: at %d", errSyntax, p.i)
		}
	}
}

// schema reads `{"$k":[…],"p":{…}}`.
func (p *sjsonParser) schema() (*sjsonSchema, error) {
	sch := &sjsonSchema{Props: map[string]*sjsonElem{}}
	err := p.object(func(key string) error {
		switch key {
		case "$k":
			return p.array(func(int) error {
				k, err := p.str()
				sch.Keys = append(sch.Keys, k)
				return err
			})
		case "p":
			return p.object(func(k string) error {
				el, err := p.elem()
				sch.Props[k] = el
				return err
			})
		}
		return fmt.Errorf("unknown schema key %q", key)
	})
	if err != nil {
		return nil, err
	}
	for _, k := range sch.Keys {
		if sch.Props[k] == nil {
			return nil, fmt.Errorf("key %q has no type", k)
		}
	}
	return sch, nil
}

// elem reads one value's type: `{"t":…}` with "$s", "i", "s" or "o".
func (p *sjsonParser) elem() (*sjsonElem, error) {
	el := &sjsonElem{}
	err := p.object(func(key string) error {
		var err error
		switch key {
		case "t":
			el.Type, err = p.str()
		case "$s":
			el.Schema, err = p.schema()
		case "i":
			err = p.array(func(int) error {
				it, err := p.elem()
				el.Items = append(el.Items, it)
				return err
			})
		case "s":
			var n string
			if n, err = p.number(); err == nil {
				var v uint64
				v, err = strconv.ParseUint(n, 10, 8)
				el.Subtype = byte(v)
			}
		case "o":
			el.Options, err = p.str()
		default:
			err = fmt.Errorf("unknown type key %q", key)
		}
		return err
	})
	if err == nil && el.Type == "object" && el.Schema == nil {
		err = errors.New("an object without its schema")
	}
	return el, err
}

// member reads `"key":value` and appends it as a BSON element.
func (p *sjsonParser) member(dst []byte, key string, el *sjsonElem) ([]byte, error) {
	k, err := p.str()
	if err != nil {
		return nil, err
	}
	if k != key {
		return nil, fmt.Errorf("key %q where the schema has %q", k, key)
	}
	if err := p.expect(':'); err != nil {
		return nil, err
	}
	if dst, err = p.value(dst, key, el); err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return dst, nil
}

// value reads one value of type el and appends it as the element key.
func (p *sjsonParser) value(dst []byte, key string, el *sjsonElem) ([]byte, error) {
	switch el.Type {
	case "object":
		dst = bsoncore.AppendHeader(dst, bsoncore.TypeEmbeddedDocument, key)
		idx, dst := bsoncore.AppendDocumentStart(dst)
		if err := p.expect('{'); err != nil {
			return nil, err
		}
		for i, k := range el.Schema.Keys {
			if i > 0 {
				if err := p.expect(','); err != nil {
					return nil, err
				}
			}
			var err error
			if dst, err = p.member(dst, k, el.Schema.Props[k]); err != nil {
				return nil, err
			}
		}
		if err := p.expect('}'); err != nil {
			return nil, err
		}
		return bsoncore.AppendDocumentEnd(dst, idx)
	case "array":
		idx, dst := bsoncore.AppendArrayElementStart(dst, key)
		n := 0
		err := p.array(func(i int) error {
			if i >= len(el.Items) {
				return errors.New("more items than the schema has")
			}
			var err error
			dst, err = p.value(dst, strconv.Itoa(i), el.Items[i])
			n++
			return err
		})
		if err != nil {
			return nil, err
		}
		if n != len(el.Items) {
			return nil, errors.New("fewer items than the schema has")
		}
		return bsoncore.AppendArrayEnd(dst, idx)
	case "string":
		s, err := p.str()
		return bsoncore.AppendStringElement(dst, key, s), err
	case "double":
		n, err := p.number()
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(n, 64)
		return bsoncore.AppendDoubleElement(dst, key, f), err
	case "int":
		n, err := p.number()
		if err != nil {
			return nil, err
		}
		v, err := strconv.ParseInt(n, 10, 32)
		return bsoncore.AppendInt32Element(dst, key, int32(v)), err
	case "long", "date":
		n, err := p.number()
		if err != nil {
			return nil, err
		}
		v, err := strconv.ParseInt(n, 10, 64)
		if el.Type == "date" {
			return bsoncore.AppendDateTimeElement(dst, key, v), err
		}
		return bsoncore.AppendInt64Element(dst, key, v), err
	case "bool":
		if p.peek() == 't' {
			return bsoncore.AppendBooleanElement(dst, key, true), p.literal("true")
		}
		return bsoncore.AppendBooleanElement(dst, key, false), p.literal("false")
	case "null":
		return bsoncore.AppendNullElement(dst, key), p.literal("null")
	case "objectId":
		h, err := p.str()
		if err != nil {
			return nil, err
		}
		id, err := bson.ObjectIDFromHex(h)
		return bsoncore.AppendObjectIDElement(dst, key, id), err
	case "binData":
		b64, err := p.str()
		if err != nil {
			return nil, err
		}
		b, err := base64.StdEncoding.DecodeString(b64)
		return bsoncore.AppendBinaryElement(dst, key, el.Subtype, b), err
	case "regex":
		pattern, err := p.str()
		return bsoncore.AppendRegexElement(dst, key, pattern, el.Options), err
	case "timestamp":
		n, err := p.number()
		if err != nil {
			return nil, err
		}
		ts, err := strconv.ParseUint(n, 10, 64)
		return bsoncore.AppendTimestampElement(dst, key, uint32(ts>>32), uint32(ts)), err
	}
	return nil, fmt.Errorf("unknown stored type %q", el.Type)
}
