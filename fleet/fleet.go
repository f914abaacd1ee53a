// Package fleet runs whole estates for years of virtual time: many
// switches (agents) across smart and virtual accounts, the CSSM, and a
// schedule of events — outages of a path to the back end, licenses added
// or ending, devices added, removed or upgraded. It reports, per day, how
// many devices are in each state; the first date each device entered each
// state; the alerts CSSM raised; and demand against supply per virtual
// account and entitlement.
//
// Devices interact only through their virtual account, so a run is
// sharded by virtual account, each shard on its own goroutine with its own
// CSSM; the result is identical to a single-threaded run. Time is virtual:
// nothing reads a clock.
package fleet

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

// Device is one switch of the fleet and where it registers.
type Device struct {
	Topo   stackwise.Device
	SA, VA string
	// Path names the way the device reaches its back end (a proxy, a site
	// link); outages are scheduled per path. Empty means "cloud".
	Path string
}

// Pool is licenses of a virtual account at the start.
type Pool struct {
	SA, VA    string
	Tag       string
	Qty       int64
	TermYears int // 0: perpetual
}

// Event kinds of the schedule.
const (
	EvOutage      = "outage"       // Path down from At for Duration
	EvAddLicenses = "add-licenses" // Pool added at At
	EvAddDevice   = "add-device"   // Device added and registered at At
	EvRemove      = "remove-device"
	EvUpgrade     = "upgrade" // Name (a device, or a prefix ending in '*') moves to Version
)

// Event is one entry of the schedule.
type Event struct {
	At       time.Time
	Kind     string
	Path     string        // outage
	Duration time.Duration // outage
	Pool     Pool          // add-licenses
	Device   Device        // add-device
	Name     string        // remove-device, upgrade: a name or "prefix*"
	Version  stackwise.Version
}

// Spec is a fleet run.
type Spec struct {
	Start    time.Time
	Duration time.Duration
	Seed     uint64
	Devices  []Device
	Pools    []Pool
	Schedule []Event
	// Shards is how many goroutines run it (by virtual account); 0 or 1
	// runs it on the caller's goroutine.
	Shards int
	// Profile is the agents' timer profile (nil: the default).
	Profile *agent.Profile
	// Progress, when set, is called now and then with the share done (0–1).
	Progress func(done float64)
}

// RegStates lists the registration states in report order (a new slice
// each call).
func RegStates() []string { return agent.RegistrationStates() }

// AuthStates lists the authorization states in report order.
func AuthStates() []string { return agent.AuthorizationStates() }

// The states' names, read on the engine's hot path: private copies.
var (
	regNames  = agent.RegistrationStates()
	authNames = agent.AuthorizationStates()
)

// validate checks the spec and returns the usage of each of its devices,
// by index (Usage validates a device as it counts it): computed once for
// balancing the shards and booting the devices.
func (s *Spec) validate() ([][]license.Usage, error) {
	if s.Start.IsZero() {
		return nil, errors.New("fleet: no start time")
	}
	if s.Duration <= 0 || s.Duration > 20*365*agent.Day {
		return nil, fmt.Errorf("fleet: duration %v: want more than 0 and at most 20 years", s.Duration)
	}
	if err := s.checkHorizon(); err != nil {
		return nil, err
	}
	if s.Shards < 0 || s.Shards > 64 {
		return nil, fmt.Errorf("fleet: %d shards: want 0 to 64", s.Shards)
	}
	names := make(map[string]bool, len(s.Devices))
	named := func(d *Device) error {
		if names[d.Topo.Name] {
			return fmt.Errorf("fleet: device %s appears twice", d.Topo.Name)
		}
		names[d.Topo.Name] = true
		if d.SA == "" || d.VA == "" {
			return fmt.Errorf("fleet: device %s has no smart or virtual account", d.Topo.Name)
		}
		return nil
	}
	check := func(d *Device) ([]license.Usage, error) {
		u, err := d.Topo.Usage()
		if err != nil {
			return nil, fmt.Errorf("fleet: %w", err)
		}
		return u, named(d)
	}
	// The devices' usages are counted side by side (Usage is a pure
	// function of the device), then the names checked in order; the first
	// error in the devices' order is returned.
	usages, bad, err := startUsages(s.Devices, max(1, s.Shards))
	for i := range s.Devices {
		if i == bad {
			return nil, fmt.Errorf("fleet: %w", err)
		}
		if err := named(&s.Devices[i]); err != nil {
			return nil, err
		}
	}
	for i := range s.Schedule {
		e := &s.Schedule[i]
		if e.At.Before(s.Start) {
			return nil, fmt.Errorf("fleet: schedule entry %d (%s) is before the start", i+1, e.Kind)
		}
		switch e.Kind {
		case EvOutage:
			if e.Duration <= 0 {
				return nil, fmt.Errorf("fleet: outage of %q needs a duration", e.Path)
			}
		case EvAddDevice:
			if _, err := check(&e.Device); err != nil {
				return nil, err
			}
		case EvAddLicenses, EvRemove:
		case EvUpgrade:
			if e.Version.IsZero() {
				return nil, fmt.Errorf("fleet: upgrade of %q needs a version", e.Name)
			}
		default:
			return nil, fmt.Errorf("fleet: unknown schedule entry %q", e.Kind)
		}
	}
	return usages, nil
}

// checkHorizon refuses a run that agents could not hold: every instant
// of it must be one an agent on the run's profile can be at (int64
// nanoseconds less the profile's longest period at either end).
func (s *Spec) checkHorizon() error {
	prof, err := prepare(s.Profile)
	if err != nil {
		return fmt.Errorf("fleet: %w", err)
	}
	first, last := s.Start, s.Start.Add(s.Duration)
	if first.Before(time.Unix(0, math.MinInt64)) || last.After(time.Unix(0, math.MaxInt64)) ||
		!prof.Holds(first.UnixNano()) || !prof.Holds(last.UnixNano()) {
		return fmt.Errorf("fleet: a run from %s for %v (and %v either side) does not fit 1677-09-21 – 2262-04-11, the instants agents hold",
			first.UTC().Format(time.RFC3339), s.Duration, prof.Longest())
	}
	return nil
}

// startUsages counts the devices' usages on up to workers goroutines. It
// returns the index of the first device that fails (-1 if none) and its
// error.
func startUsages(devs []Device, workers int) ([][]license.Usage, int, error) {
	usages := make([][]license.Usage, len(devs))
	chunks := min(workers, max(1, len(devs)/1000)) // small estates: one goroutine
	bad, errs := make([]int, chunks), make([]error, chunks)
	var wg sync.WaitGroup
	for c := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bad[c] = -1
			var in interner // devices of one shape share one slice: memory per device stays small while the run holds them
			for i := c * len(devs) / chunks; i < (c+1)*len(devs)/chunks; i++ {
				u, err := devs[i].Topo.Usage()
				if err != nil {
					bad[c], errs[c] = i, err
					return
				}
				usages[i] = in.intern(u)
			}
		}()
	}
	wg.Wait()
	for c := range chunks {
		if bad[c] >= 0 {
			return nil, bad[c], errs[c]
		}
	}
	return usages, -1, nil
}

// interner keeps one slice per distinct usage (agents and CSSM keep usage
// slices as given and never modify them).
type interner struct {
	seen map[string][]license.Usage
	key  []byte
}

func (in *interner) intern(u []license.Usage) []license.Usage {
	key := in.key[:0]
	for _, x := range u {
		key = append(key, x.Tag...)
		key = append(key, 0)
		key = strconv.AppendInt(key, int64(x.Count), 10)
		key = append(key, 0)
	}
	in.key = key
	if shared, ok := in.seen[string(key)]; ok {
		return shared
	}
	if in.seen == nil {
		in.seen = map[string][]license.Usage{}
	}
	in.seen[string(key)] = u
	return u
}

// unit is what is sharded: a virtual account of a smart account. Devices
// interact only through their virtual account's pool.
type unit struct{ sa, va string }

func unitOf(sa, va string) unit { return unit{sa, va} }

func (u unit) compare(o unit) int {
	return cmp.Or(strings.Compare(u.sa, o.sa), strings.Compare(u.va, o.va))
}

// deviceCost is what a device costs the run besides its renewals, in
// renewal attempts: booting, registering, its first authorization and its
// share of the daily samples and reports (measured: ~100 attempts' time).
const deviceCost = 100

// plan maps units (virtual accounts) to at most groups shards and returns
// each shard's estimated cost, in renewal attempts over the run: per
// device, deviceCost plus one attempt per AuthRenewAfter (30 days), or per
// OutOfComplianceRetry (12 hours) in a virtual account short of licenses
// at the start, plus one per CommRetryMax (1 hour) through each scheduled
// outage of its path. The heaviest units go first, each to the least
// loaded shard. The estimate only decides which goroutine runs what, and
// when; results never depend on it.
func (s *Spec) plan(prof agent.Profile, usages [][]license.Usage, groups int) (map[unit]int, []int64) {
	devices := map[unit]int64{}
	demand := map[unit]map[string]int64{}
	down := map[string]time.Duration{} // outage time per path within the run
	for _, e := range s.Schedule {
		if e.Kind == EvOutage {
			end := s.Start.Add(s.Duration)
			down[pathName(e.Path)] += max(0, min(e.Duration, end.Sub(e.At)))
		}
	}
	outage := map[unit]int64{} // attempts through outages per unit
	add := func(d *Device) {
		u := unitOf(d.SA, d.VA)
		devices[u]++
		if prof.CommRetryMax > 0 {
			outage[u] += int64(down[pathName(d.Path)] / prof.CommRetryMax)
		}
	}
	for i := range s.Devices {
		d := &s.Devices[i]
		add(d)
		u := unitOf(d.SA, d.VA)
		if demand[u] == nil {
			demand[u] = map[string]int64{}
		}
		for _, x := range usages[i] {
			demand[u][x.Tag] += int64(x.Count)
		}
	}
	supply := map[unit]map[string]int64{}
	for _, p := range s.Pools {
		u := unitOf(p.SA, p.VA)
		devices[u] += 0 // a unit with licenses and no devices yet still gets a shard
		if supply[u] == nil {
			supply[u] = map[string]int64{}
		}
		supply[u][p.Tag] += p.Qty
	}
	for i := range s.Schedule {
		switch e := &s.Schedule[i]; e.Kind {
		case EvAddDevice:
			add(&e.Device)
		case EvAddLicenses:
			devices[unitOf(e.Pool.SA, e.Pool.VA)] += 0 // likewise
		}
	}
	every := func(d time.Duration) int64 {
		if d <= 0 {
			return 0
		}
		return int64(s.Duration / d)
	}
	weight := map[unit]int64{}
	for u, n := range devices {
		renewals := every(prof.AuthRenewAfter)
		for tag, d := range demand[u] {
			if d > supply[u][tag] {
				renewals = every(prof.OutOfComplianceRetry)
				break
			}
		}
		weight[u] = n*(deviceCost+renewals) + outage[u]
	}
	units := slices.SortedFunc(maps.Keys(devices), func(a, b unit) int {
		return cmp.Or(cmp.Compare(weight[b], weight[a]), a.compare(b))
	})
	load := make([]int64, min(max(1, groups), max(1, len(units))))
	out := map[unit]int{}
	for _, u := range units {
		i := slices.Index(load, slices.Min(load))
		out[u] = i
		load[i] += weight[u]
	}
	return out, load
}

func pathName(p string) string {
	if p == "" {
		return "cloud"
	}
	return p
}

// matches reports whether a device name matches an upgrade or removal
// target: the name itself or a prefix ending in '*'.
func matches(pattern, name string) bool {
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(name, p)
	}
	return pattern == name
}
