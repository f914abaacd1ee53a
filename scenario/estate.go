package scenario

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/stackwise"
)

// NewEstate builds a lab from an estate file (the format of slsim count):
// every device of the file booted with the lab's name server, on its
// platform and release, and the lab's smart account holding the file's
// pool in the Campus virtual account (subscriptions for three years),
// with a token; an estate with a pool per virtual account (pool va
// <name>) gets each in a virtual account of that name, made when the lab
// has none. A device the estate records as registered (state registered)
// is registered, with a token of its virtual account (Campus when it
// names none), and saved: the twin's CSSM holds it as a product instance,
// as the real one does. The console starts on the first device by name.
func NewEstate(seed uint64, r io.Reader) (*Lab, error) {
	e, pool, err := stackwise.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("estate: %w", err)
	}
	if e.Len() == 0 {
		return nil, errors.New("estate: no devices")
	}
	e.FillSerials() // `switch <PID> x<N>`: a UDI for every member
	w, err := newAccountWorld(seed)
	if err != nil {
		return nil, err
	}
	c := w.CSSM()
	pools := map[string]*stackwise.Pool{VA: pool}
	if e.PerAccount() {
		pools = map[string]*stackwise.Pool{}
		for _, va := range e.PoolVAs() {
			name := va
			if name == "" {
				name = VA
			}
			pools[name] = e.PoolOf(va)
		}
	}
	// ensureVA makes a virtual account of the lab's smart account unless it
	// has one of that name.
	ensureVA := func(va string) error {
		have, err := c.VirtualAccounts(Account)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(have, func(i cssm.VAInfo) bool { return i.Name == va }) {
			return nil
		}
		return c.CreateVirtualAccount(Start, Account, va, "from the estate")
	}
	for _, va := range slices.Sorted(maps.Keys(pools)) {
		if pools[va] == nil {
			continue
		}
		if err := ensureVA(va); err != nil {
			return nil, fmt.Errorf("estate: pool va %s: %w", va, err)
		}
		for _, req := range pools[va].Lines() {
			var from, to time.Time
			if req.Entitlement.Term {
				from, to = Start, Start.AddDate(3, 0, 0)
			}
			if _, err := c.AddLicenses(Start, Account, va, req.Entitlement.Tag, int64(req.Count), from, to); err != nil {
				return nil, fmt.Errorf("estate: pool: %w", err)
			}
		}
	}
	tok, err := c.CreateToken(Start, Account, VA, cssm.TokenOptions{Description: "estate", ExpiresAfterDays: 365, ExportControlled: true})
	if err != nil {
		return nil, err
	}
	tokens := map[string]string{VA: tok.Value} // a token per virtual account a registered device is in
	var registered [][2]string                 // device and its token, in the estate's order
	for _, d := range e.Devices() {
		if _, err := w.AddDevice(d, nil); err != nil {
			return nil, fmt.Errorf("estate: %s: %w", d.Name, err)
		}
		if a, _ := e.Account(d.Name); a.State == "registered" {
			va := cmp.Or(a.VA, VA)
			if tokens[va] == "" {
				if err := ensureVA(va); err != nil {
					return nil, fmt.Errorf("estate: %s: va %s: %w", d.Name, va, err)
				}
				t, err := c.CreateToken(Start, Account, va, cssm.TokenOptions{Description: "estate", ExpiresAfterDays: 365, ExportControlled: true})
				if err != nil {
					return nil, err
				}
				tokens[va] = t.Value
			}
			registered = append(registered, [2]string{d.Name, tokens[va]})
		}
		if err := w.Configure(d.Name, "ip name-server "+netsim.DNSIP, func(c *device.Config) error {
			c.NameServers = append(c.NameServers, device.NameServer{IP: netsim.DNSIP})
			return nil
		}); err != nil {
			return nil, err
		}
		if err := w.WriteMemory(d.Name); err != nil {
			return nil, err
		}
	}
	if len(registered) > 0 {
		for _, r := range registered {
			if _, err := w.Register(r[0], r[1], false); err != nil {
				return nil, fmt.Errorf("estate: %s: register: %w", r[0], err)
			}
		}
		if err := w.RunFor(time.Minute); err != nil {
			return nil, err
		}
		for _, r := range registered {
			if err := w.WriteMemory(r[0]); err != nil {
				return nil, err
			}
		}
	}
	return &Lab{World: w, Device: w.Devices()[0], Token: tok.Value}, nil
}
