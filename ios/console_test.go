package ios_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/scenario"
)

func console(t *testing.T) *ios.Console {
	t.Helper()
	l, err := scenario.NewLab(1)
	require.NoError(t, err)
	c, err := ios.NewConsole(l.World, l.Device)
	require.NoError(t, err)
	return c
}

// IOS's error forms, as a switch prints them: the caret under the bad
// word, the message and a blank line; "% Incomplete command." and a blank
// line; the whole line after "% Ambiguous command:" and two spaces.
func TestErrorForms(t *testing.T) {
	c := console(t)
	assert.Equal(t, "sw1>", c.Prompt())
	assert.Equal(t, "         ^\n% Invalid input detected at '^' marker.\n\n", c.Exec("show licence"))
	assert.Equal(t, "% Incomplete command.\n\n", c.Exec("show license"))
	assert.Equal(t, "% Ambiguous command:  \"sh l\"\n", c.Exec("sh l"))
	assert.Equal(t, "% Ambiguous command:  \"sh l st\"\n", c.Exec("sh l st"), "the whole line, not the ambiguous word")
	// A bad argument gets the caret too, under the argument.
	assert.Equal(t, "                    ^\n% Invalid input detected at '^' marker.\n\n", c.Exec("terminal length 9999"))
}

// What automation tools type on connect — terminal length 0 and terminal
// width 511 — is accepted silently at > and at #, and kept.
func TestTerminalSettings(t *testing.T) {
	c := console(t)
	l, w := c.Terminal()
	assert.Equal(t, [2]int{0, 80}, [2]int{l, w}, "a console for programs does not page")
	assert.Equal(t, "", c.Exec("terminal length 0"))
	assert.Equal(t, "", c.Exec("term width 511"))
	l, w = c.Terminal()
	assert.Equal(t, [2]int{0, 511}, [2]int{l, w})
	c.Exec("enable")
	assert.Equal(t, "", c.Exec("terminal length 40"))
	l, _ = c.Terminal()
	assert.Equal(t, 40, l)
}

// exit and logout at the EXEC prompt end the session; in configuration
// modes exit goes up a level.
func TestExitEndsTheSession(t *testing.T) {
	for _, word := range []string{"exit", "logout", "exi", "logo"} {
		c := console(t)
		c.Exec("enable")
		c.Exec("configure terminal")
		c.Exec("call-home")
		c.Exec("exit")
		assert.Equal(t, "sw1(config)#", c.Prompt())
		c.Exec("exit")
		assert.Equal(t, "sw1#", c.Prompt())
		assert.False(t, c.Closed())
		assert.Equal(t, "", c.Exec(word))
		assert.True(t, c.Closed(), word)
	}
	c := console(t)
	c.Exec("exit")
	assert.True(t, c.Closed(), "at the user prompt too")
}

// The configurations are shown in privileged EXEC only; the saved one
// begins with the NVRAM it uses.
func TestShowConfigurationsNeedEnable(t *testing.T) {
	c := console(t)
	assert.Contains(t, c.Exec("show running-config"), "% Invalid input detected at '^' marker.")
	assert.Contains(t, c.Exec("show startup-config"), "% Invalid input detected at '^' marker.")
	c.Exec("enable")
	run := c.Exec("show running-config")
	require.True(t, strings.HasPrefix(run, "Building configuration...\n\nCurrent configuration : "), run)
	start := c.Exec("show startup-config")
	require.True(t, strings.HasPrefix(start, "Using "), start)
	first, body, _ := strings.Cut(start, "\n")
	assert.Equal(t, "Using "+strconv.Itoa(len(body))+" out of 2097152 bytes", first)
	assert.Contains(t, body, "hostname sw1\n")
}

// Leaving configuration mode logs %SYS-5-CONFIG_I, with end, with exit
// from (config)#, and with end from a sub-mode; a global configuration
// command typed in a sub-mode runs there and the prompt returns to
// (config)#.
func TestConfigurationMode(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	c.Exec("configure terminal")
	out := c.Exec("end")
	assert.Regexp(t, `^\*Mar  4 10:00:00\.\d{3}: %SYS-5-CONFIG_I: Configured from console by console\n$`, out)
	c.Exec("conf t")
	assert.Contains(t, c.Exec("exit"), "%SYS-5-CONFIG_I: Configured from console by console")
	c.Exec("conf t")
	c.Exec("call-home")
	c.Exec("profile CiscoTAC-1")
	assert.Equal(t, "sw1(cfg-call-home-profile)#", c.Prompt())
	assert.Equal(t, "", c.Exec("ip host tools.cisco.com 203.0.113.10"))
	assert.Equal(t, "sw1(config)#", c.Prompt(), "a global command returns to (config)#")
	c.Exec("crypto pki trustpoint SLA-TrustPoint")
	assert.Contains(t, c.Exec("end"), "%SYS-5-CONFIG_I")
	assert.Equal(t, "sw1#", c.Prompt())
	assert.Contains(t, c.Exec("show running-config"), "ip host tools.cisco.com 203.0.113.10\n")
}

// hostname refuses what IOS refuses, and changes nothing.
func TestHostnameRefusals(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	c.Exec("configure terminal")
	for _, bad := range []string{"sw#1", "sw>1", "1sw", "sw-", "sw_1", "s\u00e9"} {
		assert.Equal(t, "% Hostname contains one or more illegal characters.\n", c.Exec("hostname "+bad), bad)
	}
	assert.Equal(t, "% Hostname is longer than 63 characters.\n", c.Exec("hostname a"+strings.Repeat("b", 63)))
	assert.Equal(t, "sw1(config)#", c.Prompt())
	assert.Equal(t, "", c.Exec("hostname access-1"))
	assert.Equal(t, "access-1(config)#", c.Prompt())
}

// Tab completes the last word when one keyword alone completes it, in
// configuration modes after do too; ? lists alternatives alphabetically,
// offers | after a complete show command, and works after do.
func TestCompletionAndHelp(t *testing.T) {
	c := console(t)
	got, ok := c.Complete("sh lic su")
	assert.True(t, ok)
	assert.Equal(t, "sh lic summary ", got)
	_, ok = c.Complete("sh lic s") // status, summary
	assert.False(t, ok)
	_, ok = c.Complete("sh lic summary ")
	assert.False(t, ok, "nothing to complete after a space")
	assert.Equal(t, "status  summary\n\n", c.Exec("sh lic s?"))
	help := c.Exec("show license summary ?")
	assert.Equal(t, "  |  Output modifiers\n  <cr>\n\n", help)
	c.Exec("enable")
	c.Exec("configure terminal")
	got, ok = c.Complete("do sh clo")
	assert.True(t, ok)
	assert.Equal(t, "do sh clock ", got)
	assert.Contains(t, c.Exec("do show license ?"), "  summary   Show license summary\n")
	assert.Equal(t, "                    ^\n% Invalid input detected at '^' marker.\n\n", c.Exec("do show lisense"), "the caret under the word, after do")
}

// Bad arguments get the caret under the bad one, as IOS puts it, never a
// Go-style message; a missing one is an incomplete command.
func TestBadArgumentsGetTheCaret(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	caret := func(line, word string) string {
		return strings.Repeat(" ", len("sw1#")+strings.LastIndex(line, word)) + "^\n% Invalid input detected at '^' marker.\n\n"
	}
	for line, word := range map[string]string{
		"clock set 25:00:00 1 Jan 2024":                      "25:00:00",
		"clock set 10:00:00 32 Jan 2024":                     "32",
		"clock set 10:00:00 1 Jab 2024":                      "Jab",
		"clock set 10:00:00 1 Jan 2036":                      "2036",
		"clock set 10:00:00 30 February 2024":                "30",
		"clock set 10:00:00 1 Jan 2024 extra":                "extra",
		"telnet tools.cisco.com 99999":                       "99999",
		"telnet tools.cisco.com 443 /source-interface Gi9/9": "Gi9/9",
		"telnet tools.cisco.com 443 /bogus Gi0/0":            "/bogus Gi0/0",
	} {
		assert.Equal(t, caret(line, word), c.Exec(line), line)
	}
	assert.Equal(t, "% Incomplete command.\n\n", c.Exec("clock set 10:00:00 1 Jan"))
	assert.Equal(t, "% Incomplete command.\n\n", c.Exec("telnet tools.cisco.com 443 /source-interface"))
	assert.Contains(t, c.Exec("clock set 10:00:00 Mar 4 2024"), "%SMART_LIC-5-SYSTEM_CLOCK_CHANGED", "month first works too")
	// The interface may be abbreviated, as anywhere in IOS.
	assert.Contains(t, c.Exec("telnet tools.cisco.com 443 /source-interface gi0/0"), "Trying tools.cisco.com (203.0.113.10, 443)... ")
	c.Exec("configure terminal")
	line := "clock timezone EST -25"
	assert.Equal(t, strings.Repeat(" ", len("sw1(config)#")+strings.LastIndex(line, "-25"))+"^\n% Invalid input detected at '^' marker.\n\n", c.Exec(line))
}

// The field guide's diagnostic commands: one Call Home profile by name,
// the running configuration with its defaults (so that `show run all |
// include destination address http` finds CiscoTAC-1's), the inventory,
// the VRFs, and the HTTP client's debugging.
func TestDiagnosticCommands(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	all := c.Exec("show call-home profile all")
	tac := c.Exec("sh call-home profile CiscoTAC-1")
	require.True(t, strings.HasPrefix(tac, "Profile Name: CiscoTAC-1\n    Profile status: ACTIVE\n"), tac)
	assert.True(t, strings.HasPrefix(all, tac), "the same block as in show call-home profile all")
	assert.Equal(t, "% Profile Nope does not exist.\n", c.Exec("show call-home profile Nope"))

	assert.Equal(t, "", c.Exec("show running-config | include destination address http"), "a default: not shown")
	assert.Equal(t, "  destination address http https://tools.cisco.com/its/service/oddce/services/DDCEService\n",
		c.Exec("show run all | in destination address http"))
	runAll := c.Exec("show running-config all")
	for _, l := range []string{"\nip domain lookup\n", "\nhttp secure server-identity-check\n", "\n profile \"CiscoTAC-1\"\n  active\n", "  reporting smart-licensing-data\n"} {
		assert.Contains(t, runAll, l)
	}

	inv := c.Exec("show inventory")
	assert.True(t, strings.HasPrefix(inv, "NAME: \"c93xx Stack\", DESCR: \"c93xx Stack\"\nPID: C9300-24P         , VID: V01  , SN: FOC2133Z0AB\n\n"), inv)
	assert.Contains(t, inv, "NAME: \"Switch 2\", DESCR: \"C9300-24P\"\nPID: C9300-24P         , VID: V01  , SN: FOC2133Z0AC\n")

	assert.Equal(t, "  Name                             Default RD            Protocols   Interfaces\n"+
		"  Mgmt-vrf                         <not set>             ipv4,ipv6   Gi0/0\n", c.Exec("show vrf"))

	assert.Equal(t, "HTTP Client all debugging is on\n", c.Exec("debug ip http client all"))
	out := c.Exec("license smart register idtoken NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgt")
	assert.Contains(t, out, "CALL-HOME-SL: send register", "the Call Home message is shown")
	assert.Equal(t, "All possible debugging has been turned off\n", c.Exec("undebug all"))
}

// With a terminal length, long output pauses at " --More-- " after
// length-1 lines: a space shows the next screen, Enter the next line, any
// other key stops; terminal length 0 shows everything.
func TestPager(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	whole := c.Exec("show license status")
	lines := strings.SplitAfter(strings.TrimSuffix(whole, "\n"), "\n")
	require.Greater(t, len(lines), 10)
	c.Exec("terminal length 5")
	first := c.Exec("show license status")
	assert.Equal(t, strings.Join(lines[:4], "")+" --More-- ", first)
	assert.True(t, c.Pending())
	assert.Equal(t, "", c.Prompt(), "no prompt while paused")
	erase := "\b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b"
	assert.Equal(t, erase+strings.Join(lines[4:8], "")+" --More-- ", c.Exec(" "), "a space: the next screen")
	assert.Equal(t, erase+lines[8]+" --More-- ", c.Exec(""), "Enter: the next line")
	assert.Equal(t, erase, c.Exec("q"), "q: stop")
	assert.False(t, c.Pending())
	assert.Equal(t, "sw1#", c.Prompt())
	// Paging to the end leaves no marker.
	c.Exec("show license status")
	var rest strings.Builder
	for c.Pending() {
		rest.WriteString(strings.ReplaceAll(c.Exec(" "), erase, ""))
	}
	assert.True(t, strings.HasSuffix(rest.String(), lines[len(lines)-1]+"\n") || strings.HasSuffix(rest.String(), lines[len(lines)-1]))
	c.Exec("terminal length 0")
	assert.Equal(t, whole, c.Exec("show license status"))
}

// The seed's debugging steps: debug ip http client with each of its
// words, and the binary trace — set platform software trace ios [switch]
// active R0 infra-s1 debug (the seed's spelling; infra-sl too), then show
// platform software trace message ios [switch] active R0, which shows
// Smart Licensing's lines and, from the set on, the Call Home messages.
func TestSeedDebugging(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	for _, w := range []string{"all", "api", "cache", "error", "main", "msg", "socket"} {
		assert.Equal(t, "HTTP Client "+w+" debugging is on\n", c.Exec("debug ip http client "+w))
	}
	c.Exec("undebug all")
	c.Exec("license smart register idtoken NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgt")
	before := c.Exec("show platform software trace message ios switch active R0")
	assert.Contains(t, before, "{iosrp_R0-0}{1}: [infra-sl] [25964]: (note): %SMART_LIC-5-EVAL_START: Entering evaluation period\n")
	assert.NotContains(t, before, "(debug)")
	assert.Equal(t, "", c.Exec("set platform software trace ios switch active R0 infra-s1 debug"))
	assert.Equal(t, "", c.Exec("set plat soft trace ios active R0 infra-sl debug"))
	c.Exec("license smart register idtoken NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgt force")
	after := c.Exec("show platform software trace message ios active R0")
	assert.Contains(t, after, "(debug): send register #2 to https://tools.cisco.com/its/service/oddce/services/DDCEService\n")
	assert.Contains(t, c.Exec("show platform software trace message ios switch 1 active R0"), "(debug): send register #2")
}

// ip domain lookup source-interface: name servers configured without a
// VRF are asked from that interface's VRF — here the only one that still
// reaches the name server — so names resolve again; the configuration
// shows it, and an unknown interface is refused.
func TestDomainLookupSourceInterface(t *testing.T) {
	l, err := scenario.NewLab(1)
	require.NoError(t, err)
	n := l.World.Network()
	n.VRFs["Mgmt-vrf"] = []string{"198.51.100.53", "203.0.113.10"}
	n.GlobalOnly = []string{"203.0.113.20"} // the global table no longer reaches the name server
	c, err := ios.NewConsole(l.World, l.Device)
	require.NoError(t, err)
	c.Exec("enable")
	assert.Contains(t, c.Exec("telnet tools.cisco.com 443"), "% Unknown command or computer name, or unable to find computer address")
	c.Exec("configure terminal")
	assert.Equal(t, "", c.Exec("ip domain lookup source-interface gi0/0"))
	assert.Contains(t, c.Exec("ip domain lookup source-interface Gi9/9"), "source interface Gi9/9 does not exist")
	c.Exec("end")
	assert.Contains(t, c.Exec("show running-config | include domain"), "ip domain lookup source-interface GigabitEthernet0/0\n")
	assert.Contains(t, c.Exec("telnet tools.cisco.com 443 /source-interface Gi0/0"), "Trying tools.cisco.com (203.0.113.10, 443)... Open\n")
}

// The switch's routing table decides what it reaches: show ip route and
// show ip interface brief show it; without the default route the cloud is
// unreachable, a route through another VRF's router is not installed (a
// wrong fix), a host route through the global router is (a right one).
func TestRoutingDecidesReachability(t *testing.T) {
	l, err := scenario.NewLab(1)
	require.NoError(t, err)
	l.World.Network().VRFs["Mgmt-vrf"] = []string{"203.0.113.10"} // Mgmt-vrf's router reaches the cloud too
	c, err := ios.NewConsole(l.World, l.Device)
	require.NoError(t, err)
	c.Exec("enable")
	assert.Equal(t, "Codes: L - local, C - connected, S - static\n       * - candidate default\n\n"+
		"Gateway of last resort is 192.0.2.1 to network 0.0.0.0\n\n"+
		"S*    0.0.0.0/0 [1/0] via 192.0.2.1\n"+
		"C        192.0.2.0/24 is directly connected, Vlan1\n"+
		"L        192.0.2.10/32 is directly connected, Vlan1\n", c.Exec("show ip route"))
	assert.Contains(t, c.Exec("show ip route vrf Mgmt-vrf"), "\nRouting Table: Mgmt-vrf\n")
	assert.Contains(t, c.Exec("show ip route vrf Mgmt-vrf"), "S*    0.0.0.0/0 [1/0] via 198.18.0.1\n")
	assert.Equal(t, "Interface              IP-Address      OK? Method Status                Protocol\n"+
		"GigabitEthernet0/0     198.18.0.10     YES manual up                    up\n"+
		"Vlan1                  192.0.2.10      YES manual up                    up\n", c.Exec("show ip interface brief"))

	open := "Trying 203.0.113.10, 443 ... Open\n"
	require.Contains(t, c.Exec("telnet 203.0.113.10 443"), open)
	c.Exec("configure terminal")
	c.Exec("no ip route 0.0.0.0 0.0.0.0 192.0.2.1")
	c.Exec("end")
	assert.NotContains(t, c.Exec("telnet 203.0.113.10 443"), open, "no route: unreachable")
	assert.Contains(t, c.Exec("telnet 203.0.113.10 443 /source-interface gi0/0"), open, "Mgmt-vrf still has its default route")
	c.Exec("configure terminal")
	c.Exec("ip route 203.0.113.10 255.255.255.255 198.18.0.1") // Mgmt-vrf's router: not on a global subnet
	c.Exec("end")
	assert.NotContains(t, c.Exec("telnet 203.0.113.10 443"), open, "a next hop not on a connected subnet is not installed")
	c.Exec("configure terminal")
	c.Exec("ip route 203.0.113.10 255.255.255.255 192.0.2.1")
	c.Exec("end")
	assert.Contains(t, c.Exec("telnet 203.0.113.10 443"), open, "a host route through the global router")
	run := c.Exec("show running-config | include ip route")
	assert.Equal(t, "ip route vrf Mgmt-vrf 0.0.0.0 0.0.0.0 198.18.0.1\nip route 203.0.113.10 255.255.255.255 198.18.0.1\nip route 203.0.113.10 255.255.255.255 192.0.2.1\n", run)
}

// Interface configuration: vrf forwarding (which removes the address, as
// IOS says), ip address, new Vlan and Loopback interfaces; bad input gets
// the caret and changes nothing.
func TestInterfaceConfiguration(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	c.Exec("configure terminal")
	assert.Equal(t, "", c.Exec("interface vl1"))
	assert.Equal(t, "sw1(config-if)#", c.Prompt())
	assert.Equal(t, "% Interface Vlan1 IPv4 disabled and address(es) removed due to enabling VRF Mgmt-vrf\n", c.Exec("vrf forwarding Mgmt-vrf"))
	assert.Equal(t, "", c.Exec("ip address 198.18.1.10 255.255.255.0"))
	line := "ip address 198.18.1.10 255.0.255.0"
	assert.Equal(t, strings.Repeat(" ", len("sw1(config-if)#")+strings.LastIndex(line, "255.0.255.0"))+"^\n% Invalid input detected at '^' marker.\n\n", c.Exec(line))
	c.Exec("exit")
	assert.Equal(t, "", c.Exec("interface Loopback0"))
	c.Exec("ip address 10.255.0.1 255.255.255.255")
	assert.Contains(t, c.Exec("ip address 10.255.0.1 255.255.255.255"), "Invalid input", "a /32 is not an interface subnet here")
	c.Exec("end")
	brief := c.Exec("show ip interface brief")
	assert.Contains(t, brief, "Vlan1                  198.18.1.10     YES manual up                    up\n")
	assert.Contains(t, brief, "Loopback0              unassigned      YES unset  up                    up\n")
	assert.Contains(t, c.Exec("show vrf"), "Mgmt-vrf                         <not set>             ipv4,ipv6   Gi0/0 Vl1\n")
	c.Exec("configure terminal")
	assert.Contains(t, c.Exec("interface FastEthernet9/9"), "Invalid input")
	assert.Equal(t, "sw1(config)#", c.Prompt())
}
