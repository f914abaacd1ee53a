package fleet

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/stackwise"
)

// FromEstate builds a fleet from an estate and its pool (package
// stackwise's file format): every device in one smart and virtual
// account, on the "cloud" path.
func FromEstate(e *stackwise.Estate, p *stackwise.Pool, sa, va string) ([]Device, []Pool) {
	var devs []Device
	for _, d := range e.Devices() {
		devs = append(devs, Device{Topo: d, SA: sa, VA: va, Path: "cloud"})
	}
	var pools []Pool
	if p != nil {
		for _, l := range p.Lines() {
			term := 0
			if l.Entitlement.Term {
				term = 3 // [model] a DNA subscription of the estate's pool: three years
			}
			pools = append(pools, Pool{SA: sa, VA: va, Tag: l.Entitlement.Tag, Qty: int64(l.Count), TermYears: term})
		}
	}
	return devs, pools
}

// ParseSchedule reads a schedule, one event a line ('#' starts a comment):
//
//	2025-03-01 outage cloud 120d            # a path down for a duration
//	2025-06-01 licenses 50 C9300-24 DNA Advantage [term 3]
//	2026-01-01 upgrade core-* 16.12.3a       # a device, or a name prefix with *
//	2026-06-01 remove access-17
//	2026-09-01 convert 8 C3850-24 IP Services  # a conversion (PAKs, DLC): perpetual licenses
//
// Licenses go to the smart and virtual account given. Errors name the line.
func ParseSchedule(r io.Reader, sa, va string) ([]Event, error) {
	var out []Event
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		fail := func(format string, a ...any) ([]Event, error) {
			return nil, fmt.Errorf("schedule line %d: "+format, append([]any{n}, a...)...)
		}
		if len(f) < 3 {
			return fail("want <date> <event> …")
		}
		at, err := time.Parse(time.DateOnly, f[0])
		if err != nil {
			return fail("date %q: want YYYY-MM-DD", f[0])
		}
		switch strings.ToLower(f[1]) {
		case "outage":
			if len(f) != 4 {
				return fail("want <date> outage <path> <duration>")
			}
			d, err := parseDays(f[3])
			if err != nil {
				return fail("%v", err)
			}
			out = append(out, Event{At: at, Kind: EvOutage, Path: f[2], Duration: d})
		case "licenses", "convert":
			if len(f) < 4 {
				return fail("want <date> %s <qty> <tag…> [term <years>]", strings.ToLower(f[1]))
			}
			qty, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil || qty < 1 {
				return fail("quantity %q", f[2])
			}
			words, term := f[3:], 0
			if k := len(words); k >= 3 && strings.EqualFold(words[k-2], "term") {
				if term, err = strconv.Atoi(words[k-1]); err != nil || term < 1 || term > 10 {
					return fail("term %q: want 1 to 10 years", words[k-1])
				}
				words = words[:k-2]
			}
			tag := strings.Join(words, " ")
			if _, err := stackwise.LookupEntitlement(tag); err != nil {
				return fail("%v", err)
			}
			if strings.EqualFold(f[1], "convert") && term != 0 {
				return fail("converted licenses are perpetual: no term")
			}
			out = append(out, Event{At: at, Kind: EvAddLicenses, Pool: Pool{SA: sa, VA: va, Tag: tag, Qty: qty, TermYears: term}})
		case "upgrade":
			if len(f) != 4 {
				return fail("want <date> upgrade <device|prefix*> <version>")
			}
			v, err := stackwise.ParseVersion(f[3])
			if err != nil {
				return fail("%v", err)
			}
			out = append(out, Event{At: at, Kind: EvUpgrade, Name: f[2], Version: v})
		case "remove":
			if len(f) != 3 {
				return fail("want <date> remove <device|prefix*>")
			}
			out = append(out, Event{At: at, Kind: EvRemove, Name: f[2]})
		default:
			return fail("unknown event %q: want outage, licenses, convert, upgrade or remove", f[1])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	return out, nil
}

func parseDays(s string) (time.Duration, error) {
	unit := agent.Day
	v := strings.TrimSuffix(strings.ToLower(s), "d")
	if strings.HasSuffix(strings.ToLower(s), "h") {
		unit, v = time.Hour, strings.TrimSuffix(strings.ToLower(s), "h")
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 3650*24 {
		return 0, fmt.Errorf("duration %q: want e.g. 120d or 36h", s)
	}
	return time.Duration(n) * unit, nil
}
