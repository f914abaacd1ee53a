package sim

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/stackwise"
)

// saveVersion 2 keeps the stream bounded: the window of latest events
// and each device's logging buffer. Version 1 kept the whole trace; Load
// still reads it, keeping what the bounds keep.
const saveVersion = 2

// MaxWindow bounds the stream window a saved world may ask for. [model]
const MaxWindow = 1 << 20

type savedDelivery struct {
	At      time.Time        `json:"at"`
	Seq     uint64           `json:"seq"`
	Device  string           `json:"device"`
	Backend string           `json:"backend"`
	Message license.Envelope `json:"message"`
}

type savedNamed struct {
	Name  string          `json:"name"`
	State json.RawMessage `json:"state"`
}

type savedWorld struct {
	Version    int                  `json:"version"`
	Now        time.Time            `json:"now"`
	Seed       uint64               `json:"seed"`
	Network    *netsim.Network      `json:"network"`
	CSSM       json.RawMessage      `json:"cssm"`
	Satellites []savedNamed         `json:"satellites"`
	Devices    []savedNamed         `json:"devices"`
	Queue      []savedDelivery      `json:"queue"`
	Seq        uint64               `json:"seq"`
	Faults     []Fault              `json:"faults"`
	States     map[string]State     `json:"deviceStates"`
	Retry      map[string]time.Time `json:"retry"`
	Window     int                  `json:"window"`
	LastSeq    uint64               `json:"lastSeq"`
	Events     []Event              `json:"events"`
	Logs       map[string]savedLogs `json:"logs"`
	AlertNext  int                  `json:"alertNext"`
	AlertOpen  []int                `json:"alertOpen"`
}

// savedWorldV1 is what version 1 kept differently: states as text, the
// alerts seen, and the whole trace as text.
type savedWorldV1 struct {
	States  map[string]string `json:"states"`
	Alerted []int             `json:"alerted"`
	Cleared []int             `json:"cleared"`
	Trace   []struct {
		Time   time.Time `json:"time"`
		Source string    `json:"source"`
		Kind   string    `json:"kind"`
		Text   string    `json:"text"`
		Stamp  string    `json:"stamp"`
	} `json:"trace"`
}

// Save writes the whole world as JSON: network, CSSM, satellites, devices,
// messages in flight, scheduled faults, the stream's window and the
// devices' logging buffers. Its size does not grow with the world's age.
// Load(Save()) continues exactly as the world would have.
func (w *World) Save() ([]byte, error) {
	c, err := w.cssm.Snapshot()
	if err != nil {
		return nil, err
	}
	for _, n := range w.names {
		w.touch(n, w.devs[n])
	}
	s := savedWorld{Version: saveVersion, Now: w.now, Seed: w.seed, Network: w.net, CSSM: c, Seq: w.seq, Faults: w.faults,
		States: w.states, Retry: w.retry, Satellites: []savedNamed{}, Devices: []savedNamed{}, Queue: []savedDelivery{},
		Window: w.windowSize, LastSeq: w.lastSeq, Events: w.window.Values(), Logs: map[string]savedLogs{}, AlertNext: w.alertNext, AlertOpen: []int{}}
	for n, b := range w.logs {
		s.Logs[n] = packLogs(b)
	}
	for id := range w.alertOpen {
		s.AlertOpen = append(s.AlertOpen, id)
	}
	slices.Sort(s.AlertOpen)
	for _, n := range slices.Sorted(maps.Keys(w.sats)) {
		b, err := w.sats[n].Snapshot()
		if err != nil {
			return nil, err
		}
		s.Satellites = append(s.Satellites, savedNamed{n, b})
	}
	for _, n := range w.Devices() {
		b, err := w.devs[n].Snapshot()
		if err != nil {
			return nil, err
		}
		s.Devices = append(s.Devices, savedNamed{n, b})
	}
	q := w.queue.Items()
	slices.SortFunc(q, func(a, b delivery) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return int(a.Seq) - int(b.Seq)
	})
	for _, d := range q {
		env, err := license.WrapMessage(d.Msg)
		if err != nil {
			return nil, err
		}
		s.Queue = append(s.Queue, savedDelivery{At: d.At, Seq: d.Seq, Device: d.Device, Backend: d.Backend, Message: env})
	}
	return json.Marshal(s)
}

// MaxLatency bounds a network's one-way latency in a saved world. [model]
const MaxLatency = time.Minute

// Load rebuilds a world saved by Save. A file that no world could have
// written (a negative or absurd latency, faults out of order, deliveries
// to unknown devices, bad device or CSSM state) is refused.
func Load(data []byte) (*World, error) {
	var s savedWorld
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("load world: %w", err)
	}
	if s.Version != saveVersion && s.Version != 1 {
		return nil, fmt.Errorf("load world: version %d, want 1 or %d", s.Version, saveVersion)
	}
	if s.Network == nil || s.Now.IsZero() {
		return nil, fmt.Errorf("load world: no network or time")
	}
	if err := checkTime("load world: now", s.Now); err != nil {
		return nil, err
	}
	if s.Network.Latency < 0 || s.Network.Latency > MaxLatency {
		return nil, fmt.Errorf("load world: network latency %v is outside 0..%v", s.Network.Latency, MaxLatency)
	}
	c, err := cssm.Restore(s.CSSM, stackwise.Catalog())
	if err != nil {
		return nil, fmt.Errorf("load world: %w", err)
	}
	if s.Window < 0 || s.Window > MaxWindow {
		return nil, fmt.Errorf("load world: window %d is outside 1..%d", s.Window, MaxWindow)
	}
	w := newWorld(s.Now, s.Seed, s.Network, c, s.Window)
	w.seq, w.faults, w.retry = s.Seq, s.Faults, s.Retry
	w.alertVer = ^uint64(0) // look at CSSM's alerts at the first pump
	if w.retry == nil {
		w.retry = map[string]time.Time{}
	}
	if w.net.Endpoints == nil {
		w.net.Endpoints = map[string]*netsim.Endpoint{}
	}
	if w.net.Records == nil {
		w.net.Records = map[string]string{}
	}
	if w.net.VRFs == nil {
		w.net.VRFs = map[string][]string{}
	}
	if w.net.Blocked == nil {
		w.net.Blocked = map[string]bool{}
	}
	if w.net.Routers == nil {
		w.net.Routers = map[string]string{}
	}
	for _, sn := range s.Satellites {
		sat, err := cssm.RestoreSatellite(sn.State, stackwise.Catalog())
		if err != nil {
			return nil, fmt.Errorf("load world: %w", err)
		}
		w.sats[sn.Name] = sat
	}
	for _, dn := range s.Devices {
		d, err := device.Restore(dn.State)
		if err != nil {
			return nil, fmt.Errorf("load world: %w", err)
		}
		if d.Name() != dn.Name {
			return nil, fmt.Errorf("load world: device %q is named %q", dn.Name, d.Name())
		}
		// Save brings every device to the world's time: one anywhere else
		// was not saved by a world (and would have years to catch up).
		if at := d.Agent().Now(); !at.Equal(s.Now) {
			return nil, fmt.Errorf("load world: device %q is at %s, the world at %s", dn.Name, at.Format(time.RFC3339), s.Now.Format(time.RFC3339))
		}
		w.devs[dn.Name] = d
		w.names = append(w.names, dn.Name)
		w.dirty[dn.Name] = true
	}
	slices.Sort(w.names)
	if len(slices.Compact(slices.Clone(w.names))) != len(w.names) {
		return nil, fmt.Errorf("load world: a device name is used twice")
	}
	for _, q := range s.Queue {
		m, err := q.Message.Message()
		if err != nil {
			return nil, fmt.Errorf("load world: %w", err)
		}
		if _, ok := w.devs[q.Device]; !ok {
			return nil, fmt.Errorf("load world: delivery for unknown device %q", q.Device)
		}
		w.queue.Push(delivery{At: q.At, Seq: q.Seq, Device: q.Device, Backend: q.Backend, Msg: m})
	}
	if s.States != nil {
		w.states = s.States
	}
	var err2 error
	if s.Version == 1 {
		err2 = w.loadV1(data)
	} else {
		err2 = w.loadStream(s)
	}
	if err2 != nil {
		return nil, fmt.Errorf("load world: %w", err2)
	}
	if !slices.IsSortedFunc(w.faults, func(a, b Fault) int { return a.At.Compare(b.At) }) {
		return nil, fmt.Errorf("load world: faults out of order")
	}
	for _, f := range w.faults {
		if err := f.check(); err != nil {
			return nil, fmt.Errorf("load world: %w", err)
		}
	}
	return w, nil
}

// loadStream restores the window, the logging buffers and the alerts seen
// of a version 2 file, checking that they fit the bounds and each other.
func (w *World) loadStream(s savedWorld) error {
	w.lastSeq, w.alertNext = s.LastSeq, s.AlertNext
	if len(s.Events) > w.windowSize {
		return fmt.Errorf("%d events in a window of %d", len(s.Events), w.windowSize)
	}
	var prev uint64
	for _, e := range s.Events {
		if e.Seq <= prev || e.Seq > w.lastSeq {
			return fmt.Errorf("event %d: out of order or after the last (%d)", e.Seq, w.lastSeq)
		}
		if e.Kind == 0 || e.Kind >= numEventKinds {
			return fmt.Errorf("event %d: no kind", e.Seq)
		}
		prev = e.Seq
		w.window.Push(e)
	}
	for _, name := range slices.Sorted(maps.Keys(s.Logs)) {
		if _, ok := w.devs[name]; !ok {
			return fmt.Errorf("logging buffer of unknown device %q", name)
		}
		lines, err := s.Logs[name].unpack()
		if err != nil {
			return fmt.Errorf("device %s: %w", name, err)
		}
		b := &logBuffer{}
		prev = 0
		for _, l := range lines {
			if l.Seq <= prev || l.Seq > w.lastSeq {
				return fmt.Errorf("device %s: log line %d out of order or after the last event (%d)", name, l.Seq, w.lastSeq)
			}
			prev = l.Seq
			b.push(l, w.LogBufferSize(name))
		}
		b.count = max(b.count, s.Logs[name].Count)
		w.logs[name] = b
	}
	for _, id := range s.AlertOpen {
		if id < 1 || id >= w.alertNext {
			return fmt.Errorf("open alert %d: not below the next (%d)", id, w.alertNext)
		}
		w.alertOpen[id] = true
	}
	return nil
}

// loadV1 migrates a version 1 file's trace: its latest events fill the
// window, its devices' log lines their logging buffers (as much as fits),
// its alerts seen the alerts' cursor.
func (w *World) loadV1(data []byte) error {
	var v1 savedWorldV1
	if err := json.Unmarshal(data, &v1); err != nil {
		return err
	}
	for name, text := range v1.States {
		st, err := parseState(text)
		if err != nil {
			return fmt.Errorf("device %s: %w", name, err)
		}
		w.states[name] = st
	}
	for i, t := range v1.Trace {
		kind, err := ParseEventKind(t.Kind)
		if err != nil {
			return fmt.Errorf("trace line %d: %w", i+1, err)
		}
		e := Event{Time: t.Time, Source: t.Source, Kind: kind, Note: t.Text, Stamp: t.Stamp}
		switch kind {
		case EventLog:
			if w.devs[t.Source] == nil {
				continue
			}
			l := parseLogLine(t.Time, t.Text)
			e.Log, e.Note = &l, ""
		case EventState:
			st, err := parseState(t.Text)
			if err != nil {
				return fmt.Errorf("trace line %d: %w", i+1, err)
			}
			e.To, e.Note = st, ""
		}
		w.record(e)
	}
	for _, id := range v1.Alerted {
		w.alertNext = max(w.alertNext, id+1)
		if !slices.Contains(v1.Cleared, id) {
			w.alertOpen[id] = true
		}
	}
	return nil
}

// parseLogLine reads a version 1 trace's log text back into its parts:
// "%FACILITY-SEVERITY-MNEMONIC: text", or an event-log "SAEVT_… text".
// Only migration reads text back; the stream keeps lines typed.
func parseLogLine(t time.Time, text string) agent.LogEvent {
	if strings.HasPrefix(text, "SAEVT_") {
		mn, rest, _ := strings.Cut(text, " ")
		return agent.LogEvent{Time: t, Facility: "SMART_LIC", Mnemonic: mn, Text: rest, EventLog: true}
	}
	head, rest, ok := strings.Cut(strings.TrimPrefix(text, "%"), ": ")
	parts := strings.SplitN(head, "-", 3)
	sev, err := 0, error(nil)
	if len(parts) == 3 {
		sev, err = strconv.Atoi(parts[1])
	}
	if !ok || len(parts) != 3 || err != nil {
		return agent.LogEvent{Time: t, Facility: "SYS", Severity: 6, Mnemonic: "LOG", Text: text}
	}
	return agent.LogEvent{Time: t, Facility: parts[0], Severity: sev, Mnemonic: parts[2], Text: rest}
}

// parseState reads a version 1 state: "REGISTERED / AUTHORIZED".
func parseState(text string) (State, error) {
	reg, auth, _ := strings.Cut(text, " / ")
	r, err := agent.ParseRegistration(reg)
	if err != nil {
		return State{}, err
	}
	a, err := agent.ParseAuthorization(auth)
	return State{r, a}, err
}
