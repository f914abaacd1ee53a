package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/sim"
	"github.com/slsim/slsim/stackwise"
)

var start = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

var stack = stackwise.Device{
	Name:     "sw1",
	Switches: []stackwise.Unit{{PID: "C9300-24P", SN: "FOC2133Z0AB"}, {PID: "C9300-24P", SN: "FOC2133Z0AC"}},
	Level:    stackwise.Level{Base: stackwise.NetworkAdvantage, Addon: stackwise.DNAAdvantage},
	Version:  stackwise.MustVersion("17.3.1"),
}

// healthyWorld: an account with enough licenses, a switch with a name server.
func healthyWorld(t testing.TB, seed uint64) (*sim.World, string) {
	t.Helper()
	return healthyWorldWindow(t, seed, 0)
}

// healthyWorldWindow is healthyWorld whose stream keeps a window of the
// given size (0: the default).
func healthyWorldWindow(t testing.TB, seed uint64, window int) (*sim.World, string) {
	t.Helper()
	w, err := sim.New(sim.Config{Start: start, Seed: seed, Window: window})
	require.NoError(t, err)
	c := w.CSSM()
	require.NoError(t, c.CreateSmartAccount(start, "ACME", "acme.com"))
	for _, tag := range []string{"C9300-24 Network Advantage", "C9300-24 DNA Advantage"} {
		_, err := c.AddLicenses(start, "ACME", "DEFAULT", tag, 10, time.Time{}, time.Time{})
		require.NoError(t, err)
	}
	tok, err := c.CreateToken(start, "ACME", "DEFAULT", cssm.TokenOptions{ExpiresAfterDays: 365})
	require.NoError(t, err)
	_, err = w.AddDevice(stack, nil)
	require.NoError(t, err)
	require.NoError(t, w.Configure("sw1", "ip name-server "+netsim.DNSIP, func(c *device.Config) error {
		c.NameServers = append(c.NameServers, device.NameServer{IP: netsim.DNSIP})
		return nil
	}))
	return w, tok.Value
}

func TestHealthyRegistration(t *testing.T) {
	w, tok := healthyWorld(t, 1)
	out, err := w.Register("sw1", tok, false)
	require.NoError(t, err)
	assert.Equal(t, agent.RegisterReplyText+"\n"+strings.TrimSuffix(device.KeyGenerationText, "\n"), out, "the first registration generates SLA-KeyPair")
	require.NoError(t, w.RunFor(time.Minute))
	d, _ := w.Device("sw1")
	s := d.Agent().Status()
	assert.Equal(t, agent.RegRegistered, s.Registration)
	assert.Equal(t, agent.AuthAuthorized, s.Authorization)
	trace := w.TraceText()
	assert.Contains(t, trace, "sw1 log %CRYPTO_ENGINE-5-KEY_ADDITION: A key named SLA-KeyPair has been generated or imported by crypto-engine")
	assert.Contains(t, trace, "sw1 log %SMART_LIC-4-CONFIG_NOT_SAVED: Smart Licensing configuration has not been saved")
	assert.Contains(t, trace, "sw1 send register #1 to https://tools.cisco.com/its/service/oddce/services/DDCEService")
	require.NoError(t, w.RunFor(400*agent.Day))
	assert.Equal(t, agent.AuthAuthorized, d.Agent().Status().Authorization)
	assert.Empty(t, w.CSSM().Alerts("ACME", false))
}

func TestDeterministicTrace(t *testing.T) {
	run := func() string {
		w, tok := healthyWorld(t, 42)
		_, err := w.Register("sw1", tok, false)
		require.NoError(t, err)
		require.NoError(t, w.ScheduleFault(sim.Fault{At: start.Add(40 * agent.Day), Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP, On: true}))
		require.NoError(t, w.ScheduleFault(sim.Fault{At: start.Add(150 * agent.Day), Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP}))
		require.NoError(t, w.RunFor(200*agent.Day))
		return w.TraceText()
	}
	a, b := run(), run()
	assert.Equal(t, a, b)
	assert.Contains(t, a, "AUTHORIZATION EXPIRED")
	assert.Greater(t, strings.Count(a, "\n"), 100)
}

// Saving mid-run and loading gives the same remainder, byte for byte.
func TestSaveLoadMidRun(t *testing.T) {
	setup := func() *sim.World {
		w, tok := healthyWorld(t, 7)
		_, err := w.Register("sw1", tok, false)
		require.NoError(t, err)
		require.NoError(t, w.ScheduleFault(sim.Fault{At: start.Add(40 * agent.Day), Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP, On: true}))
		require.NoError(t, w.ScheduleFault(sim.Fault{At: start.Add(150 * agent.Day), Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP}))
		return w
	}
	whole := setup()
	require.NoError(t, whole.RunFor(300*agent.Day))

	half := setup()
	// Stop mid-renewal: a request is in flight.
	require.NoError(t, half.RunUntil(start.Add(30*agent.Day+6*time.Second+500*time.Millisecond)))
	data, err := half.Save()
	require.NoError(t, err)
	require.Contains(t, string(data), `"queue":[{`, "a request is in flight")
	loaded, err := sim.Load(data)
	require.NoError(t, err)
	again, err := loaded.Save()
	require.NoError(t, err)
	assert.Equal(t, string(data), string(again), "save → load → save is byte-identical")
	require.NoError(t, loaded.RunUntil(start.Add(300*agent.Day)))
	assert.Equal(t, whole.TraceText(), loaded.TraceText())

	_, err = sim.Load([]byte(`{"version":9}`))
	assert.Error(t, err)
	_, err = sim.Load([]byte(`{`))
	assert.Error(t, err)
}
