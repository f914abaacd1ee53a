// Package demo walks one switch through its licensing lifecycle on virtual
// time against the in-memory CSSM, and prints each state change, log line
// and CSSM alert with its date. It is the main job of `slsim demo` until
// the lab console replaces it.
package demo

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

// layout is the date format of `show license` and syslog in this demo.
const layout = "Jan 02 15:04:05 2006 MST"

const (
	account = "ACME Corporation"
	va      = "Campus"
	latency = time.Second
)

// The demo's switch: a stack of two 24-port and one 48-port C9300 at
// Network Advantage with DNA Advantage.
var stack = stackwise.Device{
	Name: "campus-sw1",
	Switches: []stackwise.Unit{
		{PID: "C9300-24P", SN: "FOC2133Z0AB"}, {PID: "C9300-24P", SN: "FOC2133Z0AC"}, {PID: "C9300-48P", SN: "FOC2134Z0AD"},
	},
	Level:   stackwise.Level{Base: stackwise.NetworkAdvantage, Addon: stackwise.DNAAdvantage},
	Version: stackwise.Version{Major: 17, Minor: 3, Rebuild: 1},
}

// delivery is an answer on its way back to the agent.
type delivery struct {
	at  time.Time
	ans license.Answer
}

// step is one scripted action.
type step struct {
	at   time.Time
	what string
	do   func(now time.Time) error
}

// Run prints the lifecycle to w. The same seed gives the same bytes.
func Run(w io.Writer, seed uint64) error {
	boot := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	usage, err := stack.Usage()
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	udi, err := stack.UDI()
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	a, err := agent.New(boot, agent.Config{UDI: udi, Hostname: stack.Name, Seed: seed, Usage: usage})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	c, tok, err := newCSSM(boot, seed)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	up := true
	var queue []delivery
	send := func(now time.Time, m license.Message) error {
		at := now.Add(latency)
		if !up {
			queue = append(queue, delivery{at, license.Failure{ID: m.RequestID(), Class: license.FailSend, Reason: license.ReasonSendFailed}})
			return nil
		}
		if err := c.Advance(at); err != nil {
			return err
		}
		ans, err := c.Handle(at, m)
		if err != nil {
			return err
		}
		queue = append(queue, delivery{at, ans})
		return nil
	}
	day := func(d, h int) time.Time { return boot.Add(time.Duration(d)*agent.Day + time.Duration(h)*time.Hour) }
	script := []step{
		{day(12, 1), "license smart register idtoken <token from CSSM>", func(now time.Time) error {
			out, err := a.Register(now, tok, false)
			if err == nil {
				fmt.Fprintln(w, "    "+out)
			}
			return err
		}},
		{day(13, 2), "CSSM: 1 x C9300-48 DNA Advantage added to the virtual account", func(now time.Time) error {
			_, err := c.AddLicenses(now, account, va, "C9300-48 DNA Advantage", 1, now, now.AddDate(3, 0, 0))
			return err
		}},
		{day(13, 3), "license smart renew auth", func(now time.Time) error { return a.RenewAuth(now) }},
		{day(100, 0), "network: tools.cisco.com unreachable (proxy down)", func(time.Time) error { up = false; return nil }},
		{day(240, 0), "network: path restored", func(time.Time) error { up = true; return nil }},
		{day(400, 0), "license smart deregister", func(now time.Time) error { return a.Deregister(now) }},
	}
	end := day(420, 0)
	fmt.Fprintf(w, "slsim demo: a C9300 stack (%s) against the in-memory CSSM, seed %d\n", udi, seed)
	fmt.Fprintf(w, "%s  boot: %d entitlement tags in use, account %q, virtual account %q\n", boot.Format(layout), len(usage), account, va)
	p := newPrinter(w)
	report := func() error {
		p.logs(a.TakeLogs())
		for _, m := range a.TakeMessages() {
			if err := send(a.Now(), m); err != nil {
				return err
			}
		}
		p.alerts(c.Alerts(account, true))
		s := a.Status()
		p.state(a.Now(), s.Registration+" / "+s.Authorization)
		return nil
	}
	if err := report(); err != nil {
		return err
	}
	for {
		next, kind := a.NextDeadline(), "agent"
		earlier := func(t time.Time) bool { return !t.IsZero() && (next.IsZero() || t.Before(next)) }
		if len(queue) > 0 && earlier(queue[0].at) {
			next, kind = queue[0].at, "answer"
		}
		if d := c.NextDeadline(); earlier(d) {
			next, kind = d, "cssm"
		}
		if len(script) > 0 && (next.IsZero() || !script[0].at.After(next)) {
			next, kind = script[0].at, "script"
		}
		if next.IsZero() || next.After(end) {
			break
		}
		var err error
		switch kind {
		case "agent":
			err = a.Advance(next)
		case "cssm":
			err = c.Advance(next)
		case "answer":
			d := queue[0]
			queue = slices.Delete(queue, 0, 1)
			err = a.Handle(d.at, d.ans)
		case "script":
			s := script[0]
			script = script[1:]
			p.phase()
			fmt.Fprintf(w, "%s  > %s\n", s.at.Format(layout), s.what)
			if err = a.Advance(s.at); err == nil {
				if err = c.Advance(s.at); err == nil {
					err = s.do(s.at)
				}
			}
		}
		if err != nil {
			return fmt.Errorf("demo at %s: %w", next.Format(layout), err)
		}
		if err := report(); err != nil {
			return err
		}
	}
	if err := a.Advance(end); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := c.Advance(end); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := report(); err != nil {
		return err
	}
	p.flush()
	s := a.Status()
	fmt.Fprintf(w, "%s  end: %s / %s, evaluation period remaining %s\n", end.Format(layout), s.Registration, s.Authorization, agent.FormatRemaining(s.EvalRemaining))
	rows, err := c.Licenses(account, va)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\nCSSM, virtual account "+va+":")
	return cssm.WriteLicenses(w, rows)
}

// newCSSM sets up the account: a C9300 pool one DNA license short for the
// stack, and a registration token.
func newCSSM(now time.Time, seed uint64) (*cssm.CSSM, string, error) {
	c, err := cssm.New(now, cssm.Config{Catalog: stackwise.Catalog(), Seed: seed})
	if err != nil {
		return nil, "", err
	}
	if err := c.CreateSmartAccount(now, account, "acme.com"); err != nil {
		return nil, "", err
	}
	if err := c.CreateVirtualAccount(now, account, va, "Campus switches"); err != nil {
		return nil, "", err
	}
	for _, l := range []struct {
		tag  string
		qty  int64
		term bool
	}{{"C9300-24 Network Advantage", 2, false}, {"C9300-48 Network Advantage", 1, false}, {"C9300-24 DNA Advantage", 2, true}} {
		end := time.Time{}
		if l.term {
			end = now.AddDate(3, 0, 0)
		}
		if _, err := c.AddLicenses(now, account, va, l.tag, l.qty, now, end); err != nil {
			return nil, "", err
		}
	}
	tok, err := c.CreateToken(now, account, va, cssm.TokenOptions{Description: "campus switches", ExpiresAfterDays: 30, ExportControlled: true})
	if err != nil {
		return nil, "", err
	}
	return c, tok.Value, nil
}

// printer writes the demo's lines. Retries repeat the same log lines every
// hour for months: a line already printed since the last state change or
// scripted step is counted instead, and the count printed before the next
// new line.
type printer struct {
	w          io.Writer
	seen       map[string]bool
	repeats    int
	lastRepeat time.Time
	alerted    map[int]bool
	cleared    map[int]bool
	prevState  string
}

func newPrinter(w io.Writer) *printer {
	return &printer{w: w, seen: map[string]bool{}, alerted: map[int]bool{}, cleared: map[int]bool{}}
}

func (p *printer) flush() {
	if p.repeats > 0 {
		fmt.Fprintf(p.w, "%s  ... %d repeats of the lines above, the last on %s\n", strings.Repeat(" ", len(layout)-2), p.repeats, p.lastRepeat.Format(layout))
		p.repeats = 0
	}
}

func (p *printer) phase() {
	p.flush()
	clear(p.seen)
}

func (p *printer) logs(ls []agent.LogEvent) {
	for _, l := range ls {
		msg := l.Message()
		if p.seen[msg] {
			p.repeats, p.lastRepeat = p.repeats+1, l.Time
			continue
		}
		p.flush()
		p.seen[msg] = true
		fmt.Fprintf(p.w, "%s  %s\n", l.Time.Format(layout), msg)
	}
}

func (p *printer) alerts(as []cssm.Alert) {
	for _, a := range as {
		if !p.alerted[a.ID] {
			p.alerted[a.ID] = true
			p.flush()
			fmt.Fprintf(p.w, "%s  CSSM alert (%s) %s: %s\n", a.Raised.Format(layout), a.Severity, a.Type, a.Message)
		}
		if !a.Active() && !p.cleared[a.ID] {
			p.cleared[a.ID] = true
			p.flush()
			fmt.Fprintf(p.w, "%s  CSSM alert cleared: %s\n", a.Cleared.Format(layout), a.Type)
		}
	}
}

func (p *printer) state(now time.Time, s string) {
	if s != p.prevState {
		p.phase()
		fmt.Fprintf(p.w, "%s  == %s\n", now.Format(layout), s)
		p.prevState = s
	}
}
