package device

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/stackwise"
)

type unitJSON struct {
	PID string `json:"pid"`
	SN  string `json:"sn,omitempty"`
}

type chassisJSON struct {
	PID         string   `json:"pid"`
	SN          string   `json:"sn,omitempty"`
	Supervisors []string `json:"supervisors"`
}

type snapshotJSON struct {
	Name        string          `json:"name"`
	Switches    []unitJSON      `json:"switches,omitempty"`
	Chassis     []chassisJSON   `json:"chassis,omitempty"`
	Version     string          `json:"version"`
	Running     Config          `json:"running"`
	Startup     Config          `json:"startup"`
	ClockOffset time.Duration   `json:"clockOffset"`
	NTPSynced   bool            `json:"ntpSynced"`
	CRLUntil    time.Time       `json:"crlUntil"`
	RNG         []byte          `json:"rng"`
	Agent       json.RawMessage `json:"agent"`
	Conversion  Conversion      `json:"conversion,omitzero"`
	Booted      time.Time       `json:"booted,omitzero"`
	StrictSSH   bool            `json:"strictSSH,omitempty"`
}

// Snapshot writes the device's state (topology, configurations, clock,
// agent) as JSON. Outputs not yet taken are not part of it: take them first.
func (d *Device) Snapshot() ([]byte, error) {
	if len(d.outbox) > 0 || len(d.logs) > 0 {
		return nil, fmt.Errorf("device %s snapshot: take its messages and logs first", d.topo.Name)
	}
	ag, err := d.ag.Snapshot()
	if err != nil {
		return nil, err
	}
	rng, err := d.pcg.MarshalBinary()
	if err != nil {
		return nil, err
	}
	s := snapshotJSON{Name: d.topo.Name, Version: d.topo.Version.String(), Running: d.running, Startup: d.startup,
		ClockOffset: d.clockOffset, NTPSynced: d.ntpSynced, CRLUntil: d.crlUntil, RNG: rng, Agent: ag, Conversion: d.conv, Booted: d.booted, StrictSSH: d.strictSSH}
	for _, u := range d.topo.Switches {
		s.Switches = append(s.Switches, unitJSON{u.PID, u.SN})
	}
	for _, c := range d.topo.Chassis {
		s.Chassis = append(s.Chassis, chassisJSON{c.PID, c.SN, c.Supervisors})
	}
	return json.Marshal(s)
}

// Restore rebuilds a device from its Snapshot.
func Restore(data []byte) (*Device, error) {
	var s snapshotJSON
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("restore device: %w", err)
	}
	v, err := stackwise.ParseVersion(s.Version)
	if err != nil {
		return nil, fmt.Errorf("restore device: %w", err)
	}
	l, err := stackwise.ParseLevel(s.Running.LicenseLevel)
	if err != nil {
		return nil, fmt.Errorf("restore device: %w", err)
	}
	topo := stackwise.Device{Name: s.Name, Version: v, Level: l}
	for _, u := range s.Switches {
		topo.Switches = append(topo.Switches, stackwise.Unit{PID: u.PID, SN: u.SN})
	}
	for _, c := range s.Chassis {
		topo.Chassis = append(topo.Chassis, stackwise.Chassis{PID: c.PID, SN: c.SN, Supervisors: c.Supervisors})
	}
	if err := topo.Validate(); err != nil {
		return nil, fmt.Errorf("restore device: %w", err)
	}
	for _, c := range []Config{s.Running, s.Startup} {
		if err := validate(c); err != nil {
			return nil, fmt.Errorf("restore device: %w", err)
		}
	}
	ag, err := agent.Restore(s.Agent)
	if err != nil {
		return nil, fmt.Errorf("restore device: %w", err)
	}
	pcg := &rand.PCG{}
	if err := pcg.UnmarshalBinary(s.RNG); err != nil {
		return nil, fmt.Errorf("restore device: %w", err)
	}
	return &Device{topo: topo, running: s.Running, startup: s.Startup, clockOffset: s.ClockOffset, ntpSynced: s.NTPSynced,
		crlUntil: s.CRLUntil, ag: ag, pcg: pcg, rng: rand.New(pcg), conv: s.Conversion, booted: s.Booted, strictSSH: s.StrictSSH}, nil
}
