// Package sim is the simulated world: switches (package device), the
// network around them (netsim), the CSSM and its satellites (cssm), all on
// one virtual clock. Everything that happens is one typed Event on the
// world's stream; the world keeps each device's logging buffer and a
// window of the latest events, both bounded, and readers hold cursors. It
// is deterministic for a seed, and saves and loads whole worlds.
//
// Time is an input: Step processes the next event, RunUntil and RunFor run
// to a time. Nothing reads a clock; the runner package drives a world in
// real time. A world is not safe for concurrent use: whoever drives it
// (the runner, a lab, a test) is its only actor.
package sim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/internal/pq"
	"github.com/slsim/slsim/internal/ring"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/stackwise"
)

// World is a simulated network of switches and back ends. It is not safe
// for concurrent use.
type World struct {
	now    time.Time
	seed   uint64
	net    *netsim.Network
	cssm   *cssm.CSSM
	sats   map[string]*cssm.Satellite
	devs   map[string]*device.Device
	queue  pq.Heap[delivery]
	seq    uint64
	faults []Fault
	states map[string]State
	retry  map[string]time.Time // satellites' next sync attempt after CSSM was unreachable

	// The stream: the latest events, each device's logging buffer.
	window     ring.Ring[Event]
	windowSize int
	lastSeq    uint64
	logs       map[string]*logBuffer

	// CSSM alerts already on the stream: every ID below alertNext was
	// raised; open holds those not yet cleared.
	alertNext int
	alertOpen map[int]bool
	alertVer  uint64

	// What the next step and pump look at: the devices' deadlines, kept
	// in a heap (entries go stale when a deadline moves and are skipped),
	// and the devices touched since the last pump.
	names    []string // sorted
	due      pq.Heap[deadline]
	indexed  map[string]time.Time
	dirty    map[string]bool
	allDirty bool
}

// deadline is a device's next deadline as the heap holds it.
type deadline struct {
	at   time.Time
	name string
}

func (a deadline) Less(b deadline) bool {
	return a.at.Before(b.at) || a.at.Equal(b.at) && a.name < b.name
}

// Config describes a new world.
type Config struct {
	Start   time.Time
	Seed    uint64
	Network *netsim.Network // nil: netsim.Default(Start)
	CSSM    *cssm.Profile   // nil: cssm.DefaultProfile()
	// Window is how many of the latest events the stream keeps for
	// cursors (0: DefaultWindow).
	Window int
}

// The instants a world keeps: inside what its agents hold (int64
// nanoseconds, 1678–2262, less a profile's longest period at either end),
// with room to spare. A world never starts, loads or runs outside them.
// [model]
var (
	Earliest = time.Date(1680, 1, 1, 0, 0, 0, 0, time.UTC)
	Latest   = time.Date(2260, 1, 1, 0, 0, 0, 0, time.UTC)
)

// checkTime refuses an instant outside Earliest..Latest.
func checkTime(what string, t time.Time) error {
	if t.Before(Earliest) || t.After(Latest) {
		return fmt.Errorf("%s %s: a world keeps %s to %s", what, t.UTC().Format(time.RFC3339), Earliest.Format(time.DateOnly), Latest.Format(time.DateOnly))
	}
	return nil
}

// New makes a world with the CSSM cloud in it and no devices.
func New(cfg Config) (*World, error) {
	if cfg.Start.IsZero() {
		return nil, errors.New("new world: start time is zero")
	}
	if err := checkTime("new world: start", cfg.Start); err != nil {
		return nil, err
	}
	n := cfg.Network
	if n == nil {
		n = netsim.Default(cfg.Start)
	}
	c, err := cssm.New(cfg.Start, cssm.Config{Profile: cfg.CSSM, Catalog: stackwise.Catalog(), Seed: cfg.Seed})
	if err != nil {
		return nil, fmt.Errorf("new world: %w", err)
	}
	if cfg.Window < 0 {
		return nil, fmt.Errorf("new world: window %d is negative", cfg.Window)
	}
	w := newWorld(cfg.Start, cfg.Seed, n, c, cfg.Window)
	return w, nil
}

// newWorld makes a world's maps and bounds.
func newWorld(now time.Time, seed uint64, n *netsim.Network, c *cssm.CSSM, window int) *World {
	if window == 0 {
		window = DefaultWindow
	}
	return &World{now: now, seed: seed, net: n, cssm: c, sats: map[string]*cssm.Satellite{}, devs: map[string]*device.Device{},
		states: map[string]State{}, retry: map[string]time.Time{}, windowSize: window, logs: map[string]*logBuffer{},
		alertOpen: map[int]bool{}, indexed: map[string]time.Time{}, dirty: map[string]bool{}}
}

// Now is the world's time.
func (w *World) Now() time.Time { return w.now }

// CSSM is the world's cloud back end, for administration at w.Now().
func (w *World) CSSM() *cssm.CSSM { return w.cssm }

// Network is the world's network; edit it at w.Now() (or schedule Faults).
// Every device looks at the network again at the next step.
func (w *World) Network() *netsim.Network {
	w.allDirty = true
	return w.net
}

// Device returns a device by name, brought to the world's time. The
// caller may act on it at w.Now(); the world takes up what it did (its
// messages, logs, state, deadline) at its next step.
func (w *World) Device(name string) (*device.Device, bool) {
	d, ok := w.devs[name]
	if ok {
		w.touch(name, d)
	}
	return d, ok
}

// touch brings a device to the world's time and marks it for the next
// pump and deadline index.
func (w *World) touch(name string, d *device.Device) {
	if d.Agent().Now().Before(w.now) {
		// Nothing is due before now (the world steps every deadline in
		// order), so this only moves the agent's clock.
		_ = d.Advance(w.now)
	}
	w.dirty[name] = true
}

// Devices lists the devices' names, sorted.
func (w *World) Devices() []string { return slices.Clone(w.names) }

// DeviceCount is how many devices the world holds.
func (w *World) DeviceCount() int { return len(w.names) }

// Satellite returns a satellite by name.
func (w *World) Satellite(name string) (*cssm.Satellite, bool) {
	s, ok := w.sats[name]
	return s, ok
}

// Trace returns the events the window holds, in order: the whole story
// of a world younger than the window, the latest DefaultWindow events of
// an older one.
func (w *World) Trace() []Event { return w.window.Values() }

// TraceText returns the window's events as trace lines.
func (w *World) TraceText() string {
	var b strings.Builder
	for i := range w.window.Len() {
		b.WriteString(w.window.At(i).String())
		b.WriteByte('\n')
	}
	return b.String()
}

// AddDevice boots a switch in the world.
func (w *World) AddDevice(topo stackwise.Device, profile *agent.Profile) (*device.Device, error) {
	if _, dup := w.devs[topo.Name]; dup {
		return nil, fmt.Errorf("add device %s: name already used", topo.Name)
	}
	d, err := device.New(w.now, device.Spec{Topology: topo, Seed: w.seed ^ hash(topo.Name), Profile: profile})
	if err != nil {
		return nil, fmt.Errorf("add device: %w", err)
	}
	w.devs[topo.Name] = d
	i, _ := slices.BinarySearch(w.names, topo.Name)
	w.names = slices.Insert(w.names, i, topo.Name)
	w.emit(topo.Name, EventAction, "boot "+d.Agent().UDI().String())
	w.dirty[topo.Name] = true
	w.pump()
	return d, nil
}

// AddSatellite installs a satellite on the network at ip, with its server
// certificate issued to cfg.Hostname.
func (w *World) AddSatellite(cfg cssm.SatelliteConfig, ip string) (*cssm.Satellite, error) {
	s, err := w.cssm.AddSatellite(w.now, cfg)
	if err != nil {
		return nil, fmt.Errorf("add satellite: %w", err)
	}
	if err := w.net.Add(netsim.Endpoint{IP: ip, Name: cfg.Hostname, Kind: netsim.KindSatellite, Ports: []int{443}, Backend: cfg.Name,
		Cert: &netsim.Cert{Name: cfg.Hostname, Issuer: cfg.Hostname, NotBefore: w.now, NotAfter: s.CertificateExpires()}}); err != nil {
		return nil, fmt.Errorf("add satellite: %w", err)
	}
	w.sats[cfg.Name] = s
	w.emit(cfg.Name, EventAction, "satellite installed at "+ip)
	return s, nil
}

// AddTransportGateway puts a Transport Gateway on the network at ip under
// the DNS name host: it relays Call Home messages to the world's CSSM,
// behind a certificate issued to host by the enterprise's CA ca (valid
// from a month ago for two years), which a device trusts only through a
// trustpoint holding that CA.
func (w *World) AddTransportGateway(host, ip, ca string) error {
	if host == "" || ca == "" {
		return errors.New("add transport gateway: a host name and a CA are needed")
	}
	err := w.net.Add(netsim.Endpoint{IP: ip, Name: host, Kind: netsim.KindTransportGateway, Ports: []int{443}, Backend: "cssm",
		Cert: &netsim.Cert{Name: host, Issuer: ca, NotBefore: w.now.AddDate(0, -1, 0), NotAfter: w.now.AddDate(2, 0, 0)}})
	if err != nil {
		return fmt.Errorf("add transport gateway: %w", err)
	}
	w.emit(host, EventAction, "transport gateway installed at "+ip)
	return nil
}

func hash(s string) uint64 {
	var h uint64 = 14695981039346656037
	for _, b := range []byte(s) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return h
}

// delivery is a message on its way to a back end.
type delivery struct {
	At      time.Time
	Seq     uint64
	Device  string
	Backend string
	Msg     license.Message
}

// Less orders deliveries by time, then by the order they were sent.
func (a delivery) Less(b delivery) bool {
	return a.At.Before(b.At) || a.At.Equal(b.At) && a.Seq < b.Seq
}

// SyncRetry is how long a network-mode satellite waits to try again after
// failing to reach CSSM. [model]
const SyncRetry = 24 * time.Hour

// Kinds of next event, in the order ties are broken.
const (
	nextFault = iota
	nextDelivery
	nextCSSM
	nextSatellite
	nextSync
	nextDevice
)

// next finds the earliest event: time, kind and, for devices and
// satellites, the name.
func (w *World) next() (time.Time, int, string) {
	best, kind, name := time.Time{}, -1, ""
	consider := func(t time.Time, k int, n string) {
		if t.IsZero() {
			return
		}
		if best.IsZero() || t.Before(best) || (t.Equal(best) && (k < kind || (k == kind && n < name))) {
			best, kind, name = t, k, n
		}
	}
	if len(w.faults) > 0 {
		consider(w.faults[0].At, nextFault, "")
	}
	if w.queue.Len() > 0 {
		consider(w.queue.Peek().At, nextDelivery, "")
	}
	consider(w.cssm.NextDeadline(), nextCSSM, "")
	for n, s := range w.sats {
		consider(s.NextDeadline(), nextSatellite, n)
		sync := s.NextSync()
		if r := w.retry[n]; !sync.IsZero() && r.After(sync) {
			sync = r
		}
		consider(sync, nextSync, n)
	}
	if dl, ok := w.nextDevice(); ok {
		consider(dl.at, nextDevice, dl.name)
	}
	return best, kind, name
}

// nextDevice is the earliest device deadline. It first indexes the
// deadlines of the devices touched since the last look, then drops stale
// heap entries: O(touched · log n), whatever the number of devices.
func (w *World) nextDevice() (deadline, bool) {
	for name := range w.dirty {
		w.index(name)
	}
	if w.allDirty {
		for _, name := range w.names {
			w.index(name)
		}
	}
	for w.due.Len() > 0 {
		top := w.due.Peek()
		if at, ok := w.indexed[top.name]; ok && at.Equal(top.at) {
			return top, true
		}
		w.due.Pop()
	}
	return deadline{}, false
}

// index puts a device's current deadline in the heap if it moved.
func (w *World) index(name string) {
	d, ok := w.devs[name]
	if !ok {
		delete(w.indexed, name)
		return
	}
	at := d.NextDeadline()
	if old, ok := w.indexed[name]; ok && old.Equal(at) {
		return
	}
	if at.IsZero() {
		delete(w.indexed, name)
		return
	}
	w.indexed[name] = at
	if w.due.Len() > 4*len(w.devs)+64 {
		// Too many stale entries: rebuild from the index.
		w.due.Reset()
		for _, n := range w.names {
			if t, ok := w.indexed[n]; ok {
				w.due.Push(deadline{t, n})
			}
		}
		return
	}
	w.due.Push(deadline{at, name})
}

// NextDeadline is the time of the next event, or zero when nothing is due.
func (w *World) NextDeadline() time.Time {
	t, _, _ := w.next()
	return t
}

// Step processes the next event and reports whether there was one.
func (w *World) Step() (bool, error) {
	t, kind, name := w.next()
	if t.IsZero() {
		return false, nil
	}
	if t.Before(w.now) {
		t = w.now
	}
	w.now = t
	var err error
	switch kind {
	case nextFault:
		f := w.faults[0]
		w.faults = w.faults[1:]
		err = w.apply(f)
	case nextDelivery:
		err = w.deliver(w.queue.Pop())
	case nextCSSM:
		err = w.cssm.Advance(t)
	case nextSatellite:
		err = w.sats[name].Advance(t)
	case nextSync:
		s := w.sats[name]
		delete(w.retry, name)
		if ep, ok := w.net.Endpoint(netsim.CSSMIP); ok && !ep.Down {
			if err = s.Sync(t, w.cssm); err == nil {
				w.emit(name, EventSync, "synchronized with CSSM")
				break
			}
			w.emit(name, EventSync, "failed: "+err.Error())
		} else {
			w.emit(name, EventSync, "CSSM unreachable")
		}
		// Try again in a day. [model]
		w.retry[name] = t.Add(SyncRetry)
		err = s.Advance(t)
	case nextDevice:
		err = w.devs[name].Advance(t)
		w.dirty[name] = true
	}
	if err != nil {
		return true, fmt.Errorf("world at %s: %w", t.Format(time.RFC3339), err)
	}
	w.pump()
	return true, nil
}

// RunUntil processes every event up to t, then brings the world to t.
// Devices with nothing due are brought to t when they are next looked at
// (Device), so catching up costs the events that are due, not a pass over
// every device.
func (w *World) RunUntil(t time.Time) error {
	if t.Before(w.now) {
		return fmt.Errorf("run until %s: the world is at %s", t.Format(time.RFC3339), w.now.Format(time.RFC3339))
	}
	if err := checkTime("run until", t); err != nil {
		return err // refused before anything moved
	}
	for {
		n := w.NextDeadline()
		if n.IsZero() || n.After(t) {
			break
		}
		if _, err := w.Step(); err != nil {
			return err
		}
	}
	w.now = t
	if err := w.cssm.Advance(t); err != nil {
		return err
	}
	for _, s := range w.sats {
		if err := s.Advance(t); err != nil {
			return err
		}
	}
	w.pump()
	return nil
}

// RunSome is RunUntil in bounded batches: it processes at most max events
// due by t and reports whether it reached t (then the world is at t, as
// after RunUntil). A caller that must stay responsive (the real-time
// runner) calls it again, letting others in between; no event is skipped.
func (w *World) RunSome(t time.Time, max int) (bool, error) {
	if t.Before(w.now) {
		return false, fmt.Errorf("run until %s: the world is at %s", t.Format(time.RFC3339), w.now.Format(time.RFC3339))
	}
	if err := checkTime("run until", t); err != nil {
		return false, err
	}
	for range max {
		n := w.NextDeadline()
		if n.IsZero() || n.After(t) {
			return true, w.RunUntil(t)
		}
		if _, err := w.Step(); err != nil {
			return false, err
		}
	}
	if n := w.NextDeadline(); n.IsZero() || n.After(t) {
		return true, w.RunUntil(t)
	}
	return false, nil
}

// RunFor runs the world for d.
func (w *World) RunFor(d time.Duration) error {
	if d < 0 || w.now.Add(d).Before(w.now) { // negative, or past what time.Time adds
		return fmt.Errorf("run for %v: not a span the world can run", d)
	}
	return w.RunUntil(w.now.Add(d))
}

// deliver hands a message to its back end and the answer to the device.
func (w *World) deliver(dl delivery) error {
	d, ok := w.devs[dl.Device]
	if !ok {
		return nil
	}
	var be cssm.Backend
	if dl.Backend == "cssm" {
		be = w.cssm
	} else if s, ok := w.sats[dl.Backend]; ok {
		be = s
	}
	if be == nil {
		w.record(Event{Time: w.now, Source: dl.Device, Kind: EventLost, Message: dl.Msg.Kind(), Request: dl.Msg.RequestID(),
			Outcome: fmt.Sprintf("no back end %q", dl.Backend)})
		return nil
	}
	ans, err := be.Handle(w.now, dl.Msg)
	if err != nil {
		return err
	}
	w.record(Event{Time: w.now, Source: dl.Device, Kind: EventDeliver, Message: dl.Msg.Kind(), Request: dl.Msg.RequestID(),
		Peer: dl.Backend, Outcome: license.Summary(ans)})
	w.touch(dl.Device, d)
	if err := d.Handle(w.now, ans); err != nil && !errors.Is(err, agent.ErrUnexpectedAnswer) {
		return err
	}
	return nil
}

// pump moves the outputs of the devices touched since the last pump into
// the world, in name order: log lines and state changes onto the stream,
// messages through the device's transport into the delivery queue (or
// back as failures); then CSSM's new and cleared alerts onto the stream.
func (w *World) pump() {
	names := w.names
	if !w.allDirty {
		names = make([]string, 0, len(w.dirty))
		for n := range w.dirty {
			names = append(names, n)
		}
		slices.Sort(names)
	}
	for _, name := range names {
		d, ok := w.devs[name]
		if !ok {
			continue
		}
		w.flush(name, d)
		for range 8 { // failures answered at once may make the agent send again
			msgs := d.TakeMessages()
			if len(msgs) == 0 {
				break
			}
			for _, m := range msgs {
				w.route(name, d, m)
				w.flush(name, d)
			}
		}
		w.syncNTP(d)
		w.flush(name, d)
		w.index(name)
		if b := w.logs[name]; b != nil {
			b.trim(w.LogBufferSize(name))
		}
	}
	clear(w.dirty)
	w.allDirty = false
	w.pumpAlerts()
}

// pumpAlerts puts CSSM's alerts raised or cleared since the last look on
// the stream: the new ones by ID, the cleared ones among those still open.
func (w *World) pumpAlerts() {
	ver := w.cssm.AlertsVersion()
	if ver == w.alertVer {
		return
	}
	w.alertVer = ver
	for _, a := range w.cssm.AlertsFrom(w.alertNext) {
		w.alertNext = a.ID + 1
		w.record(Event{Time: a.Raised, Source: "cssm", Kind: EventAlert, Alert: &AlertChange{ID: a.ID, Severity: a.Severity, Type: a.Type, Message: a.Message}})
		w.alertOpen[a.ID] = true
	}
	open := make([]int, 0, len(w.alertOpen))
	for id := range w.alertOpen {
		open = append(open, id)
	}
	slices.Sort(open)
	for _, id := range open {
		a, ok := w.cssm.Alert(id)
		if ok && a.Active() {
			continue
		}
		delete(w.alertOpen, id)
		if ok {
			w.record(Event{Time: a.Cleared, Source: "cssm", Kind: EventAlert, Alert: &AlertChange{ID: a.ID, Severity: a.Severity, Type: a.Type, Cleared: true}})
		}
	}
}

// flush moves a device's log lines onto the stream, then its state if it
// changed.
func (w *World) flush(name string, d *device.Device) {
	for _, l := range d.TakeLogs() {
		w.record(Event{Time: l.Time, Source: name, Kind: EventLog, Log: &l, Stamp: d.LogStamp(l.Time)})
	}
	reg, auth := d.Agent().State()
	if st, old := (State{reg, auth}), w.states[name]; st != old {
		w.states[name] = st
		w.record(Event{Time: w.now, Source: name, Kind: EventState, From: old, To: st})
	}
}

func (w *World) route(name string, d *device.Device, m license.Message) {
	o := d.Route(w.now, m, w.net)
	switch {
	case o.Deliver:
		w.seq++
		w.queue.Push(delivery{At: w.now.Add(o.Latency), Seq: w.seq, Device: name, Backend: o.Backend, Msg: o.Message})
		w.record(Event{Time: w.now, Source: name, Kind: EventSend, Message: m.Kind(), Request: m.RequestID(), Peer: o.URL})
	case o.Failure != nil:
		w.record(Event{Time: w.now, Source: name, Kind: EventFail, Message: m.Kind(), Request: m.RequestID(), Outcome: o.Failure.Reason})
		if err := d.Handle(w.now, *o.Failure); err != nil && !errors.Is(err, agent.ErrUnexpectedAnswer) {
			w.emit(name, EventFail, "agent refused the failure: "+err.Error())
		}
	default:
		w.record(Event{Time: w.now, Source: name, Kind: EventLost, Message: m.Kind(), Request: m.RequestID(), Outcome: "no reply"})
	}
}

// syncNTP sets a device's clock from NTP when one of its servers answers.
func (w *World) syncNTP(d *device.Device) {
	if off, auth := d.Clock(); auth && off == 0 {
		return
	}
	for _, ip := range d.NTPServers() {
		if d.Connect("", ip, 123, w.net) == nil {
			d.SyncClock(w.now)
			return
		}
	}
}

// Reset replaces the world's state with fresh's — a training pod started
// over — in place, so that what holds the world (a runner, a server, a
// console) goes on with the new state. The event stream keeps counting
// from where it was: its window starts empty, then a "world reset"
// action, so that no cursor on it reads an event twice or out of order.
// fresh must not be used afterwards.
func (w *World) Reset(fresh *World) {
	last := max(w.lastSeq, fresh.lastSeq)
	*w = *fresh
	w.window = ring.Ring[Event]{}
	w.lastSeq = last
	w.allDirty = true
	w.emit("world", EventAction, "world reset")
}
