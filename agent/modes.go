package agent

import (
	"context"
	"errors"
	"fmt"

	"github.com/looplab/fsm"
)

// Mode is a node of the agent's mode graph: where it stands on registration
// and authorization. The status strings of `show license` derive from the
// mode plus plain counters (eval time left, usage).
type Mode string

// The modes. Names are identifiers so that the Mermaid diagram renders.
const (
	// ModeUnidentified: no ID certificate. UNREGISTERED; eval or no licenses.
	ModeUnidentified Mode = "Unidentified"
	// ModeRegistering: a registration is being attempted or retried.
	// REGISTERING - REGISTRATION IN PROGRESS.
	ModeRegistering Mode = "Registering"
	// ModeRegistrationFailed: the last registration failed for a
	// non-transient reason. UNREGISTERED - REGISTRATION FAILED.
	ModeRegistrationFailed Mode = "RegistrationFailed"
	// ModeRegistered: holds an ID certificate, no authorization answer yet.
	ModeRegistered Mode = "Registered"
	// ModeAuthorized: REGISTERED, last answer AUTHORIZED.
	ModeAuthorized Mode = "Authorized"
	// ModeOutOfCompliance: REGISTERED, last answer OUT OF COMPLIANCE.
	ModeOutOfCompliance Mode = "OutOfCompliance"
	// ModeAuthorizationExpired: REGISTERED, no successful authorization
	// within the authorization validity.
	ModeAuthorizationExpired Mode = "AuthorizationExpired"
)

// Modes lists every mode in graph order.
var Modes = []Mode{
	ModeUnidentified, ModeRegistering, ModeRegistrationFailed, ModeRegistered,
	ModeAuthorized, ModeOutOfCompliance, ModeAuthorizationExpired,
}

// HasIDCert reports whether the agent holds an ID certificate in mode m.
func (m Mode) HasIDCert() bool {
	switch m {
	case ModeRegistered, ModeAuthorized, ModeOutOfCompliance, ModeAuthorizationExpired:
		return true
	}
	return false
}

// Event is an edge label of the mode graph.
type Event string

// The events of the mode graph.
const (
	EvRegister          Event = "register"           // license smart register idtoken
	EvForceRegister     Event = "force_register"     // ... force, while holding a certificate
	EvRetryRegistration Event = "retry_registration" // next registration attempt is due
	EvRegSucceeded      Event = "registration_ok"
	EvRegDeferred       Event = "registration_deferred" // transient failure, retried
	EvRegRejected       Event = "registration_rejected" // REGISTRATION FAILED
	EvAuthorized        Event = "authorized"
	EvOutOfCompliance   Event = "out_of_compliance"
	EvAuthExpired       Event = "authorization_expired"
	EvIDCertExpired     Event = "id_cert_expired"
	EvDeregister        Event = "deregister"        // license smart deregister
	EvRegistrationLost  Event = "registration_lost" // reload/failover before write memory
	EvInvalidData       Event = "invalid_data"      // back end dropped the identity
)

var (
	unregisteredModes = []Mode{ModeUnidentified, ModeRegistering, ModeRegistrationFailed}
	certModes         = []Mode{ModeRegistered, ModeAuthorized, ModeOutOfCompliance, ModeAuthorizationExpired}
	pendingModes      = []Mode{ModeRegistering, ModeRegistrationFailed}
)

// transition is one row of the mode graph.
type transition struct {
	ev  Event
	src []Mode
	dst Mode
}

// graph is the single table of the agent's mode graph, fed to looplab/fsm
// and rendered as the diagram in docs/agent.md.
var graph = []transition{
	{EvRegister, unregisteredModes, ModeRegistering},
	{EvForceRegister, certModes, ModeRegistering},
	{EvRetryRegistration, pendingModes, ModeRegistering},
	{EvRegSucceeded, []Mode{ModeRegistering}, ModeRegistered},
	{EvRegDeferred, []Mode{ModeRegistering}, ModeRegistering},
	{EvRegRejected, []Mode{ModeRegistering}, ModeRegistrationFailed},
	{EvAuthorized, certModes, ModeAuthorized},
	{EvOutOfCompliance, certModes, ModeOutOfCompliance},
	{EvAuthExpired, []Mode{ModeAuthorized, ModeOutOfCompliance}, ModeAuthorizationExpired},
	{EvIDCertExpired, certModes, ModeUnidentified},
	{EvDeregister, append(append([]Mode{}, pendingModes...), certModes...), ModeUnidentified},
	{EvRegistrationLost, append(append([]Mode{}, pendingModes...), certModes...), ModeUnidentified},
	{EvInvalidData, certModes, ModeUnidentified},
}

// dense is the same graph compiled to a table: dense[mode][event] is the
// destination (modeNone where the event is not allowed). Fleet runs use it
// instead of a looplab machine per agent; a property test holds both to
// the same traces.
var (
	modeIndex  = map[Mode]int{}
	eventIndex = map[Event]int{}
	dense      [][]int
)

const modeNone = -1

func init() {
	for i, m := range Modes {
		modeIndex[m] = i
	}
	for _, t := range graph {
		if _, ok := eventIndex[t.ev]; !ok {
			eventIndex[t.ev] = len(eventIndex)
		}
	}
	dense = make([][]int, len(Modes))
	for i := range dense {
		dense[i] = make([]int, len(eventIndex))
		for j := range dense[i] {
			dense[i][j] = modeNone
		}
	}
	for _, t := range graph {
		for _, src := range t.src {
			dense[modeIndex[src]][eventIndex[t.ev]] = modeIndex[t.dst]
		}
	}
	compileLean()
}

// Events lists the events of the graph in table order.
func Events() []Event {
	out := make([]Event, len(eventIndex))
	for ev, i := range eventIndex {
		out[i] = ev
	}
	return out
}

// Transition answers from the graph table itself (the looplab machine's
// source) where ev leads from a mode, and whether it is allowed there.
func Transition(from Mode, ev Event) (Mode, bool) {
	m := newMachine(from)
	if err := fire(m, ev); err != nil {
		return from, false
	}
	return Mode(m.Current()), true
}

// DenseTransition answers the same from the compiled table.
func DenseTransition(from Mode, ev Event) (Mode, error) { return fireDense(from, ev) }

// fireDense moves along ev in the compiled table.
func fireDense(from Mode, ev Event) (Mode, error) {
	dst := dense[modeIndex[from]][eventIndex[ev]]
	if dst == modeNone {
		return from, fmt.Errorf("mode %s does not allow %s", from, ev)
	}
	return Modes[dst], nil
}

func newMachine(initial Mode) *fsm.FSM {
	events := make(fsm.Events, 0, len(graph))
	for _, t := range graph {
		src := make([]string, len(t.src))
		for i, m := range t.src {
			src[i] = string(m)
		}
		events = append(events, fsm.EventDesc{Name: string(t.ev), Src: src, Dst: string(t.dst)})
	}
	return fsm.NewFSM(string(initial), events, nil)
}

// fire moves the machine along ev. A self-loop (NoTransitionError with a nil
// Err) is a success; an event the current mode does not allow is an error.
func fire(m *fsm.FSM, ev Event) error {
	err := m.Event(context.Background(), string(ev))
	var noTrans fsm.NoTransitionError
	if err == nil || (errors.As(err, &noTrans) && noTrans.Err == nil) {
		return nil
	}
	return fmt.Errorf("mode %s does not allow %s: %w", m.Current(), ev, err)
}

// Diagram renders the mode graph as a Mermaid state diagram, generated by
// looplab/fsm from the same table the agent runs on.
func Diagram() string {
	out, err := fsm.VisualizeWithType(newMachine(ModeUnidentified), fsm.MERMAID)
	if err != nil { // only for an unknown visualize type
		panic(err)
	}
	return out
}
