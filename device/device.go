// Package device is an IOS-XE Catalyst switch as far as licensing goes: its
// stackwise topology and version, running and startup configuration (Call
// Home, DNS, VRFs, proxy, trustpoints, clock, license level, PKI keys),
// write memory, reload and failover, its Smart Agent, and the Call Home
// transport that turns the agent's messages into deliveries over the
// network — or into the field guide's failures.
//
// Time is an input; the device reads no clock.
package device

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

// Spec describes a device to build.
type Spec struct {
	Topology stackwise.Device // name (the hostname), units, level, version
	Seed     uint64
	Profile  *agent.Profile
}

// Device is one switch (stack, chassis or StackWise Virtual pair). It is not
// safe for concurrent use.
type Device struct {
	topo        stackwise.Device
	running     Config
	startup     Config
	clockOffset time.Duration
	ntpSynced   bool
	ag          *agent.Agent
	pcg         *rand.PCG
	rng         *rand.Rand
	crlUntil    time.Time
	logs        []agent.LogEvent
	outbox      []license.Message
	conv        Conversion // Device Led Conversion (3650/3850)
	booted      time.Time  // when the device last booted (zero: before the world began keeping it)
	strictSSH   bool       // its SSH server refuses a repeated service request (a lab fault)
}

// New boots a device at now with the factory configuration (saved), its
// licenses from the topology's level.
func New(now time.Time, s Spec) (*Device, error) {
	if err := s.Topology.Validate(); err != nil {
		return nil, fmt.Errorf("new device: %w", err)
	}
	udi, err := s.Topology.UDI()
	if err != nil {
		return nil, fmt.Errorf("new device: %w", err)
	}
	usage, err := s.Topology.Usage()
	if err != nil {
		return nil, fmt.Errorf("new device: %w", err)
	}
	ag, err := agent.New(now, agent.Config{UDI: udi, Hostname: s.Topology.Name, Profile: s.Profile, Seed: s.Seed, Usage: usage})
	if err != nil {
		return nil, fmt.Errorf("new device: %w", err)
	}
	pcg := rand.NewPCG(s.Seed^0xd1b54a32d192ed03, s.Seed)
	cfg := DefaultConfig(s.Topology.Name, s.Topology.Level.String())
	d := &Device{topo: s.Topology, running: cfg, startup: cfg.Clone(), ag: ag, pcg: pcg, rng: rand.New(pcg), booted: now}
	d.drain()
	return d, nil
}

// Name is the device's hostname at creation, its key in a world.
func (d *Device) Name() string { return d.topo.Name }

// Agent is the device's Smart Agent.
func (d *Device) Agent() *agent.Agent { return d.ag }

// Topology returns a copy of the device's topology (its first unit is the active one).
func (d *Device) Topology() stackwise.Device {
	t := d.topo
	t.Switches = slices.Clone(t.Switches)
	t.Chassis = slices.Clone(t.Chassis)
	return t
}

// Running returns a copy of the running configuration.
func (d *Device) Running() Config { return d.running.Clone() }

// Monitoring returns copies of the running configuration's syslog and
// SNMP parts alone: what a forwarder asks of every log line, without
// cloning the whole configuration.
func (d *Device) Monitoring() (Syslog, SNMP) {
	sl, sn := d.running.Syslog, d.running.SNMP
	sl.Hosts = slices.Clone(sl.Hosts)
	sn.Communities, sn.Hosts = slices.Clone(sn.Communities), slices.Clone(sn.Hosts)
	return sl, sn
}

// Startup returns a copy of the startup configuration.
func (d *Device) Startup() Config { return d.startup.Clone() }

// NTPServers are the running configuration's `ntp server` addresses (the
// device's own slice: read, do not keep).
func (d *Device) NTPServers() []string { return d.running.NTPServers }

// LogBufferSize is the running configuration's `logging buffered` size in
// bytes: 0 for the platform's default, -1 when buffered logging is off.
func (d *Device) LogBufferSize() int { return d.running.LogBuffer }

// Saved reports whether running and startup configurations are the same.
func (d *Device) Saved() bool { return d.running.Equal(d.startup) }

// Clock returns the device's clock offset from true time and whether the
// clock is authoritative (NTP-synchronised or calendar-valid): IOS marks
// syslog lines with '*' while it is not.
func (d *Device) Clock() (offset time.Duration, authoritative bool) {
	return d.clockOffset, d.ntpSynced || d.running.CalendarValid
}

// LogStamp is the timestamp the device puts on a log line at the true
// instant t: its clock's reading in its zone, "Mar  4 10:00:00.000", after
// a "*" while the clock is not authoritative (no NTP, no clock
// calendar-valid). A line keeps the stamp it was given when the clock
// moves later.
func (d *Device) LogStamp(t time.Time) string {
	off, auth := d.Clock()
	return FormatStamp(t.Add(off).In(d.running.Zone()), auth)
}

// FormatStamp is IOS's log timestamp of a clock reading.
func FormatStamp(local time.Time, authoritative bool) string {
	s := local.Format("Jan _2 15:04:05.000")
	if !authoritative {
		return "*" + s
	}
	return s
}

// DeviceTime is the device clock at the true instant t.
func (d *Device) DeviceTime(t time.Time) time.Time { return t.Add(d.clockOffset) }

func (d *Device) log(t time.Time, facility string, sev int, mn, text string) {
	d.logs = append(d.logs, agent.LogEvent{Time: t, Facility: facility, Severity: sev, Mnemonic: mn, Text: text})
}

// ConfiguredFrom logs that configuration mode was left, as IOS does:
// %SYS-5-CONFIG_I: Configured from console by <by> ("console" on the
// console line, "admin on vty0 (192.0.2.1)" over SSH).
func (d *Device) ConfiguredFrom(now time.Time, by string) {
	d.log(now, "SYS", 5, "CONFIG_I", "Configured from console by "+by)
}

// drain moves the agent's outputs into the device's: messages to send, and
// log lines — adding CONFIG_NOT_SAVED after a registration while the key
// pair is not saved.
func (d *Device) drain() {
	d.outbox = append(d.outbox, d.ag.TakeMessages()...)
	for _, l := range d.ag.TakeLogs() {
		d.logs = append(d.logs, l)
		if l.Mnemonic == agent.MnRegSuccess && d.startup.SLAKeyPair != d.running.SLAKeyPair {
			d.log(l.Time, "SMART_LIC", 4, "CONFIG_NOT_SAVED", "Smart Licensing configuration has not been saved")
		}
	}
}

// TakeMessages returns the requests the agent wants sent, oldest first.
func (d *Device) TakeMessages() []license.Message {
	m := d.outbox
	d.outbox = nil
	return m
}

// TakeLogs returns the device's log lines since the last call, oldest first.
func (d *Device) TakeLogs() []agent.LogEvent {
	l := d.logs
	d.logs = nil
	return l
}

// NextDeadline is the agent's next deadline.
func (d *Device) NextDeadline() time.Time { return d.ag.NextDeadline() }

// Advance processes the agent's deadlines due by now.
func (d *Device) Advance(now time.Time) error {
	err := d.ag.Advance(now)
	d.drain()
	return err
}

// Handle gives the agent an answer.
func (d *Device) Handle(now time.Time, a license.Answer) error {
	err := d.ag.Handle(now, a)
	d.drain()
	return err
}

func (d *Device) newKey() string { return fmt.Sprintf("SLA-KeyPair/%016x", d.rng.Uint64()) }

// KeyGenerationText is what IOS prints while it generates an RSA key pair
// (the SLA-KeyPair at registration, or crypto key generate rsa). [model:
// IOS's text for crypto key generate rsa; the elapsed time]
const KeyGenerationText = "% Generating 2048 bit RSA keys, keys will be exportable...\n[OK] (elapsed time was 1 seconds)\n"

// ensureKey generates SLA-KeyPair when the configuration has none, as
// registration does, with the seed's log lines; it tells whether it did.
func (d *Device) ensureKey(now time.Time) bool {
	if d.running.SLAKeyPair != "" {
		return false
	}
	d.running.SLAKeyPair = d.newKey()
	d.log(now, "CRYPTO_ENGINE", 5, "KEY_ADDITION", "A key named SLA-KeyPair has been generated or imported by crypto-engine")
	d.log(now, "PKI", 4, "NOCONFIGAUTOSAVE", `Configuration was modified. Issue "write memory" to save new IOS PKI configuration`)
	return true
}

// Register is `license smart register idtoken <token> [force]`: the key
// pair is generated if needed, Call Home starts the registration, and the
// agent sends it. It returns what IOS prints.
func (d *Device) Register(now time.Time, token string, force bool) (string, error) {
	if err := agent.CheckToken(token); err != nil {
		return "", fmt.Errorf("register: %w", err)
	}
	if d.ag.Mode().HasIDCert() && !force {
		return "", fmt.Errorf("register: %w", agent.ErrAlreadyRegistered)
	}
	if err := d.ag.Advance(now); err != nil {
		return "", err
	}
	d.drain()
	key, logged := d.running.SLAKeyPair, len(d.logs)
	generated := d.ensureKey(now)
	out, err := d.ag.Register(now, token, force)
	if err != nil {
		d.running.SLAKeyPair, d.logs = key, d.logs[:logged] // a refused register changes nothing
		return "", err
	}
	if generated { // after the reply, as the field guide shows it
		out += "\n" + strings.TrimSuffix(KeyGenerationText, "\n")
	}
	d.log(now, "CALL_HOME", 6, "SCH_REGISTRATION_IN_PROGRESS", "SCH device registration is in progress. Call-home will poll SCH server for registration status.")
	d.drain()
	return out, nil
}

// Deregister is `license smart deregister`.
func (d *Device) Deregister(now time.Time) error {
	err := d.ag.Deregister(now)
	d.drain()
	return err
}

// RenewAuth is `license smart renew auth`.
func (d *Device) RenewAuth(now time.Time) error {
	err := d.ag.RenewAuth(now)
	d.drain()
	return err
}

// RenewID is `license smart renew id`.
func (d *Device) RenewID(now time.Time) error {
	err := d.ag.RenewID(now)
	d.drain()
	return err
}

// ErrBadConfig wraps configuration refusals.
var ErrBadConfig = errors.New("invalid configuration")

// Configure edits the running configuration. The edit works on a copy; a
// result that does not hold together (unknown source interface, bad level,
// two profiles of one name, …) is refused and nothing changes. Effects
// follow: NTP synchronises the clock when a server is reachable (see
// SyncClock), a hostname change renames nothing else.
func (d *Device) Configure(now time.Time, edit func(c *Config) error) error {
	if err := d.ag.Advance(now); err != nil {
		return err
	}
	d.drain()
	c := d.running.Clone()
	if err := edit(&c); err != nil {
		return fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	if err := validate(c); err != nil {
		return fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	if c.SLAKeyPair != d.running.SLAKeyPair {
		return fmt.Errorf("%w: the SLA-KeyPair is changed with RegenerateKey", ErrBadConfig)
	}
	d.running = c
	if len(c.NTPServers) == 0 {
		d.ntpSynced = false
	}
	return nil
}

func validate(c Config) error {
	if c.Hostname == "" || strings.ContainsAny(c.Hostname, " \t") {
		return fmt.Errorf("hostname %q", c.Hostname)
	}
	if _, err := stackwise.ParseLevel(c.LicenseLevel); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, p := range c.Profiles {
		if p.Name == "" || seen[p.Name] {
			return fmt.Errorf("call-home profile %q is empty or repeated", p.Name)
		}
		seen[p.Name] = true
	}
	if c.Profile("CiscoTAC-1") == nil {
		return errors.New("the CiscoTAC-1 profile cannot be removed")
	}
	// Only one active profile may carry Smart Licensing (spec: "only one
	// profile may be active for smart licensing"). [model text]
	var sl []string
	for _, p := range c.Profiles {
		if p.Active && p.ReportsSmartLicensing {
			sl = append(sl, p.Name)
		}
	}
	if len(sl) > 1 {
		return fmt.Errorf("smart licensing data can be reported by one active profile only (%s)", strings.Join(sl, ", "))
	}
	seenUser := map[string]bool{}
	for _, u := range c.Users {
		if u.Name == "" || seenUser[u.Name] || strings.ContainsAny(u.Name, " \t") || u.Privilege < 0 || u.Privilege > 15 || u.Secret == "" {
			return fmt.Errorf("username %q: empty, repeated, privilege outside 0-15 or no secret", u.Name)
		}
		seenUser[u.Name] = true
	}
	for _, i := range c.Interfaces {
		if i.IP != "" {
			if p, err := netip.ParsePrefix(i.IP); err != nil || !p.Addr().Is4() {
				return fmt.Errorf("interface %s: address %q", i.Name, i.IP)
			}
		}
	}
	for _, r := range c.Routes {
		if p, err := netip.ParsePrefix(r.Prefix); err != nil || p.Masked() != p {
			return fmt.Errorf("ip route %q: not a prefix", r.Prefix)
		}
		if r.NextHop == "" && r.Interface == "" {
			return fmt.Errorf("ip route %s: no next hop or interface", r.Prefix)
		}
		if r.NextHop != "" {
			if _, err := netip.ParseAddr(r.NextHop); err != nil {
				return fmt.Errorf("ip route %s: next hop %q", r.Prefix, r.NextHop)
			}
		}
		if r.Interface != "" && !slices.ContainsFunc(c.Interfaces, func(i Interface) bool { return i.Name == r.Interface }) {
			return fmt.Errorf("ip route %s: interface %s does not exist", r.Prefix, r.Interface)
		}
	}
	for _, src := range []string{c.SourceInterface, c.DomainSourceInterface} {
		if src != "" && !slices.ContainsFunc(c.Interfaces, func(i Interface) bool { return i.Name == src }) {
			return fmt.Errorf("source interface %s does not exist", src)
		}
	}
	for _, t := range c.Trustpoints {
		if t.RevocationCheck != "crl" && t.RevocationCheck != "none" && t.RevocationCheck != "crl none" {
			return fmt.Errorf("trustpoint %s: revocation-check %q", t.Name, t.RevocationCheck)
		}
	}
	if c.HTTPProxy != "" && (c.HTTPProxyPort < 1 || c.HTTPProxyPort > 65535) {
		return fmt.Errorf("http-proxy port %d", c.HTTPProxyPort)
	}
	return nil
}

// SetClock is `clock set`: the device clock shows deviceTime at now.
func (d *Device) SetClock(now, deviceTime time.Time) error {
	if deviceTime.Year() < 1993 || deviceTime.Year() > 2035 {
		return fmt.Errorf("%w: clock set %s: year outside 1993–2035", ErrBadConfig, deviceTime.Format(time.DateOnly))
	}
	if err := d.ag.Advance(now); err != nil {
		return err
	}
	d.drain()
	d.clockOffset = deviceTime.Sub(now).Truncate(time.Second)
	d.ntpSynced = false
	d.log(now, "SMART_LIC", 5, "SYSTEM_CLOCK_CHANGED", "Smart Agent for Licensing System clock has been changed")
	return nil
}

// SyncClock sets the clock from an NTP server (the world calls it when
// one of the configured servers is reachable).
func (d *Device) SyncClock(now time.Time) {
	if d.clockOffset != 0 {
		d.log(now, "SMART_LIC", 5, "SYSTEM_CLOCK_CHANGED", "Smart Agent for Licensing System clock has been changed")
	}
	d.clockOffset, d.ntpSynced = 0, true
}

// RegenerateKey is `crypto key generate rsa label SLA-KeyPair` over the
// existing key: the device and CSSM identities fall out of step (seed
// scenario 9) until the device registers again with force.
func (d *Device) RegenerateKey(now time.Time) error {
	if err := d.ag.Advance(now); err != nil {
		return err
	}
	d.drain()
	d.running.SLAKeyPair = d.newKey()
	d.log(now, "CRYPTO_ENGINE", 5, "KEY_ADDITION", "A key named SLA-KeyPair has been generated or imported by crypto-engine")
	d.log(now, "PKI", 4, "NOCONFIGAUTOSAVE", `Configuration was modified. Issue "write memory" to save new IOS PKI configuration`)
	return nil
}

// WriteMemory is `write memory` / `copy running-config startup-config`.
func (d *Device) WriteMemory(now time.Time) error {
	if err := d.ag.Advance(now); err != nil {
		return err
	}
	d.drain()
	d.startup = d.running.Clone()
	return nil
}

// keepsRegistration: the registration survives a reload or failover only
// if the key pair it was made with is saved.
func (d *Device) keepsRegistration() bool {
	return d.running.SLAKeyPair != "" && d.startup.SLAKeyPair == d.running.SLAKeyPair
}

// Reload reloads the device: the running configuration becomes the startup
// one (unsaved keys are lost, with the registration made with them; a new
// license level takes effect), requests in flight are lost.
func (d *Device) Reload(now time.Time) error {
	if err := d.ag.Advance(now); err != nil {
		return err
	}
	d.drain()
	keep := d.keepsRegistration()
	d.running = d.startup.Clone()
	if v, ok := d.bootVersion(); ok {
		d.topo.Version = v // bundle mode: the saved boot system's release
	}
	d.crlUntil = time.Time{}
	d.outbox = nil
	if err := d.ag.Reload(now, keep); err != nil {
		return err
	}
	if err := d.applyLevel(now); err != nil {
		return err
	}
	d.booted = now
	d.drain()
	return nil
}

// BootedAt is when the device last booted or reloaded: `show version`'s
// uptime counts from it. Zero for a device restored from a save that
// did not keep it.
func (d *Device) BootedAt() time.Time { return d.booted }

// StrictSSH reports whether the device's SSH server refuses a client that
// asks for the ssh-userauth service a second time (paramiko does, before
// each authentication method) by closing the connection, as some Cisco
// SSH servers are reported to. By default [model] it accepts the request,
// as OpenSSH's sshd does.
func (d *Device) StrictSSH() bool { return d.strictSSH }

// SetStrictSSH sets what StrictSSH reports (the lab fault ssh-strict).
func (d *Device) SetStrictSSH(on bool) { d.strictSSH = on }

// Failover makes the standby the active unit (a stack or supervisor
// switchover). The running configuration is kept — except an unsaved key
// pair, which the standby never had: then the registration is lost.
func (d *Device) Failover(now time.Time) error {
	ha := d.topo.HAList()
	if len(ha) < 2 {
		return fmt.Errorf("failover: %s has no standby", d.topo.Name)
	}
	if err := d.ag.Advance(now); err != nil {
		return err
	}
	d.drain()
	keep := d.keepsRegistration()
	if !keep {
		d.running.SLAKeyPair = d.startup.SLAKeyPair
	}
	switch {
	case len(d.topo.Chassis) > 0:
		if len(d.topo.Chassis) > 1 {
			d.topo.Chassis[0], d.topo.Chassis[1] = d.topo.Chassis[1], d.topo.Chassis[0]
		}
	default:
		d.topo.Switches[0], d.topo.Switches[1] = d.topo.Switches[1], d.topo.Switches[0]
	}
	d.outbox = nil
	d.crlUntil = time.Time{}
	if err := d.ag.Reload(now, keep); err != nil {
		return err
	}
	d.log(now, "SMART_LIC", 6, "HA_ROLE_CHANGED", "Smart Agent HA role changed to Active.")
	d.drain()
	return nil
}

// applyLevel sets the agent's usage from the running license level.
func (d *Device) applyLevel(now time.Time) error {
	l, err := stackwise.ParseLevel(d.running.LicenseLevel)
	if err != nil {
		return err
	}
	d.topo.Level = l
	usage, err := d.topo.Usage()
	if err != nil {
		return err
	}
	return d.ag.SetUsage(now, usage)
}
