package device

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/netsim"
)

// Outcome is what the Call Home transport makes of one agent message.
type Outcome struct {
	// Deliver: the message reaches Backend (netsim.Endpoint.Backend) after
	// Latency; Message is the request as sent (with the device's clock and
	// key). Otherwise Failure, if set, goes back to the agent at once, and
	// with neither the message is lost in flight (the agent waits).
	Deliver bool
	Backend string
	Latency time.Duration
	Message license.Message
	Failure *license.Failure
	// URL is the destination the profile names.
	URL string
}

// CRLCache is how long a fetched CRL is trusted before it is fetched
// again. [model]
const CRLCache = 24 * time.Hour

// Texts of the Call Home failures. [seed] unless marked.
const (
	callHomeNoUserProfile = "Failed to enable call-home from Smart Agent for Licensing: The command failed to enable smart call home due to an existing active user profile.If you are using a user profile other than CiscoTAC-1 profile to send data to SCH server in Cisco, enter reporting smart-licensing-data under profile mode to configure that profile for smart licensing.For more details about SCH, check http://www.cisco.com/go/smartcallhome"
	// [model]
	callHomeDisabled = "Failed to enable call-home from Smart Agent for Licensing: service call-home is disabled"
)

// Route decides the fate of one agent message sent at now over net: the
// checks a real switch makes, in its order — Call Home enabled and a
// profile reporting smart-licensing data (else "Communication transport
// not available."), the destination's name (ip host, DNS from the name
// servers' VRFs), the route from the source interface's VRF and the port
// (else "Fail to send out Call Home HTTP message." and SL_MESSAGE_FAILED),
// then TLS: a proxy that intercepts needs its CA imported, the server
// identity must match the certificate (else the satellite's answers fail to
// verify: LS_INVALID_DATA), and SLA-TrustPoint's CRL must be fetchable
// (else CRL_FETCH_FAIL and no answer: PENDING, "Waiting for reply").
func (d *Device) Route(now time.Time, msg license.Message, net *netsim.Network) Outcome {
	c := &d.running
	failAs := func(class license.FailureClass, reason string) Outcome {
		f := license.Failure{ID: msg.RequestID(), Class: class, Reason: reason}
		return Outcome{Failure: &f}
	}
	if !c.ServiceCallHome {
		d.log(now, "CALL_HOME", 3, "CALL_HOME_FAILED_TO_ENABLE", callHomeDisabled)
		return failAs(license.FailTransportUnavailable, license.ReasonTransportUnavailable)
	}
	var prof *CallHomeProfile
	otherActive := false
	for i := range c.Profiles {
		p := &c.Profiles[i]
		if p.Active && p.ReportsSmartLicensing {
			prof = p
			break
		}
		if p.Active {
			otherActive = true
		}
	}
	if prof == nil {
		text := callHomeNoUserProfile
		if !otherActive {
			text = "Failed to enable call-home from Smart Agent for Licensing: no active profile reports smart-licensing data" // [model]
		}
		d.log(now, "CALL_HOME", 3, "CALL_HOME_FAILED_TO_ENABLE", text)
		return failAs(license.FailTransportUnavailable, license.ReasonTransportUnavailable)
	}
	dest := prof.Destination
	sendFail := func() Outcome {
		d.log(now, "CALL_HOME", 5, "SL_MESSAGE_FAILED", "Fail to send out Smart Licensing message to: "+dest+" (ERR 205 : Request Aborted)")
		o := failAs(license.FailSend, license.ReasonSendFailed)
		o.URL = dest
		return o
	}
	u, err := url.Parse(dest)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return sendFail()
	}
	host := strings.ToLower(u.Hostname())
	port := 443
	if u.Scheme == "http" {
		port = 80
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return sendFail()
		}
	}
	vrf := ""
	if i := c.Interface(c.SourceInterface); i != nil {
		vrf = i.VRF
	}
	// With a proxy, the device connects to it and the proxy resolves the name.
	var target string
	var proxy *netsim.Endpoint
	if c.HTTPProxy != "" {
		if err := d.Connect(vrf, c.HTTPProxy, c.HTTPProxyPort, net); err != nil {
			return sendFail()
		}
		proxy, _ = net.Endpoint(c.HTTPProxy)
		ip, ok := net.Records[host]
		if _, err := netip.ParseAddr(host); err == nil {
			ip, ok = host, true
		}
		// The proxy's own path to the server is not the device's routing table.
		if e, found := net.Endpoint(ip); !ok || !found || e.Down || net.Blocked[fmt.Sprintf("%s:%d", ip, port)] {
			return sendFail()
		}
		target = ip
	} else {
		ip, ok := d.resolve(host, net)
		if !ok {
			return sendFail()
		}
		if err := d.Connect(vrf, ip, port, net); err != nil {
			return sendFail()
		}
		target = ip
	}
	ep, ok := net.Endpoint(target)
	if !ok || ep.Backend == "" {
		return sendFail()
	}
	if u.Scheme == "http" {
		// Plain HTTP reaches the server, which no longer takes Smart
		// Licensing messages over it (the seed: HTTP is deprecated, HTTPS
		// is the supported transport): the message is not sent. [model:
		// the failure as SL_MESSAGE_FAILED]
		return sendFail()
	}
	cert := ep.Certificate()
	if proxy != nil && proxy.Intercepts {
		// The proxy presents its own certificate: the device must trust its CA.
		if !slices.ContainsFunc(c.Trustpoints, func(t Trustpoint) bool { return t.CA == proxy.ProxyCA }) {
			return sendFail()
		}
		cert = &netsim.Cert{Name: host, Issuer: proxy.ProxyCA, NotBefore: ep.Cert.NotBefore, NotAfter: ep.Cert.NotAfter}
	}
	if cert == nil {
		return sendFail()
	}
	if (ep.Kind == netsim.KindTransportGateway || ep.ReissuedBy != "") && (proxy == nil || !proxy.Intercepts) &&
		!slices.ContainsFunc(c.Trustpoints, func(t Trustpoint) bool { return t.CA == cert.Issuer }) {
		// A Transport Gateway's certificate comes from the enterprise's
		// CA, as does any certificate re-issued under another CA, which
		// only a trustpoint holding it makes trusted. [model: the PKI
		// line's text]
		d.log(now, "PKI", 3, "CERTIFICATE_INVALID_UNAUTHORIZED", fmt.Sprintf("Certificate chain validation has failed. Unauthorized (issuer %s is not trusted)", cert.Issuer))
		return sendFail()
	}
	if dt := d.DeviceTime(now); dt.Before(cert.NotBefore) {
		d.log(now, "PKI", 3, "CERTIFICATE_INVALID_NOT_YET_VALID", fmt.Sprintf("Certificate chain validation has failed. The certificate (SN: %s) is not yet valid. Validity period starts on %s",
			certSerial(cert), cert.NotBefore.UTC().Format("2006-01-02 15:04:05Z")))
	} else if !dt.Before(cert.NotAfter) {
		// A server certificate past its end on the device's clock (the
		// satellite's expired, or the clock wrong) fails the device's TLS
		// check, as one before its start shows it: the answers do not
		// verify, and the agent gets the seed's scenario 6 LS_INVALID_DATA.
		// [model: the PKI line's text, after the seed's NOT_YET_VALID one]
		d.log(now, "PKI", 3, "CERTIFICATE_INVALID_EXPIRED", fmt.Sprintf("Certificate chain validation has failed. The certificate (SN: %s) has expired. Validity period ended on %s",
			certSerial(cert), cert.NotAfter.UTC().Format("2006-01-02 15:04:05Z")))
		return failAs(license.FailInvalidData, license.ReasonInvalidData)
	}
	if c.ServerIdentityCheck && cert.Name != host {
		// The TLS session is set up without the peer's identity; the
		// signed answers then fail to verify on the agent. [seed scenario 6]
		return failAs(license.FailInvalidData, license.ReasonInvalidData)
	}
	if tp := c.Trustpoint(SLATrustPoint); tp != nil && strings.HasPrefix(tp.RevocationCheck, "crl") && !now.Before(d.crlUntil) {
		crl, ok := d.resolve(strings.ToLower(net.CRLHost), net)
		if !ok || d.Connect(vrf, crl, 80, net) != nil {
			d.log(now, "PKI", 3, "CRL_FETCH_FAIL", "CRL fetch for trustpoint SLA-TrustPoint failed Reason : Failed to select socket.Timeout : 5 (Connection timed out)")
			if tp.RevocationCheck == "crl" {
				return Outcome{URL: dest}
			}
			// "crl none": without the CRL, no revocation check.
		} else {
			d.crlUntil = now.Add(CRLCache)
		}
	}
	sent := msg
	switch m := msg.(type) {
	case license.Register:
		m.DeviceTime, m.KeyID = d.DeviceTime(now), c.SLAKeyPair
		if ha := d.topo.HAList(); len(ha) > 1 {
			for _, u := range ha {
				if u.UDI.Validate() == nil { // units without a serial are left out
					m.Members = append(m.Members, u.UDI)
				}
			}
		}
		sent = m
	case license.Authorize:
		m.KeyID = c.SLAKeyPair
		sent = m
	case license.RenewID:
		m.KeyID = c.SLAKeyPair
		sent = m
	}
	return Outcome{Deliver: true, Backend: ep.Backend, Latency: net.Latency, Message: sent, URL: dest}
}

// resolve finds an address for host: a literal, `ip host`, or DNS through
// the configured name servers in order, each from its VRF.
func (d *Device) resolve(host string, net *netsim.Network) (string, bool) {
	if _, err := netip.ParseAddr(host); err == nil {
		return host, true
	}
	if ip, ok := d.running.Hosts[host]; ok {
		return ip, true
	}
	if !d.running.DomainLookup {
		return "", false
	}
	for _, ns := range d.running.NameServers {
		vrf := ns.VRF
		if vrf == "" && d.running.DomainSourceInterface != "" {
			// ip domain lookup source-interface: asked from that interface.
			vrf, _ = d.InterfaceVRF(d.running.DomainSourceInterface)
		}
		up, err := d.route(vrf, ns.IP, net)
		if err != nil {
			continue
		}
		if ip, err := net.Resolve(up, ns.IP, host); err == nil {
			return ip, true
		}
	}
	return "", false
}

// certSerial is a stable serial number for a simulated certificate.
func certSerial(c *netsim.Cert) string {
	var h uint32 = 2166136261
	for _, b := range []byte(c.Name + c.Issuer) {
		h = (h ^ uint32(b)) * 16777619
	}
	return fmt.Sprintf("%08X", h)
}

// Resolve finds an address for a host as the device does (literal, ip
// host, DNS); the console's ping and telnet use it.
func (d *Device) Resolve(host string, net *netsim.Network) (string, bool) {
	return d.resolve(strings.ToLower(host), net)
}

// InterfaceVRF is the VRF of one of the device's interfaces ("" for the
// global table), and whether the interface exists.
func (d *Device) InterfaceVRF(name string) (string, bool) {
	for _, i := range d.running.Interfaces {
		if strings.EqualFold(i.Name, name) {
			return i.VRF, true
		}
	}
	return "", false
}
