package license

import (
	"fmt"
	"time"
)

// Message is a request an agent sends to its back end (CSSM or a satellite).
// Every request carries an ID; the answer to it carries the same ID.
type Message interface {
	// RequestID is the agent-unique number of the request.
	RequestID() uint64
	// Kind names the request for traces and logs.
	Kind() string
	// message seals the interface: the requests are the four types here.
	message()
}

// Register asks the back end to register the device with an ID token.
type Register struct {
	ID       uint64 `json:"id"`
	UDI      UDI    `json:"udi"`
	Hostname string `json:"hostname"`
	Token    string `json:"token"`
	// Force asks the back end to replace a product instance it already has
	// for this UDI (`license smart register idtoken <t> force`).
	Force bool `json:"force"`
	// DeviceTime is the device's clock when it sent the request; the back
	// end refuses a registration whose clock is off beyond its tolerance.
	// Zero means the sender does not say.
	DeviceTime time.Time `json:"deviceTime"`
	// KeyID identifies the key pair the device signs with (SLA-KeyPair);
	// the back end checks later requests against it. Empty: not checked.
	KeyID string `json:"keyId,omitempty"`
	// Members is the HA UDI list of a stack, chassis or StackWise Virtual
	// pair (the active unit first); empty for a standalone switch.
	Members []UDI `json:"members,omitempty"`
}

// Authorize asks for authorization of the device's current usage.
type Authorize struct {
	ID    uint64  `json:"id"`
	UDI   UDI     `json:"udi"`
	Usage []Usage `json:"usage"`
	KeyID string  `json:"keyId,omitempty"` // see Register.KeyID
}

// RenewID asks for a new ID certificate.
type RenewID struct {
	ID    uint64 `json:"id"`
	UDI   UDI    `json:"udi"`
	KeyID string `json:"keyId,omitempty"` // see Register.KeyID
}

// Deregister tells the back end that the device has removed its
// registration; the back end releases the instance's licenses.
type Deregister struct {
	ID  uint64 `json:"id"`
	UDI UDI    `json:"udi"`
}

// RequestID implements Message.
func (m Register) RequestID() uint64 { return m.ID }

// RequestID implements Message.
func (m Authorize) RequestID() uint64 { return m.ID }

// RequestID implements Message.
func (m RenewID) RequestID() uint64 { return m.ID }

// RequestID implements Message.
func (m Deregister) RequestID() uint64 { return m.ID }

// Kind implements Message.
func (Register) message() {}

func (Register) Kind() string { return "register" }

// Kind implements Message.
func (Authorize) message() {}

func (Authorize) Kind() string { return "authorize" }

// Kind implements Message.
func (RenewID) message() {}

func (RenewID) Kind() string { return "renew-id" }

// Kind implements Message.
func (Deregister) message() {}

func (Deregister) Kind() string { return "deregister" }

// Answer is what comes back to an agent for one of its requests: a reply
// from the back end, or a failure (from the back end or from the transport).
type Answer interface {
	// RequestID is the ID of the request answered.
	RequestID() uint64
	// Kind names the answer for traces and logs.
	Kind() string
	// answer seals the interface: the answers are the five types here.
	answer()
}

// RegisterReply is the back end's acceptance of a registration: the ID
// certificate's start (not-before) time and the account the device joined.
type RegisterReply struct {
	ID               uint64    `json:"id"`
	SmartAccount     string    `json:"smartAccount"`
	VirtualAccount   string    `json:"virtualAccount"`
	ExportControlled bool      `json:"exportControlled"`
	CertStart        time.Time `json:"certStart"`
	CertSerial       string    `json:"certSerial,omitempty"`
}

// Entitlement is the back end's verdict on one requested tag.
type Entitlement struct {
	Tag          string `json:"tag"`
	Name         string `json:"name"`        // CSSM's license name, e.g. "C9300 24P Network Advantage"
	Description  string `json:"description"` // shown by `show license all`
	Count        int    `json:"count"`
	InCompliance bool   `json:"inCompliance"`
}

// AuthorizeReply answers an authorization request. Time is the back end's
// own timestamp of the authorization (the agent's Communication Deadline is
// Time + the authorization validity); CSSM back-dates it a few minutes.
type AuthorizeReply struct {
	ID           uint64        `json:"id"`
	Time         time.Time     `json:"time"`
	Entitlements []Entitlement `json:"entitlements"`
}

// AllInCompliance reports whether every entitlement of the reply is covered.
func (r AuthorizeReply) AllInCompliance() bool {
	for _, e := range r.Entitlements {
		if !e.InCompliance {
			return false
		}
	}
	return true
}

// RenewIDReply carries the renewed ID certificate's start time.
type RenewIDReply struct {
	ID         uint64    `json:"id"`
	CertStart  time.Time `json:"certStart"`
	CertSerial string    `json:"certSerial,omitempty"`
}

// DeregisterReply acknowledges a deregistration.
type DeregisterReply struct {
	ID uint64 `json:"id"`
}

// Failure is a request that did not succeed: refused by the back end, or
// never delivered by the device's transport.
type Failure struct {
	ID     uint64       `json:"id"`
	Class  FailureClass `json:"class"`
	Reason string       `json:"reason"` // as `show license status` prints it after "Failure reason: "
}

// RequestID implements Answer.
func (a RegisterReply) RequestID() uint64 { return a.ID }

// RequestID implements Answer.
func (a AuthorizeReply) RequestID() uint64 { return a.ID }

// RequestID implements Answer.
func (a RenewIDReply) RequestID() uint64 { return a.ID }

// RequestID implements Answer.
func (a DeregisterReply) RequestID() uint64 { return a.ID }

// RequestID implements Answer.
func (a Failure) RequestID() uint64 { return a.ID }

// Kind implements Answer.
func (RegisterReply) answer() {}

func (RegisterReply) Kind() string { return "register-reply" }

// Kind implements Answer.
func (AuthorizeReply) answer() {}

func (AuthorizeReply) Kind() string { return "authorize-reply" }

// Kind implements Answer.
func (RenewIDReply) answer() {}

func (RenewIDReply) Kind() string { return "renew-id-reply" }

// Kind implements Answer.
func (DeregisterReply) answer() {}

func (DeregisterReply) Kind() string { return "deregister-reply" }

// Kind implements Answer.
func (Failure) answer() {}

func (a Failure) Kind() string { return "failure:" + a.Class.String() }

// FailureClass classifies a failure by where it arose and how the agent
// reacts to it.
type FailureClass int

// The failure kinds. The agent's reaction to each is in docs/agent.md.
const (
	// FailTransportUnavailable: the device has no usable transport (Call Home
	// off, or the active profile does not report smart-licensing data).
	// A registration fails for good: UNREGISTERED - REGISTRATION FAILED,
	// no next attempt. [seed scenario 4]
	FailTransportUnavailable FailureClass = iota + 1
	// FailSend: the transport could not deliver the message (DNS, route,
	// port, source interface, VRF). [seed scenario 5]
	FailSend
	// FailBusy: the back end could not process the request right now.
	// A registration stays REGISTERING - REGISTRATION IN PROGRESS and is
	// retried. [seed scenarios 2 and 3]
	FailBusy
	// FailRejected: the back end refused the request (product already
	// registered, bad token, data and signature do not match). A
	// registration becomes UNREGISTERED - REGISTRATION FAILED with a next
	// attempt. [seed scenarios 1 and 9]
	FailRejected
	// FailInvalidData: the back end found the device's identity data
	// invalid and dropped it; the agent de-registers. [seed scenario 6]
	FailInvalidData
)

var failureNames = [...]string{
	FailTransportUnavailable: "transport-unavailable",
	FailSend:                 "send",
	FailBusy:                 "busy",
	FailRejected:             "rejected",
	FailInvalidData:          "invalid-data",
}

// String names the kind.
func (k FailureClass) String() string {
	if k < FailTransportUnavailable || int(k) >= len(failureNames) {
		return fmt.Sprintf("FailureClass(%d)", int(k))
	}
	return failureNames[k]
}

// Valid reports whether k is one of the defined kinds.
func (k FailureClass) Valid() bool {
	return k >= FailTransportUnavailable && int(k) < len(failureNames)
}

// FromTransport reports whether the failure arose on the device's side
// (the message never reached the back end), which IOS logs as COMM_FAILED.
func (k FailureClass) FromTransport() bool {
	return k == FailTransportUnavailable || k == FailSend
}

// Failure reasons as `show license status` prints them. [seed]
const (
	ReasonTransportUnavailable = "Communication transport not available."
	ReasonSendFailed           = "Fail to send out Call Home HTTP message."
	ReasonBusy                 = "Your request could not be processed right now. Please try again"
	ReasonAlreadyRegistered    = "Product Already Registered"
	ReasonConsumptionNoForce   = "Existing Product Instance has Consumption and Force Flag is False"
	ReasonSignatureMismatch    = "Data and signature do not match"
	ReasonWaitingForReply      = "Waiting for reply"
	ReasonInvalidData          = "Missing Id cert serial number field; Missing signing cert serial number field; Signed data and certificate does not match"
)

// Summary names an answer in a few words, as traces print it:
// "authorized", "out of compliance", "registered in ACME/DEFAULT", a
// failure's class and reason, or the answer's kind.
func Summary(a Answer) string {
	switch x := a.(type) {
	case Failure:
		return x.Class.String() + " " + x.Reason
	case AuthorizeReply:
		if x.AllInCompliance() {
			return "authorized"
		}
		return "out of compliance"
	case RegisterReply:
		return "registered in " + x.SmartAccount + "/" + x.VirtualAccount
	}
	return a.Kind()
}
