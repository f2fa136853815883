package training

import (
	"archive/zip"
	"bytes"
	"io"
	"path"
	"strings"
)

// MaxFile is the largest file the resource library takes.
const MaxFile = 20 << 20

// FileKinds are the kinds of file the resource library takes, by the
// extension a name must end in. Keynote files are not taken: their
// package cannot be told from any other zip; export them as PDF.
var FileKinds = map[string]string{
	".pdf":  "pdf",
	".pptx": "pptx",
	".ppt":  "ppt",
	".odp":  "odp",
}

// ContentTypes are the media types files are served with, by kind.
var ContentTypes = map[string]string{
	"pdf":  "application/pdf",
	"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"ppt":  "application/vnd.ms-powerpoint",
	"odp":  "application/vnd.oasis.opendocument.presentation",
}

// CheckFile says what kind of file data is, from its bytes and not only its
// name: a PDF starts %PDF-, a .ppt is an OLE compound file, a .pptx a zip
// holding ppt/presentation.xml, an .odp a zip whose mimetype says so. The
// name's extension must agree. The error is a *FileError a person reads.
func CheckFile(name string, data []byte) (string, error) {
	ext := strings.ToLower(path.Ext(name))
	kind, ok := FileKinds[ext]
	switch {
	case len(data) == 0:
		return "", &FileError{"The file is empty."}
	case len(data) > MaxFile:
		return "", &FileError{"The file is larger than 20 MB: compress it or share it as a link."}
	case ext == ".key":
		return "", &FileError{"Keynote files are not taken: export the slides as PDF or PowerPoint and upload that."}
	case !ok:
		return "", &FileError{"Only PDF and slides (.pdf, .pptx, .ppt, .odp) can be uploaded; share other material as a link."}
	}
	var got string
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		got = "pdf"
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		got = "ppt"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		got = zipKind(data)
	}
	if got != kind {
		return "", &FileError{"The file's content is not a " + strings.TrimPrefix(ext, ".") + " file, whatever its name says: save it again as PDF or slides and upload that."}
	}
	return kind, nil
}

func zipKind(data []byte) string {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	for _, f := range z.File {
		switch f.Name {
		case "ppt/presentation.xml":
			return "pptx"
		case "mimetype":
			rc, err := f.Open()
			if err != nil {
				return ""
			}
			b, _ := io.ReadAll(io.LimitReader(rc, 100))
			rc.Close()
			if string(b) == "application/vnd.oasis.opendocument.presentation" {
				return "odp"
			}
		}
	}
	return ""
}
