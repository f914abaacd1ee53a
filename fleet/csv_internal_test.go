package fleet

import (
	"encoding/csv"
	"io"
	"strconv"
	"testing"
	"time"
)

// BenchmarkCSV writes 10,000 rows of a fleet's entered.csv shape (a name,
// a state, a time, a count) through the fleet's own writer and through
// encoding/csv, the figure the writer's comment quotes.
func BenchmarkCSV(b *testing.B) {
	at := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	const rows = 10_000
	b.Run("csvOut", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := newCSV(io.Discard, "device", "state", "date", "day")
			for i := range rows {
				c.str("sw" + strconv.Itoa(i%1000))
				c.str("AUTHORIZATION EXPIRED")
				c.time(at, time.RFC3339)
				c.int(int64(i))
				c.end()
			}
			if err := c.flush(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-csv", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := csv.NewWriter(io.Discard)
			_ = w.Write([]string{"device", "state", "date", "day"})
			for i := range rows {
				_ = w.Write([]string{"sw" + strconv.Itoa(i%1000), "AUTHORIZATION EXPIRED", at.Format(time.RFC3339), strconv.Itoa(i)})
			}
			w.Flush()
			if err := w.Error(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
