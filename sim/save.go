package sim

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/stackwise"
)

const saveVersion = 1

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
	States     map[string]string    `json:"states"`
	Retry      map[string]time.Time `json:"retry"`
	Alerted    []int                `json:"alerted"`
	Cleared    []int                `json:"cleared"`
	Trace      []Event              `json:"trace"`
}

// Save writes the whole world as JSON: network, CSSM, satellites, devices,
// messages in flight, scheduled faults and the trace. Load(Save()) continues
// exactly as the world would have.
func (w *World) Save() ([]byte, error) {
	c, err := w.cssm.Snapshot()
	if err != nil {
		return nil, err
	}
	s := savedWorld{Version: saveVersion, Now: w.now, Seed: w.seed, Network: w.net, CSSM: c, Seq: w.seq, Faults: w.faults,
		States: w.states, Retry: w.retry, Trace: w.trace, Satellites: []savedNamed{}, Devices: []savedNamed{}, Queue: []savedDelivery{}}
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
	q := slices.Clone(w.queue)
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
	for id := range w.alerted {
		s.Alerted = append(s.Alerted, id)
	}
	for id := range w.cleared {
		s.Cleared = append(s.Cleared, id)
	}
	slices.Sort(s.Alerted)
	slices.Sort(s.Cleared)
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
	if s.Version != saveVersion {
		return nil, fmt.Errorf("load world: version %d, want %d", s.Version, saveVersion)
	}
	if s.Network == nil || s.Now.IsZero() {
		return nil, fmt.Errorf("load world: no network or time")
	}
	if s.Network.Latency < 0 || s.Network.Latency > MaxLatency {
		return nil, fmt.Errorf("load world: network latency %v is outside 0..%v", s.Network.Latency, MaxLatency)
	}
	c, err := cssm.Restore(s.CSSM, stackwise.Catalog())
	if err != nil {
		return nil, fmt.Errorf("load world: %w", err)
	}
	w := &World{now: s.Now, seed: s.Seed, net: s.Network, cssm: c, sats: map[string]*cssm.Satellite{}, devs: map[string]*device.Device{},
		seq: s.Seq, faults: s.Faults, trace: s.Trace, states: s.States, retry: s.Retry, alerted: map[int]bool{}, cleared: map[int]bool{}}
	if w.states == nil {
		w.states = map[string]string{}
	}
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
		w.devs[dn.Name] = d
	}
	for _, q := range s.Queue {
		m, err := q.Message.Message()
		if err != nil {
			return nil, fmt.Errorf("load world: %w", err)
		}
		if _, ok := w.devs[q.Device]; !ok {
			return nil, fmt.Errorf("load world: delivery for unknown device %q", q.Device)
		}
		heap.Push(&w.queue, delivery{At: q.At, Seq: q.Seq, Device: q.Device, Backend: q.Backend, Msg: m})
	}
	for _, id := range s.Alerted {
		w.alerted[id] = true
	}
	for _, id := range s.Cleared {
		w.cleared[id] = true
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
