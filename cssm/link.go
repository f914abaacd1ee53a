package cssm

import (
	"fmt"
	"slices"
	"time"

	"github.com/slsim/slsim/license"
)

// Link is one device's channel to a CSSM for callers that send it many
// requests (fleets): the UDI is checked once, the product instance is
// found once per registration instead of by UDI string on every request,
// and answers come back by value. Its answers are Handle's: the same
// checks, state changes and clean-up, built from the same code. A Link is
// a small value; a device may keep a copy, which works on the same CSSM.
type Link struct {
	c    *CSSM
	inst *instance    // the instance last found; stale once removed (gen 0)
	udi  *license.UDI // apart: only registrations and lookups after a removal read it
}

// Quick is an answer by value: a failure of Class when Class is not zero,
// else a reply whose At is the certificate start (register, renew ID) or
// the authorization time (authorize).
type Quick struct {
	Class        license.FailureClass
	At           time.Time
	InCompliance bool // authorize: every entitlement asked for is in compliance
}

// Link makes a device's channel to the CSSM.
func (c *CSSM) Link(udi license.UDI) (*Link, error) {
	if err := udi.Validate(); err != nil {
		return nil, fmt.Errorf("cssm: link: UDI: %w", err)
	}
	return &Link{c: c, udi: &udi}, nil
}

// begin checks and advances the CSSM to now, as Handle does.
func (l *Link) begin(now time.Time) error {
	if err := l.c.r.at(now); err != nil {
		return fmt.Errorf("cssm: %w", err)
	}
	l.c.advance(now)
	return nil
}

// instance is the registered instance of the link's UDI, or nil.
func (l *Link) instance() *instance {
	if l.inst == nil || l.inst.gen == 0 { // removed instances have generation 0
		var buf [128]byte // the key is built on the stack: a Link keeps no copy of it
		l.inst = l.c.r.insts[string(l.udi.AppendString(buf[:0]))]
	}
	return l.inst
}

func quick(ans license.Answer) Quick {
	switch x := ans.(type) {
	case license.Failure:
		return Quick{Class: x.Class}
	case license.RegisterReply:
		return Quick{At: x.CertStart}
	case license.RenewIDReply:
		return Quick{At: x.CertStart}
	}
	panic(fmt.Sprintf("cssm: link: unexpected answer %T", ans))
}

// Register answers a registration with the token: Handle of a
// license.Register without members, key or device time (registrations are
// rare: they go through Handle's own path).
func (l *Link) Register(now time.Time, id uint64, hostname, token string, force bool) (Quick, error) {
	if err := l.begin(now); err != nil {
		return Quick{}, err
	}
	return quick(l.c.r.handle(license.Register{ID: id, UDI: *l.udi, Hostname: hostname, Token: token, Force: force})), nil
}

// Authorize answers an authorization request for usage (Handle of a
// license.Authorize without a key). The CSSM keeps usage as it is (no
// copy): the caller must not modify it afterwards, and a caller that asks
// again with the same slice is answered without comparing tags.
func (l *Link) Authorize(now time.Time, usage []license.Usage) (Quick, error) {
	r := l.c.r
	if i := l.inst; i != nil && i.gen != 0 && i.Consuming && !r.busy && sameUsage(i.Usage, usage) && r.quiet(now) {
		// A fleet's renewal: a known instance asks again for what it
		// consumes, with nothing due by now — consume's contact and
		// balance, without the checks and steps that change nothing.
		r.contact(i)
		return Quick{At: r.authTime(), InCompliance: r.compliant(i, r.state(i.vacc))}, nil
	}
	if i := l.instance(); i == nil || !sameUsage(i.Usage, usage) { // what an instance holds was checked when it came
		if err := license.ValidateUsage(usage); err != nil {
			return Quick{}, fmt.Errorf("cssm: %w authorize: %v", ErrInvalid, err)
		}
	}
	if err := l.begin(now); err != nil {
		return Quick{}, err
	}
	i := l.instance()
	if q, refused := refusal(r, i); refused {
		return q, nil
	}
	st := r.consume(i, usage, false) // kept as is: see above
	return Quick{At: r.authTime(), InCompliance: r.compliant(i, st)}, nil
}

// RenewID answers an ID certificate renewal: Handle of a license.RenewID
// without a key (which any instance accepts); id is the request's, which a
// Quick does not carry.
func (l *Link) RenewID(now time.Time, id uint64) (Quick, error) {
	if err := l.begin(now); err != nil {
		return Quick{}, err
	}
	r := l.c.r
	i := l.instance()
	if q, refused := refusal(r, i); refused {
		return q, nil
	}
	r.renewID(i)
	return Quick{At: i.CertStart}, nil
}

// refusal is the answer to a device's request that CSSM does not serve,
// in Handle's order: busy, then no registered instance (i nil).
func refusal(r *registry, i *instance) (Quick, bool) {
	switch {
	case r.busy:
		return Quick{Class: license.FailBusy}, true
	case i == nil:
		return Quick{Class: license.FailRejected}, true
	}
	return Quick{}, false
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
