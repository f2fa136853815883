package web

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"cocreate/internal/app"
	"cocreate/internal/store"
	"cocreate/internal/training"
)

// benchAttendanceRows is the size of the large attendance report: a
// webinar of 5,000 connections (in the import benchmarks, 4,000 accounts,
// 500 rejoins and 500 strangers).
const benchAttendanceRows = 5000

// BenchmarkAttendanceImport imports a report of 5,000 rows into a new
// session (each iteration adds one, untimed): reading the CSV, matching
// every e-mail to an account (an _id look-up each) and inserting 4,000
// attendance records in batches. BenchmarkAttendanceReimport imports it
// again with every minute changed (4,000 updates by _id).
func BenchmarkAttendanceImport(b *testing.B)   { benchImport(b, false) }
func BenchmarkAttendanceReimport(b *testing.B) { benchImport(b, true) }

func benchImport(b *testing.B, again bool) {
	ts := newTestServer(b)
	ctx := context.Background()
	callID := ts.makeCall("bench-training", nil)
	coord, _ := ts.user("Bench Coordinator", "Programme", "government", "coordinator")
	report := func(shift int) []byte {
		var csv strings.Builder
		csv.WriteString("Name (Original Name),User Email,Duration (Minutes)\r\n")
		for i := 0; i < 4000; i++ {
			fmt.Fprintf(&csv, "Attendee %d, %s ,%d\r\n", i, strings.ToUpper(fmt.Sprintf("attendee%04d@bench.example", i)), 30+(i+shift)%70)
		}
		for i := 0; i < 500; i++ {
			fmt.Fprintf(&csv, "Attendee %d,attendee%04d@bench.example,%d\r\n", i, i, 10)
			fmt.Fprintf(&csv, "Stranger %d,stranger%d@elsewhere.example,60\r\n", i, i)
		}
		return []byte(csv.String())
	}
	for i := 0; i < 4000; i++ {
		email := fmt.Sprintf("attendee%04d@bench.example", i)
		if err := ts.store.CreateUser(ctx, &store.User{Email: email, Name: fmt.Sprintf("Attendee %d", i), Roles: []string{"participant"}}); err != nil {
			b.Fatal(err)
		}
	}
	var sessions []app.SessionInput
	newSession := func() string {
		sessions = append(sessions, app.SessionInput{Title: fmt.Sprint("Session ", len(sessions)+1), StartsAt: "2026-05-05T10:30", Minutes: 90})
		p, err := ts.app.SaveProgramme(ctx, coord, callID, app.ProgrammeInput{Title: "Webinars", Sessions: sessions})
		if err != nil {
			b.Fatal(err)
		}
		for i, s := range p.Sessions {
			if i < len(sessions) {
				sessions[i].ID = s.ID
			}
		}
		return p.Sessions[len(p.Sessions)-1].ID
	}
	import1 := func(sid string, data []byte) {
		rep, err := ts.app.ImportAttendance(ctx, coord, sid, data, nil, nil)
		if err != nil || rep.Imported != 4000 || len(rep.Report.Unmatched) != 500 || len(rep.Report.Duplicates) != 500 {
			b.Fatalf("%v", err)
		}
	}
	sid := newSession()
	if again {
		import1(sid, report(0))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data := report(0)
		if again {
			data = report(i + 1)
		} else if i > 0 {
			b.StopTimer()
			sid = newSession()
			b.StartTimer()
		}
		import1(sid, data)
	}
}

// BenchmarkAttendanceParse is the importer alone (no database): reading
// and checking 5,000 rows.
func BenchmarkAttendanceParse(b *testing.B) {
	var csv strings.Builder
	csv.WriteString("Name (Original Name),User Email,Duration (Minutes)\r\n")
	for i := 0; i < benchAttendanceRows; i++ {
		fmt.Fprintf(&csv, "Attendee %d, ATTENDEE%04d@bench.example ,%d\r\n", i, i, 30+i%70)
	}
	data := []byte(csv.String())
	m := training.Mapping{Email: "User Email", Minutes: "Duration (Minutes)"}
	b.ReportAllocs()
	for b.Loop() {
		rows, err := training.ReadRows(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := training.Import(rows, m, training.Options{Lookup: func(string) (string, error) { return "u", nil }}); err != nil {
			b.Fatal(err)
		}
	}
}

// discardWriter is a ResponseWriter that keeps nothing but the byte
// count; flush, when set, runs at each Flush (after each certificate).
type discardWriter struct {
	h     http.Header
	n     int64
	flush func()
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { d.n += int64(len(p)); return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Flush() {
	if d.flush != nil {
		d.flush()
	}
}

// BenchmarkCertificatesZip streams 300 certificates into a zip and reports
// the live heap's largest growth over the stream (measured after a
// collection at each certificate's flush, against before the first)
// beside the zip's size: a stream that held every PDF would grow by at
// least the zip's size.
func BenchmarkCertificatesZip(b *testing.B) {
	ts := newTestServer(b)
	loc, _ := time.LoadLocation("America/Belize")
	call := &store.Call{Slug: "bench", Title: "Bench", TimeZone: "America/Belize"}
	p := &training.Programme{Title: "Open government webinars", Issuers: "The Steering Committee"}
	for i := 0; i < 3; i++ {
		p.Sessions = append(p.Sessions, training.Session{ID: fmt.Sprint(i), Title: fmt.Sprintf("Session %d", i+1), StartsAt: time.Date(2020, 2, 4+7*i, 10, 30, 0, 0, loc), Minutes: 90})
	}
	certs := make([]*training.Certificate, 300)
	for i := range certs {
		certs[i] = &training.Certificate{Code: training.NewCode(), Name: fmt.Sprintf("Participant Number %03d", i), Programme: p.Title, CompletedAt: p.Sessions[2].EndsAt()}
	}
	var peak, size float64
	for b.Loop() {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		var grow uint64
		w := &discardWriter{h: http.Header{}, flush: func() {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > base {
				grow = max(grow, ms.HeapAlloc-base)
			}
		}}
		if err := writeCertificatesZip(w, ts.app, call, p, certs, "https://cocreate.example"); err != nil {
			b.Fatal(err)
		}
		peak, size = max(peak, float64(grow)/(1<<10)), float64(w.n)/(1<<10)
	}
	b.ReportMetric(peak, "live-heap-growth-KiB")
	b.ReportMetric(size, "zip-KiB")
}

// BenchmarkCertificatesZipSpeed is the same stream without the
// measurements: the time and allocations of 300 certificates.
func BenchmarkCertificatesZipSpeed(b *testing.B) {
	ts := newTestServer(b)
	call := &store.Call{Slug: "bench", Title: "Bench", TimeZone: "America/Belize"}
	p := &training.Programme{Title: "Open government webinars", Issuers: "The Steering Committee",
		Sessions: []training.Session{{ID: "a", Title: "Session 1", StartsAt: time.Date(2020, 2, 4, 16, 30, 0, 0, time.UTC), Minutes: 90}}}
	certs := make([]*training.Certificate, 300)
	for i := range certs {
		certs[i] = &training.Certificate{Code: training.NewCode(), Name: fmt.Sprintf("Participant Number %03d", i), Programme: p.Title}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := writeCertificatesZip(&discardWriter{h: http.Header{}}, ts.app, call, p, certs, "https://cocreate.example"); err != nil {
			b.Fatal(err)
		}
	}
}
