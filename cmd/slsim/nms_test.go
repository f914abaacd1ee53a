package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// freeUDPPort is a loopback UDP port free a moment ago, for a daemon that
// binds it itself.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// daemon runs a monitoring daemon in the foreground until the test ends.
func daemon(t *testing.T, out io.Writer, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "SNMP_PERSISTENT_DIR="+t.TempDir(), "MIBS=")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
}

// TestNMSWatchesTheLab points the monitoring tools of an operations team
// at `slsim serve`, configured from its operator console as a trainer
// would: rsyslog receives the switch's %SMART_LIC- lines with their PRI
// after `license smart register`; net-snmp's snmpwalk reads
// CISCO-SMART-LIC-MIB with the objects' types and values; snmptrapd
// receives the enforcement-mode notification when `lab advance` takes the
// authorization past its expiry with CSSM unreachable. CI installs rsyslog,
// snmp and snmptrapd.
func TestNMSWatchesTheLab(t *testing.T) {
	if testing.Short() {
		t.Skip("the monitoring daemons take seconds")
	}
	bins := map[string]string{}
	for _, b := range []string{"rsyslogd", "snmptrapd", "snmpwalk"} {
		p, err := exec.LookPath(b)
		if err != nil {
			for _, dir := range []string{"/usr/sbin", "/sbin"} {
				if _, serr := os.Stat(filepath.Join(dir, b)); serr == nil {
					p, err = filepath.Join(dir, b), nil
				}
			}
		}
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("CI needs %s (Debian's rsyslog, snmptrapd and snmp)", b)
			}
			t.Skip("no " + b)
		}
		bins[b] = p
	}
	dir := t.TempDir()
	syslogPort, trapPort := freeUDPPort(t), freeUDPPort(t)
	collected := filepath.Join(dir, "collected.log")
	rsconf := filepath.Join(dir, "rsyslog.conf")
	require.NoError(t, os.WriteFile(rsconf, []byte(fmt.Sprintf(`global(workDirectory=%q)
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="%d")
template(name="raw" type="string" string="%%rawmsg%%\n")
*.* action(type="omfile" file=%q template="raw")
`, dir, syslogPort, collected)), 0o644))
	rslog := &syncBuffer{}
	daemon(t, rslog, bins["rsyslogd"], "-n", "-f", rsconf, "-i", filepath.Join(dir, "rsyslog.pid"))
	trapconf := filepath.Join(dir, "snmptrapd.conf")
	require.NoError(t, os.WriteFile(trapconf, []byte("authCommunity log traps\n"), 0o644))
	traps := &syncBuffer{}
	daemon(t, traps, bins["snmptrapd"], "-f", "-Lo", "-On", "-n", "-C", "-c", trapconf, fmt.Sprintf("udp:127.0.0.1:%d", trapPort))
	require.Eventually(t, func() bool { return strings.Contains(traps.String(), "NET-SNMP version") }, 10*time.Second, 20*time.Millisecond,
		"snmptrapd started: %s", traps.String())

	out := &syncBuffer{}
	in, feed := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, serveOptions{seed: 1, host: "127.0.0.1", speed: 1, pods: 1, saveEvery: time.Minute, state: t.TempDir(),
			snmpPort: 0, snmpOn: true, monitorAllow: []string{"127.0.0.0/8"},
			user: defaultUser, secret: defaultSecret, console: true, stdin: in, stdout: out, stderr: out, afterStart: func() { close(started) }})
	}()
	defer func() {
		feed.Close()
		cancel()
		require.NoError(t, <-done)
	}()
	<-started
	m := regexp.MustCompile(`snmp (127\.0\.0\.1:\d+)`).FindStringSubmatch(out.String())
	require.NotNil(t, m, out.String())
	agent := "udp:" + m[1]
	console := func(lines ...string) {
		for _, l := range lines {
			_, err := io.WriteString(feed, l+"\n")
			require.NoError(t, err)
		}
	}
	console("configure terminal",
		fmt.Sprintf("logging host 127.0.0.1 transport udp port %d", syslogPort),
		"snmp-server community public RO",
		"snmp-server enable traps smart-license",
		fmt.Sprintf("snmp-server host 127.0.0.1 version 2c traps udp-port %d", trapPort),
		"end",
		"license smart register idtoken $TOKEN",
		"lab advance 1m")

	// The collector: the switch's lines as IOS sends them, PRI first
	// (local7: 184 plus the severity).
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(collected)
		return strings.Contains(string(b), "%SMART_LIC-6-AGENT_REG_SUCCESS")
	}, 15*time.Second, 50*time.Millisecond, "rsyslog: %s", rslog.String())
	b, err := os.ReadFile(collected)
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^<190>\d+: \*Mar  4 10:00:0\d\.\d{3}: %SMART_LIC-6-AGENT_REG_SUCCESS: Smart Agent for Licensing Registration with the Cisco Smart Software Manager or satellite for udi PID:C9300-24P,SN:FOC2133Z0AB$`, string(b))
	assert.Regexp(t, `(?m)^<189>\d+: \*Mar  4 10:00:0\d\.\d{3}: %SMART_LIC-5-IN_COMPLIANCE: All entitlements and licenses in use on this device are authorized$`, string(b))

	// The poller: registration completed (5), the virtual account, the
	// entitlements with their types.
	require.Eventually(t, func() bool {
		w, _ := exec.Command(bins["snmpwalk"], "-v2c", "-c", "public", "-On", "-t", "2", "-r", "1", agent, ".1.3.6.1.4.1.9.9.831").CombinedOutput()
		return strings.Contains(string(w), ".1.3.6.1.4.1.9.9.831.0.6.1.0 = INTEGER: 5")
	}, 10*time.Second, 100*time.Millisecond)
	walk, err := exec.Command(bins["snmpwalk"], "-v2c", "-c", "public", "-On", "-t", "2", "-r", "1", agent, ".1.3.6.1.4.1.9.9.831").CombinedOutput()
	require.NoError(t, err, string(walk))
	assert.Contains(t, string(walk), `= STRING: "Campus"`, "the virtual account")
	assert.Contains(t, string(walk), `.1.3.6.1.4.1.9.9.831.0.2.0 = STRING: "PID:C9300-24P,SN:FOC2133Z0AB"`)
	assert.Regexp(t, `\.1\.3\.6\.1\.4\.1\.9\.9\.831\.0\.5\.1\.1\.\d+\.\d+ = STRING: "C9300-24 Network Advantage"`, string(walk), "an entitlement's tag")
	wrong, _ := exec.Command(bins["snmpwalk"], "-v2c", "-c", "private", "-On", "-t", "1", "-r", "0", agent, ".1.3.6.1.4.1.9.9.831").CombinedOutput()
	assert.Contains(t, string(wrong), "Timeout", "a wrong community gets no answer")

	// The trap receiver: CSSM unreachable, 95 days on, the authorization
	// expires and the enforcement mode changes.
	console("lab fault set endpoint-down 203.0.113.10", "lab advance 95d", "show license status | include Status: AUTH")
	require.Eventually(t, func() bool {
		return strings.Contains(out.String(), "Status: AUTHORIZATION EXPIRED")
	}, 15*time.Second, 50*time.Millisecond, "show license status on the console")
	trap := regexp.MustCompile(`Timeticks: \((\d+)\).*?\.1\.3\.6\.1\.6\.3\.1\.1\.4\.1\.0 = OID: \.1\.3\.6\.1\.4\.1\.9\.9\.831\.1\.(\d+)\s.*?831\.0\.2\.0 = STRING: "([^"]*)"`)
	// expired finds the enforcement-mode notification (831.1.1) sent at
	// the expiry, its sysUpTime near 90 days (the authorization expires 90
	// days after it was granted, five minutes after boot), after a
	// communication failure (831.1.12).
	expired := func() (bool, string) {
		commFailed := false
		for _, m := range trap.FindAllStringSubmatch(traps.String(), -1) {
			ticks, _ := strconv.ParseInt(m[1], 10, 64)
			switch {
			case m[2] == "12":
				commFailed = true
			case m[2] == "1" && commFailed && ticks >= 89*24*3600*100:
				return true, m[3]
			}
		}
		return false, ""
	}
	if !assert.Eventually(t, func() bool { ok, _ := expired(); return ok }, 20*time.Second, 50*time.Millisecond) {
		t.Fatalf("no expiry notification; snmptrapd received:\n%s", traps.String())
	}
	_, udi := expired()
	assert.Equal(t, "PID:C9300-24P,SN:FOC2133Z0AB", udi)
}
