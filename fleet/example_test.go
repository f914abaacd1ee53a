package fleet_test

import (
	"fmt"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/fleet"
	"github.com/slsim/slsim/stackwise"
)

// Two switches share one license; the first loses its path to the cloud
// for 100 days: its authorization expires, CSSM releases its license to
// the second, and when the path is back the first is the one short.
func ExampleRun() {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	sw := func(name, sn string) fleet.Device {
		return fleet.Device{SA: "ACME", VA: "Campus", Path: "site-" + name, Topo: stackwise.Device{
			Name: name, Switches: []stackwise.Unit{{PID: "C9300-24P", SN: sn}},
			Level: stackwise.Level{Base: stackwise.NetworkAdvantage}, Version: stackwise.MustVersion("17.3.1")}}
	}
	r, err := fleet.Run(fleet.Spec{
		Start: start, Duration: 200 * agent.Day, Seed: 1,
		Devices:  []fleet.Device{sw("a", "FOC1"), sw("b", "FOC2")},
		Pools:    []fleet.Pool{{SA: "ACME", VA: "Campus", Tag: "C9300-24 Network Advantage", Qty: 1}},
		Schedule: []fleet.Event{{At: start.Add(10 * agent.Day), Kind: fleet.EvOutage, Path: "site-a", Duration: 100 * agent.Day}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range r.Entered {
		if e.State == agent.AuthOutOfComp || e.State == agent.AuthExpired {
			fmt.Println(e.Device, e.State, e.At.Format(time.DateOnly))
		}
	}
	fmt.Println(len(r.Days), "days")
	// Output:
	// a AUTHORIZATION EXPIRED 2024-03-30
	// a OUT OF COMPLIANCE 2024-04-20
	// b OUT OF COMPLIANCE 2024-01-01
	// 201 days
}
