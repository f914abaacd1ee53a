package agent

import (
	"time"

	"github.com/slsim/slsim/license"
)

// Registration status strings, as `show license status` prints them (docs/agent.md, States).
const (
	RegUnregistered       = "UNREGISTERED"
	RegRegistering        = "REGISTERING - REGISTRATION IN PROGRESS"
	RegRegistrationFailed = "UNREGISTERED - REGISTRATION FAILED"
	RegRegistered         = "REGISTERED"
)

// Authorization status strings (the `License Authorization:` block and the
// per-entitlement lines). (docs/agent.md, States)
const (
	AuthNoLicenses  = "No Licenses in Use"
	AuthEvalMode    = "EVAL MODE"
	AuthEvalExpired = "EVAL EXPIRED"
	AuthAuthorized  = "AUTHORIZED"
	AuthOutOfComp   = "OUT OF COMPLIANCE"
	AuthExpired     = "AUTHORIZATION EXPIRED"
	AuthWaiting     = "WAITING" // per entitlement only: requested, not answered yet
)

// Result is the outcome of the last attempt of some kind.
type Result int

// The results, printed as "None", "SUCCEEDED on <date>", "FAILED on <date>"
// and "PENDING on <date>".
const (
	ResultNone Result = iota
	ResultSucceeded
	ResultFailed
	ResultPending
)

// String gives the word IOS prints.
func (r Result) String() string {
	switch r {
	case ResultSucceeded:
		return "SUCCEEDED"
	case ResultFailed:
		return "FAILED"
	case ResultPending:
		return "PENDING"
	}
	return "None"
}

// Attempt is the last attempt of some kind: its result, when, and why it failed.
type Attempt struct {
	Result Result    `json:"result"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// EntitlementStatus is one usage line of `show license summary` / `all`.
type EntitlementStatus struct {
	Tag         string // requested entitlement tag
	Name        string // CSSM's license name; empty until CSSM's first answer
	Description string
	Count       int
	Status      string // one of the Auth* strings
}

// Status holds every field the `show license` commands print, as of the
// agent's current time. Zero times mean "not shown".
type Status struct {
	Now      time.Time
	UDI      license.UDI
	Hostname string
	Mode     Mode

	// Registration block.
	Registration            string // Reg* string
	SmartAccount            string
	VirtualAccount          string
	ExportControlled        bool
	InitialRegistration     Attempt
	NextRegistrationAttempt time.Time
	LastRenewal             Attempt
	NextRenewalAttempt      time.Time
	RegistrationExpires     time.Time
	CertStart               time.Time

	// License Authorization block.
	Authorization            string    // Auth* string
	AuthorizationSince       time.Time // the "on <date>" of the status line
	LastCommunication        Attempt
	NextCommunicationAttempt time.Time
	CommunicationDeadline    time.Time
	// AuthorizationTime is the back end's time of the last successful
	// authorization: CommunicationDeadline is it plus the profile's
	// AuthValidity (zero before the first answer).
	AuthorizationTime time.Time
	EvalRemaining     time.Duration
	EvalRunning       bool

	// License Usage, in the platform's order.
	Entitlements []EntitlementStatus
}

// Registered reports whether the agent holds an ID certificate.
func (s Status) Registered() bool { return s.Mode.HasIDCert() }
