package cssm

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/license"
)

const snapshotVersion = 1

type registryJSON struct {
	Profile   Profile          `json:"profile"`
	Now       time.Time        `json:"now"`
	Server    string           `json:"server"`
	RNG       []byte           `json:"rng"`
	Accounts  []accountJSON    `json:"accounts"`
	Instances []instanceJSON   `json:"instances"`
	Tokens    []token          `json:"tokens"`
	Users     []user           `json:"users,omitempty"`
	Clients   []APIClient      `json:"apiClients,omitempty"`
	Convert   *conversionsJSON `json:"conversions,omitempty"`
	Alerts    []alertJSON      `json:"alerts"`
	NextLot   int              `json:"nextLot"`
	NextAlert int              `json:"nextAlert"`
	NextGen   uint64           `json:"nextGen"`
	Busy      bool             `json:"busy,omitempty"`
	Catalog   json.RawMessage  `json:"-"`
}

type accountJSON struct {
	Name      string   `json:"name"`
	Domain    string   `json:"domain"`
	DefaultVA string   `json:"defaultVirtualAccount"`
	VAs       []vaJSON `json:"virtualAccounts"`
	Events    []event  `json:"events,omitempty"`
}

type vaJSON struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Lots        []lot          `json:"lots"`
	External    []externalJSON `json:"external,omitempty"`
}

type externalJSON struct {
	Source string          `json:"source"`
	Usage  []license.Usage `json:"usage"`
}

type instanceJSON struct {
	UDI         license.UDI     `json:"udi"`
	Members     []license.UDI   `json:"members,omitempty"`
	Hostname    string          `json:"hostname"`
	SA          string          `json:"smartAccount"`
	VA          string          `json:"virtualAccount"`
	Registered  time.Time       `json:"registered"`
	LastContact time.Time       `json:"lastContact"`
	CertStart   time.Time       `json:"certStart"`
	CertSerial  string          `json:"certSerial"`
	KeyID       string          `json:"keyId,omitempty"`
	Usage       []license.Usage `json:"usage"`
	Consuming   bool            `json:"consuming"`
	Connected   bool            `json:"connected"`
	NextCheck   time.Time       `json:"nextCheck"`
	Gen         uint64          `json:"gen"`
}

type alertJSON struct {
	Alert
	Key string `json:"key"`
}

func countsToUsage(m map[string]int64) []license.Usage {
	out := make([]license.Usage, 0, len(m))
	for tag, n := range m {
		out = append(out, license.Usage{Tag: tag, Count: int(n)})
	}
	slices.SortFunc(out, func(a, b license.Usage) int { return strings.Compare(a.Tag, b.Tag) })
	return out
}

func (r *registry) toJSON() (registryJSON, error) {
	rng, err := r.pcg.MarshalBinary()
	if err != nil {
		return registryJSON{}, err
	}
	j := registryJSON{Profile: r.prof, Now: r.now, Server: r.server, RNG: rng, NextLot: r.nextLot, NextAlert: r.nextAlrt, NextGen: r.nextGen, Busy: r.busy,
		Accounts: []accountJSON{}, Instances: []instanceJSON{}, Tokens: []token{}, Alerts: []alertJSON{}}
	for _, a := range r.accounts {
		aj := accountJSON{Name: a.Name, Domain: a.Domain, DefaultVA: a.defaultVA, VAs: []vaJSON{}, Events: a.events[max(0, len(a.events)-MaxEvents):]}
		for _, v := range a.vas {
			vj := vaJSON{Name: v.Name, Description: v.Description, Lots: []lot{}}
			for _, l := range v.lots {
				vj.Lots = append(vj.Lots, *l)
			}
			slices.SortFunc(vj.Lots, func(x, y lot) int { return x.ID - y.ID })
			for src, u := range v.external {
				vj.External = append(vj.External, externalJSON{Source: src, Usage: countsToUsage(u)})
			}
			slices.SortFunc(vj.External, func(x, y externalJSON) int { return strings.Compare(x.Source, y.Source) })
			aj.VAs = append(aj.VAs, vj)
		}
		slices.SortFunc(aj.VAs, func(x, y vaJSON) int { return strings.Compare(x.Name, y.Name) })
		j.Accounts = append(j.Accounts, aj)
	}
	slices.SortFunc(j.Accounts, func(x, y accountJSON) int { return strings.Compare(x.Name, y.Name) })
	for _, i := range r.insts {
		j.Instances = append(j.Instances, instanceJSON{UDI: i.UDI, Members: i.members(), Hostname: i.Hostname, SA: i.sa(), VA: i.va(), Registered: i.Registered,
			LastContact: i.LastContact, CertStart: i.CertStart, CertSerial: i.CertSerial, KeyID: i.keyID(), Usage: i.Usage, Consuming: i.Consuming,
			Connected: i.Connected, NextCheck: r.nextCheck(i), Gen: i.gen})
	}
	slices.SortFunc(j.Instances, func(x, y instanceJSON) int { return strings.Compare(x.UDI.String(), y.UDI.String()) })
	for _, t := range r.tokens {
		j.Tokens = append(j.Tokens, *t)
	}
	slices.SortFunc(j.Tokens, func(x, y token) int { return strings.Compare(x.Value, y.Value) })
	for _, n := range slices.Sorted(maps.Keys(r.users)) {
		j.Users = append(j.Users, *r.users[n])
	}
	for _, id := range slices.Sorted(maps.Keys(r.clients)) {
		j.Clients = append(j.Clients, *r.clients[id])
	}
	j.Convert = r.cv.toJSON()
	for _, a := range r.alerts {
		j.Alerts = append(j.Alerts, alertJSON{Alert: *a, Key: a.key})
	}
	return j, nil
}

func registryFromJSON(j registryJSON, cat license.Catalog) (*registry, error) {
	if err := j.Profile.Validate(); err != nil {
		return nil, err
	}
	if j.Now.IsZero() {
		return nil, errors.New("time is zero")
	}
	if err := checkTime(j.Now); err != nil {
		return nil, err
	}
	pcg := &rand.PCG{}
	if err := pcg.UnmarshalBinary(j.RNG); err != nil {
		return nil, fmt.Errorf("rng: %w", err)
	}
	r := &registry{prof: j.Profile, cat: cat, pcg: pcg, rng: rand.New(pcg), now: j.Now, server: j.Server,
		accounts: map[string]*account{}, insts: map[string]*instance{}, tokens: map[string]*token{}, active: map[string]*Alert{},
		users: map[string]*user{}, clients: map[string]*APIClient{},
		nextLot: j.NextLot, nextAlrt: j.NextAlert, nextGen: j.NextGen, busy: j.Busy, floor: math.MaxInt64, nowNs: unixNano(j.Now)}
	for _, aj := range j.Accounts {
		if _, dup := r.accounts[aj.Name]; dup || checkName("smart account", aj.Name) != nil {
			return nil, fmt.Errorf("smart account %q is invalid or repeated", aj.Name)
		}
		if len(aj.Events) > MaxEvents {
			return nil, fmt.Errorf("smart account %q has more than %d events", aj.Name, MaxEvents)
		}
		a := &account{Name: aj.Name, Domain: aj.Domain, defaultVA: aj.DefaultVA, vas: map[string]*vaccount{}, events: aj.Events}
		for _, vj := range aj.VAs {
			if _, dup := a.vas[vj.Name]; dup || checkName("virtual account", vj.Name) != nil {
				return nil, fmt.Errorf("virtual account %q is invalid or repeated", vj.Name)
			}
			v := newVA(aj.Name, vj.Name, vj.Description)
			for _, l := range vj.Lots {
				if l.Qty < 1 || l.Qty > MaxQuantity || l.ID < 1 || l.ID >= r.nextLot || (!l.End.IsZero() && !l.End.After(l.Start)) {
					return nil, fmt.Errorf("lot %d of %q is invalid", l.ID, vj.Name)
				}
				lc := l
				v.lots = append(v.lots, &lc)
			}
			for _, e := range vj.External {
				m := map[string]int64{}
				for _, u := range e.Usage {
					m[u.Tag] = int64(u.Count)
				}
				v.external[e.Source] = m
			}
			a.vas[vj.Name] = v
		}
		if _, ok := a.vas[a.defaultVA]; !ok {
			return nil, fmt.Errorf("smart account %q: default virtual account %q does not exist", a.Name, a.defaultVA)
		}
		r.accounts[a.Name] = a
	}
	for _, ij := range j.Instances {
		if err := ij.UDI.Validate(); err != nil {
			return nil, fmt.Errorf("instance: %w", err)
		}
		a, ok := r.accounts[ij.SA]
		if !ok {
			return nil, fmt.Errorf("instance %s: smart account %q does not exist", ij.UDI, ij.SA)
		}
		v, ok := a.vas[ij.VA]
		if !ok {
			return nil, fmt.Errorf("instance %s: virtual account %q does not exist", ij.UDI, ij.VA)
		}
		usage, err := license.CheckUsage(ij.Usage)
		if err != nil {
			return nil, fmt.Errorf("instance %s: %w", ij.UDI, err)
		}
		if _, dup := r.insts[ij.UDI.String()]; dup {
			return nil, fmt.Errorf("instance %s repeated", ij.UDI)
		}
		if ij.Gen == 0 || ij.Gen > r.nextGen || ij.NextCheck.IsZero() {
			return nil, fmt.Errorf("instance %s: bad schedule", ij.UDI)
		}
		i := &instance{UDI: ij.UDI, extra: newExtra(ij.Members, ij.KeyID), Hostname: ij.Hostname, vacc: v, Registered: ij.Registered, LastContact: ij.LastContact,
			CertStart: ij.CertStart, CertSerial: ij.CertSerial, Usage: usage, Consuming: ij.Consuming, Connected: ij.Connected,
			NextCheck: ij.NextCheck, gen: ij.Gen}
		if i.Consuming {
			for _, u := range usage {
				v.demand[u.Tag] += int64(u.Count)
			}
		}
		r.insts[ij.UDI.String()] = i
		v.ninst++
	}
	for _, u := range j.Users {
		if _, dup := r.users[u.Name]; dup || checkName("user", u.Name) != nil || len(u.Accounts) == 0 {
			return nil, fmt.Errorf("user %q is invalid or repeated", u.Name)
		}
		for _, sa := range u.Accounts {
			if _, err := r.account(sa); err != nil {
				return nil, fmt.Errorf("user %q: %w", u.Name, err)
			}
		}
		uc := u
		r.users[u.Name] = &uc
	}
	for _, cl := range j.Clients {
		if _, dup := r.clients[cl.ID]; dup || cl.ID == "" || cl.Secret == "" {
			return nil, fmt.Errorf("API client %q is invalid or repeated", cl.ID)
		}
		if _, err := r.account(cl.SA); err != nil {
			return nil, fmt.Errorf("API client %q: %w", cl.ID, err)
		}
		cc := cl
		r.clients[cl.ID] = &cc
	}
	if err := r.conversionsFromJSON(j.Convert); err != nil {
		return nil, err
	}
	for _, t := range j.Tokens {
		if _, _, err := r.va(t.SA, t.VA); err != nil {
			return nil, fmt.Errorf("token: %w", err)
		}
		tc := t
		r.tokens[t.Value] = &tc
	}
	for _, aj := range j.Alerts {
		a := aj.Alert
		a.key = aj.Key
		if a.ID < 1 || a.ID >= r.nextAlrt {
			return nil, fmt.Errorf("alert %d: bad ID", a.ID)
		}
		if n := len(r.alerts); n > 0 && r.alerts[n-1].ID >= a.ID {
			return nil, fmt.Errorf("alert %d: after alert %d, out of order", a.ID, r.alerts[n-1].ID)
		}
		al := a
		r.alerts = append(r.alerts, &al)
		if al.Active() {
			if _, dup := r.active[al.key]; dup {
				return nil, fmt.Errorf("alert key %q open twice", al.key)
			}
			r.active[al.key] = &al
			if udi, ok := strings.CutPrefix(al.key, "renew:"); ok {
				if i := r.insts[udi]; i != nil {
					i.renewAlert = true
				}
			}
			if al.Type == AlertInsufficient {
				if v := r.accounts[al.SA].vaOrNil(al.VA); v != nil {
					if v.short == nil {
						v.short = map[string]bool{}
					}
					v.short[al.Tag] = true
				}
			}
		}
	}
	// The schedule is a function of the state.
	// Instances checked no later than their connect check wait on the
	// contact list (an earlier check would find them in time), the others
	// in the schedule.
	var listed []*instance
	for _, i := range r.insts {
		if i.NextCheck.After(r.connectCheck(i)) {
			r.scheduleInstance(i, i.NextCheck)
		} else {
			listed = append(listed, i)
		}
	}
	keys := make(map[*instance]string, len(listed)) // built once, not per comparison
	for _, i := range listed {
		keys[i] = i.udiKey()
	}
	slices.SortFunc(listed, func(a, b *instance) int {
		return cmp.Or(a.LastContact.Compare(b.LastContact), strings.Compare(keys[a], keys[b]))
	})
	for _, i := range listed {
		r.list(i)
	}
	for _, a := range r.accounts {
		for _, v := range a.vas {
			for _, l := range v.lots {
				r.scheduleLot(a.Name, v.Name, l)
			}
		}
	}
	return r, nil
}

func (a *account) vaOrNil(name string) *vaccount {
	if a == nil {
		return nil
	}
	return a.vas[name]
}

type cssmJSON struct {
	Version    int          `json:"version"`
	Registry   registryJSON `json:"cssm"`
	Satellites []satRecord  `json:"satellites"`
}

// Snapshot writes the whole state of the CSSM as JSON: accounts, pools,
// tokens, instances, alerts, satellite records, the schedule's state and
// the random source. Restore(Snapshot()) behaves exactly like the original,
// and its snapshot is byte-identical.
func (c *CSSM) Snapshot() ([]byte, error) {
	rj, err := c.r.toJSON()
	if err != nil {
		return nil, fmt.Errorf("cssm snapshot: %w", err)
	}
	j := cssmJSON{Version: snapshotVersion, Registry: rj, Satellites: []satRecord{}}
	for _, s := range c.sats {
		j.Satellites = append(j.Satellites, *s)
	}
	slices.SortFunc(j.Satellites, func(a, b satRecord) int { return strings.Compare(a.Name, b.Name) })
	return json.MarshalIndent(j, "", "  ")
}

// Restore rebuilds a CSSM from Snapshot's JSON, with the catalogue to use
// (catalogues are code, not data). Inconsistent data is refused.
func Restore(data []byte, cat license.Catalog) (*CSSM, error) {
	var j cssmJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("restore cssm: %w", err)
	}
	if j.Version != snapshotVersion {
		return nil, fmt.Errorf("restore cssm: snapshot version %d, want %d", j.Version, snapshotVersion)
	}
	r, err := registryFromJSON(j.Registry, cat)
	if err != nil {
		return nil, fmt.Errorf("restore cssm: %w", err)
	}
	c := &CSSM{r: r, sats: map[string]*satRecord{}}
	for _, s := range j.Satellites {
		if _, dup := c.sats[s.Name]; dup {
			return nil, fmt.Errorf("restore cssm: satellite %q repeated", s.Name)
		}
		if _, ok := r.accounts[s.SA]; !ok {
			return nil, fmt.Errorf("restore cssm: satellite %q: smart account %q does not exist", s.Name, s.SA)
		}
		sc := s
		c.sats[s.Name] = &sc
		if !sc.Removed {
			c.r.push(sc.NextCheck, entry{kind: kindSatellite, key: sc.Name})
		}
	}
	return c, nil
}

type satelliteJSON struct {
	Version  int          `json:"version"`
	Name     string       `json:"name"`
	Hostname string       `json:"hostname"`
	SA       string       `json:"smartAccount"`
	Mode     SyncMode     `json:"mode"`
	CertEnd  time.Time    `json:"certificateExpires"`
	LastSync time.Time    `json:"lastSync"`
	Registry registryJSON `json:"state"`
}

// Snapshot writes the satellite's whole state as JSON.
func (s *Satellite) Snapshot() ([]byte, error) {
	rj, err := s.r.toJSON()
	if err != nil {
		return nil, fmt.Errorf("satellite snapshot: %w", err)
	}
	return json.MarshalIndent(satelliteJSON{Version: snapshotVersion, Name: s.name, Hostname: s.hostname, SA: s.sa, Mode: s.mode,
		CertEnd: s.certEnd, LastSync: s.lastSync, Registry: rj}, "", "  ")
}

// RestoreSatellite rebuilds a satellite from its Snapshot.
func RestoreSatellite(data []byte, cat license.Catalog) (*Satellite, error) {
	var j satelliteJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("restore satellite: %w", err)
	}
	if j.Version != snapshotVersion {
		return nil, fmt.Errorf("restore satellite: snapshot version %d, want %d", j.Version, snapshotVersion)
	}
	if j.Mode != SyncNetwork && j.Mode != SyncManual {
		return nil, fmt.Errorf("restore satellite: bad mode %q", j.Mode)
	}
	r, err := registryFromJSON(j.Registry, cat)
	if err != nil {
		return nil, fmt.Errorf("restore satellite: %w", err)
	}
	if _, ok := r.accounts[j.SA]; !ok {
		return nil, fmt.Errorf("restore satellite: smart account %q missing", j.SA)
	}
	return &Satellite{r: r, name: j.Name, hostname: j.Hostname, sa: j.SA, mode: j.Mode, certEnd: j.CertEnd, lastSync: j.LastSync}, nil
}
