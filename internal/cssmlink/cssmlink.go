// Package cssmlink is the fast channel between a fleet and its CSSM: the
// calls a fleet makes millions of times that are not part of the CSSM
// model — a device's requests answered by value through a link made once,
// the next deadline as an integer, a cheap test of whether a virtual
// account's balances may have moved. Package cssm provides it (CSSM.FleetLink); the
// answers are Handle's, from the same code, and cssm's tests hold them to
// it.
package cssmlink

import (
	"time"

	"github.com/slsim/slsim/license"
)

// Quick is an answer by value: a failure of Class when Class is not zero,
// else a reply whose At is the certificate start (register, renew ID) or
// the authorization time (authorize).
type Quick struct {
	Class        license.FailureClass
	At           time.Time
	InCompliance bool // authorize: every entitlement asked for is in compliance
}

// Link names one device's channel to a CSSM: its UDI is checked once, and
// its product instance is found once per registration instead of by UDI
// on every request.
type Link int32

// Fleet is what a fleet asks of a CSSM beyond its public API.
type Fleet interface {
	// Link makes a device's channel.
	Link(udi license.UDI) (Link, error)
	// Register answers a registration with the token: Handle of a
	// license.Register without members, key or device time.
	Register(l Link, now time.Time, id uint64, hostname, token string, force bool) (Quick, error)
	// Authorize answers an authorization request for usage (Handle of a
	// license.Authorize without a key). The CSSM keeps usage as it is (no
	// copy): the caller must not modify it afterwards, and a caller that
	// asks again with the same slice is answered without comparing tags.
	Authorize(l Link, now time.Time, usage []license.Usage) (Quick, error)
	// RenewID answers an ID certificate renewal (Handle of a
	// license.RenewID without a key).
	RenewID(l Link, now time.Time, id uint64) (Quick, error)
	// DeadlineFloor is where the CSSM keeps an instant (Unix nanoseconds)
	// before which nothing is due: never after NextDeadline, and equal to it
	// (math.MaxInt64 for none) right after NextDeadline. A loop that asks
	// at every step reads it first (a load, not a call) and asks
	// NextDeadline only when it is reached. Read it; never write it.
	DeadlineFloor() *int64
	// NextDeadline is the CSSM's NextDeadline in Unix nanoseconds (clamped
	// outside 1678–2262), and false when nothing is due.
	NextDeadline() (int64, bool)
	// BalanceVersion is a number that changes whenever a virtual account's
	// balances may have changed (a new number does not mean that they did):
	// a caller sampling every simulated day may skip reading them while it
	// stays the same. Numbers of different virtual accounts never coincide.
	BalanceVersion(sa, va string) (uint64, error)
}
