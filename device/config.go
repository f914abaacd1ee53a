package device

import (
	"slices"
	"time"

	"github.com/slsim/slsim/netsim"
)

// CallHomeProfile is a `call-home` profile.
type CallHomeProfile struct {
	Name   string `json:"name"`
	Active bool   `json:"active"`
	// Destination is the HTTP(S) address (`destination address http <url>`).
	Destination string `json:"destination"`
	// ReportsSmartLicensing is `reporting smart-licensing-data` (CiscoTAC-1
	// reports it by default).
	ReportsSmartLicensing bool `json:"reportsSmartLicensing"`
	// TransportHTTP is `destination transport-method http`.
	TransportHTTP bool `json:"transportHTTP"`
}

// NameServer is `ip name-server [vrf <vrf>] <ip>`.
type NameServer struct {
	IP  string `json:"ip"`
	VRF string `json:"vrf,omitempty"`
}

// Interface is an interface with the VRF it is in (`vrf forwarding`) and
// its address (`ip address`), as a prefix: "192.0.2.10/24" ("" for none).
type Interface struct {
	Name string `json:"name"`
	VRF  string `json:"vrf,omitempty"`
	IP   string `json:"ip,omitempty"`
}

// Route is a static route, `ip route [vrf <vrf>] <prefix> <mask>
// {<next hop> | <interface> [<next hop>]}`; Prefix is "0.0.0.0/0" form.
type Route struct {
	VRF       string `json:"vrf,omitempty"`
	Prefix    string `json:"prefix"`
	NextHop   string `json:"nextHop,omitempty"`
	Interface string `json:"interface,omitempty"`
}

// The lab switch's addresses and gateways (documentation and benchmarking
// ranges: nothing here is a real address). [model]
const (
	GlobalAddress  = "192.0.2.10/24"      // Vlan1
	GlobalGateway  = netsim.GlobalGateway // the global table's upstream router
	MgmtAddress    = "198.18.0.10/24"     // GigabitEthernet0/0, in Mgmt-vrf
	MgmtGateway    = netsim.MgmtGateway   // Mgmt-vrf's upstream router
	MgmtVRF        = "Mgmt-vrf"
	mgmtInterface  = "GigabitEthernet0/0"
	vlanInterface  = "Vlan1"
	defaultPrefix4 = "0.0.0.0/0"
)

// User is `username <name> privilege <0-15> secret <password>`: who may
// log in to the switch (over SSH when served) and at which privilege.
// The simulation keeps the secret itself; `show running-config` prints a
// digest of it. [model]
type User struct {
	Name      string `json:"name"`
	Privilege int    `json:"privilege"`
	Secret    string `json:"secret"`
}

// Trustpoint is a `crypto pki trustpoint`.
type Trustpoint struct {
	Name string `json:"name"`
	// RevocationCheck is "crl" (the default: no session without the CRL),
	// "none", or "crl none" (the CRL when it can be had, else none).
	RevocationCheck string `json:"revocationCheck"`
	// CA is the issuer name of the CA certificate imported with `crypto
	// pki authenticate` (empty when none).
	CA string `json:"ca,omitempty"`
}

// SLATrustPoint is the trustpoint smart licensing uses for CSSM.
const SLATrustPoint = "SLA-TrustPoint"

// Config is the part of the configuration that matters to licensing; a
// device keeps a running and a startup one.
type Config struct {
	Hostname        string `json:"hostname"`
	ServiceCallHome bool   `json:"serviceCallHome"`
	// ContactEmail is call-home's `contact-email-addr` ("": the factory
	// sch-smart-licensing@cisco.com).
	ContactEmail string `json:"contactEmail,omitempty"`
	// CallHomeVRF is call-home's `vrf <name>`: the VRF of Call Home's
	// email messages only. HTTP messages, Smart Licensing's among them,
	// take the route `ip http client source-interface` gives. [doc]
	CallHomeVRF string            `json:"callHomeVRF,omitempty"`
	Profiles    []CallHomeProfile `json:"profiles"`
	// HTTPProxy is `call-home` `http-proxy <ip> port <port>` ("" for none).
	HTTPProxy     string `json:"httpProxy,omitempty"`
	HTTPProxyPort int    `json:"httpProxyPort,omitempty"`
	DomainLookup  bool   `json:"domainLookup"`
	// DomainSourceInterface is `ip domain lookup source-interface`: name
	// servers configured without a VRF are asked from its VRF.
	DomainSourceInterface string            `json:"domainSourceInterface,omitempty"`
	NameServers           []NameServer      `json:"nameServers,omitempty"`
	Hosts                 map[string]string `json:"hosts,omitempty"` // ip host
	Interfaces            []Interface       `json:"interfaces,omitempty"`
	Routes                []Route           `json:"routes,omitempty"`
	Users                 []User            `json:"users,omitempty"`
	// SourceInterface is `ip http client source-interface`.
	SourceInterface     string       `json:"sourceInterface,omitempty"`
	Trustpoints         []Trustpoint `json:"trustpoints"`
	ServerIdentityCheck bool         `json:"serverIdentityCheck"`
	NTPServers          []string     `json:"ntpServers,omitempty"`
	CalendarValid       bool         `json:"calendarValid"`
	TimeZone            string       `json:"timeZone,omitempty"`
	TimeZoneOffset      int          `json:"timeZoneOffset,omitempty"` // seconds east of UTC
	// LicenseLevel is the `license boot level` words.
	LicenseLevel string `json:"licenseLevel"`
	// DomainName is `ip domain name` (also typed `ip domain-name`).
	DomainName string `json:"domainName,omitempty"`
	// AAANewModel is `aaa new-model`.
	AAANewModel bool `json:"aaaNewModel,omitempty"`
	// EnableSecret is `enable secret`, and EnablePassword `enable
	// password`: what `enable` asks for. The secret wins when both are
	// set; with neither, a vty line refuses `enable`.
	EnableSecret   string `json:"enableSecret,omitempty"`
	EnablePassword string `json:"enablePassword,omitempty"`
	// HTTPSecureServer is `ip http secure-server`: the HTTPS server that
	// RESTCONF answers on.
	HTTPSecureServer bool `json:"httpSecureServer,omitempty"`
	// HTTPAuthLocal is `ip http authentication local`.
	HTTPAuthLocal bool `json:"httpAuthLocal,omitempty"`
	// RESTCONF is `restconf`: the RESTCONF API on the HTTPS server.
	RESTCONF bool `json:"restconf,omitempty"`
	// BootSystem is `boot system <image>`: the image a reload boots
	// (bundle mode); "" boots the installed packages (install mode).
	BootSystem string `json:"bootSystem,omitempty"`
	// SSHTimeout is `ip ssh time-out <1-120>`: seconds a connection has to
	// log in (0: IOS's default, 120). SSHMaxStartups is `ip ssh
	// maxstartups <2-128>`: connections logging in at once (0: the
	// server's default).
	SSHTimeout     int `json:"sshTimeout,omitempty"`
	SSHMaxStartups int `json:"sshMaxStartups,omitempty"`
	// SSHRetries is `ip ssh authentication-retries <0-5>`: failed
	// authentication attempts (each refused key counts) before the
	// connection is closed. 0 is IOS's default, 3; -1 stands for a
	// configured 0, which allows one attempt [model].
	SSHRetries int `json:"sshRetries,omitempty"`
	// LogBuffer is `logging buffered <size>`: the logging buffer's size in
	// bytes (0: the platform's default; -1: `no logging buffered`).
	LogBuffer int `json:"logBuffer,omitempty"`
	// Syslog is where and how the device sends its log lines: `logging
	// host`, `logging trap`, `logging facility`, `logging
	// source-interface`, `logging origin-id hostname`, `service
	// sequence-numbers`, `service timestamps log`.
	Syslog Syslog `json:"syslog,omitzero"`
	// SNMP is the `snmp-server` configuration.
	SNMP SNMP `json:"snmp,omitzero"`
	// SLAKeyPair is the identity of the SLA-KeyPair RSA key the
	// registration generated ("" when none); PKI keys live in the
	// configuration, so an unsaved key is lost on reload.
	SLAKeyPair string `json:"slaKeyPair,omitempty"`
}

// DefaultConfig is an IOS-XE 16.9+ switch out of the box: Call Home on,
// CiscoTAC-1 active towards tools.cisco.com reporting smart-licensing
// data, domain lookup on without name servers, SLA-TrustPoint checking
// revocation by CRL, server identity checked, clock not authoritative.
func DefaultConfig(hostname, level string) Config {
	return Config{
		Hostname:        hostname,
		ServiceCallHome: true,
		Profiles: []CallHomeProfile{{Name: "CiscoTAC-1", Active: true, Destination: "https://tools.cisco.com/its/service/oddce/services/DDCEService",
			ReportsSmartLicensing: true, TransportHTTP: true}},
		DomainLookup:        true,
		Trustpoints:         []Trustpoint{{Name: SLATrustPoint, RevocationCheck: "crl", CA: "Cisco Licensing Root CA"}},
		ServerIdentityCheck: true,
		LicenseLevel:        level,
		Interfaces:          []Interface{{Name: mgmtInterface, VRF: MgmtVRF, IP: MgmtAddress}, {Name: vlanInterface, IP: GlobalAddress}},
		Routes:              defaultRoutes(),
	}
}

// defaultRoutes are the lab switch's default routes: the global table's
// and Mgmt-vrf's, each to its upstream router.
func defaultRoutes() []Route {
	return []Route{{Prefix: defaultPrefix4, NextHop: GlobalGateway}, {VRF: MgmtVRF, Prefix: defaultPrefix4, NextHop: MgmtGateway}}
}

// addressed reports whether any interface has an address: a configuration
// saved before interfaces had them routes by the network's tables alone.
func (c Config) addressed() bool {
	return slices.ContainsFunc(c.Interfaces, func(i Interface) bool { return i.IP != "" }) || len(c.Routes) > 0
}

// SNMP is the device's SNMP agent configuration: `snmp-server community`,
// `snmp-server host`, `snmp-server enable traps smart-license`,
// `snmp-server location` and `contact`.
type SNMP struct {
	Communities []Community `json:"communities,omitempty"`
	Hosts       []TrapHost  `json:"hosts,omitempty"`
	TrapsSL     bool        `json:"trapsSmartLicense,omitempty"`
	Location    string      `json:"location,omitempty"`
	Contact     string      `json:"contact,omitempty"`
}

// Community is one `snmp-server community <name> RO|RW [<acl>]`.
type Community struct {
	Name string `json:"name"`
	RW   bool   `json:"rw,omitempty"`
	ACL  string `json:"acl,omitempty"`
}

// TrapHost is one `snmp-server host <ip> [version 2c] <community>`.
type TrapHost struct {
	IP        string `json:"ip"`
	Community string `json:"community"`
	Port      int    `json:"port,omitempty"` // udp-port; 0: SNMP's 162
}

func (s SNMP) equal(o SNMP) bool {
	return slices.Equal(s.Communities, o.Communities) && slices.Equal(s.Hosts, o.Hosts) && s.TrapsSL == o.TrapsSL &&
		s.Location == o.Location && s.Contact == o.Contact
}

// Syslog is the device's syslog configuration.
type Syslog struct {
	Hosts []LogHost `json:"hosts,omitempty"`
	// Trap is `logging trap <level>` plus one (0: IOS's default,
	// informational, 6).
	Trap int `json:"trap,omitempty"`
	// Facility is `logging facility` ("": local7).
	Facility        string `json:"facility,omitempty"`
	SourceInterface string `json:"sourceInterface,omitempty"`
	OriginHostname  bool   `json:"originHostname,omitempty"`
	SequenceNumbers bool   `json:"sequenceNumbers,omitempty"`
	// Localtime and ShowTimezone are `service timestamps log datetime
	// msec [localtime] [show-timezone]`.
	Localtime    bool `json:"localtime,omitempty"`
	ShowTimezone bool `json:"showTimezone,omitempty"`
}

// LogHost is one `logging host <ip> [vrf <vrf>] [transport udp|tcp port <n>]`.
type LogHost struct {
	IP   string `json:"ip"`
	VRF  string `json:"vrf,omitempty"`
	TCP  bool   `json:"tcp,omitempty"`
	Port int    `json:"port,omitempty"` // 0: 514 (UDP) or 601 (TCP)
}

// TrapLevel is the most verbose severity sent to the hosts (0–7).
func (s Syslog) TrapLevel() int {
	if s.Trap == 0 {
		return 6
	}
	return s.Trap - 1
}

// FacilityName is the facility of the syslog PRI.
func (s Syslog) FacilityName() string {
	if s.Facility == "" {
		return "local7"
	}
	return s.Facility
}

// PortOf is a host's port: its own, or the transport's default.
func (h LogHost) PortOf() int {
	switch {
	case h.Port != 0:
		return h.Port
	case h.TCP:
		return 601
	}
	return 514
}

func (s Syslog) equal(o Syslog) bool {
	return slices.Equal(s.Hosts, o.Hosts) && s.Trap == o.Trap && s.Facility == o.Facility && s.SourceInterface == o.SourceInterface &&
		s.OriginHostname == o.OriginHostname && s.SequenceNumbers == o.SequenceNumbers && s.Localtime == o.Localtime && s.ShowTimezone == o.ShowTimezone
}

// Clone returns an independent copy.
func (c Config) Clone() Config {
	c.Syslog.Hosts = slices.Clone(c.Syslog.Hosts)
	c.SNMP.Communities = slices.Clone(c.SNMP.Communities)
	c.SNMP.Hosts = slices.Clone(c.SNMP.Hosts)
	c.Profiles = slices.Clone(c.Profiles)
	c.NameServers = slices.Clone(c.NameServers)
	c.Interfaces = slices.Clone(c.Interfaces)
	c.Routes = slices.Clone(c.Routes)
	c.Users = slices.Clone(c.Users)
	c.Trustpoints = slices.Clone(c.Trustpoints)
	c.NTPServers = slices.Clone(c.NTPServers)
	if c.Hosts != nil {
		h := make(map[string]string, len(c.Hosts))
		for k, v := range c.Hosts {
			h[k] = v
		}
		c.Hosts = h
	}
	return c
}

// Equal reports whether two configurations are the same.
func (c Config) Equal(d Config) bool {
	if len(c.Hosts) != len(d.Hosts) {
		return false
	}
	for k, v := range c.Hosts {
		if d.Hosts[k] != v {
			return false
		}
	}
	a, b := c, d
	a.Hosts, b.Hosts = nil, nil
	return slices.Equal(a.Profiles, b.Profiles) && slices.Equal(a.NameServers, b.NameServers) && slices.Equal(a.Interfaces, b.Interfaces) &&
		slices.Equal(a.Routes, b.Routes) && slices.Equal(a.Users, b.Users) &&
		slices.Equal(a.Trustpoints, b.Trustpoints) && slices.Equal(a.NTPServers, b.NTPServers) &&
		a.Hostname == b.Hostname && a.ServiceCallHome == b.ServiceCallHome && a.ContactEmail == b.ContactEmail && a.CallHomeVRF == b.CallHomeVRF && a.HTTPProxy == b.HTTPProxy && a.HTTPProxyPort == b.HTTPProxyPort &&
		a.DomainLookup == b.DomainLookup && a.DomainSourceInterface == b.DomainSourceInterface && a.SourceInterface == b.SourceInterface &&
		a.ServerIdentityCheck == b.ServerIdentityCheck &&
		a.CalendarValid == b.CalendarValid && a.TimeZone == b.TimeZone && a.TimeZoneOffset == b.TimeZoneOffset &&
		a.LicenseLevel == b.LicenseLevel && a.SLAKeyPair == b.SLAKeyPair &&
		a.DomainName == b.DomainName && a.AAANewModel == b.AAANewModel &&
		a.EnableSecret == b.EnableSecret && a.EnablePassword == b.EnablePassword && a.HTTPSecureServer == b.HTTPSecureServer &&
		a.HTTPAuthLocal == b.HTTPAuthLocal && a.RESTCONF == b.RESTCONF && a.BootSystem == b.BootSystem && a.LogBuffer == b.LogBuffer &&
		a.SSHTimeout == b.SSHTimeout && a.SSHMaxStartups == b.SSHMaxStartups && a.SSHRetries == b.SSHRetries && a.Syslog.equal(b.Syslog) && a.SNMP.equal(b.SNMP)
}

// Trustpoint returns a trustpoint by name.
func (c *Config) Trustpoint(name string) *Trustpoint {
	return named(c.Trustpoints, name, func(t *Trustpoint) string { return t.Name })
}

// Profile returns a call-home profile by name.
func (c *Config) Profile(name string) *CallHomeProfile {
	return named(c.Profiles, name, func(p *CallHomeProfile) string { return p.Name })
}

// Interface returns an interface by its full name.
func (c *Config) Interface(name string) *Interface {
	return named(c.Interfaces, name, func(i *Interface) string { return i.Name })
}

// User returns a user by name.
func (c *Config) User(name string) *User {
	return named(c.Users, name, func(u *User) string { return u.Name })
}

// named is the element of s called name (nil if none), to read or edit
// in place.
func named[T any](s []T, name string, nameOf func(*T) string) *T {
	for i := range s {
		if nameOf(&s[i]) == name {
			return &s[i]
		}
	}
	return nil
}

// Zone is the configured time zone (UTC when none).
func (c Config) Zone() *time.Location {
	if c.TimeZone == "" {
		return time.UTC
	}
	return time.FixedZone(c.TimeZone, c.TimeZoneOffset)
}
