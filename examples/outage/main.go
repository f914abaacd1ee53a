// Command outage answers a what-if question with the agent and its test
// harness (package agenttest): "if the path to CSSM is down for N days,
// when does a healthy switch show AUTHORIZATION EXPIRED, when does it lose
// its registration, and when does it recover?" It prints each change of
// status with its date.
//
//	go run ./examples/outage -days 100
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/agenttest"
	"github.com/slsim/slsim/license"
)

func main() {
	days := flag.Int("days", 100, "length of the outage in days")
	flag.Parse()
	if err := run(os.Stdout, *days); err != nil {
		fmt.Fprintln(os.Stderr, "outage:", err)
		os.Exit(1)
	}
}

// run registers a switch on Jan 1 2025, cuts it off on Feb 1 for the given
// number of days, and follows it until 30 days after the outage. The
// agent talks to an in-memory CSSM through the agent's test harness,
// which delivers every request at once, or fails it while the path is
// down.
func run(w io.Writer, days int) error {
	if days < 0 || days > 3650 {
		return fmt.Errorf("outage of %d days: want 0 to 3650", days)
	}
	start := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	down := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	up := down.Add(time.Duration(days) * agent.Day)
	end := up.Add(30 * agent.Day)
	env, err := agenttest.New(agenttest.Config{
		Start: start,
		UDI:   license.UDI{PID: "C9300-48P", SN: "FOC2231X0QZ"},
		Usage: []license.Usage{{Tag: "C9300-48 Network Advantage", Count: 1}},
	})
	if err != nil {
		return err
	}
	env.Schedule(agenttest.Outage{From: down, To: up})
	fmt.Fprintf(w, "outage of %d days from %s to %s\n", days, down.Format(time.DateOnly), up.Format(time.DateOnly))
	_, r, err := env.Command("register")
	for err == nil {
		if r.Changed {
			fmt.Fprintf(w, "%s  %s / %s\n", r.Now.Format("2006-01-02 15:04:05"), r.Registration, r.Authorization)
		}
		next := env.Agent.NextDeadline()
		if next.IsZero() || next.After(end) {
			return nil
		}
		r, err = env.AdvanceTo(next)
	}
	return err
}
