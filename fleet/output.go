package fleet

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteJSON writes the whole report as JSON: the bytes of encoding/json's
// Encoder with a two-space indent (a test holds it to them), streamed
// instead of built in memory twice — a five-year report of 100,000
// switches is ~40 MB.
func (r *Report) WriteJSON(w io.Writer) error {
	j := &jsonOut{w: w, b: make([]byte, 0, 1<<16)}
	j.open('{')
	j.key("devices")
	j.b = strconv.AppendInt(j.b, int64(r.Devices), 10)
	j.next()
	j.key("events")
	j.b = strconv.AppendInt(j.b, r.Events, 10)
	j.next()
	j.key("days")
	jsonArray(j, r.Days, func(d *Day) {
		j.open('{')
		j.key("date")
		j.time(d.Date)
		j.next()
		j.key("registration")
		jsonArray(j, d.Registration, func(v *int) { j.b = strconv.AppendInt(j.b, int64(*v), 10) })
		j.next()
		j.key("authorization")
		jsonArray(j, d.Authorization, func(v *int) { j.b = strconv.AppendInt(j.b, int64(*v), 10) })
		j.close('}')
	})
	j.next()
	j.key("entered")
	jsonArray(j, r.Entered, func(e *Entered) {
		j.fields([]string{"device", e.Device, "state", e.State}, "at", e.At)
	})
	j.next()
	j.key("alerts")
	jsonArray(j, r.Alerts, func(a *Alert) {
		j.open('{')
		j.key("raised")
		j.time(a.Raised)
		j.next()
		j.strings("smartAccount", a.SA, "virtualAccount", a.VA, "severity", a.Severity, "type", a.Type, "source", a.Source, "message", a.Message)
		j.close('}')
	})
	j.next()
	j.key("supply")
	jsonArray(j, r.Supply, func(s *SupplyRow) {
		j.open('{')
		j.key("date")
		j.time(s.Date)
		j.next()
		j.strings("smartAccount", s.SA, "virtualAccount", s.VA, "tag", s.Tag)
		for _, f := range []struct {
			k string
			v int64
		}{{"demand", s.Demand}, {"supply", s.Supply}, {"shortfall", s.Shortfall}} {
			j.next()
			j.key(f.k)
			j.b = strconv.AppendInt(j.b, f.v, 10)
		}
		j.close('}')
	})
	j.close('}')
	j.b = append(j.b, '\n')
	j.flush()
	return j.err
}

// jsonOut appends indented JSON to a buffer that it writes out in chunks,
// keeping the first write error.
type jsonOut struct {
	w     io.Writer
	b     []byte
	depth int
	err   error
}

func (j *jsonOut) flush() {
	if j.err == nil {
		_, j.err = j.w.Write(j.b)
	}
	j.b = j.b[:0]
}

func (j *jsonOut) newline() {
	j.b = append(j.b, '\n')
	for range j.depth {
		j.b = append(j.b, ' ', ' ')
	}
}

// open starts an object or array that has members.
func (j *jsonOut) open(c byte) {
	j.b = append(j.b, c)
	j.depth++
	j.newline()
}

func (j *jsonOut) close(c byte) {
	j.depth--
	j.newline()
	j.b = append(j.b, c)
}

// next separates members.
func (j *jsonOut) next() {
	j.b = append(j.b, ',')
	j.newline()
}

func (j *jsonOut) key(k string) {
	j.str(k)
	j.b = append(j.b, ':', ' ')
}

// strings writes key–value pairs of strings, separated.
func (j *jsonOut) strings(kv ...string) {
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			j.next()
		}
		j.key(kv[i])
		j.str(kv[i+1])
	}
}

// fields writes an object of string fields then one time field.
func (j *jsonOut) fields(kv []string, tk string, t time.Time) {
	j.open('{')
	j.strings(kv...)
	j.next()
	j.key(tk)
	j.time(t)
	j.close('}')
}

// str appends s as encoding/json does (with its HTML escaping): plain
// printable ASCII as it is, anything else through encoding/json itself.
func (j *jsonOut) str(s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, err := json.Marshal(s)
			if err != nil && j.err == nil {
				j.err = err
			}
			j.b = append(j.b, q...)
			return
		}
	}
	j.b = append(j.b, '"')
	j.b = append(j.b, s...)
	j.b = append(j.b, '"')
}

// time appends t as time.Time's MarshalJSON does.
func (j *jsonOut) time(t time.Time) {
	q, err := t.MarshalJSON()
	if err != nil && j.err == nil {
		j.err = err
	}
	j.b = append(j.b, q...)
}

// jsonArray writes a slice as encoding/json does: null when nil, [] when
// empty, else one element a line.
func jsonArray[T any](j *jsonOut, xs []T, elem func(*T)) {
	switch {
	case xs == nil:
		j.b = append(j.b, "null"...)
		return
	case len(xs) == 0:
		j.b = append(j.b, "[]"...)
		return
	}
	j.open('[')
	for i := range xs {
		if i > 0 {
			j.next()
		}
		elem(&xs[i])
		if len(j.b) >= 1<<16-512 {
			j.flush()
		}
	}
	j.close(']')
}

// writeCSV writes a header and n rows, stopping at the first error.
func writeCSV(w io.Writer, head []string, n int, row func(i int) []string) error {
	c := csv.NewWriter(w)
	if err := c.Write(head); err != nil {
		return err
	}
	for i := range n {
		if err := c.Write(row(i)); err != nil {
			return err
		}
	}
	c.Flush()
	return c.Error()
}

// WriteDaysCSV writes one row a day: the date, then the count of devices
// in each registration state and each authorization state.
func (r *Report) WriteDaysCSV(w io.Writer) error {
	head := append([]string{"date"}, RegStates...)
	head = append(head, AuthStates...)
	return writeCSV(w, head, len(r.Days), func(i int) []string {
		d := r.Days[i]
		row := []string{d.Date.Format(time.DateOnly)}
		for _, v := range append(append([]int{}, d.Registration...), d.Authorization...) {
			row = append(row, strconv.Itoa(v))
		}
		return row
	})
}

// WriteEnteredCSV writes the first date each device entered each state.
func (r *Report) WriteEnteredCSV(w io.Writer) error {
	return writeCSV(w, []string{"device", "state", "first_entered"}, len(r.Entered), func(i int) []string {
		e := r.Entered[i]
		return []string{e.Device, e.State, e.At.Format(time.RFC3339)}
	})
}

// WriteAlertsCSV writes the alerts CSSM raised.
func (r *Report) WriteAlertsCSV(w io.Writer) error {
	head := []string{"raised", "smart_account", "virtual_account", "severity", "type", "source", "message"}
	return writeCSV(w, head, len(r.Alerts), func(i int) []string {
		a := r.Alerts[i]
		return []string{a.Raised.Format(time.RFC3339), a.SA, a.VA, a.Severity, a.Type, a.Source, a.Message}
	})
}

// WriteSupplyCSV writes demand against supply per VA and entitlement, a
// row whenever they changed.
func (r *Report) WriteSupplyCSV(w io.Writer) error {
	head := []string{"date", "smart_account", "virtual_account", "tag", "demand", "supply", "shortfall"}
	return writeCSV(w, head, len(r.Supply), func(i int) []string {
		s := r.Supply[i]
		return []string{s.Date.Format(time.DateOnly), s.SA, s.VA, s.Tag, strconv.FormatInt(s.Demand, 10),
			strconv.FormatInt(s.Supply, 10), strconv.FormatInt(s.Shortfall, 10)}
	})
}

// svg colours of the authorization states, in AuthStates order.
var colours = []string{"#bdbdbd", "#64b5f6", "#1565c0", "#43a047", "#fb8c00", "#e53935"}

// WriteSVG draws the authorization states over time as stacked areas, with
// a legend and year marks: a chart a person can open in a browser.
func (r *Report) WriteSVG(w io.Writer) error {
	const width, height, left, top, plotW, plotH = 960, 420, 60, 20, 860, 320
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	n := len(r.Days)
	if n == 0 {
		b.WriteString("</svg>\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	total := 0
	for _, d := range r.Days {
		s := 0
		for _, v := range d.Authorization {
			s += v
		}
		total = max(total, s)
	}
	if total == 0 {
		total = 1
	}
	x := func(i int) float64 {
		if n == 1 {
			return left
		}
		return left + float64(i)*plotW/float64(n-1)
	}
	y := func(v int) float64 { return top + plotH - float64(v)*plotH/float64(total) }
	base := make([]int, n)
	for k := range AuthStates {
		var pts []string
		for i, d := range r.Days {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(base[i]+d.Authorization[k])))
		}
		for i := n - 1; i >= 0; i-- {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(base[i])))
		}
		fmt.Fprintf(&b, `<polygon points="%s" fill="%s" stroke="none"><title>%s</title></polygon>`+"\n", strings.Join(pts, " "), colours[k], AuthStates[k])
		for i, d := range r.Days {
			base[i] += d.Authorization[k]
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", left, top+plotH, left+plotW, top+plotH)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", left, top, left, top+plotH)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%d</text>`+"\n", left-6, top+10, total)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">0</text>`+"\n", left-6, top+plotH)
	for i, d := range r.Days {
		if d.Date.YearDay() == 1 || i == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x(i), top+plotH+16, d.Date.Format("2006-01"))
		}
	}
	for k, s := range AuthStates {
		lx := left + (k%3)*280
		ly := top + plotH + 36 + (k/3)*18
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n", lx, ly-10, colours[k], lx+18, ly, s)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
