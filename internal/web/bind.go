package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"cocreate/internal/apperr"
)

const maxJSONBody = 1 << 20

func badRequest(format string, a ...any) error {
	return &apperr.BadRequest{Message: fmt.Sprintf(format, a...)}
}

// bindJSON decodes the request body into v strictly: JSON only, 1 MiB at
// most, no unknown fields, no trailing data, and typed fields, so that a
// value such as {"$gt": ""} where a string belongs is a 400, never a query.
func (h *Handler) bindJSON(c *gin.Context, v any) bool {
	ct := c.GetHeader("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		apiFail(c, http.StatusUnsupportedMediaType, "unsupported_media_type", "Send the body as JSON with Content-Type: application/json.")
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			apiFail(c, http.StatusRequestEntityTooLarge, "too_large", "The body is larger than 1 MiB.")
			return false
		}
		h.fail(c, badRequest("The body could not be read."))
		return false
	}
	if err := checkUnicode(body); err != nil {
		h.fail(c, err)
		return false
	}
	if err := decodeStrict(body, v); err != nil {
		h.fail(c, err)
		return false
	}
	return true
}

// checkUnicode refuses a body that is not valid UTF-8 or whose \u escapes
// name half a surrogate pair: encoding/json would replace either with
// U+FFFD, so the text stored would not be the text sent.
func checkUnicode(body []byte) error {
	if !utf8.Valid(body) {
		return badRequest("The body is not valid UTF-8 text.")
	}
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		if i+1 < len(body) && body[i+1] != 'u' {
			i++ // an escape of one character, \\ included
			continue
		}
		r, ok := hex4(body, i+2)
		switch {
		case !ok || !utf16.IsSurrogate(r):
		case r >= 0xdc00:
			return badRequest("The body has half a surrogate pair (\\u%04X) in a string; send the text as UTF-8.", r)
		default:
			lo, ok := rune(0), i+7 < len(body) && body[i+6] == '\\' && body[i+7] == 'u'
			if ok {
				lo, ok = hex4(body, i+8)
			}
			if !ok || lo < 0xdc00 || lo > 0xdfff {
				return badRequest("The body has half a surrogate pair (\\u%04X) in a string; send the text as UTF-8.", r)
			}
			i += 6
		}
		i += 5
	}
	return nil
}

// hex4 reads the four hex digits at b[i:], as a \u escape has them.
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[i:i+4]), 16, 32)
	return rune(n), err == nil
}

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return badRequest("The body is empty; send a JSON object.")
		case errors.As(err, &se):
			return badRequest("The body is not valid JSON (at byte %d).", se.Offset)
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				return badRequest("The body must be a JSON object.")
			}
			return &apperr.BadRequest{Message: fmt.Sprintf("Field %q must be %s, not %s.", field, jsonKind(te.Type.String()), te.Value)}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return badRequest("Unknown field %s.", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return badRequest("The body is not valid JSON.")
	}
	if dec.More() {
		return badRequest("The body has data after the JSON object.")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return badRequest("The body has data after the JSON object.")
	}
	return nil
}

func jsonKind(goType string) string {
	switch {
	case goType == "string" || goType == "*string":
		return "a string"
	case goType == "bool" || goType == "*bool":
		return "true or false"
	case strings.Contains(goType, "int") || strings.Contains(goType, "float"):
		return "a number"
	case strings.HasPrefix(goType, "[]") || strings.HasPrefix(goType, "*[]"):
		return "a list"
	}
	return "an object"
}

// maxPage is the highest page number a list takes: far past any list's
// end, and low enough that page × per_page cannot overflow.
const maxPage = 100_000

// pageParams reads page and per_page (api.md: page ≥ 1, per_page 1–200,
// default 50). The API refuses a value out of range (400); a page clamps
// it, since a person followed or edited a link.
func pageParams(c *gin.Context) (int, int, error) {
	page, err := pageParam(c)
	if err != nil {
		return 0, 0, err
	}
	per := 50
	if v := c.Query("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err == nil && n >= 1 && n <= 200:
			per = n
		case isAPI(c):
			return 0, 0, badRequest("per_page must be a whole number from 1 to 200.")
		case err == nil && n > 200:
			per = 200
		}
	}
	return page, per, nil
}

// pageParam reads page (1 to maxPage) as pageParams does.
func pageParam(c *gin.Context) (int, error) {
	v := c.Query("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	switch {
	case err == nil && n >= 1 && n <= maxPage:
		return n, nil
	case isAPI(c):
		return 0, badRequest("page must be a whole number from 1 to %d.", maxPage)
	case err == nil && n > maxPage, errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-"):
		return maxPage, nil
	}
	return 1, nil
}
