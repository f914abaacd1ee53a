// Package agentcore is the Smart Agent's rules, written once: the mode graph,
// the deadlines and what fires when, the answers and failure classes, the
// retry back-off, registration and ID-certificate expiry and evaluation
// use-time. It keeps them on the compact representation fleets need:
// instants as Unix nanoseconds, six fixed deadline slots, a seeded PCG by
// value, requests and answers by value.
//
// Package agent wraps a core Agent as the observer that keeps what `show
// license` prints (logs, attempts, accounts, the looplab/fsm machine that
// checks every move); package fleet runs core Agents by the hundred
// thousand. Both get the same rules because there is only one copy.
package agentcore

import "fmt"

// Mode is a node of the mode graph, as a small index. Package agent names
// them (agent.Modes, in this order).
type Mode uint8

// The modes, in graph order. The order matters: every mode from Registered
// on holds an ID certificate, every mode from Authorized on has had an
// authorization answer.
const (
	Unidentified Mode = iota
	Registering
	RegistrationFailed
	Registered
	Authorized
	OutOfCompliance
	AuthorizationExpired
	NModes
)

// HasIDCert reports whether the agent holds an ID certificate in mode m.
func (m Mode) HasIDCert() bool { return m >= Registered && m < NModes }

// Answered reports whether the agent has had an authorization answer since
// it registered (evaluation does not count in these modes).
func (m Mode) Answered() bool { return m >= Authorized && m < NModes }

// Event is an edge label of the mode graph, as a small index.
type Event uint8

// The events, in table order (package agent names them).
const (
	EvRegister Event = iota
	EvForceRegister
	EvRetryRegistration
	EvRegSucceeded
	EvRegDeferred
	EvRegRejected
	EvAuthorized
	EvOutOfCompliance
	EvAuthExpired
	EvIDCertExpired
	EvDeregister
	EvRegistrationLost
	EvInvalidData
	NEvents
)

// Row is one row of the mode graph: ev leads from each of Src to Dst.
type Row struct {
	Ev  Event
	Src []Mode
	Dst Mode
}

var (
	unregistered = []Mode{Unidentified, Registering, RegistrationFailed}
	withCert     = []Mode{Registered, Authorized, OutOfCompliance, AuthorizationExpired}
	pendingReg   = []Mode{Registering, RegistrationFailed}
	anyButUnid   = []Mode{Registering, RegistrationFailed, Registered, Authorized, OutOfCompliance, AuthorizationExpired}
)

// Graph is the one table of the mode graph. The core moves along its
// compiled form; package agent feeds it to looplab/fsm, which checks every
// move of an Agent again and draws the diagram.
var Graph = []Row{
	{EvRegister, unregistered, Registering},
	{EvForceRegister, withCert, Registering},
	{EvRetryRegistration, pendingReg, Registering},
	{EvRegSucceeded, []Mode{Registering}, Registered},
	{EvRegDeferred, []Mode{Registering}, Registering},
	{EvRegRejected, []Mode{Registering}, RegistrationFailed},
	{EvAuthorized, withCert, Authorized},
	{EvOutOfCompliance, withCert, OutOfCompliance},
	{EvAuthExpired, []Mode{Authorized, OutOfCompliance}, AuthorizationExpired},
	{EvIDCertExpired, withCert, Unidentified},
	{EvDeregister, anyButUnid, Unidentified},
	{EvRegistrationLost, anyButUnid, Unidentified},
	{EvInvalidData, withCert, Unidentified},
}

// table is Graph compiled: table[mode][event] is the destination, NModes
// where the event is not allowed.
var table = func() (t [NModes][NEvents]Mode) {
	for m := range t {
		for e := range t[m] {
			t[m][e] = NModes
		}
	}
	for _, r := range Graph {
		for _, src := range r.Src {
			t[src][r.Ev] = r.Dst
		}
	}
	return t
}()

// Move answers where ev leads from a mode, and whether it is allowed there.
func Move(from Mode, ev Event) (Mode, bool) {
	if from >= NModes || ev >= NEvents {
		return from, false
	}
	to := table[from][ev]
	if to == NModes {
		return from, false
	}
	return to, true
}

// Step's renewal path counts on both answers being allowed from both
// modes a renewal starts in, and on where they lead.
func init() {
	for _, m := range []Mode{Authorized, OutOfCompliance} {
		if table[m][EvAuthorized] != Authorized || table[m][EvOutOfCompliance] != OutOfCompliance {
			panic(fmt.Sprintf("core: mode %d must allow both answers to a renewal", m))
		}
	}
}

// RegState is the registration line of `show license status`, as an index.
type RegState uint8

// The registration states, in the order package agent names them.
const (
	RegUnregistered RegState = iota
	RegRegistering
	RegFailed
	RegRegistered
	NRegStates
)

// AuthState is the authorization line of `show license status`, as an
// index.
type AuthState uint8

// The authorization states, in the order package agent names them.
const (
	AuthNoLicenses AuthState = iota
	AuthEvalMode
	AuthEvalExpired
	AuthAuthorized
	AuthOutOfCompliance
	AuthExpired
	NAuthStates
)

// RegState is the registration line mode m shows.
func (m Mode) RegState() RegState {
	switch m {
	case Unidentified:
		return RegUnregistered
	case Registering:
		return RegRegistering
	case RegistrationFailed:
		return RegFailed
	}
	return RegRegistered
}
