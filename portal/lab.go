package portal

import (
	"fmt"
	"html"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/fleet"
	"github.com/slsim/slsim/sim"
)

// deviceRow is one device of the lab page.
type deviceRow struct {
	Name, UDI, Registration, Authorization, Account string
}

// MaxTimeline is how many of the world's last events the lab page lists.
const MaxTimeline = 50

// stateColours are the chart's colours per license authorization status.
var stateColours = []struct{ status, colour string }{
	{"EVAL MODE", "#f0ad4e"}, {"EVAL EXPIRED", "#8a6d3b"}, {"AUTHORIZED", "#5cb85c"},
	{"OUT OF COMPLIANCE", "#d9534f"}, {"AUTHORIZATION EXPIRED", "#7b1f1f"}, {"No Licenses in Use", "#bbbbbb"},
}

func lab(w *sim.World, d *pageData) {
	for _, n := range w.Devices() {
		dev, _ := w.Device(n)
		st := dev.Agent().Status()
		acct := ""
		if st.SmartAccount != "" {
			acct = st.SmartAccount + " / " + st.VirtualAccount
		}
		d.Devices = append(d.Devices, deviceRow{Name: n, UDI: st.UDI.String(), Registration: st.Registration, Authorization: st.Authorization, Account: acct})
	}
	tr := w.Trace()
	for i := len(tr) - 1; i >= 0 && len(d.Timeline) < MaxTimeline; i-- {
		d.Timeline = append(d.Timeline, tr[i])
	}
	// The charts span the window of events the world keeps.
	if c := fleetChart(w, tr); c != "" {
		d.Chart = template.HTML(c)
	}
	if len(w.Devices()) <= MaxBands {
		d.Chart += template.HTML(chart(w, tr))
	}
}

// MaxBands is the most devices drawn one band each; an estate beyond it
// gets only the fleet chart.
const MaxBands = 24

// fleetChart draws, as slsim fleet's states.svg does, how many devices
// were in each authorization status at the start of each day of the
// world's time; "" when the world has not run for two days.
func fleetChart(w *sim.World, tr []sim.Event) string {
	if len(tr) == 0 {
		return ""
	}
	day := 24 * time.Hour
	first := tr[0].Time.Truncate(day)
	days := int(w.Now().Sub(first) / day)
	if days < 2 {
		return ""
	}
	index := map[string]int{}
	for i, n := range w.Devices() {
		index[n] = i
	}
	reg := make([]string, len(index))
	auth := make([]string, len(index))
	for n, st := range windowStart(w, tr) {
		reg[index[n]], auth[index[n]] = st.Registration.String(), st.Authorization.String()
	}
	r := &fleet.Report{Devices: len(index)}
	k := 0
	for i := 0; i <= days; i++ {
		at := first.Add(time.Duration(i) * day)
		for ; k < len(tr) && !tr[k].Time.After(at); k++ {
			e := tr[k]
			if j, ok := index[e.Source]; ok && e.Kind == sim.EventState {
				reg[j], auth[j] = e.To.Registration.String(), e.To.Authorization.String()
			}
		}
		dd := fleet.Day{Date: at, Registration: make([]int, len(fleet.RegStates())), Authorization: make([]int, len(fleet.AuthStates()))}
		for j := range reg {
			if n := slices.Index(fleet.RegStates(), reg[j]); n >= 0 {
				dd.Registration[n]++
			}
			if n := slices.Index(fleet.AuthStates(), auth[j]); n >= 0 {
				dd.Authorization[n]++
			}
		}
		r.Days = append(r.Days, dd)
	}
	var b strings.Builder
	if r.WriteSVG(&b) != nil {
		return ""
	}
	return b.String()
}

// windowStart is each device's state when the window of events begins:
// the state its first state event left, or, with none in the window, the
// state it is in now.
func windowStart(w *sim.World, tr []sim.Event) map[string]sim.State {
	out := map[string]sim.State{}
	for _, e := range tr {
		if _, seen := out[e.Source]; e.Kind == sim.EventState && !seen {
			out[e.Source] = e.From
		}
	}
	for _, n := range w.Devices() {
		if _, seen := out[n]; !seen {
			out[n] = w.State(n)
		}
	}
	return out
}

// chart draws each device's license authorization status over the time
// the world's window of events spans, one band per device, from the state
// events.
func chart(w *sim.World, tr []sim.Event) string {
	names := w.Devices()
	if len(tr) == 0 || len(names) == 0 {
		return ""
	}
	start, end := tr[0].Time, w.Now()
	if !end.After(start) {
		end = start.Add(time.Second)
	}
	const left, width, band = 120, 840, 22
	height := len(names)*band + 40
	x := func(t time.Time) float64 { return left + float64(width)*float64(t.Sub(start))/float64(end.Sub(start)) }
	colour := func(status string) string {
		for _, c := range stateColours {
			if c.status == status {
				return c.colour
			}
		}
		return "#dddddd"
	}
	initial := windowStart(w, tr)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11" id="states">`, left+width+20, height)
	for i, n := range names {
		y := i * band
		fmt.Fprintf(&b, `<text x="0" y="%d">%s</text>`, y+15, html.EscapeString(n))
		var from time.Time
		status := ""
		if st, ok := initial[n]; ok {
			status = st.Authorization.String()
		}
		from = start
		flush := func(to time.Time) {
			if status != "" {
				fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`,
					x(from), y+2, max(0.5, x(to)-x(from)), band-6, colour(status), html.EscapeString(status))
			}
		}
		for _, e := range tr {
			if e.Source != n || e.Kind != sim.EventState {
				continue
			}
			auth := e.To.Authorization.String()
			if auth == status {
				continue
			}
			flush(e.Time)
			from, status = e.Time, auth
		}
		flush(end)
	}
	y := len(names)*band + 8
	fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text><text x="%d" y="%d" text-anchor="end">%s</text>`,
		left, y+10, start.UTC().Format("2006-01-02"), left+width, y+10, end.UTC().Format("2006-01-02"))
	lx := left
	for _, c := range stateColours {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text>`, lx, y+16, c.colour, lx+14, y+25, c.status)
		lx += 14 + 7*len(c.status) + 16 // about 7 px a character at 11 px
	}
	b.WriteString(`</svg>`)
	return b.String()
}
