package cssm

import (
	"fmt"
	"slices"
	"time"

	"github.com/slsim/slsim/internal/cssmlink"
	"github.com/slsim/slsim/license"
)

// FleetLink is the fleet's fast channel to this CSSM (the module's
// internal cssmlink.Fleet): the answers are Handle's, built from the same
// code. Only the module's fleet engine can name its type.
func (c *CSSM) FleetLink() cssmlink.Fleet { return fleetView{c} }

type fleetView struct{ c *CSSM }

// linkState is a device's channel: its UDI, checked once, and the instance
// last found for it (stale once removed: generation 0).
type linkState struct {
	inst *instance
	udi  *license.UDI // apart: only registrations and lookups after a removal read it
}

// Link makes a device's channel to the CSSM.
func (f fleetView) Link(udi license.UDI) (cssmlink.Link, error) {
	if err := udi.Validate(); err != nil {
		return 0, fmt.Errorf("cssm: link: UDI: %w", err)
	}
	if len(f.c.links) >= 1<<31-1 {
		return 0, fmt.Errorf("cssm: link: %w: too many links", ErrInvalid)
	}
	f.c.links = append(f.c.links, linkState{udi: &udi})
	return cssmlink.Link(len(f.c.links) - 1), nil
}

func (f fleetView) DeadlineFloor() *int64 { return &f.c.r.floor }

func (f fleetView) NextDeadline() (int64, bool) { return f.c.r.next() }

func (f fleetView) BalanceVersion(sa, va string) (uint64, error) {
	_, v, err := f.c.r.va(sa, va)
	if err != nil {
		return 0, err
	}
	return f.c.r.state(v).gen, nil
}

// link is the state of link l, refusing one the CSSM never made (small
// enough to inline: a renewal goes through it).
func (f fleetView) link(l cssmlink.Link) (*linkState, error) {
	if uint(l) >= uint(len(f.c.links)) {
		return nil, noLink(l)
	}
	return &f.c.links[l], nil
}

func noLink(l cssmlink.Link) error { return fmt.Errorf("cssm: %w: no link %d", ErrInvalid, l) }

// begin checks and advances the CSSM to now, as Handle does.
func (f fleetView) begin(now time.Time) error {
	if err := f.c.r.at(now); err != nil {
		return fmt.Errorf("cssm: %w", err)
	}
	f.c.advance(now)
	return nil
}

// instance is the registered instance of the link's UDI, or nil.
func (f fleetView) instance(l *linkState) *instance {
	if l.inst == nil || l.inst.gen == 0 { // removed instances have generation 0
		var buf [128]byte // the key is built on the stack: a link keeps no copy of it
		l.inst = f.c.r.insts[string(l.udi.AppendString(buf[:0]))]
	}
	return l.inst
}

func quick(ans license.Answer) cssmlink.Quick {
	switch x := ans.(type) {
	case license.Failure:
		return cssmlink.Quick{Class: x.Class}
	case license.RegisterReply:
		return cssmlink.Quick{At: x.CertStart}
	case license.RenewIDReply:
		return cssmlink.Quick{At: x.CertStart}
	}
	panic(fmt.Sprintf("cssm: link: unexpected answer %T", ans))
}

// Register goes through Handle's own path (registrations are rare).
func (f fleetView) Register(ln cssmlink.Link, now time.Time, id uint64, hostname, token string, force bool) (cssmlink.Quick, error) {
	l, err := f.link(ln)
	if err != nil {
		return cssmlink.Quick{}, err
	}
	if err := f.begin(now); err != nil {
		return cssmlink.Quick{}, err
	}
	return quick(f.c.r.handle(license.Register{ID: id, UDI: *l.udi, Hostname: hostname, Token: token, Force: force})), nil
}

// Authorize keeps usage as it is (no copy; see cssmlink.Fleet).
func (f fleetView) Authorize(ln cssmlink.Link, now time.Time, usage []license.Usage) (cssmlink.Quick, error) {
	l, err := f.link(ln)
	if err != nil {
		return cssmlink.Quick{}, err
	}
	r := f.c.r
	if i := l.inst; i != nil && i.gen != 0 && i.Consuming && !r.busy && sameUsage(i.Usage, usage) && r.quiet(now) {
		// A fleet's renewal: a known instance asks again for what it
		// consumes, with nothing due by now — consume's contact and
		// balance, without the checks and steps that change nothing.
		r.contact(i)
		return cssmlink.Quick{At: r.authTime(), InCompliance: r.compliant(i, r.state(i.vacc))}, nil
	}
	if i := f.instance(l); i == nil || !sameUsage(i.Usage, usage) { // what an instance holds was checked when it came
		if err := license.ValidateUsage(usage); err != nil {
			return cssmlink.Quick{}, fmt.Errorf("cssm: %w authorize: %v", ErrInvalid, err)
		}
	}
	if err := f.begin(now); err != nil {
		return cssmlink.Quick{}, err
	}
	i := f.instance(l)
	if q, refused := refusal(r, i); refused {
		return q, nil
	}
	st := r.consume(i, usage, false) // kept as is: see above
	return cssmlink.Quick{At: r.authTime(), InCompliance: r.compliant(i, st)}, nil
}

// RenewID is Handle of a license.RenewID without a key (which any instance
// accepts); id is the request's, which a cssmlink.Quick does not carry.
func (f fleetView) RenewID(ln cssmlink.Link, now time.Time, id uint64) (cssmlink.Quick, error) {
	l, err := f.link(ln)
	if err != nil {
		return cssmlink.Quick{}, err
	}
	if err := f.begin(now); err != nil {
		return cssmlink.Quick{}, err
	}
	r := f.c.r
	i := f.instance(l)
	if q, refused := refusal(r, i); refused {
		return q, nil
	}
	r.renewID(i)
	return cssmlink.Quick{At: i.CertStart}, nil
}

// refusal is the answer to a device's request that CSSM does not serve,
// in Handle's order: busy, then no registered instance (i nil).
func refusal(r *registry, i *instance) (cssmlink.Quick, bool) {
	switch {
	case r.busy:
		return cssmlink.Quick{Class: license.FailBusy}, true
	case i == nil:
		return cssmlink.Quick{Class: license.FailRejected}, true
	}
	return cssmlink.Quick{}, false
}

// sameUsage is slices.Equal, answered at once for the same slice.
func sameUsage(a, b []license.Usage) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	return slices.Equal(a, b)
}
