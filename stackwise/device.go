package stackwise

import (
	"fmt"
	"strings"

	"github.com/slsim/slsim/license"
)

// Unit is a fixed switch: a 9300 stack member or a 9500.
type Unit struct {
	PID string
	SN  string // optional for what-if counting; required for UDIs
}

// Chassis is a 9400 chassis with its supervisors (1 or 2, same model).
type Chassis struct {
	PID         string
	SN          string
	Supervisors []string // supervisor PIDs
}

// Device is one licensing instance: a 9300 stack (1–8 members), a 9400
// chassis or StackWise Virtual pair of chassis, or a 9500 standalone or
// StackWise Virtual pair. The first unit is the active one.
type Device struct {
	Name     string
	Switches []Unit    // 9300 or 9500
	Chassis  []Chassis // 9400
	Level    Level
	Version  Version
}

// Limits of the topologies. [seed, doc]
const (
	MaxStackMembers = 8 // 9300 StackWise-480, 9200 StackWise-160/80
	MaxLegacyStack  = 9 // 3650 StackWise-160, 3850 StackWise-480
	MaxSVLMembers   = 2 // StackWise Virtual
)

// unitName is what a platform's switches form, for errors.
var unitName = map[Platform]string{C9300: "stack", C9200: "stack", C3650: "stack", C3850: "stack", C9500: "StackWise Virtual pair"}

// Platform is the device's platform, from its first unit (0 if it has none).
func (d Device) Platform() Platform {
	switch {
	case len(d.Chassis) > 0:
		return C9400
	case len(d.Switches) > 0:
		if m := modelOf(d.Switches[0].PID); m != nil {
			return m.Platform
		}
	}
	return 0
}

// Validate checks the topology, level and version. Impossible topologies
// (a 9300 stack of nine, a 9500 pair of two models, a 9400 with three
// supervisors, a 9300 in a 9500 pair, …) are clear errors.
func (d Device) Validate() error {
	if err := checkName(d.Name); err != nil {
		return err
	}
	errf := func(format string, a ...any) error {
		return fmt.Errorf("device %s: "+format, append([]any{d.Name}, a...)...)
	}
	if err := d.Level.Validate(); err != nil {
		return errf("%w", err)
	}
	if d.Version.IsZero() {
		return errf("missing IOS-XE version")
	}
	if d.Version.Compare(FirstSmartVersion) < 0 {
		return errf("IOS-XE %s predates Smart Licensing only (%s): slsim counts from there", d.Version, FirstSmartVersion)
	}
	serials := map[string]bool{}
	checkSN := func(sn string) error {
		if sn == "" {
			return nil
		}
		if err := (license.UDI{PID: "X", SN: sn}).Validate(); err != nil {
			return errf("serial number: %w", err)
		}
		if serials[sn] {
			return errf("serial number %s appears twice", sn)
		}
		serials[sn] = true
		return nil
	}
	switch {
	case len(d.Switches) > 0 && len(d.Chassis) > 0:
		return errf("has both fixed switches and 9400 chassis")
	case len(d.Switches) == 0 && len(d.Chassis) == 0:
		return errf("has no switch or chassis")
	case len(d.Chassis) > 0:
		if d.Level.Legacy() {
			return errf("a c9400 boots network-essentials or network-advantage, not %s", d.Level)
		}
		if len(d.Chassis) > MaxSVLMembers {
			return errf("%d chassis: a StackWise Virtual pair has at most %d", len(d.Chassis), MaxSVLMembers)
		}
		var sup string
		for i, c := range d.Chassis {
			m, err := LookupModel(c.PID)
			if err != nil {
				return errf("%w", err)
			}
			if m.Kind != KindChassis {
				return errf("%s is not a 9400 chassis", m.PID)
			}
			if i > 0 && !strings.EqualFold(c.PID, d.Chassis[0].PID) {
				return errf("StackWise Virtual pairs chassis of one model, not %s and %s", d.Chassis[0].PID, c.PID) // [model]
			}
			if len(c.Supervisors) < 1 || len(c.Supervisors) > m.SupervisorSlots {
				return errf("chassis %s has %d supervisors: want 1 to %d", m.PID, len(c.Supervisors), m.SupervisorSlots)
			}
			for _, s := range c.Supervisors {
				sm, err := LookupModel(s)
				if err != nil {
					return errf("%w", err)
				}
				if sm.Kind != KindSupervisor {
					return errf("%s is not a 9400 supervisor", sm.PID)
				}
				if sup == "" {
					sup = sm.PID
				} else if sup != sm.PID {
					return errf("supervisors must be of one model, not %s and %s", sup, sm.PID)
				}
			}
			if err := checkSN(c.SN); err != nil {
				return err
			}
		}
	default:
		first, err := LookupModel(d.Switches[0].PID)
		if err != nil {
			return errf("%w", err)
		}
		if first.Kind != KindSwitch {
			return errf("%s is not a fixed switch", first.PID)
		}
		limit := MaxStackMembers
		switch {
		case first.Platform == C9500:
			limit = MaxSVLMembers
		case first.Platform.Legacy():
			limit = MaxLegacyStack
		}
		if len(d.Switches) > limit {
			return errf("%d %s switches: at most %d in a %s", len(d.Switches), first.Platform, limit, unitName[first.Platform])
		}
		if legacy := first.Platform.Legacy(); legacy != d.Level.Legacy() {
			if legacy {
				return errf("a %s boots lanbase, ipbase or ipservices, not %s", first.Platform, d.Level)
			}
			return errf("a %s boots network-essentials or network-advantage, not %s", first.Platform, d.Level)
		}
		for _, u := range d.Switches {
			m, err := LookupModel(u.PID)
			if err != nil {
				return errf("%w", err)
			}
			if m.Kind != KindSwitch || m.Platform != first.Platform {
				return errf("%s cannot join a %s %s", m.PID, first.Platform, unitName[first.Platform])
			}
			if first.Platform == C9200 && (m.Family[0] == 'L') != (first.Family[0] == 'L') {
				return errf("a C9200 stack does not take a C9200L: %s and %s", first.PID, m.PID)
			}
			if first.Platform == C9500 && m.PID != first.PID {
				return errf("a StackWise Virtual pair is of one model, not %s and %s", first.PID, m.PID)
			}
			if err := checkSN(u.SN); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkName(n string) error {
	if n == "" {
		return fmt.Errorf("device without a name")
	}
	for _, r := range n {
		if r <= ' ' || r == 0x7f || r == '#' {
			return fmt.Errorf("device name %q: spaces, control characters and # are not allowed", n)
		}
	}
	return nil
}

// Request is one entitlement request of a device: catalogue entry and count.
type Request struct {
	Entitlement Entitlement
	Count       int
}

// Requests counts what the device requests, per the counting rules of docs/counting.md, sorted by tag:
//   - 9300: network and DNA, one per switch in the stack, per port family;
//   - 9400: network one per supervisor, DNA one per chassis;
//   - 9500: network and DNA one per switch; high-performance models before
//     16.12.3 request their model-specific network tags, from 16.12.3 the
//     generic C9500 tags; DNA tags are always model-specific.
func (d Device) Requests() ([]Request, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var counts [maxEntitlements]int32
	d.addTo(&counts)
	out := make([]Request, 0, 4)
	for _, e := range sortedEntitlements {
		if c := counts[e.index]; c > 0 {
			out = append(out, Request{Entitlement: e, Count: int(c)})
		}
	}
	return out, nil
}

// Usage is Requests in the agent's vocabulary and in the platform's order:
// tags as the units report them, the active unit first, each unit's
// network tag before its DNA tag (the order `show license summary` lists).
func (d Device) Usage() ([]license.Usage, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var count [maxEntitlements]int32 // the device's, as Requests counts them
	d.addTo(&count)
	out := make([]license.Usage, 0, 4)
	add := func(idx int) {
		if n := count[idx]; n > 0 {
			out = append(out, license.Usage{Tag: entitlements[idx].Tag, Count: int(n)})
			count[idx] = 0
		}
	}
	var one Device = d
	for i := range d.Switches {
		one.Switches = d.Switches[i : i+1]
		var c [maxEntitlements]int32
		one.addTo(&c)
		for _, t := range []Tier{d.Level.Base, d.Level.Addon} {
			for idx, v := range c {
				if v > 0 && entitlements[idx].Tier == t {
					add(idx)
				}
			}
		}
	}
	if len(d.Chassis) > 0 {
		add(idx9400[d.Level.Base])
		if d.Level.Addon != 0 {
			add(idx9400[d.Level.Addon])
		}
	}
	if len(out) == 0 {
		return nil, nil // as before: no usage is nil
	}
	return out, nil
}

// addTo adds the device's requests to counts (indexed by entitlement). The
// device must be valid.
func (d *Device) addTo(counts *[maxEntitlements]int32) {
	base, addon := d.Level.Base, d.Level.Addon
	if len(d.Chassis) > 0 {
		for _, c := range d.Chassis {
			counts[idx9400[base]] += int32(len(c.Supervisors))
			if addon != 0 {
				counts[idx9400[addon]]++
			}
		}
		return
	}
	for _, u := range d.Switches {
		m := modelOf(u.PID)
		if m.Platform.Stacked() {
			t := idxFamily[m.Platform][m.Family]
			counts[t[base]]++
			if addon != 0 {
				counts[t[addon]]++
			}
			continue
		}
		t := idx9500Model[m.Family]
		if m.HighPerformance && d.Version.Compare(GenericC9500Tags) < 0 {
			counts[t[base]]++
		} else {
			counts[idx9500[base]]++
		}
		if addon != 0 {
			counts[t[addon]]++
		}
	}
}

// UDI is the device's identity for Smart Licensing: the active switch's
// PID and serial (for a 9400, the chassis).
func (d Device) UDI() (license.UDI, error) {
	var u license.UDI
	switch {
	case len(d.Chassis) > 0:
		u = license.UDI{PID: strings.ToUpper(d.Chassis[0].PID), SN: d.Chassis[0].SN}
	case len(d.Switches) > 0:
		u = license.UDI{PID: strings.ToUpper(d.Switches[0].PID), SN: d.Switches[0].SN}
	}
	if err := u.Validate(); err != nil {
		return license.UDI{}, fmt.Errorf("device %s UDI: %w", d.Name, err)
	}
	return u, nil
}

// HAMember is one line of the HA UDI list of `show license udi`.
type HAMember struct {
	Role string // Active, Standby or Member
	UDI  license.UDI
}

// HAList gives the HA UDI list: the first unit Active, the second Standby,
// the rest Members. A 9400 with two supervisors lists the chassis UDI as
// both Active and Standby, as real chassis do.
func (d Device) HAList() []HAMember {
	var out []HAMember
	role := func(i int) string {
		switch i {
		case 0:
			return "Active"
		case 1:
			return "Standby"
		}
		return "Member"
	}
	if len(d.Chassis) > 0 {
		i := 0
		for _, c := range d.Chassis {
			for range c.Supervisors {
				out = append(out, HAMember{Role: role(i), UDI: license.UDI{PID: strings.ToUpper(c.PID), SN: c.SN}})
				i++
			}
		}
		return out
	}
	for i, u := range d.Switches {
		out = append(out, HAMember{Role: role(i), UDI: license.UDI{PID: strings.ToUpper(u.PID), SN: u.SN}})
	}
	return out
}
