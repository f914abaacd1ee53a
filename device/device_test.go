package device_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/stackwise"
)

var t0 = time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)

const tok = "NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgt"

func newDevice(t *testing.T) *device.Device {
	t.Helper()
	d, err := device.New(t0, device.Spec{Topology: stackwise.Device{Name: "sw1",
		Switches: []stackwise.Unit{{PID: "C9300-24P", SN: "FOC1"}, {PID: "C9300-48P", SN: "FOC2"}},
		Level:    stackwise.Level{Base: stackwise.NetworkAdvantage, Addon: stackwise.DNAAdvantage}, Version: stackwise.MustVersion("17.3.1")}, Seed: 1})
	require.NoError(t, err)
	d.TakeLogs()
	return d
}

func withDNS(t *testing.T, d *device.Device) {
	t.Helper()
	require.NoError(t, d.Configure(t0, func(c *device.Config) error {
		c.NameServers = []device.NameServer{{IP: netsim.DNSIP}}
		return nil
	}))
}

func route(t *testing.T, d *device.Device, net *netsim.Network) device.Outcome {
	t.Helper()
	_, err := d.Register(t0, tok, true)
	require.NoError(t, err)
	msgs := d.TakeMessages()
	require.Len(t, msgs, 1)
	return d.Route(t0, msgs[0], net)
}

func TestRouteDelivers(t *testing.T) {
	d := newDevice(t)
	withDNS(t, d)
	o := route(t, d, netsim.Default(t0))
	require.True(t, o.Deliver)
	assert.Equal(t, "cssm", o.Backend)
	reg := o.Message.(license.Register)
	assert.Equal(t, t0, reg.DeviceTime)
	assert.NotEmpty(t, reg.KeyID)
	assert.Equal(t, d.Running().SLAKeyPair, reg.KeyID)
	assert.Equal(t, []license.UDI{{PID: "C9300-24P", SN: "FOC1"}, {PID: "C9300-48P", SN: "FOC2"}}, reg.Members, "the stack's HA UDI list")
}

func TestRouteFailures(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg    func(c *device.Config)
		net    func(n *netsim.Network)
		class  license.FailureClass
		pend   bool
		logMn  string
		reason string
	}{
		"no service call-home": {cfg: func(c *device.Config) { c.ServiceCallHome = false }, class: license.FailTransportUnavailable, logMn: "CALL_HOME_FAILED_TO_ENABLE"},
		"user profile without reporting": {cfg: func(c *device.Config) {
			c.Profile("CiscoTAC-1").Active = false
			c.Profiles = append(c.Profiles, device.CallHomeProfile{Name: "Mine", Active: true, Destination: netsim.CSSMURL})
		}, class: license.FailTransportUnavailable, logMn: "CALL_HOME_FAILED_TO_ENABLE"},
		"no DNS":        {cfg: func(c *device.Config) { c.NameServers = nil }, class: license.FailSend, logMn: "SL_MESSAGE_FAILED"},
		"domain lookup": {cfg: func(c *device.Config) { c.DomainLookup = false }, class: license.FailSend, logMn: "SL_MESSAGE_FAILED"},
		"443 blocked":   {net: func(n *netsim.Network) { n.Blocked[netsim.CSSMIP+":443"] = true }, class: license.FailSend, logMn: "SL_MESSAGE_FAILED"},
		"wrong VRF":     {cfg: func(c *device.Config) { c.SourceInterface = "GigabitEthernet0/0" }, class: license.FailSend, logMn: "SL_MESSAGE_FAILED"},
		"IP, identity": {cfg: func(c *device.Config) {
			c.Profile("CiscoTAC-1").Destination = "https://" + netsim.CSSMIP + netsim.CSSMPath
		}, class: license.FailInvalidData},
		"CRL unreachable": {net: func(n *netsim.Network) { n.Endpoints[netsim.CRLIP].Down = true }, pend: true, logMn: "CRL_FETCH_FAIL"},
		// Wrong fixes fail as on a switch: plain HTTP to the cloud (port
		// 80 open) sends nothing; a server certificate past its end on
		// the device's clock fails TLS (seed scenario 6's symptoms).
		"plain HTTP": {cfg: func(c *device.Config) {
			c.Profile("CiscoTAC-1").Destination = "http://" + netsim.CSSMHost + netsim.CSSMPath
		}, class: license.FailSend, logMn: "SL_MESSAGE_FAILED"},
		"certificate expired": {net: func(n *netsim.Network) { n.Endpoints[netsim.CSSMIP].Cert.NotAfter = t0 }, class: license.FailInvalidData, logMn: "CERTIFICATE_INVALID_EXPIRED"},
		"intercepting proxy": {cfg: func(c *device.Config) { c.HTTPProxy, c.HTTPProxyPort = "192.0.2.8", 8080 }, net: func(n *netsim.Network) {
			require.NoError(t, n.Add(netsim.Endpoint{IP: "192.0.2.8", Name: "proxy", Kind: netsim.KindProxy, Ports: []int{8080}, Intercepts: true, ProxyCA: "Corp CA"}))
		}, class: license.FailSend, logMn: "SL_MESSAGE_FAILED"},
	} {
		t.Run(name, func(t *testing.T) {
			d := newDevice(t)
			withDNS(t, d)
			if tc.cfg != nil {
				require.NoError(t, d.Configure(t0, func(c *device.Config) error { tc.cfg(c); return nil }))
			}
			n := netsim.Default(t0)
			if tc.net != nil {
				tc.net(n)
			}
			d.TakeLogs()
			o := route(t, d, n)
			assert.False(t, o.Deliver)
			if tc.pend {
				assert.Nil(t, o.Failure)
			} else {
				require.NotNil(t, o.Failure)
				assert.Equal(t, tc.class, o.Failure.Class)
			}
			if tc.logMn != "" {
				var mns []string
				for _, l := range d.TakeLogs() {
					mns = append(mns, l.Mnemonic)
				}
				assert.Contains(t, mns, tc.logMn)
			}
		})
	}
}

func TestProxyWithImportedCA(t *testing.T) {
	d := newDevice(t)
	require.NoError(t, d.Configure(t0, func(c *device.Config) error {
		c.HTTPProxy, c.HTTPProxyPort = "192.0.2.8", 8080
		c.Trustpoints = append(c.Trustpoints, device.Trustpoint{Name: "LicRoot", RevocationCheck: "none", CA: "Corp CA"})
		return nil
	}))
	n := netsim.Default(t0)
	require.NoError(t, n.Add(netsim.Endpoint{IP: "192.0.2.8", Name: "proxy", Kind: netsim.KindProxy, Ports: []int{8080}, Intercepts: true, ProxyCA: "Corp CA"}))
	n.GlobalOnly = []string{"192.0.2.8", netsim.CRLIP, netsim.DNSIP}
	require.NoError(t, d.Configure(t0, func(c *device.Config) error { c.NameServers = []device.NameServer{{IP: netsim.DNSIP}}; return nil }))
	o := route(t, d, n)
	assert.True(t, o.Deliver, "through the proxy, its CA trusted: %+v", o.Failure)
}

func TestConfigureRefusesAndKeepsConfig(t *testing.T) {
	d := newDevice(t)
	before := d.Running()
	for name, edit := range map[string]func(c *device.Config){
		"unknown source interface": func(c *device.Config) { c.SourceInterface = "Gi9/9" },
		"bad level":                func(c *device.Config) { c.LicenseLevel = "network-advantage addon dna-essentials" },
		"no CiscoTAC-1":            func(c *device.Config) { c.Profiles = nil },
		"duplicate profile":        func(c *device.Config) { c.Profiles = append(c.Profiles, c.Profiles[0]) },
		"revocation":               func(c *device.Config) { c.Trustpoints[0].RevocationCheck = "maybe" },
		"proxy port":               func(c *device.Config) { c.HTTPProxy, c.HTTPProxyPort = "192.0.2.8", 0 },
		"hostname":                 func(c *device.Config) { c.Hostname = "two words" },
		"key":                      func(c *device.Config) { c.SLAKeyPair = "forged" },
	} {
		err := d.Configure(t0, func(c *device.Config) error { edit(c); return nil })
		assert.ErrorIs(t, err, device.ErrBadConfig, name)
		assert.True(t, before.Equal(d.Running()), name)
	}
	assert.Error(t, d.SetClock(t0, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)))
}

func register(t *testing.T, d *device.Device) {
	t.Helper()
	_, err := d.Register(t0, tok, false)
	require.NoError(t, err)
	reg := d.TakeMessages()[0]
	require.NoError(t, d.Handle(t0, license.RegisterReply{ID: reg.RequestID(), SmartAccount: "SA", VirtualAccount: "VA", CertStart: t0}))
}

func TestReloadLosesUnsavedRegistration(t *testing.T) {
	d := newDevice(t)
	register(t, d)
	var mns []string
	for _, l := range d.TakeLogs() {
		mns = append(mns, l.Mnemonic)
	}
	assert.Equal(t, []string{"KEY_ADDITION", "NOCONFIGAUTOSAVE", "SCH_REGISTRATION_IN_PROGRESS", "EXPORT_CONTROLLED", "AGENT_REG_SUCCESS", "CONFIG_NOT_SAVED"}, mns)
	assert.False(t, d.Saved())
	require.NoError(t, d.Reload(t0.Add(time.Hour)))
	assert.Equal(t, agent.RegUnregistered, d.Agent().Status().Registration)
	assert.Empty(t, d.Running().SLAKeyPair, "the key was never saved")
}

func TestReloadKeepsSavedRegistration(t *testing.T) {
	d := newDevice(t)
	register(t, d)
	require.NoError(t, d.WriteMemory(t0))
	assert.True(t, d.Saved())
	require.NoError(t, d.Reload(t0.Add(time.Hour)))
	assert.Equal(t, agent.RegRegistered, d.Agent().Status().Registration)
}

func TestFailover(t *testing.T) {
	d := newDevice(t)
	register(t, d)
	require.NoError(t, d.WriteMemory(t0))
	require.NoError(t, d.Failover(t0.Add(time.Hour)))
	assert.Equal(t, agent.RegRegistered, d.Agent().Status().Registration, "saved: the new active keeps the registration")
	ha := d.Topology().HAList()
	assert.Equal(t, "FOC2", ha[0].UDI.SN, "the standby is active now")
	assert.Equal(t, "FOC1", d.Agent().UDI().SN, "the licensing UDI does not change")

	d2 := newDevice(t)
	register(t, d2)
	require.NoError(t, d2.Failover(t0.Add(time.Hour)))
	assert.Equal(t, agent.RegUnregistered, d2.Agent().Status().Registration, "unsaved keys are lost on failover")
}

func TestLevelChangeTakesEffectAfterReload(t *testing.T) {
	d := newDevice(t)
	require.NoError(t, d.Configure(t0, func(c *device.Config) error { c.LicenseLevel = "network-essentials"; return nil }))
	assert.Len(t, d.Agent().Status().Entitlements, 4, "not before the reload")
	require.NoError(t, d.WriteMemory(t0))
	require.NoError(t, d.Reload(t0.Add(time.Minute)))
	var tags []string
	for _, e := range d.Agent().Status().Entitlements {
		tags = append(tags, e.Tag)
	}
	assert.Equal(t, []string{"C9300-24 Network Essentials", "C9300-48 Network Essentials"}, tags)
}

func TestSnapshotRoundTrip(t *testing.T) {
	d := newDevice(t)
	register(t, d)
	d.TakeLogs()
	d.TakeMessages()
	a, err := d.Snapshot()
	require.NoError(t, err)
	r, err := device.Restore(a)
	require.NoError(t, err)
	b, err := r.Snapshot()
	require.NoError(t, err)
	assert.Equal(t, string(a), string(b))
	_, err = device.Restore([]byte(`{"name":"x","version":"17.3.1","running":{}}`))
	assert.Error(t, err)
}

// Only one active Call Home profile may carry Smart Licensing: a second
// is refused and the configuration stays as it was.
func TestOneSmartLicensingProfile(t *testing.T) {
	d := newDevice(t)
	before := d.Running()
	err := d.Configure(t0, func(c *device.Config) error {
		c.Profiles = append(c.Profiles, device.CallHomeProfile{Name: "Mine", Active: true, ReportsSmartLicensing: true, Destination: netsim.CSSMURL})
		return nil
	})
	require.ErrorIs(t, err, device.ErrBadConfig)
	assert.Contains(t, err.Error(), "one active profile only (CiscoTAC-1, Mine)")
	assert.Equal(t, before, d.Running())
	// Inactive, or with CiscoTAC-1 inactive, it is accepted.
	require.NoError(t, d.Configure(t0, func(c *device.Config) error {
		c.Profiles = append(c.Profiles, device.CallHomeProfile{Name: "Mine", ReportsSmartLicensing: true, Destination: netsim.CSSMURL})
		return nil
	}))
	require.NoError(t, d.Configure(t0, func(c *device.Config) error {
		c.Profile("CiscoTAC-1").Active = false
		c.Profile("Mine").Active = true
		return nil
	}))
}

// The first registration generates SLA-KeyPair and prints IOS's key
// generation lines before the registration's; a registration with the key
// in place (force) prints the reply alone.
func TestRegisterGeneratesTheKeyPair(t *testing.T) {
	d := newDevice(t)
	require.Empty(t, d.Running().SLAKeyPair)
	out, err := d.Register(t0, tok, false)
	require.NoError(t, err)
	assert.Equal(t, agent.RegisterReplyText+"\n"+strings.TrimSuffix(device.KeyGenerationText, "\n"), out, "the reply first, as the field guide shows")
	assert.NotEmpty(t, d.Running().SLAKeyPair)
	out, err = d.Register(t0, tok, true)
	require.NoError(t, err)
	assert.Equal(t, agent.RegisterReplyText, out)
}

// The routing table decides: the default route carries the registration;
// without it the message fails to send; a route through an exit interface
// uses the router on its subnet; a configuration saved before interfaces
// had addresses routes by the network's tables, as it always did.
func TestRoutingTable(t *testing.T) {
	d := newDevice(t)
	withDNS(t, d)
	n := netsim.Default(t0)
	require.True(t, route(t, d, n).Deliver)

	require.NoError(t, d.Configure(t0, func(c *device.Config) error {
		c.Routes = []device.Route{{VRF: "Mgmt-vrf", Prefix: "0.0.0.0/0", NextHop: netsim.MgmtGateway}}
		return nil
	}))
	o := route(t, d, n)
	require.NotNil(t, o.Failure, "no route in the global table")
	assert.Equal(t, license.FailSend, o.Failure.Class)
	assert.ErrorIs(t, d.Connect("", netsim.CSSMIP, 443, n), device.ErrNoRoute)

	require.NoError(t, d.Configure(t0, func(c *device.Config) error {
		c.Routes = append(c.Routes, device.Route{Prefix: "0.0.0.0/0", Interface: "Vlan1"})
		return nil
	}))
	assert.True(t, route(t, d, n).Deliver, "through Vlan1's router")

	require.NoError(t, d.Configure(t0, func(c *device.Config) error {
		c.Routes = nil
		for i := range c.Interfaces {
			c.Interfaces[i].IP = ""
		}
		return nil
	}))
	assert.True(t, route(t, d, n).Deliver, "no addresses: the network's tables alone")

	err := d.Configure(t0, func(c *device.Config) error {
		c.Routes = []device.Route{{Prefix: "10.0.0.1/8", NextHop: "10.0.0.254"}}
		return nil
	})
	require.ErrorIs(t, err, device.ErrBadConfig, "a prefix with host bits")
}
