package agent

import (
	"context"
	"errors"
	"fmt"

	"github.com/looplab/fsm"

	"github.com/slsim/slsim/internal/agentcore"
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

// modes are the modes in graph order, indexed by the core's mode.
var modes = [...]Mode{
	ModeUnidentified, ModeRegistering, ModeRegistrationFailed, ModeRegistered,
	ModeAuthorized, ModeOutOfCompliance, ModeAuthorizationExpired,
}

// Modes lists every mode in graph order (a new slice each call).
func Modes() []Mode { return append([]Mode(nil), modes[:]...) }

// HasIDCert reports whether the agent holds an ID certificate in mode m.
func (m Mode) HasIDCert() bool {
	c, ok := coreMode(m)
	return ok && c.HasIDCert()
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

// events names the core's events, in its order.
var events = [agentcore.NEvents]Event{
	agentcore.EvRegister: EvRegister, agentcore.EvForceRegister: EvForceRegister,
	agentcore.EvRetryRegistration: EvRetryRegistration, agentcore.EvRegSucceeded: EvRegSucceeded,
	agentcore.EvRegDeferred: EvRegDeferred, agentcore.EvRegRejected: EvRegRejected,
	agentcore.EvAuthorized: EvAuthorized, agentcore.EvOutOfCompliance: EvOutOfCompliance,
	agentcore.EvAuthExpired: EvAuthExpired, agentcore.EvIDCertExpired: EvIDCertExpired,
	agentcore.EvDeregister: EvDeregister, agentcore.EvRegistrationLost: EvRegistrationLost,
	agentcore.EvInvalidData: EvInvalidData,
}

// Events lists the events of the graph in table order.
func Events() []Event { return events[:] }

func coreMode(m Mode) (agentcore.Mode, bool) {
	for i, n := range modes {
		if n == m {
			return agentcore.Mode(i), true
		}
	}
	return 0, false
}

func coreEvent(ev Event) (agentcore.Event, bool) {
	for i, n := range events {
		if n == ev {
			return agentcore.Event(i), true
		}
	}
	return 0, false
}

// Transition answers from the looplab/fsm machine built from the mode
// graph's one table where ev leads from a mode, and whether it is allowed
// there.
func Transition(from Mode, ev Event) (Mode, bool) {
	if _, ok := coreMode(from); !ok {
		return from, false
	}
	m := newMachine(from)
	if err := fire(m, ev); err != nil {
		return from, false
	}
	return Mode(m.Current()), true
}

// DenseTransition answers the same from the table compiled for the core,
// which every agent runs on.
func DenseTransition(from Mode, ev Event) (Mode, bool) {
	m, ok := coreMode(from)
	e, known := coreEvent(ev)
	if !ok || !known {
		return from, false
	}
	to, ok := agentcore.Move(m, e)
	if !ok {
		return from, false
	}
	return modes[to], true
}

// newMachine is the looplab/fsm machine of the mode graph, in mode initial.
func newMachine(initial Mode) *fsm.FSM {
	evs := make(fsm.Events, 0, len(agentcore.Graph))
	for _, r := range agentcore.Graph {
		src := make([]string, len(r.Src))
		for i, m := range r.Src {
			src[i] = string(modes[m])
		}
		evs = append(evs, fsm.EventDesc{Name: string(events[r.Ev]), Src: src, Dst: string(modes[r.Dst])})
	}
	return fsm.NewFSM(string(initial), evs, nil)
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
