package stackwise

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// The estate format is line-oriented, so that people can write, review and
// diff it. '#' starts a comment; indentation is free; keywords are
// case-insensitive.
//
//	# a 9300 stack of two 24-port and one 48-port switch
//	device access-1 version 17.3.1 level network-advantage addon dna-advantage
//	  switch C9300-24P FOC2133Z0AB
//	  switch C9300-24P FOC2133Z0AC
//	  switch C9300-48P FOC2134Z0AD
//	device core-1 version 16.11.1 level network-advantage addon dna-advantage
//	  switch C9500-32QC x2           # two switches, serials not needed
//	device dist-1 version 17.3.1 level network-essentials va Campus state registered
//	  chassis C9407R FXS2119Q2U7 sup C9400-SUP-1 sup C9400-SUP-1
//	pool
//	  10 C9300-24 Network Advantage
//	  4 C9500 Network Advantage
//	  2 C9500 32QC Cisco DNA Advantage   # a CSSM license name works as well as a tag
//	pool va Branch                        # the licenses of one virtual account
//	  2 C9300-24 Network Advantage
//
// A device may name the virtual account it is registered in (va <name>, one
// word) and its registration state (state registered|unregistered|
// registering|failed), as `show license status` showed them. A pool
// section may name a virtual account (pool va <name>); an estate with such
// sections counts each account's devices against its own pool, as CSSM
// does (Estate.DemandIn, Estate.PoolOf), and a plain `pool` holds the
// licenses of the devices that name no account.
//
// Parse reports the first error with its line number and leaves nothing
// half-built; Format writes the canonical form, which Parse reads back to
// the same estate and pool.

// ParseError is an error at a line of an estate file.
type ParseError struct {
	Line int
	Err  error
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *ParseError) Unwrap() error { return e.Err }

// MaxLineLength bounds one line of an estate file.
const MaxLineLength = 4096

// maxAnonymous bounds the N of "switch <PID> xN".
const maxAnonymous = 8

// Parse reads an estate and its pool: every pool section summed. The
// estate keeps each section (Estate.PoolOf).
func Parse(r io.Reader) (*Estate, *Pool, error) {
	est, pool := NewEstate(), &Pool{}
	seenTag := map[string]bool{}
	var section *Pool // the pool section being read
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024), MaxLineLength+1)
	var (
		cur     *Device
		curAcct Account
		curLine int
		inPool  bool
		lineNo  int
	)
	fail := func(line int, format string, a ...any) (*Estate, *Pool, error) {
		return nil, nil, &ParseError{Line: line, Err: fmt.Errorf(format, a...)}
	}
	flush := func() error {
		if cur == nil {
			return nil
		}
		d := *cur
		cur = nil
		if err := est.Add(d); err != nil {
			return &ParseError{Line: curLine, Err: err}
		}
		est.SetAccount(d.Name, curAcct)
		return nil
	}
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if len(line) > MaxLineLength {
			return fail(lineNo, "line longer than %d characters", MaxLineLength)
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch kw := strings.ToLower(f[0]); {
		case kw == "device":
			if err := flush(); err != nil {
				return nil, nil, err
			}
			d, acct, err := parseDeviceHeader(f[1:])
			if err != nil {
				return fail(lineNo, "%v", err)
			}
			curAcct = acct
			if _, dup := est.names[d.Name]; dup {
				return fail(lineNo, "device %s: name already used", d.Name)
			}
			cur, curLine, inPool = &d, lineNo, false
		case kw == "pool":
			va := ""
			switch {
			case len(f) == 3 && strings.EqualFold(f[1], "va"):
				va = f[2]
				if err := checkName(va); err != nil {
					return fail(lineNo, "pool va: %v", err)
				}
			case len(f) > 1:
				return fail(lineNo, "pool takes nothing, or va <virtual account>; put one license per line below it")
			}
			if err := flush(); err != nil {
				return nil, nil, err
			}
			if est.PoolOf(va) != nil {
				if va == "" {
					return fail(lineNo, "a second pool section: put its lines in the first")
				}
				return fail(lineNo, "pool va %s: a second section for %s", va, va)
			}
			section = &Pool{}
			est.SetPool(va, section)
			clear(seenTag)
			inPool = true
		case kw == "switch" || kw == "chassis":
			if cur == nil {
				return fail(lineNo, "%s outside a device (start one with: device <name> version <v> level <level>)", kw)
			}
			var err error
			if kw == "switch" {
				err = parseSwitch(cur, f[1:])
			} else {
				err = parseChassis(cur, f[1:])
			}
			if err != nil {
				return fail(lineNo, "%v", err)
			}
		case inPool:
			qty, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return fail(lineNo, "pool line: want <quantity> <entitlement tag>, got %q", strings.TrimSpace(line))
			}
			if len(f) < 2 {
				return fail(lineNo, "pool line: missing the entitlement tag after %d", qty)
			}
			e, err := LookupTagOrName(strings.Join(f[1:], " "))
			if err != nil {
				return fail(lineNo, "%v (slsim count --tags lists the catalogue)", err)
			}
			tag := e.Tag
			if seenTag[tag] {
				return fail(lineNo, "pool: %q listed twice", tag)
			}
			seenTag[tag] = true
			if err := section.Set(tag, qty); err != nil {
				return fail(lineNo, "%v", err)
			}
			if err := pool.Set(tag, pool.Get(tag)+qty); err != nil {
				return fail(lineNo, "pool: %q summed over the sections: %v", tag, err)
			}
		default:
			return fail(lineNo, "unknown keyword %q: want device, switch, chassis or pool", f[0])
		}
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return fail(lineNo+1, "line longer than %d characters", MaxLineLength)
		}
		return nil, nil, fmt.Errorf("read estate: %w", err)
	}
	if err := flush(); err != nil {
		return nil, nil, err
	}
	return est, pool, nil
}

func parseDeviceHeader(f []string) (Device, Account, error) {
	if len(f) == 0 {
		return Device{}, Account{}, fmt.Errorf("device: missing the name")
	}
	d := Device{Name: f[0]}
	if err := checkName(d.Name); err != nil {
		return Device{}, Account{}, err
	}
	var haveLevel bool
	var acct Account
	for i := 1; i < len(f); {
		switch strings.ToLower(f[i]) {
		case "version":
			if i+1 >= len(f) {
				return Device{}, Account{}, fmt.Errorf("device %s: version needs a value, e.g. version 16.12.3a", d.Name)
			}
			v, err := ParseVersion(f[i+1])
			if err != nil {
				return Device{}, Account{}, fmt.Errorf("device %s: %w", d.Name, err)
			}
			d.Version = v
			i += 2
		case "level":
			n := 2
			if i+2 < len(f) && strings.EqualFold(f[i+2], "addon") {
				n = 4
			}
			if i+n > len(f) {
				return Device{}, Account{}, fmt.Errorf("device %s: level needs <base> [addon <dna-level>]", d.Name)
			}
			l, err := ParseLevel(strings.Join(f[i+1:i+n], " "))
			if err != nil {
				return Device{}, Account{}, fmt.Errorf("device %s: %w", d.Name, err)
			}
			d.Level, haveLevel = l, true
			i += n
		case "va", "state":
			if i+1 >= len(f) {
				return Device{}, Account{}, fmt.Errorf("device %s: %s needs a value", d.Name, f[i])
			}
			if strings.EqualFold(f[i], "va") {
				acct.VA = f[i+1]
			} else {
				st := strings.ToLower(f[i+1])
				if !slices.Contains(RegistrationStates(), st) {
					return Device{}, Account{}, fmt.Errorf("device %s: state %q: want one of %s", d.Name, f[i+1], strings.Join(RegistrationStates(), ", "))
				}
				acct.State = st
			}
			i += 2
		default:
			return Device{}, Account{}, fmt.Errorf("device %s: unexpected %q (want version <v> and level <level>)", d.Name, f[i])
		}
	}
	if d.Version.IsZero() {
		return Device{}, Account{}, fmt.Errorf("device %s: missing version <v>", d.Name)
	}
	if !haveLevel {
		return Device{}, Account{}, fmt.Errorf("device %s: missing level <network-essentials|network-advantage> [addon …]", d.Name)
	}
	return d, acct, nil
}

func parseSwitch(d *Device, f []string) error {
	if len(d.Chassis) > 0 {
		return fmt.Errorf("device %s: a switch line in a 9400 device", d.Name)
	}
	if len(f) == 0 || len(f) > 2 {
		return fmt.Errorf("switch: want switch <PID> [<serial> | x<count>]")
	}
	m, err := LookupModel(f[0])
	if err != nil {
		return err
	}
	if m.Kind != KindSwitch {
		return fmt.Errorf("%s is not a fixed switch (a 9400 is written as: chassis <PID> [<serial>] sup <PID> [sup <PID>])", m.PID)
	}
	if len(f) == 2 && len(f[1]) > 1 && (f[1][0] == 'x' || f[1][0] == 'X') && strings.Trim(f[1][1:], "0123456789") == "" {
		n, err := strconv.Atoi(f[1][1:])
		if err != nil || n < 1 || n > maxAnonymous {
			return fmt.Errorf("switch %s %s: count must be 1 to %d", m.PID, f[1], maxAnonymous)
		}
		if len(d.Switches)+n > MaxStackMembers {
			return fmt.Errorf("device %s: more than %d switches", d.Name, MaxStackMembers)
		}
		for range n {
			d.Switches = append(d.Switches, Unit{PID: m.PID})
		}
		return nil
	}
	u := Unit{PID: m.PID}
	if len(f) == 2 {
		u.SN = f[1]
	}
	if len(d.Switches) >= MaxStackMembers {
		return fmt.Errorf("device %s: more than %d switches", d.Name, MaxStackMembers)
	}
	d.Switches = append(d.Switches, u)
	return nil
}

func parseChassis(d *Device, f []string) error {
	if len(d.Switches) > 0 {
		return fmt.Errorf("device %s: a chassis line in a device of fixed switches", d.Name)
	}
	if len(d.Chassis) >= MaxSVLMembers {
		return fmt.Errorf("device %s: more than %d chassis", d.Name, MaxSVLMembers)
	}
	if len(f) == 0 {
		return fmt.Errorf("chassis: want chassis <PID> [<serial>] sup <PID> [sup <PID>]")
	}
	m, err := LookupModel(f[0])
	if err != nil {
		return err
	}
	if m.Kind != KindChassis {
		return fmt.Errorf("%s is not a 9400 chassis", m.PID)
	}
	c := Chassis{PID: m.PID}
	i := 1
	if i < len(f) && !strings.EqualFold(f[i], "sup") {
		c.SN = f[i]
		i++
	}
	for i < len(f) {
		if !strings.EqualFold(f[i], "sup") || i+1 >= len(f) {
			return fmt.Errorf("chassis %s: want sup <PID> after the chassis, got %q", m.PID, strings.Join(f[i:], " "))
		}
		sm, err := LookupModel(f[i+1])
		if err != nil {
			return err
		}
		if len(c.Supervisors) >= m.SupervisorSlots {
			return fmt.Errorf("chassis %s has %d supervisor slots", m.PID, m.SupervisorSlots)
		}
		c.Supervisors = append(c.Supervisors, sm.PID)
		i += 2
	}
	d.Chassis = append(d.Chassis, c)
	return nil
}

// Format writes an estate and a pool (either may be nil) in the canonical
// form of the estate format: the estate's own pool sections when it counts
// per virtual account (Estate.PerAccount), else p.
func Format(w io.Writer, e *Estate, p *Pool) error {
	bw := bufio.NewWriter(w)
	if e != nil {
		for _, d := range e.devices {
			fmt.Fprintf(bw, "device %s version %s level %s", d.Name, d.Version, d.Level)
			if a, ok := e.Account(d.Name); ok {
				if a.VA != "" {
					bw.WriteString(" va " + a.VA)
				}
				if a.State != "" {
					bw.WriteString(" state " + a.State)
				}
			}
			bw.WriteString("\n")
			for _, c := range d.Chassis {
				bw.WriteString("  chassis " + c.PID)
				if c.SN != "" {
					bw.WriteString(" " + c.SN)
				}
				for _, s := range c.Supervisors {
					bw.WriteString(" sup " + s)
				}
				bw.WriteString("\n")
			}
			for i := 0; i < len(d.Switches); {
				u := d.Switches[i]
				if u.SN != "" {
					fmt.Fprintf(bw, "  switch %s %s\n", u.PID, u.SN)
					i++
					continue
				}
				n := 1
				for i+n < len(d.Switches) && d.Switches[i+n] == u {
					n++
				}
				fmt.Fprintf(bw, "  switch %s x%d\n", u.PID, n)
				i += n
			}
		}
	}
	section := func(header string, p *Pool) {
		if lines := p.Lines(); len(lines) > 0 {
			bw.WriteString(header + "\n")
			for _, l := range lines {
				fmt.Fprintf(bw, "  %d %s\n", l.Count, l.Entitlement.Tag)
			}
		}
	}
	switch {
	case e != nil && e.PerAccount():
		for _, va := range e.PoolVAs() {
			if va == "" {
				section("pool", e.PoolOf(va))
			} else {
				section("pool va "+va, e.PoolOf(va))
			}
		}
	case p != nil:
		section("pool", p)
	}
	return bw.Flush()
}
