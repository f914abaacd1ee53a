package fleet_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/fleet"
	"github.com/slsim/slsim/stackwise"
)

var start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// The sharded run equals the single-threaded run on the same seed.
func TestShardedEqualsSingle(t *testing.T) {
	spec := fleet.Synthetic(300, 6, start, 2, 7)
	single, err := fleet.Run(spec)
	require.NoError(t, err)
	for _, n := range []int{2, 4} { // 12 VAs: 8 shards, some of two VAs, on 2 goroutines; one VA a shard on 4
		spec.Shards = n
		sharded, err := fleet.Run(spec)
		require.NoError(t, err)
		require.True(t, reflect.DeepEqual(single, sharded), "sharded (%d) and single-threaded reports differ", n)
	}
	assert.Equal(t, 300, single.Devices)
	assert.Len(t, single.Days, 2*365+1, "one row a day, both ends included")
	assert.NotEmpty(t, single.Alerts)
	assert.NotEmpty(t, single.Supply)

	// Devices and licenses added, upgrades and removals by name, across
	// shards that split smart accounts by virtual account.
	spec = fleet.Synthetic(200, 6, start, 2, 9)
	extra := spec.Devices[0]
	extra.Topo.Name, extra.Topo.Switches = "late-1", []stackwise.Unit{{PID: "C9300-24P", SN: "FOCLATE01"}}
	spec.Schedule = append(spec.Schedule,
		fleet.Event{At: start.AddDate(0, 2, 0), Kind: fleet.EvAddDevice, Device: extra},
		fleet.Event{At: start.AddDate(0, 3, 0), Kind: fleet.EvAddLicenses, Pool: fleet.Pool{SA: "SA-00", VA: "VA-1", Tag: "C9300-24 Network Advantage", Qty: 3}},
		fleet.Event{At: start.AddDate(0, 4, 0), Kind: fleet.EvUpgrade, Name: "sw00001*", Version: stackwise.MustVersion("17.6.1")},
		fleet.Event{At: start.AddDate(0, 5, 0), Kind: fleet.EvRemove, Name: "sw00002*"})
	spec.Shards = 1
	single, err = fleet.Run(spec)
	require.NoError(t, err)
	for _, n := range []int{2, 3} {
		spec.Shards = n
		sharded, err := fleet.Run(spec)
		require.NoError(t, err)
		require.True(t, reflect.DeepEqual(single, sharded), "sharded (%d) and single-threaded reports differ with a schedule", n)
	}
	assert.Equal(t, 201, single.Devices)
}

// A hand-checked fleet: two switches in one VA with one license of each
// tag they need (the second is short from the start), one behind a path
// that goes down for 100 days.
func TestSmallFleetReports(t *testing.T) {
	mk := func(name, sn string) fleet.Device {
		return fleet.Device{SA: "ACME", VA: "Campus", Path: "p-" + name, Topo: stackwise.Device{Name: name,
			Switches: []stackwise.Unit{{PID: "C9300-24P", SN: sn}}, Level: stackwise.Level{Base: stackwise.NetworkAdvantage},
			Version: stackwise.MustVersion("17.3.1")}}
	}
	spec := fleet.Spec{Start: start, Duration: 200 * agent.Day, Seed: 1,
		Devices:  []fleet.Device{mk("a", "FOC1"), mk("b", "FOC2")},
		Pools:    []fleet.Pool{{SA: "ACME", VA: "Campus", Tag: "C9300-24 Network Advantage", Qty: 1}},
		Schedule: []fleet.Event{{At: start.Add(10 * agent.Day), Kind: fleet.EvOutage, Path: "p-a", Duration: 100 * agent.Day}}}
	r, err := fleet.Run(spec)
	require.NoError(t, err)
	day := func(n int) fleet.Day { return r.Days[n] }
	auth := func(n int, state string) int {
		for i, s := range fleet.AuthStates() {
			if s == state {
				return day(n).Authorization[i]
			}
		}
		t.Fatalf("no state %s", state)
		return 0
	}
	// Day 1: a authorized, b out of compliance (the VA holds one license).
	assert.Equal(t, 1, auth(1, agent.AuthAuthorized))
	assert.Equal(t, 1, auth(1, agent.AuthOutOfComp))
	// a's path is down from day 10: its authorization (CSSM time day 0 + 4 s
	// − 5 min) expires just before day 90; b is still out of compliance.
	assert.Equal(t, 1, auth(90, agent.AuthAuthorized)+auth(90, agent.AuthOutOfComp))
	assert.Equal(t, 1, auth(91, agent.AuthExpired))
	// CSSM released a's usage at day 90 (no contact): b's 12-hour retry
	// then finds a license.
	assert.Equal(t, 1, auth(95, agent.AuthAuthorized), "b")
	// The path is back on day 110: a retries hourly and is authorized — now b's
	// license is also wanted by a: whoever asks after the other is short.
	assert.Equal(t, 2, auth(111, agent.AuthAuthorized)+auth(111, agent.AuthOutOfComp))
	var expired []fleet.Entered
	for _, e := range r.Entered {
		if e.State == agent.AuthExpired {
			expired = append(expired, e)
		}
	}
	require.Len(t, expired, 1)
	assert.Equal(t, "a", expired[0].Device)
	// Its first (and last) authorization went 4 s after registering; CSSM
	// stamped it 5 minutes earlier; the deadline is 90 days after the stamp.
	assert.Equal(t, start.Add(4*time.Second-5*time.Minute+90*agent.Day), expired[0].At)
	// Every first entry, by hand: both boot in EVAL MODE and register at
	// once; a is authorized 4 s in, b (asking second) is short; b's
	// 12-hourly retries fall at 00:00:04 and 12:00:04, so one falls on the
	// instant CSSM releases a's usage (90 days after 00:00:04) — CSSM
	// processes what is due before the request of the same instant, and b
	// is authorized; a comes back short on day 110 at 00:03:34.
	var entered []string
	for _, e := range r.Entered {
		entered = append(entered, e.Device+" "+e.State+" "+e.At.Format(time.RFC3339))
	}
	assert.Equal(t, []string{
		"a EVAL MODE 2024-01-01T00:00:00Z",
		"a REGISTERED 2024-01-01T00:00:00Z",
		"a AUTHORIZED 2024-01-01T00:00:04Z",
		"a AUTHORIZATION EXPIRED 2024-03-30T23:55:04Z",
		"a OUT OF COMPLIANCE 2024-04-20T00:03:34Z",
		"b EVAL MODE 2024-01-01T00:00:00Z",
		"b REGISTERED 2024-01-01T00:00:00Z",
		"b OUT OF COMPLIANCE 2024-01-01T00:00:04Z",
		"b AUTHORIZED 2024-03-31T00:00:04Z",
	}, entered)
	// Alerts, by hand: b short at its first authorization (4 s in); a
	// silent for 30 days + 1 of grace; a's usage released 90 days after its
	// last contact, which clears the shortage; a back on day 110 (its hourly
	// retry at 00:03:34) short again.
	var alerts []string
	for _, a := range r.Alerts {
		alerts = append(alerts, a.Raised.Format(time.RFC3339)+" "+a.Type+" "+a.Source)
	}
	assert.Equal(t, []string{
		"2024-01-01T00:00:04Z Insufficient Licenses Campus",
		"2024-02-01T00:00:04Z Product Instance Failed to Connect a (PID:C9300-24P,SN:FOC1)",
		"2024-03-31T00:00:04Z Product Instance Failed to Renew a (PID:C9300-24P,SN:FOC1)",
		"2024-04-20T00:03:34Z Insufficient Licenses Campus",
	}, alerts)
	// Supply rows, by hand: a row on the first day and whenever demand,
	// supply or shortfall changed at a daily sample.
	var supply []string
	for _, row := range r.Supply {
		supply = append(supply, fmt.Sprintf("%s %s/%s %s demand %d supply %d short %d", row.Date.Format(time.DateOnly), row.SA, row.VA, row.Tag,
			row.Demand, row.Supply, row.Shortfall))
	}
	assert.Equal(t, []string{
		"2024-01-01 ACME/Campus C9300-24 Network Advantage demand 0 supply 1 short 0",
		"2024-01-02 ACME/Campus C9300-24 Network Advantage demand 2 supply 1 short 1",
		"2024-04-01 ACME/Campus C9300-24 Network Advantage demand 1 supply 1 short 0",
		"2024-04-21 ACME/Campus C9300-24 Network Advantage demand 2 supply 1 short 1",
	}, supply)

	var csvOut, svg, js strings.Builder
	require.NoError(t, r.WriteDaysCSV(&csvOut))
	lines := strings.Split(strings.TrimSpace(csvOut.String()), "\n")
	assert.Len(t, lines, 202)
	assert.Equal(t, "date,UNREGISTERED,REGISTERING - REGISTRATION IN PROGRESS,UNREGISTERED - REGISTRATION FAILED,REGISTERED,No Licenses in Use,EVAL MODE,EVAL EXPIRED,AUTHORIZED,OUT OF COMPLIANCE,AUTHORIZATION EXPIRED", lines[0])
	assert.Equal(t, "2024-01-02,0,0,0,2,0,0,0,1,1,0", lines[2])
	require.NoError(t, r.WriteSVG(&svg))
	assert.True(t, strings.HasPrefix(svg.String(), "<svg "))
	assert.Contains(t, svg.String(), "<title>AUTHORIZATION EXPIRED</title>")
	require.NoError(t, r.WriteJSON(&js))
	assert.Contains(t, js.String(), `"devices": 2`)
}

func TestSpecRefusals(t *testing.T) {
	ok := fleet.Synthetic(3, 1, start, 1, 1)
	for name, edit := range map[string]func(s *fleet.Spec){
		"no start":       func(s *fleet.Spec) { s.Start = time.Time{} },
		"no duration":    func(s *fleet.Spec) { s.Duration = 0 },
		"too many years": func(s *fleet.Spec) { s.Duration = 30 * 365 * agent.Day },
		"duplicate":      func(s *fleet.Spec) { s.Devices = append(s.Devices, s.Devices[0]) },
		"duplicate added later": func(s *fleet.Spec) {
			s.Schedule = append(s.Schedule, fleet.Event{At: start.Add(time.Hour), Kind: fleet.EvAddDevice, Device: s.Devices[0]})
		},
		"no account": func(s *fleet.Spec) { s.Devices[0].SA = "" },
		"no switch":  func(s *fleet.Spec) { s.Devices[2].Topo.Switches = nil },
		"early event": func(s *fleet.Spec) {
			s.Schedule = append(s.Schedule, fleet.Event{At: start.Add(-time.Hour), Kind: fleet.EvOutage})
		},
		"unknown event": func(s *fleet.Spec) { s.Schedule = append(s.Schedule, fleet.Event{At: start, Kind: "meteor"}) },
		"shards":        func(s *fleet.Spec) { s.Shards = 1000 },
		// Agents hold int64 nanoseconds: the run, and a year (the
		// longest period, a certificate's) either side, must lie within
		// 1677-09-21 – 2262-04-11.
		"beyond 2262":    func(s *fleet.Spec) { s.Start = time.Date(2261, 6, 1, 0, 0, 0, 0, time.UTC) },
		"too near 2262":  func(s *fleet.Spec) { s.Start = time.Date(2260, 6, 1, 0, 0, 0, 0, time.UTC) },
		"before 1677-09": func(s *fleet.Spec) { s.Start = time.Date(1677, 6, 1, 0, 0, 0, 0, time.UTC) },
		"too near 1677":  func(s *fleet.Spec) { s.Start = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC) },
	} {
		s := ok
		s.Devices = append([]fleet.Device(nil), ok.Devices...)
		edit(&s)
		_, err := fleet.Run(s)
		assert.Error(t, err, name)
	}
}

// A run far enough from the ends of int64 nanoseconds runs as any other,
// however late (2259) or early (1679) it is.
func TestRunNearTheEndsOfTime(t *testing.T) {
	for _, at := range []time.Time{time.Date(2259, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(1679, 1, 1, 0, 0, 0, 0, time.UTC)} {
		spec := fleet.Synthetic(30, 1, at, 1, 1)
		r, err := fleet.Run(spec)
		require.NoError(t, err, at)
		last := r.Days[len(r.Days)-1]
		assert.Equal(t, spec.Start.AddDate(0, 0, 365), last.Date, at)
		assert.Equal(t, 30, last.Registration[3], "all registered at %s", at)
	}
}

// With devices checked side by side, the error is still the first in the
// devices' order.
func TestSpecRefusalsInOrder(t *testing.T) {
	spec := fleet.Synthetic(4000, 4, start, 1, 1)
	spec.Shards = 4
	spec.Devices[3500].Topo.Switches = nil
	spec.Devices[2100].Topo.Switches = nil
	_, err := fleet.Run(spec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sw002100")
	spec.Devices[1000].Topo.Name = spec.Devices[10].Topo.Name // a duplicate before both
	_, err = fleet.Run(spec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sw000010 appears twice")
}
