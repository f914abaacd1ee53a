// Package agenttest is a test harness for the Smart Agent: an agent wired
// to an in-memory CSSM on one virtual clock, built in one call, stepped by
// time and commands, with one value of everything that happened since the
// last step (in the spirit of etcd's rafttest InteractionEnv). It delivers
// every request the agent sends to the CSSM at once — or fails it, while
// the path is down — so no test writes the delivery loop again.
//
// It also ships rapid generators (configurations, outages) for property
// tests and a datadriven handler, so that other projects can write the
// agent's behaviour as scripts in their own testdata.
package agenttest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

// The defaults of a zero Config.
var (
	// DefaultStart is when an Env starts unless told.
	DefaultStart = time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
)

// The CSSM account every Env registers in.
const (
	Account = "ACME Corporation"
	VA      = "DEFAULT"
)

// Config describes an Env. Its zero value is valid: a C9300-24P using one
// Network Advantage license, a pool that holds exactly what it uses, at
// DefaultStart, seed 0.
type Config struct {
	Start time.Time   // zero: DefaultStart
	Seed  uint64      // the agent's and CSSM's seed
	UDI   license.UDI // zero: PID C9300-24P, SN FOC2133Z0AB
	// Usage is what the device uses (nil: one C9300-24 Network Advantage).
	Usage []license.Usage
	// Licenses is how many licenses of each tag the pool holds beyond what
	// Usage needs (negative: fewer, down to none).
	Licenses int
	// Profile overrides the agent's modelled values (nil: the defaults).
	Profile *agent.Profile
}

// Outage is a time during which the path to CSSM is down: every request
// sent from From up to (not including) To fails to send.
type Outage struct {
	From, To time.Time
}

// Env is an agent, a CSSM and their clock.
type Env struct {
	Agent *agent.Agent
	CSSM  *cssm.CSSM
	// Token is a valid registration token of the account's virtual account.
	Token string

	now     time.Time
	down    bool
	outages []Outage
	ready   Ready
	state   [2]string
}

// Ready is everything that happened since the last step: the agent's log
// lines, the requests it sent and the answers it got, and its status.
type Ready struct {
	Now     time.Time
	Logs    []agent.LogEvent
	Sent    []Exchange
	Changed bool // the registration or authorization status changed
	// Registration and Authorization are the status lines now.
	Registration, Authorization string

	order []bool // in the order they happened: true for an exchange, false for a log line
}

// Exchange is one request and its answer (a send failure while the path
// is down).
type Exchange struct {
	At      time.Time
	Request license.Message
	Answer  license.Answer
}

// New builds an Env: the CSSM with the account, the licenses and a token,
// and the agent booted (in evaluation) at cfg.Start.
func New(cfg Config) (*Env, error) {
	if cfg.Start.IsZero() {
		cfg.Start = DefaultStart
	}
	if cfg.UDI == (license.UDI{}) {
		cfg.UDI = license.UDI{PID: "C9300-24P", SN: "FOC2133Z0AB"}
	}
	if cfg.Usage == nil {
		cfg.Usage = []license.Usage{{Tag: "C9300-24 Network Advantage", Count: 1}}
	}
	c, err := cssm.New(cfg.Start, cssm.Config{Catalog: stackwise.Catalog(), Seed: cfg.Seed})
	if err != nil {
		return nil, fmt.Errorf("agenttest: %w", err)
	}
	if err := c.CreateSmartAccount(cfg.Start, Account, "acme.com"); err != nil {
		return nil, fmt.Errorf("agenttest: %w", err)
	}
	for _, u := range cfg.Usage {
		if n := u.Count + cfg.Licenses; n > 0 {
			if _, err := c.AddLicenses(cfg.Start, Account, VA, u.Tag, int64(n), time.Time{}, time.Time{}); err != nil {
				return nil, fmt.Errorf("agenttest: usage %s: %w", u.Tag, err)
			}
		}
	}
	tok, err := c.CreateToken(cfg.Start, Account, VA, cssm.TokenOptions{ExpiresAfterDays: 365, ExportControlled: true})
	if err != nil {
		return nil, fmt.Errorf("agenttest: %w", err)
	}
	a, err := agent.New(cfg.Start, agent.Config{UDI: cfg.UDI, Hostname: "sw1", Seed: cfg.Seed, Usage: cfg.Usage, Profile: cfg.Profile})
	if err != nil {
		return nil, fmt.Errorf("agenttest: %w", err)
	}
	e := &Env{Agent: a, CSSM: c, Token: tok.Value, now: cfg.Start}
	boot := e.take()
	e.ready.Logs, e.ready.order = boot.Logs, boot.order // the boot's lines belong to the first step
	return e, nil
}

// Now is the Env's time.
func (e *Env) Now() time.Time { return e.now }

// SetReachable brings the path to CSSM up or down from now on.
func (e *Env) SetReachable(up bool) { e.down = !up }

// Schedule adds outages: the path is down during each.
func (e *Env) Schedule(outages ...Outage) {
	e.outages = append(e.outages, outages...)
	slices.SortFunc(e.outages, func(a, b Outage) int { return a.From.Compare(b.From) })
}

// Reachable reports whether the path to CSSM is up at t.
func (e *Env) Reachable(t time.Time) bool {
	if e.down {
		return false
	}
	for _, o := range e.outages {
		if !t.Before(o.From) && t.Before(o.To) {
			return false
		}
	}
	return true
}

// Advance lets d pass: the agent's and CSSM's deadlines fire in order,
// and every request is delivered at once.
func (e *Env) Advance(d time.Duration) (Ready, error) {
	if d < 0 {
		return Ready{}, fmt.Errorf("agenttest: advance %v: negative", d)
	}
	return e.AdvanceTo(e.now.Add(d))
}

// AdvanceTo is Advance up to the instant t.
func (e *Env) AdvanceTo(t time.Time) (Ready, error) {
	if t.Before(e.now) {
		return Ready{}, fmt.Errorf("agenttest: advance to %s: the Env is at %s", t.Format(time.RFC3339), e.now.Format(time.RFC3339))
	}
	for {
		next := e.Agent.NextDeadline()
		if c := e.CSSM.NextDeadline(); !c.IsZero() && (next.IsZero() || c.Before(next)) {
			next = c
		}
		if next.IsZero() || next.After(t) {
			break
		}
		if err := e.step(next); err != nil {
			return Ready{}, err
		}
	}
	if err := e.step(t); err != nil {
		return Ready{}, err
	}
	return e.take(), nil
}

// step brings the CSSM and the agent to now and delivers what was sent.
func (e *Env) step(now time.Time) error {
	e.now = now
	if err := e.CSSM.Advance(now); err != nil {
		return fmt.Errorf("agenttest: cssm at %s: %w", now.Format(time.RFC3339), err)
	}
	if err := e.Agent.Advance(now); err != nil {
		return fmt.Errorf("agenttest: agent at %s: %w", now.Format(time.RFC3339), err)
	}
	return e.deliver()
}

// deliver answers every request the agent has sent, and those it sends in
// answer, until it sends nothing more.
func (e *Env) deliver() error {
	for range 16 {
		msgs := e.Agent.TakeMessages()
		if len(msgs) == 0 {
			return nil
		}
		for _, m := range msgs {
			var ans license.Answer = license.Failure{ID: m.RequestID(), Class: license.FailSend, Reason: license.ReasonSendFailed}
			if e.Reachable(e.now) {
				var err error
				if ans, err = e.CSSM.Handle(e.now, m); err != nil {
					return fmt.Errorf("agenttest: cssm: %s #%d: %w", m.Kind(), m.RequestID(), err)
				}
			}
			e.logs()
			e.ready.Sent = append(e.ready.Sent, Exchange{At: e.now, Request: m, Answer: ans})
			e.ready.order = append(e.ready.order, true)
			if err := e.Agent.Handle(e.now, ans); err != nil && !errors.Is(err, agent.ErrUnexpectedAnswer) {
				return fmt.Errorf("agenttest: agent: %w", err)
			}
		}
	}
	return errors.New("agenttest: the agent keeps sending")
}

// Command runs one of the agent's commands now, as IOS names them:
// "register", "register force", "deregister", "renew auth", "renew id".
// What the command printed, if anything, is returned with what happened.
func (e *Env) Command(cmd string) (string, Ready, error) {
	var out string
	var err error
	switch strings.Join(strings.Fields(cmd), " ") {
	case "register":
		out, err = e.Agent.Register(e.now, e.Token, false)
	case "register force":
		out, err = e.Agent.Register(e.now, e.Token, true)
	case "deregister":
		err = e.Agent.Deregister(e.now)
	case "renew auth":
		err = e.Agent.RenewAuth(e.now)
	case "renew id":
		err = e.Agent.RenewID(e.now)
	default:
		return "", Ready{}, fmt.Errorf("agenttest: command %q: not register [force], deregister, renew auth or renew id", cmd)
	}
	if err != nil {
		return "", e.take(), err
	}
	if err := e.deliver(); err != nil {
		return out, Ready{}, err
	}
	return out, e.take(), nil
}

// logs moves the agent's new log lines into what happened.
func (e *Env) logs() {
	for _, l := range e.Agent.TakeLogs() {
		e.ready.Logs = append(e.ready.Logs, l)
		e.ready.order = append(e.ready.order, false)
	}
}

// take hands over what happened since the last step.
func (e *Env) take() Ready {
	e.logs()
	r := e.ready
	r.Now = e.now
	reg, auth := e.Agent.States()
	r.Registration, r.Authorization = reg, auth
	r.Changed = e.state != [2]string{reg, auth}
	e.state = [2]string{reg, auth}
	e.ready = Ready{}
	return r
}

// String renders what happened as lines, in the order it happened: each
// log line and exchange with its time, then the status when it changed.
func (r Ready) String() string {
	var b strings.Builder
	line := func(at time.Time, text string) {
		fmt.Fprintf(&b, "%s  %s\n", at.UTC().Format("2006-01-02 15:04:05"), text)
	}
	logs, sent := r.Logs, r.Sent
	for _, exchange := range r.order {
		if exchange && len(sent) > 0 {
			x := sent[0]
			sent = sent[1:]
			line(x.At, fmt.Sprintf("%s #%d -> %s", x.Request.Kind(), x.Request.RequestID(), license.Summary(x.Answer)))
		} else if !exchange && len(logs) > 0 {
			line(logs[0].Time, logs[0].Message())
			logs = logs[1:]
		}
	}
	if r.Changed {
		fmt.Fprintf(&b, "state: %s / %s\n", r.Registration, r.Authorization)
	}
	return b.String()
}
