package cssm

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/slsim/slsim/license"
)

// SyncMode is how a satellite synchronises with CSSM.
type SyncMode string

// The two modes of Smart Software Manager On-Prem. [seed]
const (
	SyncNetwork SyncMode = "network" // connected: over the network, monthly
	SyncManual  SyncMode = "manual"  // disconnected: by exchanging files
)

// satRecord is CSSM's record of a satellite.
type satRecord struct {
	Name      string    `json:"name"`
	SA        string    `json:"smartAccount"`
	VAs       []string  `json:"virtualAccounts"`
	Mode      SyncMode  `json:"mode"`
	LastSync  time.Time `json:"lastSync"`
	NextCheck time.Time `json:"nextCheck"`
	Alerted   bool      `json:"alerted"`
	Removed   bool      `json:"removed"`
}

func satSource(name string) string { return "satellite:" + name }

// SatelliteConfig describes a satellite to install.
type SatelliteConfig struct {
	Name     string   // the satellite's name in CSSM
	Hostname string   // the name on its server certificate (devices must use it)
	SA       string   // the smart account it serves
	VAs      []string // the virtual accounts it serves
	Mode     SyncMode
	// CertValidity is its server certificate's lifetime from installation.
	CertValidity time.Duration
	Seed         uint64
}

// Satellite is a Smart Software Manager On-Prem: devices registered to it
// talk only to it; it knows the licenses of its virtual accounts as of its
// last synchronisation with CSSM, and reports its usage only then. It is
// not safe for concurrent use.
type Satellite struct {
	r        *registry
	name     string
	hostname string
	sa       string
	mode     SyncMode
	certEnd  time.Time
	lastSync time.Time
}

// AddSatellite installs a satellite for some virtual accounts of a smart
// account and synchronises it once.
func (c *CSSM) AddSatellite(now time.Time, cfg SatelliteConfig) (*Satellite, error) {
	var sat *Satellite
	err := c.op(now, func() error {
		if err := checkName("satellite", cfg.Name); err != nil {
			return err
		}
		if _, dup := c.sats[cfg.Name]; dup {
			return fmt.Errorf("satellite %q: %w", cfg.Name, ErrExists)
		}
		if cfg.Mode != SyncNetwork && cfg.Mode != SyncManual {
			return fmt.Errorf("%w sync mode %q: want network or manual", ErrInvalid, cfg.Mode)
		}
		if cfg.CertValidity <= 0 {
			return fmt.Errorf("%w: the satellite's certificate validity must be positive", ErrInvalid)
		}
		if err := checkName("satellite host", cfg.Hostname); err != nil {
			return err
		}
		if len(cfg.VAs) == 0 {
			return fmt.Errorf("%w: a satellite serves at least one virtual account", ErrInvalid)
		}
		a, err := c.r.account(cfg.SA)
		if err != nil {
			return err
		}
		vas := slices.Clone(cfg.VAs)
		slices.Sort(vas)
		if len(slices.Compact(slices.Clone(vas))) != len(vas) {
			return fmt.Errorf("%w: virtual account listed twice", ErrInvalid)
		}
		for _, va := range vas {
			if _, ok := a.vas[va]; !ok {
				return fmt.Errorf("virtual account %q of %q: %w", va, cfg.SA, ErrNotFound)
			}
		}
		r, err := newRegistry(now, &c.r.prof, c.r.cat, cfg.Seed, cfg.Name)
		if err != nil {
			return err
		}
		_ = r.createAccount(cfg.SA, a.Domain)
		for _, va := range vas {
			if va != DefaultVAName {
				_ = r.createVA(cfg.SA, va, a.vas[va].Description)
			}
		}
		sat = &Satellite{r: r, name: cfg.Name, hostname: cfg.Hostname, sa: cfg.SA, mode: cfg.Mode, certEnd: now.Add(cfg.CertValidity)}
		c.sats[cfg.Name] = &satRecord{Name: cfg.Name, SA: cfg.SA, VAs: vas, Mode: cfg.Mode}
		resp, err := c.importSync(sat.exportSync())
		if err != nil {
			return err
		}
		return sat.applySync(resp)
	})
	return sat, err
}

// SatelliteInfo is CSSM's view of a satellite.
type SatelliteInfo struct {
	Name     string    `json:"name"`
	SA       string    `json:"smartAccount"`
	VAs      []string  `json:"virtualAccounts"`
	Mode     SyncMode  `json:"mode"`
	LastSync time.Time `json:"lastSync"`
	Status   string    `json:"status"` // Synchronized, Sync Overdue, Removed
}

// Satellites lists the satellites of a smart account ("" for all), by name.
func (c *CSSM) Satellites(sa string) []SatelliteInfo {
	var out []SatelliteInfo
	for _, s := range c.sats {
		if sa != "" && s.SA != sa {
			continue
		}
		st := "Synchronized"
		switch {
		case s.Removed:
			st = "Removed"
		case s.Alerted:
			st = "Sync Overdue"
		}
		out = append(out, SatelliteInfo{Name: s.Name, SA: s.SA, VAs: slices.Clone(s.VAs), Mode: s.Mode, LastSync: s.LastSync, Status: st})
	}
	slices.SortFunc(out, func(a, b SatelliteInfo) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	return out
}

// checkSatellite applies CSSM's rules to a satellite that has not
// synchronised: an alert after SatelliteSyncAlertAfter, removal (its usage
// forgotten) after SatelliteRemoveAfter.
func (c *CSSM) checkSatellite(e entry) {
	s, ok := c.sats[e.key]
	if !ok || s.Removed || unixNano(s.NextCheck) != e.ns {
		return
	}
	r, p := c.r, c.r.prof
	age := r.now.Sub(s.LastSync)
	switch {
	case age <= p.SatelliteSyncAlertAfter:
		// Due, not overdue: a synchronisation due at this very instant
		// (SatelliteSyncEvery) may still come, so look again a second
		// later rather than raise an alert it would clear at once.
		c.scheduleSat(s, s.LastSync.Add(p.SatelliteSyncAlertAfter+time.Second))
	case !s.Alerted:
		s.Alerted = true
		r.raise("sync:"+s.Name, Alert{Severity: SevMajor, Type: AlertSatelliteSync, SA: s.SA, Source: s.Name, Due: s.LastSync.Add(p.SatelliteRemoveAfter),
			Message: fmt.Sprintf("The satellite %s has not synchronized since %s", s.Name, s.LastSync.Format(time.DateOnly))})
		c.scheduleSat(s, s.LastSync.Add(p.SatelliteRemoveAfter))
	case age < p.SatelliteRemoveAfter:
		c.scheduleSat(s, s.LastSync.Add(p.SatelliteRemoveAfter))
	default:
		s.Removed = true
		r.clear("sync:" + s.Name)
		for _, va := range s.VAs {
			if v := r.accounts[s.SA].vas[va]; v != nil {
				delete(v.external, satSource(s.Name))
				v.cache = nil
				r.refreshShortages(s.SA, va)
			}
		}
		r.raise("satremoved:"+s.Name, Alert{Severity: SevCritical, Type: AlertSatelliteRemoved, SA: s.SA, Source: s.Name,
			Message: fmt.Sprintf("The satellite %s was removed after %d days without synchronization", s.Name, int(p.SatelliteRemoveAfter/Day))})
	}
}

func (c *CSSM) scheduleSat(s *satRecord, at time.Time) {
	s.NextCheck = at
	c.r.push(at, entry{kind: kindSatellite, key: s.Name})
}

// SyncRequest is what a satellite sends (or writes to a file) to
// synchronise: its usage per virtual account.
type SyncRequest struct {
	Satellite string                      `json:"satellite"`
	SA        string                      `json:"smartAccount"`
	Time      time.Time                   `json:"time"`
	Usage     map[string]map[string]int64 `json:"usage"` // VA → tag → count
}

// SyncLot is one license lot in a sync response.
type SyncLot struct {
	Tag   string    `json:"tag"`
	Qty   int64     `json:"quantity"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// SyncResponse is CSSM's answer: per virtual account, the licenses and the
// usage of everything else that draws on them.
type SyncResponse struct {
	Satellite string                      `json:"satellite"`
	Time      time.Time                   `json:"time"`
	Lots      map[string][]SyncLot        `json:"lots"`  // VA → lots
	Other     map[string]map[string]int64 `json:"other"` // VA → tag → count
}

// ImportSync takes a satellite's sync request (from the network or a file)
// and answers it.
func (c *CSSM) ImportSync(now time.Time, req SyncRequest) (SyncResponse, error) {
	var resp SyncResponse
	err := c.op(now, func() error {
		var err error
		resp, err = c.importSync(req)
		return err
	})
	return resp, err
}

func (c *CSSM) importSync(req SyncRequest) (SyncResponse, error) {
	s, ok := c.sats[req.Satellite]
	if !ok {
		return SyncResponse{}, fmt.Errorf("satellite %q: %w", req.Satellite, ErrNotFound)
	}
	if s.Removed {
		return SyncResponse{}, fmt.Errorf("%w: satellite %q was removed for not synchronizing; register it again", ErrInvalid, s.Name)
	}
	if req.SA != s.SA {
		return SyncResponse{}, fmt.Errorf("%w: satellite %q serves %q, not %q", ErrInvalid, s.Name, s.SA, req.SA)
	}
	r := c.r
	for va, usage := range req.Usage {
		if !slices.Contains(s.VAs, va) {
			return SyncResponse{}, fmt.Errorf("%w: satellite %q does not serve %q", ErrInvalid, s.Name, va)
		}
		for tag, n := range usage {
			if n < 0 || n > MaxQuantity || tag == "" {
				return SyncResponse{}, fmt.Errorf("%w usage %d of %q", ErrInvalid, n, tag)
			}
		}
	}
	resp := SyncResponse{Satellite: s.Name, Time: r.now, Lots: map[string][]SyncLot{}, Other: map[string]map[string]int64{}}
	for _, va := range s.VAs {
		v := r.accounts[s.SA].vas[va]
		if u := req.Usage[va]; len(u) > 0 {
			v.external[satSource(s.Name)] = cloneCounts(u)
		} else {
			delete(v.external, satSource(s.Name))
		}
		v.cache = nil
		r.refreshShortages(s.SA, va)
		for _, l := range v.lots {
			resp.Lots[va] = append(resp.Lots[va], SyncLot{Tag: l.Tag, Qty: l.Qty, Start: l.Start, End: l.End})
		}
		other := cloneCounts(v.demand)
		for src, ext := range v.external {
			if src != satSource(s.Name) {
				for tag, n := range ext {
					other[tag] += n
				}
			}
		}
		resp.Other[va] = other
	}
	s.LastSync = r.now
	if s.Alerted {
		s.Alerted = false
		r.clear("sync:" + s.Name)
	}
	c.scheduleSat(s, r.now.Add(r.prof.SatelliteSyncAlertAfter))
	return resp, nil
}

func cloneCounts(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// Name is the satellite's name.
func (s *Satellite) Name() string { return s.name }

// SmartAccount is the smart account the satellite serves.
func (s *Satellite) SmartAccount() string { return s.sa }

// Hostname is the name on the satellite's server certificate.
func (s *Satellite) Hostname() string { return s.hostname }

// Mode is the satellite's synchronisation mode.
func (s *Satellite) Mode() SyncMode { return s.mode }

// LastSync is when the satellite last synchronised.
func (s *Satellite) LastSync() time.Time { return s.lastSync }

// NextSync is when a network-mode satellite synchronises next (zero for a
// manual one): monthly. The world calls Sync then, if CSSM is reachable.
func (s *Satellite) NextSync() time.Time {
	if s.mode != SyncNetwork {
		return time.Time{}
	}
	return s.lastSync.Add(s.r.prof.SatelliteSyncEvery)
}

// CertificateExpires is when the satellite's server certificate expires.
func (s *Satellite) CertificateExpires() time.Time { return s.certEnd }

// RenewCertificate gives the satellite a new server certificate.
func (s *Satellite) RenewCertificate(now time.Time, validity time.Duration) error {
	if err := s.r.at(now); err != nil {
		return err
	}
	if validity <= 0 {
		return fmt.Errorf("%w: certificate validity must be positive", ErrInvalid)
	}
	s.r.advance(now, nil)
	s.certEnd = now.Add(validity)
	return nil
}

// Sync synchronises over the network with c (network mode).
func (s *Satellite) Sync(now time.Time, c *CSSM) error {
	if s.mode != SyncNetwork {
		return fmt.Errorf("%w: satellite %s synchronises by file (manual mode)", ErrInvalid, s.name)
	}
	if err := s.r.at(now); err != nil {
		return err
	}
	s.r.advance(now, nil)
	resp, err := c.ImportSync(now, s.exportSync())
	if err != nil {
		return err
	}
	return s.applySync(resp)
}

// ExportSyncFile writes the satellite's sync request as a file (manual mode).
func (s *Satellite) ExportSyncFile(now time.Time) ([]byte, error) {
	if err := s.r.at(now); err != nil {
		return nil, err
	}
	s.r.advance(now, nil)
	return json.MarshalIndent(s.exportSync(), "", "  ")
}

// ParseSyncRequest reads a satellite's sync file.
func ParseSyncRequest(data []byte) (SyncRequest, error) {
	var req SyncRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return SyncRequest{}, fmt.Errorf("sync file: %w", err)
	}
	if req.Satellite == "" || req.SA == "" {
		return SyncRequest{}, fmt.Errorf("%w sync file: missing satellite or smart account", ErrInvalid)
	}
	return req, nil
}

// ImportSyncResponse applies CSSM's answer (manual mode).
func (s *Satellite) ImportSyncResponse(now time.Time, resp SyncResponse) error {
	if err := s.r.at(now); err != nil {
		return err
	}
	if resp.Satellite != s.name {
		return fmt.Errorf("%w: the response is for satellite %q, not %q", ErrInvalid, resp.Satellite, s.name)
	}
	if resp.Time.Before(s.lastSync) {
		return fmt.Errorf("%w: the response (%s) is older than the last sync", ErrInvalid, resp.Time.Format(time.RFC3339))
	}
	s.r.advance(now, nil)
	return s.applySync(resp)
}

func (s *Satellite) exportSync() SyncRequest {
	req := SyncRequest{Satellite: s.name, SA: s.sa, Time: s.r.now, Usage: map[string]map[string]int64{}}
	for name, v := range s.r.accounts[s.sa].vas {
		if u := cloneCounts(v.demand); len(u) > 0 {
			req.Usage[name] = u
		}
	}
	return req
}

func (s *Satellite) applySync(resp SyncResponse) error {
	a := s.r.accounts[s.sa]
	for va := range resp.Lots {
		if _, ok := a.vas[va]; !ok {
			return fmt.Errorf("%w: the response names virtual account %q, which satellite %s does not serve", ErrInvalid, va, s.name)
		}
	}
	for name, v := range a.vas {
		v.lots = nil
		for _, l := range resp.Lots[name] {
			if !l.End.IsZero() && !l.End.After(s.r.now) {
				continue
			}
			nl := &lot{ID: s.r.nextLot, Tag: l.Tag, Qty: l.Qty, Start: l.Start, End: l.End}
			s.r.nextLot++
			if !nl.End.IsZero() && !nl.End.Add(-s.r.prof.TermExpiringNotice).After(s.r.now) {
				nl.Warned = true
			}
			v.lots = append(v.lots, nl)
			s.r.scheduleLot(s.sa, name, nl)
		}
		if o := resp.Other[name]; len(o) > 0 {
			v.external = map[string]map[string]int64{"cssm": cloneCounts(o)}
		} else {
			v.external = map[string]map[string]int64{}
		}
		v.cache = nil
		s.r.refreshShortages(s.sa, name)
	}
	s.lastSync = s.r.now
	return nil
}

// Handle answers a device request (implements Backend). Its server
// certificate's expiry is the devices' concern: a device checks it in TLS
// and does not trust the answers (seed scenario 6); the satellite answers
// as ever.
func (s *Satellite) Handle(now time.Time, msg license.Message) (license.Answer, error) {
	if _, err := s.r.checkMessage(now, msg); err != nil {
		return nil, fmt.Errorf("satellite %s: %w", s.name, err)
	}
	s.r.advance(now, nil)
	return s.r.handle(msg), nil
}

// Advance processes the satellite's own clean-up due by now.
func (s *Satellite) Advance(now time.Time) error {
	if err := s.r.at(now); err != nil {
		return err
	}
	s.r.advance(now, nil)
	return nil
}

// NextDeadline is the satellite's next clean-up deadline, or zero.
func (s *Satellite) NextDeadline() time.Time {
	ns, ok := s.r.next()
	if !ok {
		return time.Time{}
	}
	return s.r.timeOf(ns)
}

// CreateToken creates a token on the satellite for one of its virtual accounts.
func (s *Satellite) CreateToken(now time.Time, va string, o TokenOptions) (Token, error) {
	if err := s.r.at(now); err != nil {
		return Token{}, err
	}
	s.r.advance(now, nil)
	return s.r.createToken(s.sa, va, o)
}

// RevokeToken revokes one of the satellite's tokens.
func (s *Satellite) RevokeToken(now time.Time, value string) error {
	if err := s.r.at(now); err != nil {
		return err
	}
	s.r.advance(now, nil)
	return s.r.revokeToken(value)
}

// Licenses reports a virtual account's licenses as the satellite sees them.
func (s *Satellite) Licenses(va string) ([]LicenseRow, error) { return s.r.licenses(s.sa, va) }

// Instances lists the satellite's product instances in a virtual account.
func (s *Satellite) Instances(va string) ([]InstanceRow, error) { return s.r.instances(s.sa, va) }

// Alerts lists the satellite's own alerts.
func (s *Satellite) Alerts(all bool) []Alert { return s.r.listAlerts("", all) }
