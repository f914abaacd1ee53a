package sim_test

import (
	"fmt"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/sim"
	"github.com/slsim/slsim/stackwise"
)

// Build a world from code: an account in the CSSM, a switch that can
// resolve tools.cisco.com, a registration; then a 100-day outage of the
// path to CSSM, run in virtual time and watched through the event stream.
func Example() {
	start := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	w, _ := sim.New(sim.Config{Start: start, Seed: 1})

	c := w.CSSM()
	_ = c.CreateSmartAccount(start, "ACME", "acme.com")
	_, _ = c.AddLicenses(start, "ACME", "DEFAULT", "C9300-48 Network Advantage", 5, time.Time{}, time.Time{})
	tok, _ := c.CreateToken(start, "ACME", "DEFAULT", cssm.TokenOptions{ExpiresAfterDays: 30})

	_, _ = w.AddDevice(stackwise.Device{
		Name:     "sw1",
		Switches: []stackwise.Unit{{PID: "C9300-48P", SN: "FOC2231X0QZ"}},
		Level:    stackwise.Level{Base: stackwise.NetworkAdvantage},
		Version:  stackwise.MustVersion("16.12.4"),
	}, nil)
	_ = w.Configure("sw1", "ip name-server "+netsim.DNSIP, func(c *device.Config) error {
		c.NameServers = append(c.NameServers, device.NameServer{IP: netsim.DNSIP})
		return nil
	})
	_, _ = w.Register("sw1", tok.Value, false)
	_ = w.WriteMemory("sw1")

	_ = w.ScheduleFault(sim.Fault{At: start.Add(10 * agent.Day), Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP, On: true})
	_ = w.ScheduleFault(sim.Fault{At: start.Add(110 * agent.Day), Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP})
	// Read the stream with a cursor while the world runs: each read
	// returns what happened since the last, so nothing is copied twice and
	// nothing piles up (the world keeps a bounded window of its latest
	// events).
	var cur sim.Cursor
	for range 150 {
		_ = w.RunFor(agent.Day)
		events, next, _ := w.Events(cur)
		cur = next
		for _, e := range events {
			if e.Kind == sim.EventState || e.Kind == sim.EventFault {
				fmt.Println(e)
			}
		}
	}
	// Output:
	// 2024-03-01T09:00:00Z sw1 state UNREGISTERED / EVAL MODE
	// 2024-03-01T09:00:00Z sw1 state REGISTERING - REGISTRATION IN PROGRESS / EVAL MODE
	// 2024-03-01T09:00:01Z sw1 state REGISTERED / EVAL MODE
	// 2024-03-01T09:00:06Z sw1 state REGISTERED / AUTHORIZED
	// 2024-03-11T09:00:00Z world fault set endpoint-down 203.0.113.10
	// 2024-05-30T08:55:06Z sw1 state REGISTERED / AUTHORIZATION EXPIRED
	// 2024-06-19T09:00:00Z world fault clear endpoint-down 203.0.113.10
	// 2024-06-19T09:03:37Z sw1 state REGISTERED / AUTHORIZED
}
