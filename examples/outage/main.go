// Command outage answers a what-if question with the agent package alone:
// "if the path to CSSM is down for N days, when does a healthy switch show
// AUTHORIZATION EXPIRED, when does it lose its registration, and when does
// it recover?" It prints each change of status with its date.
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
// number of days, and follows it until 30 days after the outage.
func run(w io.Writer, days int) error {
	if days < 0 || days > 3650 {
		return fmt.Errorf("outage of %d days: want 0 to 3650", days)
	}
	start := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	down := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	up := down.Add(time.Duration(days) * agent.Day)
	end := up.Add(30 * agent.Day)

	a, err := agent.New(start, agent.Config{
		UDI:   license.UDI{PID: "C9300-48P", SN: "FOC2231X0QZ"},
		Usage: []license.Usage{{Tag: "C9300-48 Network Advantage", Count: 1}},
	})
	if err != nil {
		return err
	}
	if _, err := a.Register(start, "NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgt", false); err != nil {
		return err
	}
	fmt.Fprintf(w, "outage of %d days from %s to %s\n", days, down.Format(time.DateOnly), up.Format(time.DateOnly))
	last := ""
	for {
		// Answer what the agent sent: a reply when the path is up, a send
		// failure while it is down. CSSM back-dates its stamps 5 minutes.
		now := a.Now()
		for _, m := range a.TakeMessages() {
			if err := a.Handle(now, answer(m, now, now.Before(down) || !now.Before(up))); err != nil {
				return err
			}
		}
		a.TakeLogs()
		s := a.Status()
		if cur := s.Registration + " / " + s.Authorization; cur != last {
			fmt.Fprintf(w, "%s  %s\n", now.Format("2006-01-02 15:04:05"), cur)
			last = cur
		}
		next := a.NextDeadline()
		if next.IsZero() || next.After(end) {
			return nil
		}
		if err := a.Advance(next); err != nil {
			return err
		}
	}
}

func answer(m license.Message, now time.Time, reachable bool) license.Answer {
	if !reachable {
		return license.Failure{ID: m.RequestID(), Class: license.FailSend, Reason: license.ReasonSendFailed}
	}
	stamp := now.Add(-5 * time.Minute)
	switch x := m.(type) {
	case license.Register:
		return license.RegisterReply{ID: x.ID, SmartAccount: "ACME", VirtualAccount: "Branch", CertStart: stamp}
	case license.Authorize:
		r := license.AuthorizeReply{ID: x.ID, Time: stamp}
		for _, u := range x.Usage {
			r.Entitlements = append(r.Entitlements, license.Entitlement{Tag: u.Tag, Count: u.Count, InCompliance: true})
		}
		return r
	case license.RenewID:
		return license.RenewIDReply{ID: x.ID, CertStart: stamp}
	}
	return license.DeregisterReply{ID: m.RequestID()}
}
