// Package static embeds the stylesheet, the script and images.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

// FS holds every static file.
//
//go:embed css js img
var FS embed.FS

// Version is a short hash of every static file, used in asset URLs so they
// can be cached for a year and still change on each release.
var Version = func() string {
	h := sha256.New()
	_ = fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := FS.ReadFile(p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()
