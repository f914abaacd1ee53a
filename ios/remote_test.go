package ios_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/scenario"
)

// labConsole is a console on the lab's switch, in user EXEC.
func labConsole(t *testing.T) (*scenario.Lab, *ios.Console) {
	t.Helper()
	l, err := scenario.NewLab(1)
	require.NoError(t, err)
	c, err := ios.NewConsole(l.World, l.Device)
	require.NoError(t, err)
	return l, c
}

// The commands that put a switch on the network for RESTCONF and scripts,
// and their negations.
func TestRemoteAccessCommands(t *testing.T) {
	l, c := labConsole(t)
	c.Exec("enable")
	c.Exec("configure terminal")
	for _, line := range []string{"aaa new-model", "ip http secure-server", "ip http authentication local", "restconf", "ip domain name lab.example.com"} {
		require.Empty(t, c.Exec(line), line)
	}
	require.Equal(t, "% Invalid domain name\n", c.Exec("ip domain-name bad..name"))
	d, _ := l.World.Device(l.Device)
	cfg := d.Running()
	require.True(t, cfg.AAANewModel && cfg.HTTPSecureServer && cfg.HTTPAuthLocal && cfg.RESTCONF)
	require.Equal(t, "lab.example.com", cfg.DomainName, "a refused name changed nothing")
	c.Exec("end")
	require.Equal(t, "aaa new-model\nip domain name lab.example.com\nip http authentication local\nip http secure-server\nrestconf\n",
		c.Exec("show running-config | include ^aaa|^ip domain name|^ip http (auth|secure)|^restconf"))

	c.Exec("configure terminal")
	for _, line := range []string{"no restconf", "no ip http secure-server", "no ip http authentication local", "no aaa new-model", "no ip domain name"} {
		require.Empty(t, c.Exec(line), line)
	}
	cfg = d.Running()
	require.False(t, cfg.AAANewModel || cfg.HTTPSecureServer || cfg.HTTPAuthLocal || cfg.RESTCONF)
	require.Empty(t, cfg.DomainName)
}

// A console line shows syslog as it comes; a vty only after terminal
// monitor.
func TestTerminalMonitor(t *testing.T) {
	_, c := labConsole(t)
	c.SetMonitor(false)
	c.Exec("enable")
	c.Exec("configure terminal")
	require.Empty(t, c.Exec("end"), "no %SYS-5-CONFIG_I on a quiet vty")
	c.Exec("terminal monitor")
	c.Exec("configure terminal")
	require.Contains(t, c.Exec("end"), "%SYS-5-CONFIG_I: Configured from console by console")
	c.Exec("terminal no monitor")
	c.Exec("configure terminal")
	require.Empty(t, c.Exec("end"))
}

// show license tech support lists each license in use with the lines
// Cisco's Smart Licensing app collects (Entitlement tag, Count).
func TestTechSupportLicenseUsage(t *testing.T) {
	_, c := labConsole(t)
	c.Exec("enable")
	require.Equal(t, "  Entitlement tag: regid.2017-03.com.cisco.advantagek9,1.0_bd1da96e-ec1d-412b-a50e-53846b347d53\n  Count: 2\n"+
		"  Entitlement tag: regid.2017-05.com.cisco.c9300_dna_advantage,1.0_411773c3-2116-4c10-94a4-5d357fe6ff18\n  Count: 2\n",
		c.Exec("sh license tech support | i Entitlement|Count"))
}

// show version's uptime counts from the device's boot, not from when the
// console (an SSH session) was opened.
func TestUptimeFromBoot(t *testing.T) {
	l, _ := labConsole(t)
	require.NoError(t, l.World.RunFor(3*time.Hour+5*time.Minute))
	c, err := ios.NewConsole(l.World, l.Device)
	require.NoError(t, err)
	require.Equal(t, "sw1 uptime is 3 hours, 5 minutes\n", c.Exec("show version | include ^sw1 uptime"))
	c.Exec("enable")
	c.Exec("reload")
	c.Exec("y")
	require.NoError(t, l.World.RunFor(time.Minute))
	require.Equal(t, "sw1 uptime is 1 minute\n", c.Exec("show version | include ^sw1 uptime"))
}
