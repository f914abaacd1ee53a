package cssm

import (
	"fmt"
	"time"

	"github.com/slsim/slsim/license"
)

// MaxEvents bounds a smart account's event log; older events are dropped.
// [model]
const MaxEvents = 1000

// SystemUser is who the event log names for what devices and timers do.
const SystemUser = "System"

// Event is one line of a smart account's Event Log: when, in which
// virtual account, what happened and who did it.
type Event struct {
	Time    time.Time `json:"time"`
	VA      string    `json:"virtualAccount,omitempty"`
	User    string    `json:"user"`
	Message string    `json:"message"`
}

// Events lists a smart account's event log, newest first.
func (c *CSSM) Events(sa string) ([]Event, error) {
	a, err := c.r.account(sa)
	if err != nil {
		return nil, err
	}
	evs := a.events[max(0, len(a.events)-MaxEvents):]
	out := make([]Event, len(evs))
	for i, e := range evs {
		out[len(evs)-1-i] = e.view()
	}
	return out, nil
}

// Acting runs f with user as who the event log names for the operations f
// does on this CSSM (everything else is the System's: devices, timers, the
// lab's controls). The API and the portal run each request so. The actor
// is the call's, not a setting: it is gone when f returns.
func (c *CSSM) Acting(user string, f func() error) error {
	prev := c.r.user
	c.r.user = user
	defer func() { c.r.user = prev }()
	return f()
}

// event is how the log keeps an event: a message made at once for what
// users do, or, for what devices do (one per registration in a fleet of
// 100,000), the parts of a message made when the log is read.
type event struct {
	Time    time.Time   `json:"time"`
	VA      string      `json:"virtualAccount,omitempty"`
	User    string      `json:"user,omitempty"` // "": the System
	Message string      `json:"message,omitempty"`
	Kind    string      `json:"kind,omitempty"` // a device event: registered, deregistered
	Host    string      `json:"host,omitempty"`
	UDI     license.UDI `json:"udi,omitzero"`
}

func (e event) view() Event {
	v := Event{Time: e.Time, VA: e.VA, User: e.User, Message: e.Message}
	if v.User == "" {
		v.User = SystemUser
	}
	if e.Kind != "" {
		v.Message = fmt.Sprintf("Product instance %s was %s.", instanceLabel(e.Host, e.UDI), e.Kind)
	}
	return v
}

// log adds an event to a smart account's log.
func (r *registry) log(sa, va, format string, a ...any) {
	r.logEvent(sa, event{VA: va, Message: fmt.Sprintf(format, a...)})
}

// logDevice adds what a device did, without formatting it.
func (r *registry) logDevice(i *instance, kind string) {
	r.logEvent(i.sa(), event{VA: i.va(), Kind: kind, Host: i.Hostname, UDI: i.UDI})
}

func (r *registry) logEvent(sa string, e event) {
	acc, ok := r.accounts[sa]
	if !ok || r.prof.NoEventLog {
		return
	}
	e.Time, e.User = r.now, r.user
	if len(acc.events) >= MaxEvents+MaxEvents/8 { // trimmed in batches: amortised O(1) per event
		acc.events = append(acc.events[:0], acc.events[len(acc.events)-MaxEvents+1:]...)
	}
	acc.events = append(acc.events, e)
}

// AccountInfo is a smart account's name and domain.
type AccountInfo struct {
	Name   string `json:"name"`
	Domain string `json:"domain"`
}

// Accounts lists the smart accounts with their domains, sorted by name.
func (c *CSSM) Accounts() []AccountInfo {
	var out []AccountInfo
	for _, n := range c.SmartAccounts() {
		out = append(out, AccountInfo{Name: n, Domain: c.r.accounts[n].Domain})
	}
	return out
}

// AccountByDomain finds the smart account of a domain.
func (c *CSSM) AccountByDomain(domain string) (string, bool) {
	for _, n := range c.SmartAccounts() {
		if a := c.r.accounts[n]; a.Domain != "" && a.Domain == domain {
			return n, true
		}
	}
	return "", false
}

// RemoveInstance removes a product instance from CSSM, as the portal's
// Remove action does: its licenses are released, and the device's next
// request is answered "Product instance not found".
func (c *CSSM) RemoveInstance(now time.Time, udi license.UDI) error {
	return c.op(now, func() error {
		i, ok := c.r.insts[udi.String()]
		if !ok {
			return fmt.Errorf("product instance %s: %w", udi, ErrNotFound)
		}
		c.r.log(i.sa(), i.va(), "Product instance %s was removed.", instanceName(i))
		c.r.removeInstance(i)
		return nil
	})
}

// instanceName is how the event log names a product instance.
func instanceName(i *instance) string { return instanceLabel(i.Hostname, i.UDI) }

func instanceLabel(host string, udi license.UDI) string { return fmt.Sprintf("%s (%s)", host, udi) }
