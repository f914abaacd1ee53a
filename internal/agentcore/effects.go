package agentcore

import (
	"time"

	"github.com/slsim/slsim/license"
)

// ReqKind is what an agent asks its back end.
type ReqKind uint8

// The requests, in the order of the pending slots.
const (
	ReqRegister ReqKind = iota
	ReqAuthorize
	ReqRenewID
	ReqDeregister
	NReqKinds
)

// Reply is the license kind of the reply to a request of kind k
// ("register-reply", …).
func (k ReqKind) Reply() string {
	switch k {
	case ReqRegister:
		return "register-reply"
	case ReqAuthorize:
		return "authorize-reply"
	case ReqRenewID:
		return "renew-id-reply"
	case ReqDeregister:
		return "deregister-reply"
	}
	return "unknown reply"
}

// Request is one request an agent wants sent: what, and its ID. The
// caller knows the device's UDI and hostname; the token and usage are the
// agent's Token and Usage at the time (a Note of kind NoteSent carries
// them).
type Request struct {
	Kind ReqKind
	ID   uint64
}

// Answer is an answer by value: a reply to request ID of Kind, or a
// failure of Class when Class is not zero (Kind is then not read).
type Answer struct {
	ID    uint64
	Kind  ReqKind
	Class license.FailureClass // 0: success
	// At is the certificate start (register, renew ID) or the back end's
	// authorization time (authorize), in Unix nanoseconds.
	At int64
	// InCompliance: every entitlement of the authorization is in compliance.
	InCompliance bool
}

// NoteKind says what happened, for an observer that keeps more than the
// rules need (logs, attempts, the accounts and certificate on show).
type NoteKind uint8

// The notes, in the words of the log lines and status fields they feed.
const (
	NoteMove          NoteKind = iota + 1 // the mode moved along Ev, From → To
	NoteSettled                           // the status was brought up to date; Auth is the authorization line
	NoteEvalStart                         // the eval countdown started
	NoteEvalWarning                       // Left of eval remains: a warning threshold
	NoteEvalExpired                       // eval expired, or is re-notified as expired
	NoteIDCertExpired                     // the ID certificate expired (before its move)
	NoteAuthExpired                       // the authorization expired (after its move)
	NoteSent                              // request ID of kind Req was sent (Token, Force, Usage as sent)
	NoteRegistered                        // the registration was answered with success
	NoteAuthorized                        // an authorization answer: From is the mode before, Restored after failures
	NoteIDRenewed                         // the ID certificate was renewed
	NoteDeregistered                      // the back end answered a deregistration
	NoteFailed                            // request kind Req failed with Class
	NoteInvalidData                       // the back end dropped the identity (before its move)
	NoteDropped                           // the registration was forgotten; KeepAccount keeps the accounts on show
	NoteReload                            // the device reloaded: requests not yet sent are lost
)

// Note is one thing that happened inside the core, at At.
type Note struct {
	Kind        NoteKind
	At          int64
	Ev          Event
	From, To    Mode
	Auth        AuthState
	Req         ReqKind
	ID          uint64
	Class       license.FailureClass
	Left        time.Duration
	Restored    bool
	KeepAccount bool
	Token       string
	Force       bool
	Usage       []license.Usage
}

// Effects collects what an agent's inputs produce: the requests to send,
// and, when Record is set, the notes of everything that happened. A
// refused input leaves both as they were.
type Effects struct {
	Requests []Request
	Notes    []Note
	Record   bool
}

func (fx *Effects) mark() (int, int) { return len(fx.Requests), len(fx.Notes) }

func (fx *Effects) reset(r, n int) {
	fx.Requests, fx.Notes = fx.Requests[:r], fx.Notes[:n]
}
