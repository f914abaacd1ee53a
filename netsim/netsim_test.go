package netsim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/netsim"
)

var now = time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)

func TestDefaultNetwork(t *testing.T) {
	n := netsim.Default(now)
	ip, err := n.Resolve("", netsim.DNSIP, "TOOLS.cisco.com")
	require.NoError(t, err)
	assert.Equal(t, netsim.CSSMIP, ip)
	require.NoError(t, n.Connect("", netsim.CSSMIP, 443))
	assert.ErrorIs(t, n.Connect("", netsim.CSSMIP, 22), netsim.ErrBlocked, "port not open")
	assert.ErrorIs(t, n.Connect("Mgmt-vrf", netsim.CSSMIP, 443), netsim.ErrUnreachable, "a VRF reaches only what it lists")
	_, err = n.Resolve("", netsim.DNSIP, "nowhere.example")
	assert.ErrorIs(t, err, netsim.ErrNoName)
	_, err = n.Resolve("", netsim.CSSMIP, "tools.cisco.com")
	assert.ErrorIs(t, err, netsim.ErrNoName, "not a name server")
}

func TestReachabilityAndFaults(t *testing.T) {
	n := netsim.Default(now)
	n.VRFs["Mgmt-vrf"] = []string{netsim.CSSMIP}
	require.NoError(t, n.Connect("Mgmt-vrf", netsim.CSSMIP, 443))
	n.Blocked[netsim.CSSMIP+":443"] = true
	assert.ErrorIs(t, n.Connect("Mgmt-vrf", netsim.CSSMIP, 443), netsim.ErrBlocked)
	delete(n.Blocked, netsim.CSSMIP+":443")
	n.GlobalOnly = []string{netsim.DNSIP}
	assert.False(t, n.Reachable("", netsim.CSSMIP))
	assert.True(t, n.Reachable("", netsim.DNSIP))
	n.Endpoints[netsim.DNSIP].Down = true
	assert.False(t, n.Reachable("", netsim.DNSIP))

	c := n.Clone()
	c.Endpoints[netsim.DNSIP].Down = false
	c.VRFs["Mgmt-vrf"][0] = "x"
	assert.True(t, n.Endpoints[netsim.DNSIP].Down, "clones are independent")
	assert.Equal(t, netsim.CSSMIP, n.VRFs["Mgmt-vrf"][0])
}

func TestAddRefusesBadEndpoints(t *testing.T) {
	n := netsim.New(time.Second)
	assert.Error(t, n.Add(netsim.Endpoint{IP: "not-an-ip"}))
	require.NoError(t, n.Add(netsim.Endpoint{IP: "192.0.2.1", Name: "a"}))
	assert.Error(t, n.Add(netsim.Endpoint{IP: "192.0.2.1", Name: "b"}), "address taken")
}
