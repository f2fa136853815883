package training

import (
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// Certificate is a certificate of completion, stored under its code.
type Certificate struct {
	Code        string    `bson:"_id" json:"-"`
	CallID      string    `bson:"call_id" json:"-"`
	UserID      string    `bson:"user_id" json:"-"`
	Name        string    `bson:"name" json:"name"`
	Programme   string    `bson:"programme" json:"programme"`
	CompletedAt time.Time `bson:"completed_at" json:"completed_at"`
	IssuedAt    time.Time `bson:"issued_at" json:"-"`
}

// codeAlphabet is Crockford's base 32: no I, L, O or U, so a code read
// aloud or typed from paper is not mistaken.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewCode returns a random verification code of ten characters (50 bits
// from crypto/rand), written XXXXX-XXXXX.
func NewCode() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never on a supported system
	}
	out := make([]byte, 0, 11)
	for i, v := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, codeAlphabet[v&31])
	}
	return string(out)
}

// NormalizeCode reads a code as a person may type it (lower case, spaces,
// with or without the dash, O for 0, I and L for 1) and returns it in its
// stored form; ok is false when it cannot be a code.
func NormalizeCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case '-', ' ':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(codeAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	c := b.String()
	if len(c) != 10 {
		return "", false
	}
	return c[:5] + "-" + c[5:], true
}

// CertificateData is what a certificate prints.
type CertificateData struct {
	Name, Programme, Issuers string
	Sessions                 []Session
	Location                 *time.Location // the call's zone, for the sessions' dates
	Code, VerifyURL          string
	CompletedAt              time.Time
	Compress                 bool // false leaves the page's text readable in the file (tests)
}

// WriteCertificate writes the certificate as a one-page A4 landscape PDF.
// The core fonts encode Windows-1252, which covers the Latin names of the
// programme's participants; any other character prints as "?".
func WriteCertificate(w io.Writer, d CertificateData) error {
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetCompression(d.Compress)
	pdf.SetTitle("Certificate of completion", true)
	pdf.SetAutoPageBreak(false, 10)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()
	pdf.SetDrawColor(40, 70, 110)
	pdf.SetLineWidth(1.2)
	pdf.Rect(10, 10, 277, 190, "D")
	pdf.SetY(28)
	pdf.SetFont("Helvetica", "B", 28)
	pdf.CellFormat(0, 14, tr("Certificate of completion"), "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 13)
	pdf.CellFormat(0, 10, tr("This certifies that"), "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "B", 24)
	pdf.CellFormat(0, 14, tr(d.Name), "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 13)
	pdf.CellFormat(0, 9, tr("attended every session of"), "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "B", 16)
	pdf.MultiCell(0, 8, tr(d.Programme), "", "C", false)
	pdf.Ln(3)
	pdf.SetFont("Helvetica", "", 11)
	for _, s := range d.Sessions {
		line := s.StartsAt.In(loc).Format("2 January 2006") + ": " + s.Title
		pdf.CellFormat(0, 6.5, tr(line), "", 1, "C", false, 0, "")
	}
	pdf.Ln(3)
	if d.Issuers != "" {
		pdf.SetFont("Helvetica", "I", 11)
		pdf.MultiCell(0, 6, tr("Issued by "+d.Issuers), "", "C", false)
	}
	pdf.SetY(178)
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 6, tr("Completed "+d.CompletedAt.In(loc).Format("2 January 2006")+". Verification code: "+d.Code), "", 1, "C", false, 0, "")
	pdf.CellFormat(0, 6, tr("Check this certificate at "+d.VerifyURL), "", 1, "C", false, 0, "")
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write the certificate: %w", err)
	}
	return nil
}
