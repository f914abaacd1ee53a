package ios_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/ios"
)

// `enable` asks for the enable secret, unechoed, three times at most;
// the secret wins over an enable password; the configuration shows the
// secret as a type 9 digest and the password as typed.
func TestEnableSecret(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	c.Exec("configure terminal")
	assert.Equal(t, "", c.Exec("enable password letmein"))
	assert.Equal(t, "", c.Exec("enable secret 0 s3cret"))
	c.Exec("end")
	run := c.Exec("show running-config")
	assert.Regexp(t, `\nenable secret 9 \$9\$\S+\nenable password letmein\n!\n`, run)
	assert.NotContains(t, run, "s3cret", "the secret is not shown")
	c.Exec("disable")
	require.Equal(t, "sw1>", c.Prompt())

	assert.Equal(t, "Password: ", c.Exec("enable"))
	assert.True(t, c.HidesInput(), "the password is read without echo")
	assert.Equal(t, "", c.Prompt(), "no prompt while the password is asked")
	assert.Equal(t, "Password: ", c.Exec("letmein"), "the secret wins over the password")
	assert.Equal(t, "Password: ", c.Exec("wrong"))
	assert.Equal(t, "% Bad secrets\n\n", c.Exec("again"))
	assert.False(t, c.HidesInput())
	assert.Equal(t, "sw1>", c.Prompt(), "three wrong answers leave the user where they were")

	c.Exec("enable")
	assert.Equal(t, "", c.Exec("s3cret"))
	assert.Equal(t, "sw1#", c.Prompt())
	assert.Equal(t, "Current privilege level is 15\n", c.Exec("show privilege"))
	assert.NotContains(t, strings.Join(c.History(), "\n"), "s3cret", "passwords are not in the history")

	c.Exec("configure terminal")
	c.Exec("no enable secret")
	c.Exec("no enable password")
	c.Exec("end")
	assert.NotContains(t, c.Exec("show running-config"), "enable ")
}

// With no enable secret or password, a vty line refuses `enable` (the
// console line lets the user in, as TestEnableSecret's first step shows).
func TestEnableOnAVtyNeedsAPassword(t *testing.T) {
	c := console(t)
	c.SetUsers(func() []ios.UserLine {
		return []ios.UserLine{{VTY: 0, User: "oper", Location: "192.0.2.7", Self: true}}
	})
	c.Login(1)
	assert.Equal(t, "% No password set\n", c.Exec("enable"))
	assert.Equal(t, "sw1>", c.Prompt())
	assert.Equal(t, "Current privilege level is 1\n", c.Exec("show privilege"))
	assert.Contains(t, c.Exec("configure terminal"), "% Invalid input detected", "user EXEC cannot configure, nor raise itself")
}

// `show users` lists the lines in use in IOS's layout (vty n on line
// n+2), the asking one starred; the console line alone without a server.
func TestShowUsers(t *testing.T) {
	c := console(t)
	assert.Equal(t, "    Line       User       Host(s)              Idle       Location\n"+
		"*  0 con 0                idle                 00:00:00 \n\n"+
		"  Interface    User               Mode         Idle     Peer Address\n\n", c.Exec("show users"))
	c.SetUsers(func() []ios.UserLine {
		return []ios.UserLine{
			{VTY: 0, User: "admin", Location: "10.0.0.1", Idle: 35*time.Minute + 32*time.Second},
			{VTY: 2, User: "testuser", Location: "10.0.0.3", Idle: 7 * time.Second, Self: true},
		}
	})
	assert.Equal(t, "    Line       User       Host(s)              Idle       Location\n"+
		"   2 vty 0     admin      idle                 00:35:32 10.0.0.1\n"+
		"*  4 vty 2     testuser   idle                 00:00:07 10.0.0.3\n\n"+
		"  Interface    User               Mode         Idle     Peer Address\n\n", c.Exec("show users"))
}

// Each of EXEC and the configuration modes keeps its own history of the
// last ten commands; `show history` prints EXEC's.
func TestHistoryPerMode(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	c.Exec("show clock")
	c.Exec("configure terminal")
	c.Exec("hostname core1")
	assert.Equal(t, []string{"hostname core1"}, c.History(), "configuration mode's own history")
	c.Exec("end")
	assert.Equal(t, []string{"enable", "show clock", "configure terminal"}, c.History())
	for i := range 12 {
		c.Exec([]string{"show clock", "show clock detail"}[i%2])
	}
	h := c.Exec("show history")
	assert.Len(t, strings.Split(strings.TrimSuffix(h, "\n"), "\n"), ios.HistorySize)
	assert.True(t, strings.HasSuffix(h, "  show history\n"), h)
}

// `ip ssh authentication-retries` is kept in the configuration (IOS's
// default 3 not shown) and refused out of 0-5.
func TestSSHAuthenticationRetries(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	c.Exec("configure terminal")
	assert.Equal(t, "", c.Exec("ip ssh authentication-retries 0"))
	assert.Contains(t, c.Exec("do show running-config"), "\nip ssh authentication-retries 0\n")
	assert.Contains(t, c.Exec("ip ssh authentication-retries 6"), "% Invalid input detected")
	c.Exec("ip ssh authentication-retries 3")
	assert.NotContains(t, c.Exec("do show running-config"), "authentication-retries")
	c.Exec("ip ssh authentication-retries 5")
	c.Exec("no ip ssh authentication-retries")
	assert.NotContains(t, c.Exec("do show running-config"), "authentication-retries")
}

// install add … activate commit with an unsaved configuration asks IOS-XE's
// three-way question: save and go on, go on without saving (the change is
// lost with the reload), or quit.
func TestInstallAsksAboutAnUnsavedConfiguration(t *testing.T) {
	for _, c := range []struct {
		answer, host string
		saved        bool
	}{{"y", "core1", true}, {"n", "sw1", false}} {
		con := console(t)
		con.Exec("enable")
		con.Exec("configure terminal")
		con.Exec("hostname core1")
		con.Exec("end")
		out := con.Exec("install add file flash:cat9k_iosxe.17.03.03.SPA.bin activate commit")
		require.Contains(t, out, "\nSystem configuration has been modified.\nPress Yes(y) to save the configuration and proceed.\n"+
			"Press No(n) for proceeding without saving the configuration.\n"+
			"Press Quit(q) to exit, you may save configuration and re-enter the command. [y/n/q]")
		require.NotContains(t, out, "Adding PACKAGE", "nothing is added before the answer")
		again := con.Exec("")
		require.True(t, strings.HasSuffix(again, "[y/n/q]"), "an empty answer asks again: %q", again)
		out = con.Exec(c.answer)
		require.Equal(t, c.saved, strings.HasPrefix(out, "Building configuration...\n[OK]Modified configuration has been saved\n"), out)
		require.True(t, strings.HasSuffix(out, "Do you want to proceed? [y/n]"), out)
		con.Exec("y")
		con.Exec("enable")
		assert.Contains(t, con.Exec("show version | include ^Cisco IOS XE"), "17.03.03")
		assert.Equal(t, c.host+"#", con.Prompt(), "answer %s", c.answer)
	}
	con := console(t)
	con.Exec("enable")
	con.Exec("configure terminal")
	con.Exec("hostname core1")
	con.Exec("end")
	con.Exec("install add file flash:cat9k_iosxe.17.03.03.SPA.bin activate commit")
	assert.Equal(t, "", con.Exec("q"))
	assert.Contains(t, con.Exec("show version | include ^Cisco IOS XE"), "17.03.01", "quit installs nothing")
}

// crypto key generate rsa asks as IOS does: whether to replace the keys of
// that name, then the modulus when none was given; an empty answer takes
// the default 2048.
func TestCryptoKeyGenerateAsks(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	c.Exec("configure terminal")
	out := c.Exec("crypto key generate rsa general-keys exportable label SLA-KeyPair modulus 2048")
	assert.True(t, strings.HasPrefix(out, "% The key modulus size is 2048 bits\n% Generating 2048 bit RSA keys, keys will be exportable...\n[OK] (elapsed time was 1 seconds)\n"),
		"no keys yet: nothing to ask: %q", out)
	assert.Equal(t, "% You already have RSA keys defined named SLA-KeyPair.\n% Do you really want to replace them? [yes/no]: ",
		c.Exec("crypto key generate rsa label SLA-KeyPair"))
	assert.Equal(t, "% Please answer 'yes' or 'no'.\n% You already have RSA keys defined named SLA-KeyPair.\n% Do you really want to replace them? [yes/no]: ", c.Exec(""))
	assert.True(t, strings.HasSuffix(c.Exec("yes"), "\nHow many bits in the modulus [2048]: "))
	assert.Equal(t, "% Invalid modulus size.\nHow many bits in the modulus [2048]: ", c.Exec("100"))
	assert.True(t, strings.HasPrefix(c.Exec(""), "% Generating 2048 bit RSA keys, keys will be non-exportable...\n[OK] (elapsed time was 1 seconds)\n"))
	c.Exec("crypto key generate rsa label SLA-KeyPair")
	assert.Equal(t, "", c.Exec("no"), "no keeps the keys")
	assert.Equal(t, "sw1(config)#", c.Prompt())
	assert.Contains(t, c.Exec("crypto key generate rsa label Other"), "only the SLA-KeyPair label")
	assert.Contains(t, c.Exec("crypto key generate rsa label SLA-KeyPair modulus 99"), "% Invalid input")
}

// telnet takes /vrf as it takes /source-interface; a name that does not
// resolve shows the name servers asked (the broadcast address only when
// none is configured); ping's round trip is a LAN's.
func TestTelnetVRFAndNameServers(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	assert.Contains(t, c.Exec("telnet tools.cisco.com 443"), "Open")
	assert.Contains(t, c.Exec("telnet tools.cisco.com 443 /vrf Mgmt-vrf"), "% Connection timed out", "the management VRF has no route to CSSM")
	assert.Contains(t, c.Exec("telnet tools.cisco.com 443 /vrf Nope"), "% Invalid input detected")
	assert.Equal(t, "Translating \"nowhere.example\"...domain server (198.51.100.53)\n% Unknown command or computer name, or unable to find computer address\n",
		c.Exec("telnet nowhere.example 443"))
	assert.Contains(t, c.Exec("ping tools.cisco.com"), "round-trip min/avg/max = 1/1/2 ms")
	c.Exec("configure terminal")
	c.Exec("no ip name-server 198.51.100.53")
	c.Exec("end")
	assert.True(t, strings.HasPrefix(c.Exec("ping nowhere.example"), "Translating \"nowhere.example\"...domain server (255.255.255.255)\n"))
	c.Exec("configure terminal")
	c.Exec("no ip domain lookup")
	c.Exec("end")
	assert.Equal(t, "% Unrecognized host or address, or protocol not running.\n\n", c.Exec("ping nowhere.example"))
}

// call-home's vrf is kept and shown, and undone by its no form; it is the
// VRF of Call Home's email, so it does not move Smart Licensing's HTTP
// messages (a wrong fix for a switch whose CSSM route is in a VRF).
func TestCallHomeVRF(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	c.Exec("configure terminal")
	c.Exec("call-home")
	assert.Equal(t, "", c.Exec("vrf Mgmt-vrf"))
	c.Exec("end")
	assert.Contains(t, c.Exec("show running-config"), "\ncall-home\n ! If contact email")
	assert.Contains(t, c.Exec("show running-config"), " contact-email-addr sch-smart-licensing@cisco.com\n vrf Mgmt-vrf\n")
	c.Exec("configure terminal")
	c.Exec("call-home")
	c.Exec("no vrf")
	c.Exec("end")
	assert.NotContains(t, c.Exec("show running-config"), " vrf Mgmt-vrf\n")
}

// The no forms of the global and trustpoint commands: hostname back to
// Switch, the time zone back to UTC, revocation-check back to crl, a
// trustpoint removed after IOS's warning, the boot level unconfigured.
func TestNoForms(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	c.Exec("configure terminal")
	c.Exec("clock timezone EST -5")
	assert.Equal(t, "", c.Exec("no clock timezone"))
	c.Exec("crypto pki trustpoint SLA-TrustPoint")
	c.Exec("revocation-check none")
	assert.Equal(t, "", c.Exec("no revocation-check"))
	c.Exec("exit")
	assert.Contains(t, c.Exec("do show running-config"), " revocation-check crl\n")
	assert.Equal(t, "% Removing an enrolled trustpoint will destroy all certificates\n received from the related Certificate Authority.\n\nAre you sure you want to do this? [yes/no]: ",
		c.Exec("no crypto pki trustpoint SLA-TrustPoint"))
	assert.Equal(t, "", c.Exec("no"))
	assert.Contains(t, c.Exec("do show running-config"), "crypto pki trustpoint SLA-TrustPoint\n", "no keeps it")
	c.Exec("no crypto pki trustpoint SLA-TrustPoint")
	assert.Equal(t, "% Be sure to ask the CA administrator to revoke your certificates.\n", c.Exec("yes"))
	assert.NotContains(t, c.Exec("do show running-config"), "trustpoint SLA-TrustPoint")
	assert.Contains(t, c.Exec("no crypto pki trustpoint SLA-TrustPoint"), "% Invalid input detected", "gone already")
	assert.Contains(t, c.Exec("no license boot level"), "% use 'write' command")
	assert.Equal(t, "", c.Exec("no hostname"))
	assert.Equal(t, "Switch(config)#", c.Prompt())
	c.Exec("end")
	assert.Contains(t, c.Exec("show clock"), " UTC ")
}

// The syslog commands are kept in the running configuration in IOS's
// words and undone by their no forms; bad values get the caret.
func TestLoggingCommands(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	c.Exec("configure terminal")
	for _, l := range []string{"logging host 192.0.2.50", "logging host 192.0.2.51 vrf Mgmt-vrf transport tcp port 1468", "logging trap warnings",
		"logging facility local5", "logging source-interface vlan1", "logging origin-id hostname", "service sequence-numbers",
		"service timestamps log datetime msec localtime show-timezone"} {
		assert.Equal(t, "", c.Exec(l), l)
	}
	run := c.Exec("do show running-config")
	assert.Contains(t, run, "!\nservice timestamps log datetime msec localtime show-timezone\nservice sequence-numbers\n!\nhostname sw1\n")
	assert.Contains(t, run, "\nlogging trap warnings\nlogging facility local5\nlogging source-interface Vlan1\nlogging origin-id hostname\n"+
		"logging host 192.0.2.50\nlogging host 192.0.2.51 vrf Mgmt-vrf transport tcp port 1468\n")
	for _, bad := range []string{"logging trap 8", "logging trap loud", "logging facility local9", "logging host 300.1.1.1",
		"logging host 192.0.2.52 transport sctp", "logging source-interface Gi9/9/9"} {
		assert.Contains(t, c.Exec(bad), "% Invalid input detected", bad)
	}
	assert.Equal(t, "% Incomplete command.\n\n", c.Exec("logging host 192.0.2.52 vrf"))
	for _, l := range []string{"no logging host 192.0.2.50", "no logging host 192.0.2.51 vrf Mgmt-vrf", "no logging trap", "no logging facility",
		"no logging source-interface", "no logging origin-id", "no service sequence-numbers", "no service timestamps log datetime msec"} {
		assert.Equal(t, "", c.Exec(l), l)
	}
	run = c.Exec("do show running-config")
	assert.NotContains(t, run, "logging host")
	assert.NotContains(t, run, "sequence-numbers")
	assert.NotContains(t, run, "service timestamps")
	assert.Contains(t, c.Exec("no logging host 192.0.2.50"), "is not configured")
}

// The snmp-server commands are kept in the running configuration and
// undone by their no forms; bad values get the caret.
func TestSNMPServerCommands(t *testing.T) {
	c := console(t)
	c.Exec("enable")
	c.Exec("configure terminal")
	for _, l := range []string{"snmp-server community public RO", "snmp-server community private RW 10", "snmp-server location Lab rack 4",
		"snmp-server contact noc@example.com", "snmp-server enable traps smart-license", "snmp-server host 192.0.2.9 version 2c public",
		"snmp-server host 192.0.2.10 traps version 2c nms udp-port 1162"} {
		assert.Equal(t, "", c.Exec(l), l)
	}
	assert.Contains(t, c.Exec("do show running-config"), "\nsnmp-server community public RO\nsnmp-server community private RW 10\n"+
		"snmp-server location Lab rack 4\nsnmp-server contact noc@example.com\nsnmp-server enable traps smart-license\n"+
		"snmp-server host 192.0.2.9 version 2c public\nsnmp-server host 192.0.2.10 version 2c nms udp-port 1162\n")
	for _, bad := range []string{"snmp-server community x XX", "snmp-server host 192.0.2.9 version 3 x", "snmp-server host 999.0.0.1 public",
		"snmp-server host 192.0.2.9 public udp-port 0", "snmp-server host 192.0.2.9 public udp-port 70000", "snmp-server host 192.0.2.9 public port 1162",
		"snmp-server host 192.0.2.9 public udp-port 1162 extra"} {
		assert.Contains(t, c.Exec(bad), "% Invalid input detected", bad)
	}
	for _, l := range []string{"no snmp-server community public", "no snmp-server community private", "no snmp-server location",
		"no snmp-server contact", "no snmp-server enable traps smart-license", "no snmp-server host 192.0.2.9 public",
		"no snmp-server host 192.0.2.10 traps version 2c nms udp-port 1162"} {
		assert.Equal(t, "", c.Exec(l), l)
	}
	assert.NotContains(t, c.Exec("do show running-config"), "snmp-server")
}
