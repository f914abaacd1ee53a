package license

import (
	"encoding/json"
	"fmt"
)

// Envelope is a message or an answer as JSON, tagged with its kind, for
// saving worlds with requests in flight.
type Envelope struct {
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data"`
}

// WrapMessage puts a message in an envelope.
func WrapMessage(m Message) (Envelope, error) {
	if m == nil {
		return Envelope{}, fmt.Errorf("wrap message: nil")
	}
	b, err := json.Marshal(m)
	if err != nil {
		return Envelope{}, fmt.Errorf("wrap %s: %w", m.Kind(), err)
	}
	return Envelope{Kind: m.Kind(), Data: b}, nil
}

// Message takes the message out of an envelope.
func (e Envelope) Message() (Message, error) {
	var err error
	switch e.Kind {
	case "register":
		var x Register
		if err = json.Unmarshal(e.Data, &x); err == nil {
			return x, nil
		}
	case "authorize":
		var x Authorize
		if err = json.Unmarshal(e.Data, &x); err == nil {
			return x, nil
		}
	case "renew-id":
		var x RenewID
		if err = json.Unmarshal(e.Data, &x); err == nil {
			return x, nil
		}
	case "deregister":
		var x Deregister
		if err = json.Unmarshal(e.Data, &x); err == nil {
			return x, nil
		}
	default:
		return nil, fmt.Errorf("envelope: unknown message kind %q", e.Kind)
	}
	return nil, fmt.Errorf("envelope %s: %w", e.Kind, err)
}

// WrapAnswer puts an answer in an envelope.
func WrapAnswer(a Answer) (Envelope, error) {
	if a == nil {
		return Envelope{}, fmt.Errorf("wrap answer: nil")
	}
	kind := a.Kind()
	if _, ok := a.(Failure); ok {
		kind = "failure"
	}
	b, err := json.Marshal(a)
	if err != nil {
		return Envelope{}, fmt.Errorf("wrap %s: %w", kind, err)
	}
	return Envelope{Kind: kind, Data: b}, nil
}

// Answer takes the answer out of an envelope.
func (e Envelope) Answer() (Answer, error) {
	var err error
	switch e.Kind {
	case "register-reply":
		var x RegisterReply
		if err = json.Unmarshal(e.Data, &x); err == nil {
			return x, nil
		}
	case "authorize-reply":
		var x AuthorizeReply
		if err = json.Unmarshal(e.Data, &x); err == nil {
			return x, nil
		}
	case "renew-id-reply":
		var x RenewIDReply
		if err = json.Unmarshal(e.Data, &x); err == nil {
			return x, nil
		}
	case "deregister-reply":
		var x DeregisterReply
		if err = json.Unmarshal(e.Data, &x); err == nil {
			return x, nil
		}
	case "failure":
		var x Failure
		if err = json.Unmarshal(e.Data, &x); err == nil {
			return x, nil
		}
	default:
		return nil, fmt.Errorf("envelope: unknown answer kind %q", e.Kind)
	}
	return nil, fmt.Errorf("envelope %s: %w", e.Kind, err)
}
