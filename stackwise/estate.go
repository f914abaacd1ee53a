package stackwise

import (
	"fmt"
	"slices"
	"strings"
)

// Estate is a set of devices with unique names. Each device is validated
// and counted once, when it is added; Demand then only sums.
type Estate struct {
	devices []Device
	counted []compiled
	names   map[string]int
	account map[string]Account // only the devices that name one
	pools   map[string]*Pool   // a pool section per virtual account ("": one that names none)
}

// SetPool records the pool of a virtual account ("" for a pool that names
// none); a nil pool removes it.
func (e *Estate) SetPool(va string, p *Pool) {
	if p == nil {
		delete(e.pools, va)
		return
	}
	if e.pools == nil {
		e.pools = map[string]*Pool{}
	}
	e.pools[va] = p
}

// PoolVAs lists the virtual accounts the estate has a pool section for,
// sorted ("" first: a pool that names none).
func (e *Estate) PoolVAs() []string {
	out := make([]string, 0, len(e.pools))
	for va := range e.pools {
		out = append(out, va)
	}
	slices.Sort(out)
	return out
}

// PoolOf is a virtual account's pool (nil when the estate has none).
func (e *Estate) PoolOf(va string) *Pool { return e.pools[va] }

// PerAccount reports whether the estate counts per virtual account: it
// has a pool section that names one.
func (e *Estate) PerAccount() bool {
	for va := range e.pools {
		if va != "" {
			return true
		}
	}
	return false
}

// DemandIn is the demand of the devices recorded in virtual account va
// ("": those that name none), as CSSM counts each account on its own.
func (e *Estate) DemandIn(va string) Demand {
	var d Demand
	for i := range e.counted {
		if e.account[e.devices[i].Name].VA == va {
			e.counted[i].addTo(&d)
		}
	}
	return d
}

// DevicesIn counts the devices recorded in virtual account va ("": those
// that name none).
func (e *Estate) DevicesIn(va string) int {
	n := 0
	for _, d := range e.devices {
		if e.account[d.Name].VA == va {
			n++
		}
	}
	return n
}

// Account is where a device stands with CSSM, as an imported estate
// records it: its virtual account and registration state ("" when not
// known).
type Account struct {
	VA    string
	State string
}

// RegistrationStates are the words an estate takes for a device's
// registration state.
func RegistrationStates() []string {
	return []string{"registered", "unregistered", "registering", "failed"}
}

// SetAccount records a device's account; an empty one records nothing.
func (e *Estate) SetAccount(name string, a Account) {
	if a == (Account{}) {
		delete(e.account, name)
		return
	}
	if e.account == nil {
		e.account = map[string]Account{}
	}
	e.account[name] = a
}

// Account is a device's recorded account, if any.
func (e *Estate) Account(name string) (Account, bool) {
	a, ok := e.account[name]
	return a, ok
}

// compiled is a device's requests: at most four tags (a mixed 9300 stack
// at a DNA level) as entitlement index and count.
type compiled struct {
	n   uint8
	idx [4]uint8
	cnt [4]int32
}

// NewEstate returns an empty estate.
func NewEstate() *Estate { return &Estate{names: map[string]int{}} }

// Add validates and counts d and adds it. A refused device leaves the
// estate unchanged.
func (e *Estate) Add(d Device) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if _, dup := e.names[d.Name]; dup {
		return fmt.Errorf("device %s: name already in the estate", d.Name)
	}
	var counts [maxEntitlements]int32
	d.addTo(&counts)
	var c compiled
	for i, v := range counts {
		if v > 0 {
			c.idx[c.n], c.cnt[c.n] = uint8(i), v
			c.n++
		}
	}
	e.names[d.Name] = len(e.devices)
	e.devices = append(e.devices, cloneDevice(d))
	e.counted = append(e.counted, c)
	return nil
}

func cloneDevice(d Device) Device {
	d.Switches = slices.Clone(d.Switches)
	d.Chassis = slices.Clone(d.Chassis)
	for i := range d.Chassis {
		d.Chassis[i].Supervisors = slices.Clone(d.Chassis[i].Supervisors)
	}
	return d
}

// Len is the number of devices.
func (e *Estate) Len() int { return len(e.devices) }

// Device returns a copy of the named device.
func (e *Estate) Device(name string) (Device, bool) {
	i, ok := e.names[name]
	if !ok {
		return Device{}, false
	}
	return cloneDevice(e.devices[i]), true
}

// Devices returns copies of the devices in the order they were added.
func (e *Estate) Devices() []Device {
	out := make([]Device, len(e.devices))
	for i, d := range e.devices {
		out[i] = cloneDevice(d)
	}
	return out
}

// Demand sums the requests of every device.
func (e *Estate) Demand() Demand {
	var d Demand
	for i := range e.counted {
		e.counted[i].addTo(&d)
	}
	return d
}

// addTo adds a device's requests to d.
func (c *compiled) addTo(d *Demand) {
	for j := uint8(0); j < c.n; j++ {
		d.counts[c.idx[j]] += int64(c.cnt[j])
	}
}

// Demand is a count per entitlement.
type Demand struct {
	counts [maxEntitlements]int64
}

// Get returns the demand for a tag (0 for unknown tags).
func (d Demand) Get(tag string) int64 {
	if i, ok := byTag[tag]; ok {
		return d.counts[i]
	}
	return 0
}

// Lines lists the non-zero demand, sorted by tag.
func (d Demand) Lines() []Request {
	var out []Request
	for _, e := range sortedEntitlements {
		if c := d.counts[e.index]; c > 0 {
			out = append(out, Request{Entitlement: e, Count: int(c)})
		}
	}
	return out
}

// MaxPoolQuantity bounds one pool line. [model]
const MaxPoolQuantity = 1_000_000_000

// Pool is the licenses of a virtual account (or several): a quantity per
// entitlement tag.
type Pool struct {
	qty [maxEntitlements]int64
}

// Set sets the quantity of a tag. Unknown tags and quantities outside
// 0..MaxPoolQuantity are refused, leaving the pool unchanged.
func (p *Pool) Set(tag string, qty int64) error {
	i, ok := byTag[tag]
	if !ok {
		return fmt.Errorf("pool: unknown entitlement tag %q", tag)
	}
	if qty < 0 || qty > MaxPoolQuantity {
		return fmt.Errorf("pool: quantity %d of %q is outside 0..%d", qty, tag, MaxPoolQuantity)
	}
	p.qty[i] = qty
	return nil
}

// Get returns the quantity of a tag.
func (p *Pool) Get(tag string) int64 {
	if i, ok := byTag[tag]; ok {
		return p.qty[i]
	}
	return 0
}

// Lines lists the non-zero quantities, sorted by tag.
func (p *Pool) Lines() []Request {
	var out []Request
	for _, e := range sortedEntitlements {
		if q := p.qty[e.index]; q > 0 {
			out = append(out, Request{Entitlement: e, Count: int(q)})
		}
	}
	return out
}

// Row is one entitlement of a what-if report.
type Row struct {
	Tag     string
	Display string
	Demand  int64 // requested by the estate
	Supply  int64 // licenses of this tag in the pool
	// Own is the demand served by this tag's own licenses, FromParent the
	// rest served by the parent tag's spare licenses (the hierarchy), Lent
	// this tag's licenses used by child tags.
	Own, FromParent, Lent int64
	Shortfall             int64
}

// Status gives CSSM's word for the row: "In Compliance" or "Insufficient Licenses".
func (r Row) Status() string {
	if r.Shortfall > 0 {
		return "Insufficient Licenses"
	}
	return "In Compliance"
}

// Report is demand checked against supply, one row per entitlement that
// has demand or supply, sorted by tag.
type Report struct {
	Rows []Row
}

// Compliant reports whether nothing is short.
func (r Report) Compliant() bool {
	for _, row := range r.Rows {
		if row.Shortfall > 0 {
			return false
		}
	}
	return true
}

// Row returns the row of a tag.
func (r Report) Row(tag string) (Row, bool) {
	for _, row := range r.Rows {
		if row.Tag == tag {
			return row, true
		}
	}
	return Row{}, false
}

// Check checks demand against a pool. Each tag is served first by its own
// licenses; a child tag's remainder (C9500 model-specific network tags) is
// then served by what its parent's licenses leave after the parent's own
// demand, children in tag order. A nil pool is an empty one.
func Check(d Demand, p *Pool) Report {
	if p == nil {
		p = &Pool{}
	}
	var rows [maxEntitlements]Row
	var spare [maxEntitlements]int64
	for _, e := range sortedEntitlements {
		r := &rows[e.index]
		r.Tag, r.Display = e.Tag, e.Display
		r.Demand, r.Supply = d.counts[e.index], p.qty[e.index]
		r.Own = min(r.Demand, r.Supply)
		spare[e.index] = r.Supply - r.Own
	}
	for _, e := range sortedEntitlements {
		r := &rows[e.index]
		rest := r.Demand - r.Own
		if e.Parent != "" && rest > 0 {
			pi := byTag[e.Parent]
			take := min(rest, spare[pi])
			spare[pi] -= take
			rows[pi].Lent += take
			r.FromParent = take
			rest -= take
		}
		r.Shortfall = rest
	}
	var rep Report
	for _, e := range sortedEntitlements {
		if r := rows[e.index]; r.Demand > 0 || r.Supply > 0 {
			rep.Rows = append(rep.Rows, r)
		}
	}
	return rep
}

// Change is the difference of one entitlement between two reports.
type Change struct {
	Tag                       string
	DemandBefore, DemandAfter int64
	SupplyBefore, SupplyAfter int64
	ShortBefore, ShortAfter   int64
}

// Diff lists the entitlements whose demand, supply or shortfall differ
// between two reports (for example before and after adding stack members,
// upgrading to 16.12.3 or moving to DNA Advantage), sorted by tag.
func Diff(before, after Report) []Change {
	m := map[string]*Change{}
	get := func(tag string) *Change {
		if c, ok := m[tag]; ok {
			return c
		}
		c := &Change{Tag: tag}
		m[tag] = c
		return c
	}
	for _, r := range before.Rows {
		c := get(r.Tag)
		c.DemandBefore, c.SupplyBefore, c.ShortBefore = r.Demand, r.Supply, r.Shortfall
	}
	for _, r := range after.Rows {
		c := get(r.Tag)
		c.DemandAfter, c.SupplyAfter, c.ShortAfter = r.Demand, r.Supply, r.Shortfall
	}
	var out []Change
	for _, c := range m {
		if c.DemandBefore != c.DemandAfter || c.SupplyBefore != c.SupplyAfter || c.ShortBefore != c.ShortAfter {
			out = append(out, *c)
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.Tag, b.Tag) })
	return out
}

// CountDevices validates and counts a list of devices without keeping
// them: the demand of an estate that need not be stored. The first invalid
// device stops it with an error naming its position.
func CountDevices(ds []Device) (Demand, error) {
	var counts [maxEntitlements]int32
	var d Demand
	for i := range ds {
		if err := ds[i].Validate(); err != nil {
			return Demand{}, fmt.Errorf("device %d: %w", i+1, err)
		}
		ds[i].addTo(&counts)
		// Flush before an int32 could overflow: at most 16 per device.
		if i%(1<<20) == (1<<20)-1 {
			for j, c := range counts {
				d.counts[j] += int64(c)
			}
			counts = [maxEntitlements]int32{}
		}
	}
	for j, c := range counts {
		d.counts[j] += int64(c)
	}
	return d, nil
}

// FillSerials gives every switch and chassis of the estate that has no
// serial number one made from its device's name and its place: "S", eight
// hex digits of a hash of the name, and the member's two-digit number
// ("S1A2B3C4D01"), the next hash where that one is taken. The same estate
// always gets the same serials, and none repeats one already given. An
// estate written with `switch <PID> x<N>` can then be booted, registered
// and served, which needs a UDI per device.
func (e *Estate) FillSerials() {
	taken := map[string]bool{}
	for _, d := range e.devices {
		for _, u := range d.Switches {
			taken[u.SN] = true
		}
		for _, c := range d.Chassis {
			taken[c.SN] = true
		}
	}
	for i := range e.devices {
		d := &e.devices[i]
		h := fnv32(d.Name)
		serial := func(member int) string {
			for {
				sn := fmt.Sprintf("S%08X%02d", h, member)
				if !taken[sn] {
					taken[sn] = true
					return sn
				}
				h++
			}
		}
		for j := range d.Switches {
			if d.Switches[j].SN == "" {
				d.Switches[j].SN = serial(j + 1)
			}
		}
		for j := range d.Chassis {
			if d.Chassis[j].SN == "" {
				d.Chassis[j].SN = serial(j + 1)
			}
		}
	}
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}
