// Package cssm is an in-memory Cisco Smart Software Manager and its on-prem
// satellite: smart and virtual accounts, license pools (perpetual and
// term), registration tokens, product instances, compliance per virtual
// account with the license hierarchy, alerts, clean-up on time, reports
// shaped like CSSM's tables and REST payloads, and snapshot/restore.
//
// Time is an input: every operation takes now, deadlines are kept absolute,
// NextDeadline reports the earliest and Advance(now) processes everything
// due. Nothing reads a clock, starts a goroutine or arms a timer.
//
// An operation whose input is refused returns an error and changes nothing,
// except that deadlines due by its time are processed first, as Advance
// would have.
package cssm

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/license"
)

// Config is what a CSSM starts with.
type Config struct {
	Profile *Profile        // nil: DefaultProfile()
	Catalog license.Catalog // names and hierarchy of entitlements; stackwise.Catalog() for Catalyst
	Seed    uint64          // seeds tokens and certificate serials
}

// CSSM is the cloud Smart Software Manager. It is not safe for concurrent use.
type CSSM struct {
	r     *registry
	sats  map[string]*satRecord
	links []linkState // the fleet's channels (internal/cssmlink)
}

// New starts an empty CSSM at now.
func New(now time.Time, cfg Config) (*CSSM, error) {
	r, err := newRegistry(now, cfg.Profile, cfg.Catalog, cfg.Seed, "CSSM")
	if err != nil {
		return nil, fmt.Errorf("new cssm: %w", err)
	}
	return &CSSM{r: r, sats: map[string]*satRecord{}}, nil
}

// Now is the CSSM's current time.
func (c *CSSM) Now() time.Time { return c.r.now }

// Profile returns the CSSM's profile.
func (c *CSSM) Profile() Profile { return c.r.prof }

// op runs an administrative operation at now after processing what is due.
func (c *CSSM) op(now time.Time, f func() error) error {
	if err := c.r.at(now); err != nil {
		return err
	}
	c.advance(now)
	return f()
}

// Advance processes every deadline at or before now: clean-up of silent
// instances, term licenses' notices and expiry, satellites' sync deadlines.
func (c *CSSM) Advance(now time.Time) error {
	if err := c.r.at(now); err != nil {
		return err
	}
	c.advance(now)
	return nil
}

func (c *CSSM) advance(now time.Time) { c.r.advance(now, c.checkSatellite) }

// NextDeadline is the earliest time something is due, or zero.
func (c *CSSM) NextDeadline() time.Time {
	ns, ok := c.r.next()
	if !ok {
		return time.Time{}
	}
	return c.r.timeOf(ns)
}

// Handle answers an agent's request (implements Backend).
func (c *CSSM) Handle(now time.Time, msg license.Message) (license.Answer, error) {
	if _, err := c.r.checkMessage(now, msg); err != nil {
		return nil, fmt.Errorf("cssm: %w", err)
	}
	c.advance(now)
	return c.r.handle(msg), nil
}

// SetBusy makes the CSSM answer every device request with "Your request
// could not be processed right now. Please try again" (seed scenario 2)
// until it is set back.
func (c *CSSM) SetBusy(now time.Time, busy bool) error {
	return c.op(now, func() error { c.r.busy = busy; return nil })
}

// CreateSmartAccount creates a smart account with its default virtual
// account, DEFAULT.
func (c *CSSM) CreateSmartAccount(now time.Time, name, domain string) error {
	return c.op(now, func() error { return c.r.createAccount(name, domain) })
}

// CreateVirtualAccount adds a virtual account to a smart account.
func (c *CSSM) CreateVirtualAccount(now time.Time, sa, name, description string) error {
	return c.op(now, func() error { return c.r.createVA(sa, name, description) })
}

// RenameVirtualAccount renames a virtual account; its instances, tokens
// and alerts follow.
func (c *CSSM) RenameVirtualAccount(now time.Time, sa, old, name string) error {
	return c.op(now, func() error {
		for _, s := range c.sats {
			if s.SA == sa && slices.Contains(s.VAs, old) && !s.Removed {
				return fmt.Errorf("%w: virtual account %q is served by satellite %s", ErrInvalid, old, s.Name)
			}
		}
		return c.r.renameVA(sa, old, name)
	})
}

// DeleteVirtualAccount deletes an empty, non-default virtual account.
func (c *CSSM) DeleteVirtualAccount(now time.Time, sa, name string) error {
	return c.op(now, func() error { return c.r.deleteVA(sa, name) })
}

// SetDefaultVirtualAccount makes a virtual account the default one.
func (c *CSSM) SetDefaultVirtualAccount(now time.Time, sa, name string) error {
	return c.op(now, func() error { return c.r.setDefaultVA(sa, name) })
}

// AddLicenses adds qty licenses of a tag to a virtual account: perpetual
// when end is zero, a term subscription from start to end otherwise (a
// zero start is now). It returns the lot's ID.
func (c *CSSM) AddLicenses(now time.Time, sa, va, tag string, qty int64, start, end time.Time) (int, error) {
	var id int
	err := c.op(now, func() error {
		var err error
		id, err = c.r.addLot(sa, va, tag, qty, start, end)
		return err
	})
	return id, err
}

// RemoveLicenses takes licenses out of a virtual account, from the lots
// that end soonest first. [model]
func (c *CSSM) RemoveLicenses(now time.Time, sa, va, tag string, qty int64) error {
	return c.op(now, func() error { return c.r.removeLicenses(sa, va, tag, qty) })
}

// TransferLicenses moves licenses that are not in use between two virtual
// accounts of one smart account, keeping their terms.
func (c *CSSM) TransferLicenses(now time.Time, sa, from, to, tag string, qty int64) error {
	return c.op(now, func() error { return c.r.transferLicenses(sa, from, to, tag, qty) })
}

// TransferInstance moves a product instance, with its usage, to another
// virtual account of its smart account.
func (c *CSSM) TransferInstance(now time.Time, udi license.UDI, to string) error {
	return c.op(now, func() error {
		i, ok := c.r.insts[udi.String()]
		if !ok {
			return fmt.Errorf("product instance %s: %w", udi, ErrNotFound)
		}
		if _, _, err := c.r.va(i.sa(), to); err != nil {
			return err
		}
		if i.va() == to {
			return fmt.Errorf("%w: %s is already in %q", ErrInvalid, udi, to)
		}
		c.r.log(i.sa(), i.va(), "Product instance %s was transferred from %s to %s.", instanceName(i), i.va(), to)
		c.r.moveInstance(i, to)
		return nil
	})
}

// CreateToken creates a registration token for a virtual account.
func (c *CSSM) CreateToken(now time.Time, sa, va string, o TokenOptions) (Token, error) {
	var t Token
	err := c.op(now, func() error {
		var err error
		t, err = c.r.createToken(sa, va, o)
		return err
	})
	return t, err
}

// RevokeToken revokes a token; registrations with it then fail.
func (c *CSSM) RevokeToken(now time.Time, value string) error {
	return c.op(now, func() error { return c.r.revokeToken(value) })
}

// Tokens lists a virtual account's tokens, oldest first, with their status at the CSSM's time.
func (c *CSSM) Tokens(sa, va string) ([]Token, error) { return c.r.listTokens(sa, va) }

// Alerts lists the open alerts of a smart account ("" for all), oldest
// first; with all set, cleared ones too.
func (c *CSSM) Alerts(sa string, all bool) []Alert { return c.r.listAlerts(sa, all) }

// AlertsVersion changes whenever an alert is raised or cleared, so that a
// reader can tell cheaply whether to look again.
func (c *CSSM) AlertsVersion() uint64 { return c.r.alertVer }

// AlertsFrom lists the alerts, open or cleared, whose ID is id or more, by
// ID. Cleared alerts are kept up to MaxClearedAlerts.
func (c *CSSM) AlertsFrom(id int) []Alert { return c.r.alertsFrom(id) }

// Alert returns an alert by ID, if CSSM still keeps it.
func (c *CSSM) Alert(id int) (Alert, bool) { return c.r.alert(id) }

// SmartAccounts lists the smart accounts' names, sorted.
func (c *CSSM) SmartAccounts() []string {
	return slices.Sorted(maps.Keys(c.r.accounts))
}

// VAInfo describes a virtual account.
type VAInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Default     bool   `json:"isDefault"`
	Instances   int    `json:"productInstances"`
}

// VirtualAccounts lists a smart account's virtual accounts, sorted by name.
func (c *CSSM) VirtualAccounts(sa string) ([]VAInfo, error) { return c.r.virtualAccounts(sa) }

func (r *registry) virtualAccounts(sa string) ([]VAInfo, error) {
	a, err := r.account(sa)
	if err != nil {
		return nil, err
	}
	var out []VAInfo
	for _, v := range a.vas {
		out = append(out, VAInfo{Name: v.Name, Description: v.Description, Default: a.defaultVA == v.Name, Instances: v.ninst})
	}
	slices.SortFunc(out, func(x, y VAInfo) int { return strings.Compare(x.Name, y.Name) })
	return out, nil
}
