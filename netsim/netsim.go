// Package netsim is the network around the switches: endpoints (the CSSM
// cloud, satellites, a proxy or transport gateway, the CRL distribution
// point, name and NTP servers), DNS records, reachability per VRF, blocked
// ports, TLS interception, server certificates, and latency. It is pure
// data with queries; faults are changes to it that a world applies at
// given times.
package netsim

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Cert is a server certificate as the device's TLS client sees it.
type Cert struct {
	Name      string    `json:"name"` // the name it is issued to
	Issuer    string    `json:"issuer"`
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
}

// Kinds of endpoint.
const (
	KindCSSM      = "cssm"
	KindSatellite = "satellite"
	// KindTransportGateway relays Call Home messages to CSSM (Backend
	// "cssm"), behind a certificate of the enterprise's own CA.
	KindTransportGateway = "transport-gateway"
	KindProxy            = "proxy"
	KindCRL              = "crl"
	KindDNS              = "dns"
	KindNTP              = "ntp"
)

// Endpoint is a server on the network.
type Endpoint struct {
	IP    string `json:"ip"`
	Name  string `json:"name"` // its DNS name
	Kind  string `json:"kind"`
	Ports []int  `json:"ports"`
	Cert  *Cert  `json:"cert,omitempty"`
	// Backend names the licensing back end behind a CSSM or satellite
	// endpoint ("cssm", or the satellite's name).
	Backend string `json:"backend,omitempty"`
	// Intercepts marks a proxy that breaks TLS open with its own CA.
	Intercepts bool   `json:"intercepts,omitempty"`
	ProxyCA    string `json:"proxyCA,omitempty"`
	Down       bool   `json:"down,omitempty"`
	// ReissuedBy, when set, is the CA that issued the certificate the
	// endpoint now presents in place of Cert's issuer (a gateway's
	// certificate renewed under a new enterprise CA): a device trusts it
	// only through a trustpoint holding that CA.
	ReissuedBy string `json:"reissuedBy,omitempty"`
}

// Certificate is the certificate the endpoint presents: Cert, with the
// issuer ReissuedBy names when set; nil when it has none.
func (e *Endpoint) Certificate() *Cert {
	if e.Cert == nil || e.ReissuedBy == "" {
		return e.Cert
	}
	c := *e.Cert
	c.Issuer = e.ReissuedBy
	return &c
}

// Network is the model. Zero values mean: no records, everything reachable
// from the global table, nothing reachable from other VRFs.
type Network struct {
	Endpoints map[string]*Endpoint `json:"endpoints"` // by IP
	Records   map[string]string    `json:"records"`   // DNS name → IP
	// VRFs lists, per VRF name, the IPs reachable from it. The global
	// table ("") reaches every endpoint unless GlobalOnly is set.
	VRFs       map[string][]string `json:"vrfs"`
	GlobalOnly []string            `json:"globalOnly,omitempty"`
	// Blocked holds "ip:port" pairs a firewall drops.
	Blocked map[string]bool `json:"blocked"`
	// CRLHost is the CRL distribution point's name for SLA-TrustPoint.
	CRLHost string        `json:"crlHost"`
	Latency time.Duration `json:"latency"`
	// Routers are the upstream routers devices route through, by address:
	// each leads into a table of VRFs (the global one, "", or a VRF's
	// list) that says what it reaches.
	Routers map[string]string `json:"routers,omitempty"`
}

// Has reports whether an endpoint answers at ip.
func (n *Network) Has(ip string) bool {
	e, ok := n.Endpoints[ip]
	return ok && !e.Down
}

// Errors of connection attempts.
var (
	ErrUnreachable = errors.New("no route to host")
	ErrBlocked     = errors.New("connection refused (port blocked)")
	ErrNoName      = errors.New("name not resolved")
)

// New returns an empty network with the given one-way latency.
func New(latency time.Duration) *Network {
	return &Network{Endpoints: map[string]*Endpoint{}, Records: map[string]string{}, VRFs: map[string][]string{}, Blocked: map[string]bool{}, Latency: latency,
		Routers: map[string]string{}}
}

// Add adds an endpoint and its DNS record.
func (n *Network) Add(e Endpoint) error {
	if _, err := netip.ParseAddr(e.IP); err != nil {
		return fmt.Errorf("endpoint %q: %w", e.Name, err)
	}
	if _, dup := n.Endpoints[e.IP]; dup {
		return fmt.Errorf("endpoint %s: address already used", e.IP)
	}
	ec := e
	ec.Ports = slices.Clone(e.Ports)
	n.Endpoints[e.IP] = &ec
	if e.Name != "" {
		n.Records[strings.ToLower(e.Name)] = e.IP
	}
	return nil
}

// Endpoint returns the endpoint at an address.
func (n *Network) Endpoint(ip string) (*Endpoint, bool) {
	e, ok := n.Endpoints[ip]
	return e, ok
}

// Reachable reports whether ip can be reached from a VRF ("" is the global table).
func (n *Network) Reachable(vrf, ip string) bool {
	e, ok := n.Endpoints[ip]
	if !ok || e.Down {
		return false
	}
	if vrf == "" {
		return len(n.GlobalOnly) == 0 || slices.Contains(n.GlobalOnly, ip)
	}
	return slices.Contains(n.VRFs[vrf], ip)
}

// Connect checks a TCP connection from a VRF to ip:port.
func (n *Network) Connect(vrf, ip string, port int) error {
	if !n.Reachable(vrf, ip) {
		return fmt.Errorf("%s from VRF %q: %w", ip, vrf, ErrUnreachable)
	}
	if n.Blocked[fmt.Sprintf("%s:%d", ip, port)] {
		return fmt.Errorf("%s:%d: %w", ip, port, ErrBlocked)
	}
	if !slices.Contains(n.Endpoints[ip].Ports, port) {
		return fmt.Errorf("%s:%d: %w", ip, port, ErrBlocked)
	}
	return nil
}

// Resolve asks the name server at ns, from a VRF, for a name.
func (n *Network) Resolve(vrf, ns, name string) (string, error) {
	e, ok := n.Endpoints[ns]
	if !ok || e.Kind != KindDNS {
		return "", fmt.Errorf("%s is not a name server: %w", ns, ErrNoName)
	}
	if err := n.Connect(vrf, ns, 53); err != nil {
		return "", err
	}
	ip, ok := n.Records[strings.ToLower(name)]
	if !ok {
		return "", fmt.Errorf("%s: %w", name, ErrNoName)
	}
	return ip, nil
}

// Clone returns an independent copy.
func (n *Network) Clone() *Network {
	c := &Network{Endpoints: map[string]*Endpoint{}, Records: map[string]string{}, VRFs: map[string][]string{}, Blocked: map[string]bool{},
		GlobalOnly: slices.Clone(n.GlobalOnly), CRLHost: n.CRLHost, Latency: n.Latency, Routers: maps.Clone(n.Routers)}
	for k, e := range n.Endpoints {
		ec := *e
		ec.Ports = slices.Clone(e.Ports)
		if e.Cert != nil {
			cc := *e.Cert
			ec.Cert = &cc
		}
		c.Endpoints[k] = &ec
	}
	for k, v := range n.Records {
		c.Records[k] = v
	}
	for k, v := range n.VRFs {
		c.VRFs[k] = slices.Clone(v)
	}
	for k, v := range n.Blocked {
		c.Blocked[k] = v
	}
	return c
}

// Well-known names and the addresses the default network gives them
// (documentation ranges: nothing here is a real address).
const (
	CSSMHost = "tools.cisco.com"
	CSSMPath = "/its/service/oddce/services/DDCEService"
	CSSMURL  = "https://" + CSSMHost + CSSMPath
	CSSMIP   = "203.0.113.10"
	CRLHost  = "www.cisco.com"
	CRLIP    = "203.0.113.20"
	DNSIP    = "198.51.100.53"
	NTPIP    = "198.51.100.123"
	// GlobalGateway and MgmtGateway are the upstream routers of a lab
	// switch's global table and of its Mgmt-vrf.
	GlobalGateway = "192.0.2.1"
	MgmtGateway   = "198.18.0.1"
	// SatellitePath is the path of a satellite's (or transport gateway's) URL.
	SatellitePath = "/Transportgateway/services/DeviceRequestHandler"
)

// Default returns the Internet as a lab needs it: the CSSM cloud at
// tools.cisco.com with a valid certificate, the CRL distribution point, a
// name server and an NTP server, all reachable from the global table, and
// 1 s of latency. [model]
func Default(now time.Time) *Network {
	n := New(time.Second)
	n.CRLHost = CRLHost
	n.Routers[GlobalGateway] = ""       // the global table's upstream
	n.Routers[MgmtGateway] = "Mgmt-vrf" // Mgmt-vrf's upstream
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(n.Add(Endpoint{IP: CSSMIP, Name: CSSMHost, Kind: KindCSSM, Ports: []int{80, 443}, Backend: "cssm",
		Cert: &Cert{Name: CSSMHost, Issuer: "HydrantID Server CA O1", NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(10, 0, 0)}}))
	must(n.Add(Endpoint{IP: CRLIP, Name: CRLHost, Kind: KindCRL, Ports: []int{80}}))
	must(n.Add(Endpoint{IP: DNSIP, Name: "dns.example.net", Kind: KindDNS, Ports: []int{53}}))
	must(n.Add(Endpoint{IP: NTPIP, Name: "ntp.example.net", Kind: KindNTP, Ports: []int{123}}))
	return n
}
