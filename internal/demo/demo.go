// Package demo walks one Smart Agent through its lifecycle on virtual time,
// against a minimal scripted back end, and prints each state change and log
// line with its date. It is the main job of `slsim demo` until the lab
// console replaces it.
package demo

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
)

// layout is the date format of `show license` and syslog in this demo.
const layout = "Jan 02 15:04:05 2006 MST"

// The stack of the demo: two 24-port and one 48-port C9300 at Network
// Advantage with DNA Advantage.
var usage = []license.Usage{
	{Tag: "C9300-24 DNA Advantage", Count: 2},
	{Tag: "C9300-24 Network Advantage", Count: 2},
	{Tag: "C9300-48 DNA Advantage", Count: 1},
	{Tag: "C9300-48 Network Advantage", Count: 1},
}

// backend is the demo's stand-in for CSSM: a pool per tag, a reachable flag
// and one second of latency. (The real in-memory CSSM is package cssm.)
type backend struct {
	pool    map[string]int
	up      bool
	latency time.Duration
	queue   []delivery
}

type delivery struct {
	at  time.Time
	ans license.Answer
}

func (b *backend) receive(now time.Time, m license.Message) {
	at := now.Add(b.latency)
	if !b.up {
		b.queue = append(b.queue, delivery{at, license.Failure{ID: m.RequestID(), Class: license.FailSend, Reason: license.ReasonSendFailed}})
		return
	}
	stamp := at.Add(-5 * time.Minute) // CSSM back-dates certificates and authorizations
	var ans license.Answer
	switch x := m.(type) {
	case license.Register:
		ans = license.RegisterReply{ID: x.ID, SmartAccount: "ACME Corporation", VirtualAccount: "Campus", ExportControlled: true, CertStart: stamp}
	case license.Authorize:
		r := license.AuthorizeReply{ID: x.ID, Time: stamp}
		for _, u := range x.Usage {
			r.Entitlements = append(r.Entitlements, license.Entitlement{Tag: u.Tag, Name: u.Tag, Count: u.Count, InCompliance: b.pool[u.Tag] >= u.Count})
		}
		ans = r
	case license.RenewID:
		ans = license.RenewIDReply{ID: x.ID, CertStart: stamp}
	case license.Deregister:
		ans = license.DeregisterReply{ID: x.ID}
	}
	b.queue = append(b.queue, delivery{at, ans})
}

// step is one scripted action at a time.
type step struct {
	at   time.Time
	what string
	do   func(now time.Time) error
}

// Run prints the lifecycle to w. The same seed gives the same bytes.
func Run(w io.Writer, seed uint64) error {
	boot := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	a, err := agent.New(boot, agent.Config{UDI: license.UDI{PID: "C9300-24P", SN: "FOC2133Z0AB"}, Hostname: "campus-sw1", Seed: seed, Usage: usage})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	be := &backend{up: true, latency: time.Second, pool: map[string]int{
		"C9300-24 Network Advantage": 2, "C9300-48 Network Advantage": 1, "C9300-24 DNA Advantage": 2,
	}}
	day := func(d int, h int) time.Time { return boot.Add(time.Duration(d)*agent.Day + time.Duration(h)*time.Hour) }
	script := []step{
		{day(12, 1), "license smart register idtoken <token>", func(now time.Time) error {
			out, err := a.Register(now, "NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgt", false)
			if err == nil {
				fmt.Fprintln(w, "    "+out)
			}
			return err
		}},
		{day(13, 2), "CSSM: 1 x C9300-48 DNA Advantage added to the virtual account", func(now time.Time) error {
			be.pool["C9300-48 DNA Advantage"] = 1
			return nil
		}},
		{day(13, 3), "license smart renew auth", func(now time.Time) error { return a.RenewAuth(now) }},
		{day(100, 0), "network: tools.cisco.com unreachable (proxy down)", func(time.Time) error { be.up = false; return nil }},
		{day(240, 0), "network: path restored", func(time.Time) error { be.up = true; return nil }},
		{day(400, 0), "license smart deregister", func(now time.Time) error { return a.Deregister(now) }},
	}
	end := day(420, 0)
	fmt.Fprintf(w, "slsim demo: one C9300 stack (%s), seed %d\n", a.UDI(), seed)
	fmt.Fprintf(w, "%s  boot\n", boot.Format(layout))
	prev := ""
	// Retries repeat the same lines every hour for months: a line already
	// printed since the last state change or scripted step is counted
	// instead, and the count printed before the next new line.
	seen := map[string]bool{}
	repeats, lastRepeat := 0, time.Time{}
	flush := func() {
		if repeats > 0 {
			fmt.Fprintf(w, "%s  ... %d repeats of the lines above, the last on %s\n", strings.Repeat(" ", len(layout)-2), repeats, lastRepeat.Format(layout))
			repeats = 0
		}
	}
	newPhase := func() {
		flush()
		clear(seen)
	}
	report := func() {
		for _, l := range a.TakeLogs() {
			msg := l.Message()
			if seen[msg] {
				repeats, lastRepeat = repeats+1, l.Time
				continue
			}
			flush()
			seen[msg] = true
			fmt.Fprintf(w, "%s  %s\n", l.Time.Format(layout), msg)
		}
		for _, m := range a.TakeMessages() {
			be.receive(a.Now(), m)
		}
		s := a.Status()
		if cur := s.Registration + " / " + s.Authorization; cur != prev {
			newPhase()
			fmt.Fprintf(w, "%s  == %s\n", a.Now().Format(layout), cur)
			prev = cur
		}
	}
	report()
	for {
		next := a.NextDeadline()
		kind := "agent"
		if len(be.queue) > 0 && (next.IsZero() || be.queue[0].at.Before(next)) {
			next, kind = be.queue[0].at, "answer"
		}
		if len(script) > 0 && (next.IsZero() || !script[0].at.After(next)) {
			next, kind = script[0].at, "script"
		}
		if next.IsZero() || next.After(end) {
			break
		}
		switch kind {
		case "agent":
			err = a.Advance(next)
		case "answer":
			d := be.queue[0]
			be.queue = slices.Delete(be.queue, 0, 1)
			err = a.Handle(d.at, d.ans)
		case "script":
			s := script[0]
			script = script[1:]
			newPhase()
			fmt.Fprintf(w, "%s  > %s\n", s.at.Format(layout), s.what)
			if err = a.Advance(s.at); err == nil {
				err = s.do(s.at)
			}
		}
		if err != nil {
			return fmt.Errorf("demo at %s: %w", next.Format(layout), err)
		}
		report()
	}
	if err := a.Advance(end); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	report()
	flush()
	s := a.Status()
	fmt.Fprintf(w, "%s  end: %s / %s, evaluation period remaining %s\n", end.Format(layout), s.Registration, s.Authorization, agent.FormatRemaining(s.EvalRemaining))
	return nil
}
