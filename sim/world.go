// Package sim is the simulated world: switches (package device), the
// network around them (netsim), the CSSM and its satellites (cssm), all on
// one virtual clock. It keeps an ordered trace of everything that happens,
// is deterministic for a seed, and saves and loads whole worlds.
//
// Time is an input: Step processes the next event, RunUntil and RunFor run
// to a time. Nothing reads a clock; the runner package drives a world in
// real time.
package sim

import (
	"container/heap"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/stackwise"
)

// Event is one line of the world's trace.
type Event struct {
	Time   time.Time `json:"time"`
	Source string    `json:"source"` // a device's name, "cssm", a satellite's name, "world"
	Kind   string    `json:"kind"`   // log, state, send, deliver, fail, lost, alert, action, sync
	Text   string    `json:"text"`
	// Stamp is a device log line's timestamp as the device put it on the
	// line (device.LogStamp): its clock at the time, which a later clock
	// set or NTP sync does not change.
	Stamp string `json:"stamp,omitempty"`
}

// String formats the event as one trace line.
func (e Event) String() string {
	return e.Time.UTC().Format("2006-01-02T15:04:05Z") + " " + e.Source + " " + e.Kind + " " + e.Text
}

// World is a simulated network of switches and back ends. It is not safe
// for concurrent use.
type World struct {
	now     time.Time
	seed    uint64
	net     *netsim.Network
	cssm    *cssm.CSSM
	sats    map[string]*cssm.Satellite
	devs    map[string]*device.Device
	queue   deliveries
	seq     uint64
	faults  []Fault
	trace   []Event
	states  map[string]string
	retry   map[string]time.Time // satellites' next sync attempt after CSSM was unreachable
	alerted map[int]bool
	cleared map[int]bool
}

// Config describes a new world.
type Config struct {
	Start   time.Time
	Seed    uint64
	Network *netsim.Network // nil: netsim.Default(Start)
	CSSM    *cssm.Profile   // nil: cssm.DefaultProfile()
}

// New makes a world with the CSSM cloud in it and no devices.
func New(cfg Config) (*World, error) {
	if cfg.Start.IsZero() {
		return nil, errors.New("new world: start time is zero")
	}
	n := cfg.Network
	if n == nil {
		n = netsim.Default(cfg.Start)
	}
	c, err := cssm.New(cfg.Start, cssm.Config{Profile: cfg.CSSM, Catalog: stackwise.Catalog(), Seed: cfg.Seed})
	if err != nil {
		return nil, fmt.Errorf("new world: %w", err)
	}
	return &World{now: cfg.Start, seed: cfg.Seed, net: n, cssm: c, sats: map[string]*cssm.Satellite{}, devs: map[string]*device.Device{},
		states: map[string]string{}, retry: map[string]time.Time{}, alerted: map[int]bool{}, cleared: map[int]bool{}}, nil
}

// Now is the world's time.
func (w *World) Now() time.Time { return w.now }

// CSSM is the world's cloud back end, for administration at w.Now().
func (w *World) CSSM() *cssm.CSSM { return w.cssm }

// Network is the world's network; edit it at w.Now() (or schedule Faults).
func (w *World) Network() *netsim.Network { return w.net }

// Device returns a device by name.
func (w *World) Device(name string) (*device.Device, bool) {
	d, ok := w.devs[name]
	return d, ok
}

// Devices lists the devices' names, sorted.
func (w *World) Devices() []string {
	return slices.Sorted(maps.Keys(w.devs))
}

// Satellite returns a satellite by name.
func (w *World) Satellite(name string) (*cssm.Satellite, bool) {
	s, ok := w.sats[name]
	return s, ok
}

// Trace returns the events so far, in order.
func (w *World) Trace() []Event { return slices.Clone(w.trace) }

// TraceText returns the trace as lines.
func (w *World) TraceText() string {
	var b strings.Builder
	for _, e := range w.trace {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func (w *World) emit(src, kind, text string) {
	w.trace = append(w.trace, Event{Time: w.now, Source: src, Kind: kind, Text: text})
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
	w.emit(topo.Name, "action", "boot "+d.Agent().UDI().String())
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
	w.emit(cfg.Name, "action", "satellite installed at "+ip)
	return s, nil
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

type deliveries []delivery

func (q deliveries) Len() int { return len(q) }
func (q deliveries) Less(i, j int) bool {
	if !q[i].At.Equal(q[j].At) {
		return q[i].At.Before(q[j].At)
	}
	return q[i].Seq < q[j].Seq
}
func (q deliveries) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *deliveries) Push(x any)   { *q = append(*q, x.(delivery)) }
func (q *deliveries) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
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
	if len(w.queue) > 0 {
		consider(w.queue[0].At, nextDelivery, "")
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
	for n, d := range w.devs {
		consider(d.NextDeadline(), nextDevice, n)
	}
	return best, kind, name
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
		err = w.deliver(heap.Pop(&w.queue).(delivery))
	case nextCSSM:
		err = w.cssm.Advance(t)
	case nextSatellite:
		err = w.sats[name].Advance(t)
	case nextSync:
		s := w.sats[name]
		delete(w.retry, name)
		if ep, ok := w.net.Endpoint(netsim.CSSMIP); ok && !ep.Down {
			if err = s.Sync(t, w.cssm); err == nil {
				w.emit(name, "sync", "synchronized with CSSM")
				break
			}
			w.emit(name, "sync", "failed: "+err.Error())
		} else {
			w.emit(name, "sync", "CSSM unreachable")
		}
		// Try again in a day. [model]
		w.retry[name] = t.Add(SyncRetry)
		err = s.Advance(t)
	case nextDevice:
		err = w.devs[name].Advance(t)
	}
	if err != nil {
		return true, fmt.Errorf("world at %s: %w", t.Format(time.RFC3339), err)
	}
	w.pump()
	return true, nil
}

// RunUntil processes every event up to t, then brings every component to t.
func (w *World) RunUntil(t time.Time) error {
	if t.Before(w.now) {
		return fmt.Errorf("run until %s: the world is at %s", t.Format(time.RFC3339), w.now.Format(time.RFC3339))
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
	for _, n := range w.Devices() {
		if err := w.devs[n].Advance(t); err != nil {
			return err
		}
	}
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

// RunFor runs the world for d.
func (w *World) RunFor(d time.Duration) error { return w.RunUntil(w.now.Add(d)) }

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
		w.emit(dl.Device, "lost", fmt.Sprintf("%s #%d: no back end %q", dl.Msg.Kind(), dl.Msg.RequestID(), dl.Backend))
		return nil
	}
	ans, err := be.Handle(w.now, dl.Msg)
	if err != nil {
		return err
	}
	w.emit(dl.Device, "deliver", fmt.Sprintf("%s #%d → %s: %s", dl.Msg.Kind(), dl.Msg.RequestID(), dl.Backend, describe(ans)))
	if err := d.Handle(w.now, ans); err != nil && !errors.Is(err, agent.ErrUnexpectedAnswer) {
		return err
	}
	return nil
}

func describe(a license.Answer) string {
	switch x := a.(type) {
	case license.Failure:
		return x.Class.String() + " " + x.Reason
	case license.AuthorizeReply:
		if x.AllInCompliance() {
			return "authorized"
		}
		return "out of compliance"
	case license.RegisterReply:
		return "registered in " + x.SmartAccount + "/" + x.VirtualAccount
	}
	return a.Kind()
}

// pump moves every device's outputs into the world: log lines and state
// changes into the trace, messages through the device's transport into the
// delivery queue (or back as failures); and CSSM's alerts into the trace.
func (w *World) pump() {
	for _, name := range w.Devices() {
		d := w.devs[name]
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
	}
	for _, a := range w.cssm.Alerts("", true) {
		if !w.alerted[a.ID] {
			w.alerted[a.ID] = true
			w.trace = append(w.trace, Event{Time: a.Raised, Source: "cssm", Kind: "alert", Text: a.Severity + " " + a.Type + ": " + a.Message})
		}
		if !a.Active() && !w.cleared[a.ID] {
			w.cleared[a.ID] = true
			w.trace = append(w.trace, Event{Time: a.Cleared, Source: "cssm", Kind: "alert", Text: "cleared " + a.Type})
		}
	}
}

// flush moves a device's log lines into the trace, then its state if it changed.
func (w *World) flush(name string, d *device.Device) {
	for _, l := range d.TakeLogs() {
		w.trace = append(w.trace, Event{Time: l.Time, Source: name, Kind: "log", Text: l.Message(), Stamp: d.LogStamp(l.Time)})
	}
	reg, auth := d.Agent().States()
	if st := reg + " / " + auth; st != w.states[name] {
		w.states[name] = st
		w.emit(name, "state", st)
	}
}

func (w *World) route(name string, d *device.Device, m license.Message) {
	o := d.Route(w.now, m, w.net)
	switch {
	case o.Deliver:
		w.seq++
		heap.Push(&w.queue, delivery{At: w.now.Add(o.Latency), Seq: w.seq, Device: name, Backend: o.Backend, Msg: o.Message})
		w.emit(name, "send", fmt.Sprintf("%s #%d to %s", m.Kind(), m.RequestID(), o.URL))
	case o.Failure != nil:
		w.emit(name, "fail", fmt.Sprintf("%s #%d: %s", m.Kind(), m.RequestID(), o.Failure.Reason))
		if err := d.Handle(w.now, *o.Failure); err != nil && !errors.Is(err, agent.ErrUnexpectedAnswer) {
			w.emit(name, "fail", "agent refused the failure: "+err.Error())
		}
	default:
		w.emit(name, "lost", fmt.Sprintf("%s #%d: no reply", m.Kind(), m.RequestID()))
	}
}

// syncNTP sets a device's clock from NTP when one of its servers answers.
func (w *World) syncNTP(d *device.Device) {
	cfg := d.Running()
	if len(cfg.NTPServers) == 0 {
		return
	}
	off, auth := d.Clock()
	if auth && off == 0 {
		return
	}
	for _, ip := range cfg.NTPServers {
		if d.Connect("", ip, 123, w.net) == nil {
			d.SyncClock(w.now)
			return
		}
	}
}
