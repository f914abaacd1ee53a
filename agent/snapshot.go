package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/slsim/slsim/license"
)

// snapshotVersion is the format version of Snapshot's JSON.
const snapshotVersion = 1

// snapshot is the JSON form of an agent: the trusted store (registration,
// certificate, authorization, eval time left) plus the schedule, the
// jitter source and any outputs not yet taken, so that a restored agent
// continues exactly as the original would have.
type snapshot struct {
	Version  int         `json:"version"`
	Now      time.Time   `json:"now"`
	UDI      license.UDI `json:"udi"`
	Hostname string      `json:"hostname"`
	Profile  Profile     `json:"profile"`
	RNG      []byte      `json:"rng"`
	Mode     Mode        `json:"mode"`
	Dense    bool        `json:"dense,omitempty"`
	NoLogs   bool        `json:"noLogs,omitempty"`

	Usage    []license.Usage       `json:"usage"`
	Answered []license.Entitlement `json:"answered"`

	EvalLeft       time.Duration `json:"evalLeft"`
	EvalMark       time.Time     `json:"evalMark"`
	EvalRunning    bool          `json:"evalRunning"`
	EvalRenotifyAt time.Time     `json:"evalRenotifyAt"`

	Token            string    `json:"token,omitempty"`
	Force            bool      `json:"force,omitempty"`
	InitialReg       Attempt   `json:"initialRegistration"`
	SmartAccount     string    `json:"smartAccount,omitempty"`
	VirtualAccount   string    `json:"virtualAccount,omitempty"`
	ExportControlled bool      `json:"exportControlled,omitempty"`
	CertStart        time.Time `json:"certStart"`
	CertSerial       string    `json:"certSerial,omitempty"`
	LastRenewal      Attempt   `json:"lastRenewal"`
	RenewFailures    int       `json:"renewFailures"`
	LastComm         Attempt   `json:"lastCommunication"`
	CommFailures     int       `json:"commFailures"`
	AuthStatus       string    `json:"authStatus"`
	AuthSince        time.Time `json:"authSince"`

	Deadlines deadlinesJSON `json:"deadlines"`
	Pending   pendingJSON   `json:"pending"`
	NextID    uint64        `json:"nextId"`

	Outbox []wireMessage `json:"outbox,omitempty"`
	Logs   []LogEvent    `json:"logs,omitempty"`
}

type deadlinesJSON struct {
	RegistrationExpires   time.Time `json:"registrationExpires"`
	CommunicationDeadline time.Time `json:"communicationDeadline"`
	Eval                  time.Time `json:"eval"`
	NextRenewal           time.Time `json:"nextRenewal"`
	NextCommunication     time.Time `json:"nextCommunication"`
	NextRegistration      time.Time `json:"nextRegistration"`
}

type pendingJSON struct {
	Register   uint64 `json:"register,omitempty"`
	Authorize  uint64 `json:"authorize,omitempty"`
	RenewID    uint64 `json:"renewId,omitempty"`
	Deregister uint64 `json:"deregister,omitempty"`
}

// wireMessage is a tagged union of the request types.
type wireMessage struct {
	Register   *license.Register   `json:"register,omitempty"`
	Authorize  *license.Authorize  `json:"authorize,omitempty"`
	RenewID    *license.RenewID    `json:"renewId,omitempty"`
	Deregister *license.Deregister `json:"deregister,omitempty"`
}

func (w wireMessage) message() (license.Message, error) {
	var out []license.Message
	if w.Register != nil {
		out = append(out, *w.Register)
	}
	if w.Authorize != nil {
		out = append(out, *w.Authorize)
	}
	if w.RenewID != nil {
		out = append(out, *w.RenewID)
	}
	if w.Deregister != nil {
		out = append(out, *w.Deregister)
	}
	if len(out) != 1 {
		return nil, fmt.Errorf("outbox entry holds %d messages, want 1", len(out))
	}
	return out[0], nil
}

// Snapshot serialises the agent's whole state as JSON. Restore(Snapshot())
// gives an agent that behaves exactly like this one from now on, and
// snapshots of the two are byte-identical.
func (a *Agent) Snapshot() ([]byte, error) {
	rng, err := a.pcg.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	s := snapshot{
		Version: snapshotVersion, Now: a.now, UDI: a.udi, Hostname: a.hostname,
		Profile: a.prof, RNG: rng, Mode: a.Mode(), Dense: a.m == nil, NoLogs: a.noLogs,
		Usage: a.usage, Answered: a.answered,
		EvalLeft: a.evalLeft, EvalMark: a.evalMark, EvalRunning: a.evalRunning, EvalRenotifyAt: a.evalRenotifyAt,
		Token: a.token, Force: a.force, InitialReg: a.initialReg,
		SmartAccount: a.sa, VirtualAccount: a.va, ExportControlled: a.export,
		CertStart: a.certStart, CertSerial: a.certSerial,
		LastRenewal: a.lastRenewal, RenewFailures: a.renewFailures,
		LastComm: a.lastComm, CommFailures: a.commFailures,
		AuthStatus: a.authStatus, AuthSince: a.authSince,
		Deadlines: deadlinesJSON{
			RegistrationExpires: a.deadlines[slotIDExpire], CommunicationDeadline: a.deadlines[slotAuthExpire],
			Eval: a.deadlines[slotEval], NextRenewal: a.deadlines[slotIDRenew],
			NextCommunication: a.deadlines[slotComm], NextRegistration: a.deadlines[slotRegRetry],
		},
		Pending: pendingJSON{
			Register: a.pending[reqRegister], Authorize: a.pending[reqAuthorize],
			RenewID: a.pending[reqRenewID], Deregister: a.pending[reqDeregister],
		},
		NextID: a.nextID,
		Logs:   a.logs,
	}
	for _, m := range a.outbox {
		var w wireMessage
		switch x := m.(type) {
		case license.Register:
			w.Register = &x
		case license.Authorize:
			w.Authorize = &x
		case license.RenewID:
			w.RenewID = &x
		case license.Deregister:
			w.Deregister = &x
		}
		s.Outbox = append(s.Outbox, w)
	}
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	return out, nil
}

// Restore rebuilds an agent from Snapshot's JSON. Data that could not have
// come from an agent (unknown mode, bad UDI, incoherent profile, eval time
// outside the period, request IDs from the future) is refused.
func Restore(data []byte) (*Agent, error) {
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("restore agent: %w", err)
	}
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("restore agent: %w", err)
	}
	pcg := &rand.PCG{}
	if err := pcg.UnmarshalBinary(s.RNG); err != nil {
		return nil, fmt.Errorf("restore agent: rng: %w", err)
	}
	shared, err := Prepare(&s.Profile)
	if err != nil {
		return nil, fmt.Errorf("restore agent: %w", err)
	}
	a := &Agent{
		Prepared: shared,
		udi:      s.UDI, hostname: s.Hostname, pcg: pcg, rng: rand.New(pcg),
		mode: s.Mode, noLogs: s.NoLogs, now: s.Now,
		usage: s.Usage, answered: s.Answered,
		evalLeft: s.EvalLeft, evalMark: s.EvalMark, evalRunning: s.EvalRunning, evalRenotifyAt: s.EvalRenotifyAt,
		token: s.Token, force: s.Force, initialReg: s.InitialReg,
		sa: s.SmartAccount, va: s.VirtualAccount, export: s.ExportControlled,
		certStart: s.CertStart, certSerial: s.CertSerial,
		lastRenewal: s.LastRenewal, renewFailures: s.RenewFailures,
		lastComm: s.LastComm, commFailures: s.CommFailures,
		authStatus: s.AuthStatus, authSince: s.AuthSince,
		nextID: s.NextID, logs: s.Logs,
	}
	if !s.Dense {
		a.m = newMachine(s.Mode)
	}
	a.deadlines = [nSlots]time.Time{
		slotIDExpire: s.Deadlines.RegistrationExpires, slotAuthExpire: s.Deadlines.CommunicationDeadline,
		slotEval: s.Deadlines.Eval, slotIDRenew: s.Deadlines.NextRenewal,
		slotComm: s.Deadlines.NextCommunication, slotRegRetry: s.Deadlines.NextRegistration,
	}
	a.pending = [nReqKinds]uint64{
		reqRegister: s.Pending.Register, reqAuthorize: s.Pending.Authorize,
		reqRenewID: s.Pending.RenewID, reqDeregister: s.Pending.Deregister,
	}
	for i, w := range s.Outbox {
		m, err := w.message()
		if err != nil {
			return nil, fmt.Errorf("restore agent: outbox[%d]: %w", i, err)
		}
		a.outbox = append(a.outbox, m)
	}
	return a, nil
}

func (s *snapshot) check() error {
	if s.Version != snapshotVersion {
		return fmt.Errorf("snapshot version %d, want %d", s.Version, snapshotVersion)
	}
	if s.Now.IsZero() {
		return errors.New("time is zero")
	}
	if err := s.Profile.Validate(); err != nil {
		return err
	}
	if err := s.UDI.Validate(); err != nil {
		return fmt.Errorf("UDI: %w", err)
	}
	if err := CheckHostname(s.Hostname); err != nil {
		return err
	}
	if !slices.Contains(Modes, s.Mode) {
		return fmt.Errorf("unknown mode %q", s.Mode)
	}
	if _, err := license.CheckUsage(s.Usage); err != nil {
		return err
	}
	if s.EvalLeft < 0 || s.EvalLeft > s.Profile.EvalPeriod {
		return fmt.Errorf("eval time left %v is outside 0..%v", s.EvalLeft, s.Profile.EvalPeriod)
	}
	if s.NextID < 1 {
		return errors.New("next request ID must be at least 1")
	}
	for _, p := range []uint64{s.Pending.Register, s.Pending.Authorize, s.Pending.RenewID, s.Pending.Deregister} {
		if p >= s.NextID {
			return fmt.Errorf("pending request %d was never issued (next ID %d)", p, s.NextID)
		}
	}
	d := s.Deadlines
	for _, t := range []time.Time{d.RegistrationExpires, d.CommunicationDeadline, d.Eval, d.NextRenewal, d.NextCommunication, d.NextRegistration} {
		if !t.IsZero() && t.Before(s.Now) {
			return fmt.Errorf("deadline %s is before the agent's time %s", t.Format(time.RFC3339), s.Now.Format(time.RFC3339))
		}
	}
	if s.EvalMark.After(s.Now) {
		return errors.New("eval mark is after the agent's time")
	}
	if s.Mode.HasIDCert() && s.CertStart.IsZero() {
		return fmt.Errorf("mode %s without a certificate start", s.Mode)
	}
	return nil
}
