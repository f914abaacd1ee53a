// Package agent is the device-side Smart Agent of classic Cisco Smart
// Licensing (IOS-XE 16.9 – 17.3.1): evaluation, registration, authorization
// and their timers, as a pure state machine on virtual time.
//
// Time is an input. Every method takes the current time; the agent keeps
// absolute deadlines and reports the earliest with NextDeadline. Advance(now)
// processes everything due at or before now, each at its own time. The agent
// reads no clock, starts no goroutine and arms no timer.
//
// Inputs are commands (Register, Deregister, RenewAuth, RenewID), usage
// changes, reloads and answers from the back end (license.Answer). Outputs
// are requests to send (TakeMessages) and log events (TakeLogs). Status
// holds every field of `show license status`.
package agent

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/looplab/fsm"

	"github.com/slsim/slsim/license"
)

// Errors returned for refused inputs. A refused input changes nothing.
var (
	ErrTimeWentBack      = errors.New("time went backwards")
	ErrNotRegistered     = errors.New("device is not registered")
	ErrAlreadyRegistered = errors.New("device is already registered; use the force option to register it again")
	ErrBadToken          = errors.New("invalid ID token")
	ErrUnexpectedAnswer  = errors.New("no request is waiting for this answer")
	ErrBadAnswer         = errors.New("malformed answer")
)

// slot is one of the agent's deadlines. When two fall at the same instant
// they are processed in slot order.
type slot int

const (
	slotIDExpire   slot = iota // Registration Expires
	slotAuthExpire             // Communication Deadline
	slotEval                   // eval expiry, warning or re-notification
	slotIDRenew                // Next Renewal Attempt
	slotComm                   // Next Communication Attempt
	slotRegRetry               // Next Registration Attempt
	nSlots
)

// request kinds that can be waiting for an answer.
type reqKind int

const (
	reqRegister reqKind = iota
	reqAuthorize
	reqRenewID
	reqDeregister
	nReqKinds
)

// Config is what a device gives its agent at first boot.
type Config struct {
	UDI      license.UDI     // the active switch's UDI
	Hostname string          // sent with the registration; CSSM names the instance by it
	Profile  *Profile        // nil means DefaultProfile()
	Seed     uint64          // seeds the retry jitter
	Usage    []license.Usage // entitlements in use at boot

	// Dense runs the mode graph from its compiled table instead of a
	// looplab/fsm machine: the same transitions (a property test holds
	// them to the same traces) at a fraction of the cost and memory, for
	// fleets of agents.
	Dense bool
	// NoLogs discards log events instead of keeping them for TakeLogs
	// (fleets watch the status, not the logs).
	NoLogs bool
	// Shared, when set, is a profile prepared by Prepare and shared by many
	// agents (it must not change afterwards); Profile is then ignored.
	Shared *Prepared
}

// Prepared is a validated profile ready to be shared by many agents.
type Prepared struct {
	prof     Profile
	warnings []time.Duration // EvalWarnings sorted, longest first
}

// Prepare validates a profile (nil: the default) for sharing.
func Prepare(p *Profile) (*Prepared, error) {
	prof := DefaultProfile()
	if p != nil {
		prof = *p
		prof.EvalWarnings = slices.Clone(prof.EvalWarnings)
	}
	if err := prof.Validate(); err != nil {
		return nil, err
	}
	return &Prepared{prof: prof, warnings: sortedWarnings(prof.EvalWarnings)}, nil
}

// Profile returns a copy of the prepared profile.
func (p *Prepared) Profile() Profile {
	prof := p.prof
	prof.EvalWarnings = slices.Clone(prof.EvalWarnings)
	return prof
}

// Agent is one device's Smart Agent. It is not safe for concurrent use.
type Agent struct {
	*Prepared // the profile, possibly shared
	udi       license.UDI
	hostname  string
	pcg       *rand.PCG
	rng       *rand.Rand
	m         *fsm.FSM // nil when the agent runs the dense table
	mode      Mode     // m.Current(), cached: the fsm takes a lock to read it
	noLogs    bool
	now       time.Time

	usage    []license.Usage
	answered []license.Entitlement // last authorization answer, sorted by tag

	// Evaluation: evalLeft is the time left as of evalMark while running.
	evalLeft       time.Duration
	evalMark       time.Time
	evalRunning    bool
	evalRenotifyAt time.Time

	// Registration.
	token      string
	force      bool
	initialReg Attempt
	sa, va     string
	export     bool
	certStart  time.Time
	certSerial string

	lastRenewal   Attempt
	renewFailures int

	// Authorization.
	lastComm     Attempt
	commFailures int
	authStatus   string
	authSince    time.Time

	deadlines [nSlots]time.Time
	pending   [nReqKinds]uint64
	nextID    uint64

	outbox []license.Message
	logs   []LogEvent
}

// New boots an agent at now: UNREGISTERED, in EVAL MODE if cfg.Usage is not
// empty (logging EVAL_START), else with no licenses in use.
func New(now time.Time, cfg Config) (*Agent, error) {
	shared := cfg.Shared
	if shared == nil {
		var err error
		if shared, err = Prepare(cfg.Profile); err != nil {
			return nil, fmt.Errorf("new agent: %w", err)
		}
	}
	if err := cfg.UDI.Validate(); err != nil {
		return nil, fmt.Errorf("new agent: UDI: %w", err)
	}
	if err := CheckHostname(cfg.Hostname); err != nil {
		return nil, fmt.Errorf("new agent: %w", err)
	}
	usage, err := license.CheckUsage(cfg.Usage)
	if err != nil {
		return nil, fmt.Errorf("new agent: %w", err)
	}
	if now.IsZero() {
		return nil, errors.New("new agent: boot time is zero")
	}
	pcg := rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)
	a := &Agent{
		Prepared: shared,
		udi:      cfg.UDI,
		hostname: cfg.Hostname,
		pcg:      pcg,
		rng:      rand.New(pcg),
		mode:     ModeUnidentified,
		noLogs:   cfg.NoLogs,
		now:      now,
		usage:    usage,
		evalLeft: shared.prof.EvalPeriod,
		nextID:   1,
	}
	if !cfg.Dense {
		a.m = newMachine(ModeUnidentified)
	}
	a.settle(now)
	return a, nil
}

func sortedWarnings(w []time.Duration) []time.Duration {
	s := slices.Clone(w)
	slices.Sort(s)
	slices.Reverse(s)
	return slices.Compact(s)
}

// CheckHostname refuses a hostname IOS would not take: longer than 63
// characters, or with a space or control character.
func CheckHostname(h string) error {
	if len(h) > 63 {
		return fmt.Errorf("hostname %q is longer than 63 characters", h)
	}
	for _, r := range h {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("hostname %q has a space or control character", h)
		}
	}
	return nil
}

// Mode is the agent's node in the mode graph.
func (a *Agent) Mode() Mode { return a.mode }

// Now is the agent's current time: the latest time it was given.
func (a *Agent) Now() time.Time { return a.now }

// UDI is the device identifier the agent registers with.
func (a *Agent) UDI() license.UDI { return a.udi }

// Dense reports whether the agent runs the compiled table.
func (a *Agent) Dense() bool { return a.m == nil }

// Profile returns a copy of the agent's timer profile.
func (a *Agent) Profile() Profile {
	p := a.prof
	p.EvalWarnings = slices.Clone(p.EvalWarnings)
	return p
}

// NextDeadline is the earliest time at which the agent has something to do,
// or the zero time if it has nothing scheduled.
func (a *Agent) NextDeadline() time.Time {
	_, t := a.earliest()
	return t
}

func (a *Agent) earliest() (slot, time.Time) {
	best, at := slot(-1), time.Time{}
	for s, t := range a.deadlines {
		if !t.IsZero() && (at.IsZero() || t.Before(at)) {
			best, at = slot(s), t
		}
	}
	return best, at
}

// Advance processes every deadline at or before now, in time order (ties in
// slot order), each at its own time, then moves the agent's clock to now.
func (a *Agent) Advance(now time.Time) error {
	if now.Before(a.now) {
		return fmt.Errorf("advance to %s: %w (agent is at %s)", now.Format(time.RFC3339), ErrTimeWentBack, a.now.Format(time.RFC3339))
	}
	a.advance(now)
	return nil
}

func (a *Agent) advance(now time.Time) {
	for {
		s, at := a.earliest()
		if at.IsZero() || at.After(now) {
			break
		}
		a.deadlines[s] = time.Time{}
		a.now = at
		a.fireSlot(s)
		a.settle(at)
	}
	a.now = now
	a.settle(now)
}

// input applies one input at now atomically: deadlines due by now are
// processed first, then check may refuse the input, in which case the agent
// is left exactly as it was. do must not fail.
func (a *Agent) input(now time.Time, check func(*Agent) error, do func(*Agent)) error {
	if now.Before(a.now) {
		return fmt.Errorf("%w (input at %s, agent is at %s)", ErrTimeWentBack, now.Format(time.RFC3339), a.now.Format(time.RFC3339))
	}
	b := a
	if d := a.NextDeadline(); !d.IsZero() && !d.After(now) {
		b = a.clone()
		b.advance(now)
	}
	if check != nil {
		if err := check(b); err != nil {
			return err
		}
	}
	b.advance(now)
	do(b)
	b.settle(now)
	if b != a {
		*a = *b
	}
	return nil
}

// settle brings the derived state up to date at t: eval accounting and its
// deadline, and the authorization status with the time it was entered.
func (a *Agent) settle(t time.Time) {
	if a.evalRunning {
		a.evalLeft -= t.Sub(a.evalMark)
		if a.evalLeft < 0 {
			a.evalLeft = 0
		}
		a.evalMark = t
	}
	run := a.evalShouldRun()
	switch {
	case run && !a.evalRunning:
		a.evalRunning, a.evalMark = true, t
		a.logEvalStart()
	case !run && a.evalRunning:
		a.evalRunning = false
	}
	expiredInUse := !a.evalRunning && a.evalLeft == 0 && len(a.usage) > 0 && !a.authorizedish()
	switch {
	case a.evalRunning:
		a.evalRenotifyAt = time.Time{}
		next := a.evalMark.Add(a.evalLeft)
		for _, w := range a.warnings {
			if w < a.evalLeft {
				next = a.evalMark.Add(a.evalLeft - w)
				break
			}
		}
		a.deadlines[slotEval] = next
	case expiredInUse && a.prof.EvalExpiredRenotify > 0:
		if a.evalRenotifyAt.IsZero() {
			a.evalRenotifyAt = t.Add(a.prof.EvalExpiredRenotify)
		}
		a.deadlines[slotEval] = a.evalRenotifyAt
	default:
		a.evalRenotifyAt = time.Time{}
		a.deadlines[slotEval] = time.Time{}
	}
	if s := a.authString(); s != a.authStatus {
		a.authStatus, a.authSince = s, t
	}
}

func (a *Agent) evalShouldRun() bool {
	return len(a.usage) > 0 && a.evalLeft > 0 && !a.authorizedish()
}

// authorizedish: the agent has had an authorization answer since it
// registered; eval does not count in these modes.
func (a *Agent) authorizedish() bool {
	switch a.Mode() {
	case ModeAuthorized, ModeOutOfCompliance, ModeAuthorizationExpired:
		return true
	}
	return false
}

func (a *Agent) authString() string {
	switch a.Mode() {
	case ModeAuthorized:
		return AuthAuthorized
	case ModeOutOfCompliance:
		return AuthOutOfComp
	case ModeAuthorizationExpired:
		return AuthExpired
	}
	switch {
	case len(a.usage) == 0:
		return AuthNoLicenses
	case a.evalLeft == 0:
		return AuthEvalExpired
	}
	return AuthEvalMode
}

func (a *Agent) regString() string {
	switch a.Mode() {
	case ModeRegistering:
		return RegRegistering
	case ModeRegistrationFailed:
		return RegRegistrationFailed
	case ModeUnidentified:
		return RegUnregistered
	}
	return RegRegistered
}

func (a *Agent) move(ev Event) {
	if a.m == nil {
		next, err := fireDense(a.mode, ev)
		if err != nil {
			panic(err) // as below
		}
		a.mode = next
		return
	}
	if err := fire(a.m, ev); err != nil {
		// Every caller checks the mode first; reaching here is a bug in the
		// agent's own table, not bad input.
		panic(err)
	}
	a.mode = Mode(a.m.Current())
}

// fireSlot handles one due deadline at a.now.
func (a *Agent) fireSlot(s slot) {
	switch s {
	case slotIDExpire:
		a.logIDCertExpired()
		a.move(EvIDCertExpired)
		a.dropRegistration(false)
	case slotAuthExpire:
		if m := a.Mode(); m == ModeAuthorized || m == ModeOutOfCompliance {
			a.move(EvAuthExpired)
			a.logAuthExpired()
			retry := a.now.Add(a.prof.AuthExpiredRetry)
			if c := a.deadlines[slotComm]; c.IsZero() || retry.Before(c) {
				a.deadlines[slotComm] = retry
			}
		}
	case slotEval:
		wasRunning := a.evalRunning
		a.settle(a.now) // stops the countdown if it reached zero
		switch {
		case wasRunning && a.evalRunning:
			a.logEvalWarning(a.evalLeft)
		case wasRunning:
			a.logEvalExpired() // the expiry itself
		default:
			a.logEvalExpired() // hourly re-notification
			a.evalRenotifyAt = a.now.Add(a.prof.EvalExpiredRenotify)
		}
	case slotIDRenew:
		a.send(reqRenewID)
		a.deadlines[slotIDRenew] = a.now.Add(a.replyWait())
	case slotComm:
		a.sendAuthorize()
	case slotRegRetry:
		a.move(EvRetryRegistration)
		a.sendRegister()
	}
}

// jitter draws a delay in [0, j] from rng (none when j ≤ 0).
func jitter(rng *rand.Rand, j time.Duration) time.Duration {
	if j <= 0 {
		return 0
	}
	return time.Duration(rng.Int64N(int64(j) + 1))
}

func (a *Agent) replyWait() time.Duration {
	return a.prof.ReplyWait + jitter(a.rng, a.prof.ReplyWaitJitter)
}

func (a *Agent) regRetry() time.Duration {
	return a.prof.RegRetry + jitter(a.rng, a.prof.RegRetryJitter)
}

// backoff is the delay before retry number n (n ≥ 1): CommRetryFirst
// doubled n-1 times, capped by CommRetryMax and by the normal period.
func (p *Prepared) backoff(n int, normal time.Duration) time.Duration {
	d := p.prof.CommRetryFirst
	for i := 1; i < n && d < p.prof.CommRetryMax; i++ {
		d *= 2
	}
	d = min(d, p.prof.CommRetryMax)
	if normal > 0 {
		d = min(d, normal)
	}
	return d
}

// normalPeriod is a mode's normal communication schedule (0: none).
func (p *Prepared) normalPeriod(m Mode) time.Duration {
	switch m {
	case ModeAuthorized:
		return p.prof.AuthRenewAfter
	case ModeOutOfCompliance:
		return p.prof.OutOfComplianceRetry
	case ModeAuthorizationExpired:
		return p.prof.AuthExpiredRetry
	}
	return 0
}

func (a *Agent) newID() uint64 {
	id := a.nextID
	a.nextID++
	return id
}

func (a *Agent) send(k reqKind) {
	id := a.newID()
	a.pending[k] = id
	var m license.Message
	switch k {
	case reqRegister:
		m = license.Register{ID: id, UDI: a.udi, Hostname: a.hostname, Token: a.token, Force: a.force}
	case reqAuthorize:
		// The usage slice is never changed in place (SetUsage replaces it),
		// so the message may share it; receivers must not modify it.
		m = license.Authorize{ID: id, UDI: a.udi, Usage: a.usage}
	case reqRenewID:
		m = license.RenewID{ID: id, UDI: a.udi}
	case reqDeregister:
		m = license.Deregister{ID: id, UDI: a.udi}
	}
	a.outbox = append(a.outbox, m)
}

func (a *Agent) sendRegister() {
	a.send(reqRegister)
	a.deadlines[slotRegRetry] = a.now.Add(a.replyWait())
}

// sendAuthorize sends an authorization request now: the last communication
// attempt shows PENDING until the answer, and is sent again if none comes.
func (a *Agent) sendAuthorize() {
	a.send(reqAuthorize)
	a.lastComm = Attempt{Result: ResultPending, At: a.now, Reason: license.ReasonWaitingForReply}
	a.deadlines[slotComm] = a.now.Add(a.replyWait())
}

// dropRegistration forgets the ID certificate and everything that came with
// it. keepAccount keeps the smart and virtual account names on show (the
// satellite's invalid-data de-registration, seed scenario 6).
func (a *Agent) dropRegistration(keepAccount bool) {
	if !keepAccount {
		a.sa, a.va = "", ""
	}
	a.export = false
	a.certStart, a.certSerial = time.Time{}, ""
	a.initialReg, a.lastRenewal, a.lastComm = Attempt{}, Attempt{}, Attempt{}
	a.renewFailures, a.commFailures = 0, 0
	a.answered = nil
	a.token, a.force = "", false
	for _, s := range []slot{slotIDExpire, slotAuthExpire, slotIDRenew, slotComm, slotRegRetry} {
		a.deadlines[s] = time.Time{}
	}
	a.pending[reqRegister], a.pending[reqAuthorize], a.pending[reqRenewID] = 0, 0, 0
}

// TakeMessages returns the requests the agent wants sent, oldest first, and
// forgets them.
func (a *Agent) TakeMessages() []license.Message {
	m := a.outbox
	a.outbox = nil
	return m
}

// TakeLogs returns the log events since the last call, oldest first, and
// forgets them.
func (a *Agent) TakeLogs() []LogEvent {
	l := a.logs
	a.logs = nil
	return l
}

// Status reports every field of `show license` as of the agent's current time.
func (a *Agent) Status() Status {
	s := Status{
		Now:                 a.now,
		UDI:                 a.udi,
		Hostname:            a.hostname,
		Mode:                a.Mode(),
		Registration:        a.regString(),
		SmartAccount:        a.sa,
		VirtualAccount:      a.va,
		ExportControlled:    a.export,
		InitialRegistration: a.initialReg,
		LastRenewal:         a.lastRenewal,
		CertStart:           a.certStart,
		Authorization:       a.authStatus,
		AuthorizationSince:  a.authSince,
		LastCommunication:   a.lastComm,
		EvalRemaining:       a.evalLeft,
		EvalRunning:         a.evalRunning,
	}
	if a.initialReg.Result == ResultFailed {
		s.NextRegistrationAttempt = a.deadlines[slotRegRetry]
	}
	if a.Mode().HasIDCert() {
		s.NextRenewalAttempt = a.deadlines[slotIDRenew]
		s.RegistrationExpires = a.deadlines[slotIDExpire]
		s.NextCommunicationAttempt = a.deadlines[slotComm]
		s.CommunicationDeadline = a.deadlines[slotAuthExpire]
	}
	s.Entitlements = make([]EntitlementStatus, 0, len(a.usage))
	for _, u := range a.usage {
		e := EntitlementStatus{Tag: u.Tag, Count: u.Count}
		i, found := slices.BinarySearchFunc(a.answered, u.Tag, func(x license.Entitlement, tag string) int { return strings.Compare(x.Tag, tag) })
		switch {
		case a.authorizedish() && found:
			ans := a.answered[i]
			e.Name, e.Description = ans.Name, ans.Description
			switch {
			case a.Mode() == ModeAuthorizationExpired:
				e.Status = AuthExpired
			case ans.InCompliance:
				e.Status = AuthAuthorized
			default:
				e.Status = AuthOutOfComp
			}
		case a.Mode().HasIDCert():
			e.Status = AuthWaiting
		case a.evalLeft == 0:
			e.Status = AuthEvalExpired
		default:
			e.Status = AuthEvalMode
		}
		s.Entitlements = append(s.Entitlements, e)
	}
	return s
}

// States returns the two status lines of `show license` — registration
// and authorization — without building a whole Status.
func (a *Agent) States() (registration, authorization string) {
	return a.regString(), a.authStatus
}
