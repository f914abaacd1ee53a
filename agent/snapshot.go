package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/slsim/slsim/internal/agentcore"
	"github.com/slsim/slsim/license"
)

// snapshotVersion is the format version Snapshot writes. Version 1 (the
// release before) also loads: it has no authorizationTime, which is then
// the communication deadline less the profile's AuthValidity, and its
// dense and noLogs settings, which no agent has any more, are ignored.
const snapshotVersion = 2

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

	Usage    []license.Usage       `json:"usage"`
	Answered []license.Entitlement `json:"answered"`

	EvalLeft       time.Duration `json:"evalLeft"`
	EvalMark       time.Time     `json:"evalMark"`
	EvalRunning    bool          `json:"evalRunning"`
	EvalRenotifyAt time.Time     `json:"evalRenotifyAt"`

	Token             string    `json:"token,omitempty"`
	Force             bool      `json:"force,omitempty"`
	InitialReg        Attempt   `json:"initialRegistration"`
	SmartAccount      string    `json:"smartAccount,omitempty"`
	VirtualAccount    string    `json:"virtualAccount,omitempty"`
	ExportControlled  bool      `json:"exportControlled,omitempty"`
	CertStart         time.Time `json:"certStart"`
	CertSerial        string    `json:"certSerial,omitempty"`
	LastRenewal       Attempt   `json:"lastRenewal"`
	RenewFailures     int       `json:"renewFailures"`
	LastComm          Attempt   `json:"lastCommunication"`
	CommFailures      int       `json:"commFailures"`
	AuthStatus        string    `json:"authStatus"`
	AuthSince         time.Time `json:"authSince"`
	AuthorizationTime time.Time `json:"authorizationTime"` // version 2

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
	c := a.c.State()
	rng, err := c.PCG.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	t := agentcore.Time
	s := snapshot{
		Version: snapshotVersion, Now: t(c.Now), UDI: a.udi, Hostname: a.hostname,
		Profile: a.Profile(), RNG: rng, Mode: modes[c.Mode],
		Usage: c.Usage, Answered: a.answered,
		EvalLeft: c.EvalLeft, EvalMark: t(c.EvalMark), EvalRunning: c.EvalRunning, EvalRenotifyAt: t(c.Renotify),
		Token: c.Token, Force: c.Force, InitialReg: a.initialReg,
		SmartAccount: a.sa, VirtualAccount: a.va, ExportControlled: a.export,
		CertStart: a.certStart, CertSerial: a.certSerial,
		LastRenewal: a.lastRenewal, RenewFailures: int(c.IDFailures),
		LastComm: a.lastComm, CommFailures: int(c.CommFailures),
		AuthStatus: a.authStatus, AuthSince: a.authSince, AuthorizationTime: a.backendAuth,
		Deadlines: deadlinesJSON{
			RegistrationExpires: t(c.Deadlines[agentcore.SlotIDExpire]), CommunicationDeadline: t(c.Deadlines[agentcore.SlotAuthExpire]),
			Eval: t(c.Deadlines[agentcore.SlotEval]), NextRenewal: t(c.Deadlines[agentcore.SlotIDRenew]),
			NextCommunication: t(c.Deadlines[agentcore.SlotComm]), NextRegistration: t(c.Deadlines[agentcore.SlotRegRetry]),
		},
		Pending: pendingJSON{
			Register: c.Pending[agentcore.ReqRegister], Authorize: c.Pending[agentcore.ReqAuthorize],
			RenewID: c.Pending[agentcore.ReqRenewID], Deregister: c.Pending[agentcore.ReqDeregister],
		},
		NextID: c.NextID,
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

// Restore rebuilds an agent from Snapshot's JSON, of this version or the
// one before. Data that could not have come from an agent (unknown mode,
// bad UDI, incoherent profile, eval time outside the period, request IDs
// from the future) is refused.
func Restore(data []byte) (*Agent, error) {
	a, err := restore(data)
	if err != nil {
		return nil, fmt.Errorf("restore agent: %w", err)
	}
	return a, nil
}

func restore(data []byte) (*Agent, error) {
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	if s.Version != snapshotVersion && s.Version != 1 {
		return nil, fmt.Errorf("snapshot version %d, want 1 or %d", s.Version, snapshotVersion)
	}
	if s.Now.IsZero() {
		return nil, errors.New("time is zero")
	}
	if err := s.UDI.Validate(); err != nil {
		return nil, fmt.Errorf("UDI: %w", err)
	}
	if err := CheckHostname(s.Hostname); err != nil {
		return nil, err
	}
	mode, ok := coreMode(s.Mode)
	if !ok {
		return nil, fmt.Errorf("unknown mode %q", s.Mode)
	}
	if mode.HasIDCert() && s.CertStart.IsZero() {
		return nil, fmt.Errorf("mode %s without a certificate start", s.Mode)
	}
	prep, err := agentcore.Prepare(agentcore.Profile(s.Profile))
	if err != nil {
		return nil, err
	}
	var pcg rand.PCG
	if err := pcg.UnmarshalBinary(s.RNG); err != nil {
		return nil, fmt.Errorf("rng: %w", err)
	}
	if s.CommFailures < 0 || s.CommFailures > math.MaxInt32 || s.RenewFailures < 0 || s.RenewFailures > math.MaxInt32 {
		return nil, errors.New("failure counts are outside 0..2^31-1")
	}
	st := agentcore.State{
		Mode: mode, EvalRunning: s.EvalRunning, EvalLeft: s.EvalLeft,
		CommFailures: int32(s.CommFailures), IDFailures: int32(s.RenewFailures),
		NextID: s.NextID, Usage: s.Usage, PCG: pcg, Token: s.Token, Force: s.Force,
		Pending: [agentcore.NReqKinds]uint64{
			agentcore.ReqRegister: s.Pending.Register, agentcore.ReqAuthorize: s.Pending.Authorize,
			agentcore.ReqRenewID: s.Pending.RenewID, agentcore.ReqDeregister: s.Pending.Deregister,
		},
	}
	d := s.Deadlines
	for _, f := range []struct {
		to *int64
		t  time.Time
	}{
		{&st.Now, s.Now}, {&st.EvalMark, s.EvalMark}, {&st.Renotify, s.EvalRenotifyAt},
		{&st.Deadlines[agentcore.SlotIDExpire], d.RegistrationExpires}, {&st.Deadlines[agentcore.SlotAuthExpire], d.CommunicationDeadline},
		{&st.Deadlines[agentcore.SlotEval], d.Eval}, {&st.Deadlines[agentcore.SlotIDRenew], d.NextRenewal},
		{&st.Deadlines[agentcore.SlotComm], d.NextCommunication}, {&st.Deadlines[agentcore.SlotRegRetry], d.NextRegistration},
	} {
		if f.t.IsZero() {
			continue
		}
		if *f.to, err = agentcore.Instant(f.t); err != nil {
			return nil, err
		}
	}
	c, err := agentcore.Restore(prep, st)
	if err != nil {
		return nil, err
	}
	if n := len(s.Logs); n > MaxPendingLogs+MaxPendingLogs/4 {
		return nil, fmt.Errorf("snapshot holds %d pending log events, more than an agent keeps (%d)", n, MaxPendingLogs+MaxPendingLogs/4)
	}
	a := &Agent{
		c: c, udi: s.UDI, hostname: s.Hostname, fx: agentcore.Effects{Record: true},
		answered:   s.Answered,
		initialReg: s.InitialReg, sa: s.SmartAccount, va: s.VirtualAccount, export: s.ExportControlled,
		certStart: s.CertStart, certSerial: s.CertSerial, lastRenewal: s.LastRenewal,
		lastComm: s.LastComm, authStatus: s.AuthStatus, authSince: s.AuthSince,
		backendAuth: s.AuthorizationTime, logs: s.Logs,
	}
	if s.Version == 1 && !d.CommunicationDeadline.IsZero() {
		a.backendAuth = d.CommunicationDeadline.Add(-s.Profile.AuthValidity)
	}
	for i, w := range s.Outbox {
		m, err := w.message()
		if err != nil {
			return nil, fmt.Errorf("outbox[%d]: %w", i, err)
		}
		a.outbox = append(a.outbox, m)
	}
	return a, nil
}
