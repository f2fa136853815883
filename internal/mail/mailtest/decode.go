package mailtest

import (
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"strings"
)

func decodeBody(cte, body string) string {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
		if err == nil {
			return strings.ReplaceAll(string(b), "\r\n", "\n")
		}
	case "base64":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(body), ""))
		if err == nil {
			return strings.ReplaceAll(string(b), "\r\n", "\n")
		}
	}
	return strings.ReplaceAll(body, "\r\n", "\n")
}
