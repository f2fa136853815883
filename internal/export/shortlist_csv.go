package export

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"
)

// WriteShortlistCSV writes the shortlist sheet as CSV (RFC 4180, UTF-8
// with a byte-order mark so spreadsheets read the accents right, CRLF line
// ends): the same columns and rows as the workbook's first sheet, numbers
// to one decimal, and text that a spreadsheet could take for a formula
// prefixed with an apostrophe.
func WriteShortlistCSV(w io.Writer, s *Shortlist) error {
	cols := s.columns()
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.head
	}
	return writeCSV(w, head, func(write func([]string) error) error {
		rec := make([]string, len(cols))
		for r := range s.Rows {
			for i, v := range s.cells(&r) {
				switch x := v.(type) {
				case nil:
					rec[i] = ""
				case int:
					rec[i] = strconv.Itoa(x)
				case float64:
					rec[i] = strconv.FormatFloat(x, 'f', 1, 64)
				case string:
					rec[i] = csvSafe(x)
				}
			}
			if err := write(rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeCSV writes the header and the rows that rows passes to write as
// CSV for spreadsheets: RFC 4180, UTF-8 with a byte-order mark (so the
// accents read right), CRLF line ends. Neutralising text is the caller's
// (csvSafe), since only it knows which cells are text.
func writeCSV(w io.Writer, head []string, rows func(write func([]string) error) error) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(head); err != nil {
		return err
	}
	if err := rows(cw.Write); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
