package serve_test

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/serve"
	"github.com/slsim/slsim/sim"
)

func snmpClient(t *testing.T, addr, community string) *gosnmp.GoSNMP {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	p, _ := strconv.Atoi(port)
	g := &gosnmp.GoSNMP{Target: host, Port: uint16(p), Community: community, Version: gosnmp.Version2c, Timeout: time.Second, Retries: 0, MaxRepetitions: 20}
	require.NoError(t, g.Connect())
	t.Cleanup(func() { g.Conn.Close() })
	return g
}

// A served switch answers SNMPv2c for a configured community: the system
// group, ENTITY-MIB's members with their serials, and CISCO-SMART-LIC-MIB's
// registration and entitlements, as a poller walks them; a wrong community
// gets no answer.
func TestSNMPAgent(t *testing.T) {
	s := start(t, serve.Config{SNMP: true})
	addr := s.srv.Addrs()["sw1"].SNMP
	require.NotEmpty(t, addr)
	_, err := snmpClient(t, addr, "public").Get([]string{".1.3.6.1.2.1.1.5.0"})
	require.Error(t, err, "no community configured yet: no answer")

	require.NoError(t, s.act(func(w *sim.World) error {
		return w.Configure("sw1", "snmp", func(c *device.Config) error {
			c.SNMP = device.SNMP{Communities: []device.Community{{Name: "public"}}, Location: "Lab rack 4"}
			return nil
		})
	}))
	g := snmpClient(t, addr, "public")
	got, err := g.Get([]string{".1.3.6.1.2.1.1.5.0", ".1.3.6.1.2.1.1.6.0", ".1.3.6.1.4.1.9.9.831.0.6.1.0", ".1.3.6.1.2.1.1.99.0"})
	require.NoError(t, err)
	assert.Equal(t, "sw1", string(got.Variables[0].Value.([]byte)))
	assert.Equal(t, "Lab rack 4", string(got.Variables[1].Value.([]byte)))
	assert.Equal(t, 1, got.Variables[2].Value, "notRegistered")
	assert.Equal(t, gosnmp.NoSuchObject, got.Variables[3].Type)

	serials := map[string]string{}
	require.NoError(t, g.BulkWalk(".1.3.6.1.2.1.47.1.1.1.1.11", func(p gosnmp.SnmpPDU) error {
		serials[p.Name] = string(p.Value.([]byte))
		return nil
	}))
	assert.Equal(t, "FOC2133Z0AC", serials[".1.3.6.1.2.1.47.1.1.1.1.11.2000"], "member 2's serial")

	var tags []string
	require.NoError(t, g.Walk(".1.3.6.1.4.1.9.9.831.0.5.1.1.3", func(p gosnmp.SnmpPDU) error {
		tags = append(tags, string(p.Value.([]byte)))
		return nil
	}))
	assert.Equal(t, []string{"C9300-24 Network Advantage", "C9300-24 DNA Advantage"}, tags)

	_, err = snmpClient(t, addr, "wrong").Get([]string{".1.3.6.1.2.1.1.5.0"})
	require.Error(t, err, "a wrong community gets no answer")
	set, err := g.Set([]gosnmp.SnmpPDU{{Name: ".1.3.6.1.2.1.1.6.0", Type: gosnmp.OctetString, Value: "x"}})
	require.NoError(t, err)
	assert.Equal(t, gosnmp.NotWritable, set.Error, "the agent is read-only")
}

// net-snmp's snmpwalk, as an NMS runs it, reads the switch's name and its
// Smart Licensing registration. CI installs the snmp package; elsewhere
// the test is skipped without it.
func TestNetSNMPWalk(t *testing.T) {
	bin, err := exec.LookPath("snmpwalk")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs net-snmp's snmpwalk (the snmp package)")
		}
		t.Skip("no snmpwalk")
	}
	s := start(t, serve.Config{SNMP: true})
	require.NoError(t, s.act(func(w *sim.World) error {
		return w.Configure("sw1", "snmp", func(c *device.Config) error {
			c.SNMP.Communities = []device.Community{{Name: "public"}}
			return nil
		})
	}))
	out, err := exec.Command(bin, "-v2c", "-c", "public", "-On", "-t", "2", "-r", "0", "udp:"+s.srv.Addrs()["sw1"].SNMP, ".1.3.6.1.2.1.1").CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), `.1.3.6.1.2.1.1.5.0 = STRING: "sw1"`)
	out, err = exec.Command(bin, "-v2c", "-c", "public", "-On", "-t", "2", "-r", "0", "udp:"+s.srv.Addrs()["sw1"].SNMP, ".1.3.6.1.4.1.9.9.831.0.6").CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), ".1.3.6.1.4.1.9.9.831.0.6.1.0 = INTEGER: 1")
	assert.True(t, strings.Count(string(out), "\n") >= 10, "the registration subtree: %s", out)
}

// With `snmp-server enable traps smart-license` and a host, a switch
// sends CISCO-SMART-LIC-MIB's notifications as its agent logs the events
// that raise them: a registration is ciscoSlaSmartAgentNotifyRegister
// Success (831.1.6), with sysUpTime, snmpTrapOID and the UDI.
func TestSNMPNotifications(t *testing.T) {
	nms, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer nms.Close()
	s := start(t, serve.Config{TrapPort: nms.LocalAddr().(*net.UDPAddr).Port})
	require.NoError(t, s.act(func(w *sim.World) error {
		return w.Configure("sw1", "snmp", func(c *device.Config) error {
			c.SNMP = device.SNMP{TrapsSL: true, Hosts: []device.TrapHost{{IP: "127.0.0.1", Community: "traps"}}}
			return nil
		})
	}))
	typeInto(t, s.addr, "admin", "cisco123", "license smart register idtoken "+s.token+"\rexit\r")
	s.clock.Add(10 * time.Second) // the answer comes back a second later
	require.NoError(t, s.act(func(*sim.World) error { return nil }), "the world brought to the clock's time")
	buf := make([]byte, 4096)
	nms.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := nms.ReadFromUDP(buf)
	require.NoError(t, err)
	pkt, err := (&gosnmp.GoSNMP{}).SnmpDecodePacket(buf[:n])
	require.NoError(t, err)
	assert.Equal(t, gosnmp.SNMPv2Trap, pkt.PDUType)
	assert.Equal(t, "traps", pkt.Community)
	vars := map[string]any{}
	for _, v := range pkt.Variables {
		vars[v.Name] = v.Value
	}
	assert.Equal(t, ".1.3.6.1.4.1.9.9.831.1.6", vars[".1.3.6.1.6.3.1.1.4.1.0"])
	assert.Equal(t, "PID:C9300-24P,SN:FOC2133Z0AB", string(vars[".1.3.6.1.4.1.9.9.831.0.2.0"].([]byte)))
}
