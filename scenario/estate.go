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
	have, err := c.VirtualAccounts(Account)
	if err != nil {
		return nil, err
	}
	for _, va := range slices.Sorted(maps.Keys(pools)) {
		if pools[va] == nil {
			continue
		}
		if !slices.ContainsFunc(have, func(i cssm.VAInfo) bool { return i.Name == va }) {
			if err := c.CreateVirtualAccount(Start, Account, va, "from the estate"); err != nil {
				return nil, fmt.Errorf("estate: pool va %s: %w", va, err)
			}
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
	tokens := map[string]string{VA: tok.Value}
	var registered []string
	for _, d := range e.Devices() {
		if _, err := w.AddDevice(d, nil); err != nil {
			return nil, fmt.Errorf("estate: %s: %w", d.Name, err)
		}
		if a, _ := e.Account(d.Name); a.State == "registered" {
			registered = append(registered, d.Name)
			va := cmp.Or(a.VA, VA)
			if tokens[va] == "" {
				if have, _ := c.VirtualAccounts(Account); !slices.ContainsFunc(have, func(i cssm.VAInfo) bool { return i.Name == va }) {
					if err := c.CreateVirtualAccount(Start, Account, va, "from the estate"); err != nil {
						return nil, fmt.Errorf("estate: %s: va %s: %w", d.Name, va, err)
					}
				}
				t, err := c.CreateToken(Start, Account, va, cssm.TokenOptions{Description: "estate", ExpiresAfterDays: 365, ExportControlled: true})
				if err != nil {
					return nil, err
				}
				tokens[va] = t.Value
			}
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
		for _, n := range registered {
			a, _ := e.Account(n)
			if _, err := w.Register(n, tokens[cmp.Or(a.VA, VA)], false); err != nil {
				return nil, fmt.Errorf("estate: %s: register: %w", n, err)
			}
		}
		if err := w.RunFor(time.Minute); err != nil {
			return nil, err
		}
		for _, n := range registered {
			if err := w.WriteMemory(n); err != nil {
				return nil, err
			}
		}
	}
	return &Lab{World: w, Device: w.Devices()[0], Token: tok.Value}, nil
}
