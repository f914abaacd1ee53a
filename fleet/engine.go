package fleet

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/internal/agentcore"
	"github.com/slsim/slsim/internal/cssmlink"
	"github.com/slsim/slsim/internal/pq"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

// node is one device in a shard: its agent (by value), its link
// to the shard's CSSM and bookkeeping: what a renewal reads and writes,
// kept small and contiguous (the first dates, written only when a state
// changes, are in shard.first). Memory per device stays flat whatever the
// run's length.
type node struct {
	due  int64 // the deadline the calendar holds for it (unix ns), 0 if none
	gone bool
	reg  agentcore.RegState  // agentcore.NRegStates: not counted yet (or any more)
	auth agentcore.AuthState // as counted with reg
	path int32
	link cssmlink.Link // the device's channel to the shard's CSSM
	a    agentcore.Agent
	// 256 bytes in all, so that nodes start on cache lines: a renewal
	// reads and writes the first three (through the agent's hot fields)
	// and no more. (24: where a starts; TestNodeLayout holds both.)
	_ [256 - 24 - unsafe.Sizeof(agentcore.Agent{})]byte
}

// byState holds one T per registration state and one per authorization
// state.
type byState[T any] struct {
	reg  [agentcore.NRegStates]T
	auth [agentcore.NAuthStates]T
}

// firsts are the instants a device first entered each state (0: never).
type firsts byState[int64]

// entries calls f with each state's name and the instant the device first
// entered it, registration states first, for the states it entered.
func (f *firsts) entries(each func(state string, at int64)) {
	for r, at := range f.reg {
		if at != 0 {
			each(regNames[r], at)
		}
	}
	for a, at := range f.auth {
		if at != 0 {
			each(authNames[a], at)
		}
	}
}

type shardVA struct {
	sa, va, token string
	// For the daily supply rows: the balance seen last, and the last row
	// recorded per tag.
	prev    []cssm.Balance
	version uint64 // the balance version when prev was taken (0: never)
	last    map[string]SupplyRow
}

// The device calendar: buckets of 2^40 ns (~18 virtual minutes: a power
// of two, so a shift finds the bucket) over 2^12 of them (52 days), beyond
// which (ID certificate renewals) a heap waits. A ring of 4,096 buckets
// costs 96 KiB per shard whatever the fleet.
const (
	calendarWidth = int64(1) << 40
	calendarBits  = 12
)

// shard runs the devices of some virtual accounts with their own CSSM.
type shard struct {
	spec    *Spec
	prof    *agentcore.Prepared
	c       *cssm.CSSM
	fast    cssmlink.Fleet // c's fast channel
	floor   *int64         // c's deadline floor (fast.DeadlineFloor)
	nodes   []node
	first   []firsts          // by node
	devs    []*Device         // by node: the spec's device (not copied: memory per device)
	usages  interner          // one slice per distinct usage
	fx      agentcore.Effects // requests of the device being settled
	vas     []shardVA
	vaIndex map[unit]int32
	paths   map[string]int32
	down    []int64      // per path: down until (unix ns), 0 up
	q       *pq.Calendar // device deadlines: the device index as the ID
	sched   []Event
	schedAt []int64      // sched's instants (unix ns), for the loop
	counts  byState[int] // devices in each state
	rep     shardReport
	rows    []Entered // its entered rows, made when it has run
	dayInts []int     // storage for the days' counts
	events  int64
	done    func(float64)
	cur     int32     // the device whose turn it is …
	now     time.Time // … and its instant (for Answer)
	lastNs  int64     // the last device deadline run …
	last    time.Time // … as a time
}

type shardReport struct {
	days   []Day
	supply []SupplyRow
}

// newShard builds the shard of some units, whose devices are devs (indices
// in the spec, in its order); usages are the spec's devices' usages, by
// index.
func newShard(spec *Spec, prof *agentcore.Prepared, units map[unit]bool, devs []int32, seed uint64, usages [][]license.Usage) (*shard, error) {
	cprof := cssm.DefaultProfile()
	cprof.NoEventLog = true    // a fleet's reports do not read it
	cprof.KeepAllAlerts = true // a fleet's report lists every alert of the run
	c, err := cssm.New(spec.Start, cssm.Config{Catalog: stackwise.Catalog(), Seed: seed, Profile: &cprof})
	if err != nil {
		return nil, err
	}
	fast := c.FleetLink()
	s := &shard{spec: spec, prof: prof, c: c, fast: fast, floor: fast.DeadlineFloor(),
		q: pq.NewCalendar(calendarWidth, calendarBits, spec.Start.UnixNano()), lastNs: math.MinInt64, // no instant an agent is at
		vaIndex: map[unit]int32{}, paths: map[string]int32{"cloud": 0},
		down: []int64{0}}
	for _, e := range spec.Schedule {
		if inShard(e, units) {
			s.sched = append(s.sched, e)
		}
	}
	slices.SortStableFunc(s.sched, func(a, b Event) int { return a.At.Compare(b.At) })
	for _, e := range s.sched {
		s.schedAt = append(s.schedAt, e.At.UnixNano())
	}
	for _, p := range spec.Pools {
		if units[unitOf(p.SA, p.VA)] {
			if err := s.addPool(spec.Start, p); err != nil {
				return nil, err
			}
		}
	}
	n := len(devs)
	s.nodes, s.first, s.devs = make([]node, 0, n), make([]firsts, 0, n), make([]*Device, 0, n) // exact: no slack per device
	for _, i := range byAccount(spec, devs) {
		if err := s.addDevice(spec.Start, &spec.Devices[i], usages[i]); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// byAccount orders a shard's devices (indices in the spec, in its order)
// by virtual account, the accounts in the order of their first devices,
// each account's devices in the spec's order — the same in every sharding.
// A virtual account's devices renew together (all of a short one every 12
// hours): side by side, their nodes and CSSM instances (allocated as they
// register) share cache lines and pages, and are read in address order.
func byAccount(spec *Spec, devs []int32) []int32 {
	rank := map[unit]int32{}
	ranks := make([]int32, len(devs))
	for k, i := range devs {
		u := unitOf(spec.Devices[i].SA, spec.Devices[i].VA)
		r, ok := rank[u]
		if !ok {
			r = int32(len(rank))
			rank[u] = r
		}
		ranks[k] = r
	}
	at := make([]int, len(rank)+1) // where each account's devices start: a counting sort, stable
	for _, r := range ranks {
		at[r+1]++
	}
	for r := 1; r < len(at); r++ {
		at[r] += at[r-1]
	}
	out := make([]int32, len(devs))
	for k, i := range devs {
		out[at[ranks[k]]] = i
		at[ranks[k]]++
	}
	return out
}

func inShard(e Event, units map[unit]bool) bool {
	switch e.Kind {
	case EvAddDevice:
		return units[unitOf(e.Device.SA, e.Device.VA)]
	case EvAddLicenses:
		return units[unitOf(e.Pool.SA, e.Pool.VA)]
	}
	return true // outages of shared paths, removals and upgrades by name: each shard applies them to its own devices
}

func (s *shard) vaOf(sa, va string) (int32, error) {
	key := unitOf(sa, va)
	if i, ok := s.vaIndex[key]; ok {
		return i, nil
	}
	now := s.c.Now()
	if !slices.Contains(s.c.SmartAccounts(), sa) {
		if err := s.c.CreateSmartAccount(now, sa, ""); err != nil {
			return 0, err
		}
	}
	if va != cssm.DefaultVAName {
		vas, _ := s.c.VirtualAccounts(sa)
		if !slices.ContainsFunc(vas, func(v cssm.VAInfo) bool { return v.Name == va }) {
			if err := s.c.CreateVirtualAccount(now, sa, va, ""); err != nil {
				return 0, err
			}
		}
	}
	tok, err := s.c.CreateToken(now, sa, va, cssm.TokenOptions{Description: "fleet", ExpiresAfterDays: 365})
	if err != nil {
		return 0, err
	}
	s.vas = append(s.vas, shardVA{sa: sa, va: va, token: tok.Value, last: map[string]SupplyRow{}})
	s.vaIndex[key] = int32(len(s.vas) - 1)
	return int32(len(s.vas) - 1), nil
}

func (s *shard) addPool(at time.Time, p Pool) error {
	if _, err := s.vaOf(p.SA, p.VA); err != nil {
		return err
	}
	end := time.Time{}
	if p.TermYears > 0 {
		end = at.AddDate(p.TermYears, 0, 0)
	}
	_, err := s.c.AddLicenses(at, p.SA, p.VA, p.Tag, p.Qty, at, end)
	return err
}

func (s *shard) pathOf(name string) int32 {
	name = pathName(name)
	if i, ok := s.paths[name]; ok {
		return i
	}
	s.paths[name] = int32(len(s.down))
	s.down = append(s.down, 0)
	return int32(len(s.down) - 1)
}

func seedOf(seed uint64, name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return seed ^ h.Sum64()
}

// addDevice boots a device using usage (its topology's) and registers it
// at once.
func (s *shard) addDevice(at time.Time, d *Device, usage []license.Usage) error {
	va, err := s.vaOf(d.SA, d.VA)
	if err != nil {
		return err
	}
	usage = s.usages.intern(usage)
	udi, err := d.Topo.UDI()
	if err != nil {
		return err
	}
	if err := agent.CheckHostname(d.Topo.Name); err != nil {
		return fmt.Errorf("fleet: device %s: %w", d.Topo.Name, err)
	}
	a, err := agentcore.New(at.UnixNano(), s.prof, seedOf(s.spec.Seed, d.Topo.Name), usage, &s.fx)
	if err != nil {
		return err
	}
	link, err := s.fast.Link(udi)
	if err != nil {
		return err
	}
	s.nodes = append(s.nodes, node{a: a, link: link, path: s.pathOf(d.Path), reg: agentcore.NRegStates})
	s.first = append(s.first, firsts{})
	s.devs = append(s.devs, d)
	idx := int32(len(s.nodes) - 1)
	if err := s.nodes[idx].a.Register(at.UnixNano(), s.vas[va].token, false, &s.fx); err != nil {
		return err
	}
	s.settle(idx, at)
	return nil
}

// Answer answers the request r of the device whose turn it is (s.cur)
// at s.now (ns): through its link to the shard's CSSM, or a failure to
// send while its path is down. (agentcore.Answerer, for Step.)
func (s *shard) Answer(ns int64, l *agentcore.Agent, r agentcore.Request) agentcore.Answer {
	n := &s.nodes[s.cur]
	s.events++
	var q cssmlink.Quick
	if d := s.down[n.path]; d != 0 && ns < d {
		q.Class = license.FailSend
	} else {
		var err error
		switch r.Kind {
		case agentcore.ReqRegister:
			tok, force := l.Token()
			q, err = s.fast.Register(n.link, s.now, r.ID, s.devs[s.cur].Topo.Name, tok, force)
		case agentcore.ReqAuthorize:
			q, err = s.fast.Authorize(n.link, s.now, l.Usage())
		case agentcore.ReqRenewID:
			q, err = s.fast.RenewID(n.link, s.now, r.ID)
		}
		if err != nil {
			panic(err) // the fleet's own requests; a failure here is a bug
		}
	}
	var at int64
	if q.Class == 0 {
		at = q.At.UnixNano()
	}
	return agentcore.Answer{ID: r.ID, Kind: r.Kind, Class: q.Class, At: at, InCompliance: q.InCompliance}
}

// settle delivers the requests a device sent at at (not at a deadline of
// its own: booted, or upgraded), in the order it sent them, answers to
// them first come first served, and accounts for its turn.
func (s *shard) settle(idx int32, at time.Time) {
	n := &s.nodes[idx]
	ns := at.UnixNano()
	s.cur, s.now = idx, at
	for k := 0; k < len(s.fx.Requests); k++ {
		// A refused answer (a request superseded meanwhile) changes nothing.
		_ = n.a.Handle(ns, s.Answer(ns, &n.a, s.fx.Requests[k]), &s.fx)
	}
	s.fx.Requests = s.fx.Requests[:0]
	s.account(idx, ns)
}

// uncount takes a counted device out of the state counters.
func (s *shard) uncount(n *node) {
	if n.reg != agentcore.NRegStates {
		s.counts.reg[n.reg]--
		s.counts.auth[n.auth]--
	}
}

// prepare prepares a fleet's profile (nil: the default) for its agents.
func prepare(p *agent.Profile) (*agentcore.Prepared, error) {
	prof := agent.DefaultProfile()
	if p != nil {
		prof = *p
	}
	return agentcore.Prepare(agentcore.Profile(prof))
}

// account updates the state counters and first-entered dates after a
// device's turn at ns, and queues its next deadline.
func (s *shard) account(idx int32, ns int64) {
	n := &s.nodes[idx]
	r, a := n.a.States()
	if r != n.reg || a != n.auth {
		s.uncount(n)
		s.counts.reg[r]++
		s.counts.auth[a]++
		f := &s.first[idx]
		if n.reg != r && f.reg[r] == 0 {
			f.reg[r] = ns
		}
		if n.auth != a && f.auth[a] == 0 {
			f.auth[a] = ns
		}
		n.reg, n.auth = r, a
	}
	if at := n.a.NextDeadline(); at != 0 {
		if at != n.due {
			n.due = at
			s.q.Push(pq.Item{At: at, ID: uint64(idx)})
		}
	} else {
		n.due = 0
	}
}

func (s *shard) run() error {
	end := s.spec.Start.Add(s.spec.Duration).UnixNano()
	day := s.spec.Start
	dayNs := day.UnixNano()
	total := float64(s.spec.Duration)
	for {
		// The earliest of: a device deadline, a schedule entry, an outage's
		// end, a CSSM deadline, the next day's sample (Unix nanoseconds).
		t, kind := dayNs, 0
		if s.q.Len() > 0 {
			if at := s.q.Peek().At; at < t {
				t, kind = at, 1
			}
		}
		if len(s.sched) > 0 {
			if at := s.schedAt[0]; at < t {
				t, kind = at, 2
			}
		}
		if *s.floor < t { // else nothing of CSSM's is due before t
			if at, ok := s.fast.NextDeadline(); ok && at < t {
				t, kind = at, 3
			}
		}
		if t > end {
			break
		}
		switch kind {
		case 0:
			s.sample(day)
			day = day.Add(agent.Day)
			dayNs = day.UnixNano()
			if s.done != nil {
				s.done(float64(day.Sub(s.spec.Start)) / total)
			}
		case 1:
			e := s.q.Pop()
			idx := int32(e.ID)
			n := &s.nodes[idx]
			if n.gone || n.due != e.At {
				continue // stale
			}
			n.due = 0
			s.events++
			if t != s.lastNs { // devices renewing together share an instant
				s.lastNs, s.last = t, time.Unix(0, t).UTC()
			}
			s.cur, s.now = idx, s.last
			if err := n.a.Step(t, s, &s.fx); err != nil {
				return err
			}
			s.account(idx, t)
		case 2:
			ev := &s.sched[0] // the shard's own copy: devices it adds point into it
			s.sched, s.schedAt = s.sched[1:], s.schedAt[1:]
			if err := s.apply(ev); err != nil {
				return err
			}
		case 3:
			if err := s.c.Advance(s.c.NextDeadline()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *shard) apply(e *Event) error {
	switch e.Kind {
	case EvOutage:
		p := s.pathOf(e.Path)
		s.down[p] = e.At.Add(e.Duration).UnixNano()
	case EvAddLicenses:
		return s.addPool(e.At, e.Pool)
	case EvAddDevice:
		usage, err := e.Device.Topo.Usage()
		if err != nil {
			return err
		}
		return s.addDevice(e.At, &e.Device, usage)
	case EvRemove:
		for i := range s.nodes {
			n := &s.nodes[i]
			if !n.gone && matches(e.Name, s.devs[i].Topo.Name) {
				n.gone = true // decommissioned: it stops talking; CSSM cleans up on its own
				s.uncount(n)
				n.reg = agentcore.NRegStates
			}
		}
	case EvUpgrade:
		for idx := range s.nodes {
			n := &s.nodes[idx]
			if n.gone || !matches(e.Name, s.devs[idx].Topo.Name) {
				continue
			}
			topo := s.devs[idx].Topo // only the version changes: the latest upgrade's wins
			topo.Version = e.Version
			usage, err := topo.Usage()
			if err != nil {
				return err
			}
			usage = s.usages.intern(usage)
			if err := n.a.SetUsage(e.At.UnixNano(), usage, &s.fx); err != nil {
				return err
			}
			s.settle(int32(idx), e.At)
		}
	}
	return nil
}

// sample records the day's state counts and the VAs' balance (a row when
// it changed).
func (s *shard) sample(day time.Time) {
	if len(s.dayInts) < len(regNames)+len(authNames) {
		s.dayInts = make([]int, 64*(len(regNames)+len(authNames))) // days' counts carved from chunks
	}
	counts := s.dayInts[: len(regNames)+len(authNames) : len(regNames)+len(authNames)]
	s.dayInts = s.dayInts[len(counts):]
	copy(counts, s.counts.reg[:])
	copy(counts[len(regNames):], s.counts.auth[:])
	d := Day{Date: day, Registration: counts[:len(regNames):len(regNames)], Authorization: counts[len(regNames):]}
	s.rep.days = append(s.rep.days, d)
	for i := range s.vas {
		v := &s.vas[i]
		version, err := s.fast.BalanceVersion(v.sa, v.va)
		if err != nil || version == v.version {
			continue // as yesterday
		}
		v.version = version
		cur, err := s.c.Balances(v.sa, v.va)
		if err != nil {
			continue
		}
		if slices.Equal(cur, v.prev) {
			continue // as yesterday: every tag's last row already says so
		}
		for _, b := range cur {
			// The shortfall of the Licenses report's balance column.
			short := max(0, b.Demand+b.Lent-b.Supply-b.FromParent)
			row := SupplyRow{Date: day, SA: v.sa, VA: v.va, Tag: b.Tag, Demand: b.Demand, Supply: b.Supply, Shortfall: short}
			prev, ok := v.last[b.Tag]
			if !ok || prev.Demand != row.Demand || prev.Supply != row.Supply || prev.Shortfall != row.Shortfall {
				s.rep.supply = append(s.rep.supply, row)
				v.last[b.Tag] = row
			}
		}
		v.prev = cur
	}
}

// shardsPerWorker bounds the shards each goroutine may get: enough that
// the last to finish waits little, few enough that the shards' fixed
// memory (a 96 KiB calendar and a CSSM each) stays small.
const shardsPerWorker = 8

func groupsFor(workers int) int {
	if workers <= 1 {
		return 1
	}
	return workers * shardsPerWorker
}

// Run runs a fleet and returns its report.
func Run(spec Spec) (*Report, error) {
	usages, err := spec.validate()
	if err != nil {
		return nil, err
	}
	prof, err := prepare(spec.Profile)
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	// With more than one goroutine, the virtual accounts are grouped into
	// up to shardsPerWorker shards per goroutine, and the goroutines take
	// them heaviest first: the longest start at once, and whichever
	// goroutine is free takes the next, however good the estimate.
	workers := max(1, spec.Shards)
	of, cost := spec.plan(agent.Profile(prof.Profile), usages, groupsFor(workers))
	n := len(cost)
	groups := make([]map[unit]bool, n)
	for i := range groups {
		groups[i] = map[unit]bool{}
	}
	for unit, i := range of {
		groups[i][unit] = true
	}
	members := make([][]int32, n) // each shard's devices, in the spec's order
	for i := range spec.Devices {
		g := of[unitOf(spec.Devices[i].SA, spec.Devices[i].VA)]
		members[g] = append(members[g], int32(i))
	}
	var total int64
	for _, c := range cost {
		total += max(1, c)
	}
	shards := make([]*shard, n)
	progress := make([]float64, n)
	var mu sync.Mutex
	report := func(i int) func(float64) {
		if spec.Progress == nil {
			return nil
		}
		return func(f float64) {
			mu.Lock()
			progress[i] = f * float64(max(1, cost[i]))
			sum := 0.0
			for _, p := range progress {
				sum += p
			}
			spec.Progress(sum / float64(total))
			mu.Unlock()
		}
	}
	errs := make([]error, n)
	// Each shard is built (its devices booted and registered) and run by
	// the goroutine that takes it; errors are reported in shard order.
	build := func(i int) {
		s, err := newShard(&spec, prof, groups[i], members[i], spec.Seed+uint64(i), usages)
		if err != nil {
			errs[i] = err
			return
		}
		s.done = report(i)
		shards[i] = s
		if errs[i] = s.run(); errs[i] == nil {
			s.rows = s.entered() // here, while other shards still run
		}
	}
	order := make([]int, n) // heaviest first
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cost[b], cost[a]) })
	if workers == 1 || n == 1 {
		for _, i := range order {
			build(i)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(workers, n) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := next.Add(1) - 1; k < int64(n); k = next.Add(1) - 1 {
					build(order[k])
				}
			}()
		}
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return merge(shards), nil
}
