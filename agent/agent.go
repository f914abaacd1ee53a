// Package agent is the device-side Smart Agent of classic Cisco Smart
// Licensing (IOS-XE 16.9 – 17.3.1): evaluation, registration, authorization
// and their timers, as a pure state machine on virtual time.
//
// Time is an input. Every method takes the current time; the agent keeps
// absolute deadlines and reports the earliest with NextDeadline. Advance(now)
// processes everything due at or before now, each at its own time. The agent
// reads no clock, starts no goroutine and arms no timer. It keeps instants
// to the nanosecond as int64 (1678–2262) less its profile's longest period
// at either end (a year by default: 1679–2261), and refuses others.
//
// Inputs are commands (Register, Deregister, RenewAuth, RenewID), usage
// changes, reloads and answers from the back end (license.Answer). Outputs
// are requests to send (TakeMessages) and log events (TakeLogs). Status
// holds every field of `show license status`.
//
// The rules themselves — deadlines, retries, failure classes, expiry,
// evaluation use-time — are written once, in the module's internal core,
// which fleets of agents also run. An Agent is the observer around that
// core: it keeps the logs, the attempts, the accounts and certificate on
// show, and a looplab/fsm machine that checks every move against the mode
// graph's one table.
package agent

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/internal/agentcore"
	"github.com/slsim/slsim/license"
)

// Errors returned for refused inputs. A refused input changes nothing.
var (
	ErrTimeWentBack      = agentcore.ErrTimeWentBack
	ErrNotRegistered     = agentcore.ErrNotRegistered
	ErrAlreadyRegistered = agentcore.ErrAlreadyRegistered
	ErrBadToken          = agentcore.ErrBadToken
	ErrUnexpectedAnswer  = agentcore.ErrUnexpectedAnswer
	ErrBadAnswer         = agentcore.ErrBadAnswer
	// ErrBadTime refuses an instant the agent cannot keep (see the package
	// documentation).
	ErrBadTime = agentcore.ErrBadTime
)

// Config is what a device gives its agent at first boot.
type Config struct {
	UDI      license.UDI     // the active switch's UDI
	Hostname string          // sent with the registration; CSSM names the instance by it
	Profile  *Profile        // nil means DefaultProfile()
	Seed     uint64          // seeds the retry jitter
	Usage    []license.Usage // entitlements in use at boot
}

// Agent is one device's Smart Agent. It is not safe for concurrent use.
type Agent struct {
	c        agentcore.Agent // the rules
	udi      license.UDI
	hostname string
	fx       agentcore.Effects // what the core's last input produced
	answer   license.Answer    // the answer being handled, for its details
	at       time.Time         // the instant of the note being observed

	answered []license.Entitlement // last authorization answer, sorted by tag

	// Registration.
	initialReg  Attempt
	sa, va      string
	export      bool
	certStart   time.Time
	certSerial  string
	lastRenewal Attempt

	// Authorization.
	lastComm    Attempt
	authStatus  string
	authSince   time.Time
	backendAuth time.Time // the back end's time of the last authorization

	outbox []license.Message
	logs   []LogEvent

	onMove func(from Mode, ev Event, to Mode) // tests watch the moves (export_test.go)
}

// New boots an agent at now: UNREGISTERED, in EVAL MODE if cfg.Usage is not
// empty (logging EVAL_START), else with no licenses in use.
func New(now time.Time, cfg Config) (*Agent, error) {
	p := DefaultProfile()
	if cfg.Profile != nil {
		p = *cfg.Profile
	}
	prep, err := agentcore.Prepare(agentcore.Profile(p))
	if err != nil {
		return nil, fmt.Errorf("new agent: %w", err)
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
	ns, err := agentcore.Instant(now)
	if err != nil {
		return nil, fmt.Errorf("new agent: %w", err)
	}
	a := &Agent{udi: cfg.UDI, hostname: cfg.Hostname, fx: agentcore.Effects{Record: true}}
	c, err := agentcore.New(ns, prep, cfg.Seed, usage, &a.fx)
	if err != nil {
		return nil, fmt.Errorf("new agent: %w", err)
	}
	a.c = c
	a.observe()
	return a, nil
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
func (a *Agent) Mode() Mode { return modes[a.c.Mode()] }

// Now is the agent's current time: the latest time it was given (in UTC).
func (a *Agent) Now() time.Time { return agentcore.Time(a.c.Now()) }

// UDI is the device identifier the agent registers with.
func (a *Agent) UDI() license.UDI { return a.udi }

// Profile returns a copy of the agent's timer profile.
func (a *Agent) Profile() Profile {
	p := Profile(a.c.Profile().Profile)
	p.EvalWarnings = slices.Clone(p.EvalWarnings)
	return p
}

// NextDeadline is the earliest time at which the agent has something to do,
// or the zero time if it has nothing scheduled.
func (a *Agent) NextDeadline() time.Time { return agentcore.Time(a.c.NextDeadline()) }

// instant converts an input's time, refusing one the agent cannot keep.
func instant(what string, t time.Time) (int64, error) {
	ns, err := agentcore.Instant(t)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return ns, nil
}

// Advance processes every deadline at or before now, in time order (ties in
// slot order), each at its own time, then moves the agent's clock to now.
func (a *Agent) Advance(now time.Time) error {
	ns, err := instant("advance", now)
	if err != nil {
		return err
	}
	return a.done(a.c.Advance(ns, &a.fx))
}

// done finishes one input of the core: on success the agent observes what
// happened; on refusal nothing happened.
func (a *Agent) done(err error) error {
	if err != nil {
		a.fx.Requests, a.fx.Notes = a.fx.Requests[:0], a.fx.Notes[:0]
		return err
	}
	a.observe()
	return nil
}

// observe applies the core's notes, in order: the looplab machine's
// moves, the logs, the attempts and what the registration shows, the
// messages to send.
func (a *Agent) observe() {
	for _, n := range a.fx.Notes {
		a.at = agentcore.Time(n.At)
		a.note(n)
	}
	a.fx.Requests, a.fx.Notes = a.fx.Requests[:0], a.fx.Notes[:0]
	a.answer = nil
}

func (a *Agent) note(n agentcore.Note) {
	switch n.Kind {
	case agentcore.NoteMove:
		if a.onMove != nil {
			a.onMove(modes[n.From], events[n.Ev], modes[n.To])
		}
	case agentcore.NoteSettled:
		if s := authStrings[n.Auth]; s != a.authStatus {
			a.authStatus, a.authSince = s, a.at
		}
	case agentcore.NoteEvalStart:
		a.logEvalStart()
	case agentcore.NoteEvalWarning:
		a.logEvalWarning(n.Left)
	case agentcore.NoteEvalExpired:
		a.logEvalExpired()
	case agentcore.NoteIDCertExpired:
		a.logIDCertExpired()
	case agentcore.NoteAuthExpired:
		a.logAuthExpired()
	case agentcore.NoteSent:
		a.sent(n)
	case agentcore.NoteRegistered:
		x := a.answer.(license.RegisterReply)
		a.sa, a.va, a.export = x.SmartAccount, x.VirtualAccount, x.ExportControlled
		a.certStart, a.certSerial = x.CertStart, x.CertSerial
		a.initialReg = Attempt{Result: ResultSucceeded, At: a.at}
		a.lastRenewal, a.lastComm = Attempt{}, Attempt{}
		a.answered, a.backendAuth = nil, time.Time{}
		a.logExportControlled(x.ExportControlled)
		a.logRegSuccess()
	case agentcore.NoteAuthorized:
		x := a.answer.(license.AuthorizeReply)
		a.answered = append(a.answered[:0], x.Entitlements...)
		slices.SortFunc(a.answered, func(p, q license.Entitlement) int { return strings.Compare(p.Tag, q.Tag) })
		if n.Restored {
			a.logCommRestored()
		}
		a.lastComm = Attempt{Result: ResultSucceeded, At: a.at}
		a.backendAuth = x.Time
		switch {
		case n.To == agentcore.Authorized:
			if n.From != agentcore.Authorized {
				a.logInCompliance()
			}
			a.logAuthRenewSuccess()
		case n.From != agentcore.OutOfCompliance:
			a.logOutOfCompliance()
		}
	case agentcore.NoteIDRenewed:
		x := a.answer.(license.RenewIDReply)
		a.certStart = x.CertStart
		if x.CertSerial != "" {
			a.certSerial = x.CertSerial
		}
		a.lastRenewal = Attempt{Result: ResultSucceeded, At: a.at}
		a.logIDRenewOK()
	case agentcore.NoteFailed:
		a.failed(n.Req, a.answer.(license.Failure))
	case agentcore.NoteInvalidData:
		a.logInvalidData(a.answer.(license.Failure).Reason)
	case agentcore.NoteDropped:
		if !n.KeepAccount {
			a.sa, a.va = "", ""
		}
		a.export = false
		a.certStart, a.certSerial = time.Time{}, ""
		a.initialReg, a.lastRenewal, a.lastComm = Attempt{}, Attempt{}, Attempt{}
		a.answered, a.backendAuth = nil, time.Time{}
	case agentcore.NoteReload:
		a.outbox = nil
	}
}

// sent turns a request the core sent into its message. The last
// communication attempt shows PENDING until an authorization's answer.
func (a *Agent) sent(n agentcore.Note) {
	var m license.Message
	switch n.Req {
	case agentcore.ReqRegister:
		m = license.Register{ID: n.ID, UDI: a.udi, Hostname: a.hostname, Token: n.Token, Force: n.Force}
	case agentcore.ReqAuthorize:
		// The usage slice is never changed in place (SetUsage replaces it),
		// so the message may share it; receivers must not modify it.
		m = license.Authorize{ID: n.ID, UDI: a.udi, Usage: n.Usage}
		a.lastComm = Attempt{Result: ResultPending, At: a.at, Reason: license.ReasonWaitingForReply}
	case agentcore.ReqRenewID:
		m = license.RenewID{ID: n.ID, UDI: a.udi}
	case agentcore.ReqDeregister:
		m = license.Deregister{ID: n.ID, UDI: a.udi}
	}
	a.outbox = append(a.outbox, m)
}

// failed logs a failed request and records the attempt.
func (a *Agent) failed(k agentcore.ReqKind, f license.Failure) {
	if k == agentcore.ReqAuthorize || k == agentcore.ReqRenewID || k == agentcore.ReqDeregister {
		if f.Class.FromTransport() {
			a.logCommFailed(f.Reason)
		}
	}
	switch k {
	case agentcore.ReqRegister:
		a.logRegFailed(f.Reason)
		if f.Class.FromTransport() {
			a.logCommFailed(f.Reason)
		}
		a.initialReg = Attempt{Result: ResultFailed, At: a.at, Reason: f.Reason}
	case agentcore.ReqAuthorize:
		a.logAuthRenewFailed(f)
		a.lastComm = Attempt{Result: ResultFailed, At: a.at, Reason: f.Reason}
	case agentcore.ReqRenewID:
		a.logIDRenewFailed(f.Reason)
		a.lastRenewal = Attempt{Result: ResultFailed, At: a.at, Reason: f.Reason}
	}
}

// TakeMessages returns the requests the agent wants sent, oldest first, and
// forgets them.
func (a *Agent) TakeMessages() []license.Message {
	m := a.outbox
	a.outbox = nil
	return m
}

// TakeLogs returns the log events since the last call, oldest first, and
// forgets them. Between calls the agent keeps at most MaxPendingLogs (and
// a quarter more while it drops the oldest in a batch).
func (a *Agent) TakeLogs() []LogEvent {
	l := a.logs
	a.logs = nil
	return l
}

var (
	regStrings  = [agentcore.NRegStates]string{RegUnregistered, RegRegistering, RegRegistrationFailed, RegRegistered}
	authStrings = [agentcore.NAuthStates]string{AuthNoLicenses, AuthEvalMode, AuthEvalExpired, AuthAuthorized, AuthOutOfComp, AuthExpired}
)

// RegistrationStates lists the registration status lines of `show
// license` in the order fleet reports count them (a new slice each call).
func RegistrationStates() []string { return append([]string(nil), regStrings[:]...) }

// AuthorizationStates lists the authorization status lines likewise.
func AuthorizationStates() []string { return append([]string(nil), authStrings[:]...) }

// Status reports every field of `show license` as of the agent's current time.
func (a *Agent) Status() Status {
	mode := a.c.Mode()
	left, running := a.c.Eval()
	s := Status{
		Now:                 a.Now(),
		UDI:                 a.udi,
		Hostname:            a.hostname,
		Mode:                modes[mode],
		Registration:        regStrings[mode.RegState()],
		SmartAccount:        a.sa,
		VirtualAccount:      a.va,
		ExportControlled:    a.export,
		InitialRegistration: a.initialReg,
		LastRenewal:         a.lastRenewal,
		CertStart:           a.certStart,
		Authorization:       a.authStatus,
		AuthorizationSince:  a.authSince,
		LastCommunication:   a.lastComm,
		AuthorizationTime:   a.backendAuth,
		EvalRemaining:       left,
		EvalRunning:         running,
	}
	if a.initialReg.Result == ResultFailed {
		s.NextRegistrationAttempt = agentcore.Time(a.c.Deadline(agentcore.SlotRegRetry))
	}
	if mode.HasIDCert() {
		s.NextRenewalAttempt = agentcore.Time(a.c.Deadline(agentcore.SlotIDRenew))
		s.RegistrationExpires = agentcore.Time(a.c.Deadline(agentcore.SlotIDExpire))
		s.NextCommunicationAttempt = agentcore.Time(a.c.Deadline(agentcore.SlotComm))
		s.CommunicationDeadline = agentcore.Time(a.c.Deadline(agentcore.SlotAuthExpire))
	}
	usage := a.c.Usage()
	s.Entitlements = make([]EntitlementStatus, 0, len(usage))
	for _, u := range usage {
		e := EntitlementStatus{Tag: u.Tag, Count: u.Count}
		i, found := slices.BinarySearchFunc(a.answered, u.Tag, func(x license.Entitlement, tag string) int { return strings.Compare(x.Tag, tag) })
		switch {
		case mode.Answered() && found:
			ans := a.answered[i]
			e.Name, e.Description = ans.Name, ans.Description
			switch {
			case mode == agentcore.AuthorizationExpired:
				e.Status = AuthExpired
			case ans.InCompliance:
				e.Status = AuthAuthorized
			default:
				e.Status = AuthOutOfComp
			}
		case mode.HasIDCert():
			e.Status = AuthWaiting
		case left == 0:
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
	return regStrings[a.c.Mode().RegState()], a.authStatus
}
