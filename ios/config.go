package ios

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/stackwise"
)

// ShowCallHomeProfileAll renders `show call-home profile all`, with the
// seed's fields for each profile. [layout: seed, spacing model]
func (v View) ShowCallHomeProfileAll() string {
	var b strings.Builder
	for i, p := range v.Running.Profiles {
		if i > 0 {
			b.WriteString("\n")
		}
		writeProfile(&b, p)
	}
	return b.String()
}

// ShowCallHomeProfile renders `show call-home profile <name>`: the
// profile's block of ShowCallHomeProfileAll, or IOS's refusal of an
// unknown name [model text].
func (v View) ShowCallHomeProfile(name string) string {
	if p := v.Running.Profile(name); p != nil {
		var b strings.Builder
		writeProfile(&b, *p)
		return b.String()
	}
	return "% Profile " + name + " does not exist.\n"
}

func writeProfile(b *strings.Builder, p device.CallHomeProfile) {
	status := "INACTIVE"
	if p.Active {
		status = "ACTIVE"
	}
	data := "Smart Call Home"
	if p.ReportsSmartLicensing {
		data += ", Smart Licensing"
	}
	transport := "email"
	if p.TransportHTTP {
		transport = "http"
	}
	addr := p.Destination
	if addr == "" {
		addr = "Not yet set up"
	}
	fmt.Fprintf(b, "Profile Name: %s\n", p.Name)
	fmt.Fprintf(b, "    Profile status: %s\n", status)
	fmt.Fprintf(b, "    Profile mode: Full Reporting\n")
	fmt.Fprintf(b, "    Reporting Data: %s\n", data)
	fmt.Fprintf(b, "    Preferred Message Format: xml\n")
	fmt.Fprintf(b, "    Message Size Limit: 3145728 Bytes\n")
	fmt.Fprintf(b, "    Transport Method: %s\n", transport)
	fmt.Fprintf(b, "    HTTP  address(es): %s\n", addr)
	fmt.Fprintf(b, "    Other address(es): default\n")
	if p.Name == "CiscoTAC-1" {
		b.WriteString("\n    Periodic configuration info message is scheduled every 1 day of the month at 09:15\n")
		b.WriteString("\n    Periodic inventory info message is scheduled every 1 day of the month at 09:00\n\n")
		b.WriteString("    Alert-group               Severity\n    ------------------------  ------------\n")
		for _, r := range [][2]string{{"crash", "debug"}, {"diagnostic", "minor"}, {"environment", "warning"}, {"inventory", "normal"}} {
			fmt.Fprintf(b, "    %-24s  %s\n", r[0], r[1])
		}
		b.WriteString("\n    Syslog-Pattern            Severity\n    ------------------------  ------------\n")
		for _, r := range [][2]string{{"APF-.-WLC_.*", "warning"}, {".*", "major"}} {
			fmt.Fprintf(b, "    %-24s  %s\n", r[0], r[1])
		}
	}
}

// ShowInventory renders `show inventory`: the stack (or chassis) and each
// switch (or supervisor) with its PID and serial. [model: the VID, V01;
// the names, after IOS-XE's]
func (v View) ShowInventory() string {
	var b strings.Builder
	entry := func(name, descr, pid, sn string) {
		fmt.Fprintf(&b, "NAME: \"%s\", DESCR: \"%s\"\nPID: %-18s, VID: V01  , SN: %s\n\n", name, descr, pid, sn)
	}
	t := v.Topology
	switch {
	case len(t.Chassis) > 0:
		for i, c := range t.Chassis {
			entry(fmt.Sprintf("Chassis %d", i+1), "Cisco Catalyst 9400 Series Chassis", c.PID, c.SN)
			for j, sup := range c.Supervisors {
				entry(fmt.Sprintf("Slot %d Supervisor", 3+j), "Cisco Catalyst 9400 Series Supervisor Module", sup, c.SN)
			}
		}
	case len(t.Switches) > 0:
		family := "c95xx Stack"
		if strings.HasPrefix(t.Switches[0].PID, "C9300") {
			family = "c93xx Stack"
		}
		entry(family, family, t.Switches[0].PID, t.Switches[0].SN)
		for i, u := range t.Switches {
			entry(fmt.Sprintf("Switch %d", i+1), u.PID, u.PID, u.SN)
		}
	}
	return b.String()
}

// ShowVRF renders `show vrf`: each VRF with the interfaces in it.
func (v View) ShowVRF() string {
	byVRF := map[string][]string{}
	for _, i := range v.Running.Interfaces {
		if i.VRF != "" {
			byVRF[i.VRF] = append(byVRF[i.VRF], shortInterface(i.Name))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  %-32s %-21s %-11s %s\n", "Name", "Default RD", "Protocols", "Interfaces")
	for _, name := range slices.Sorted(maps.Keys(byVRF)) {
		fmt.Fprintf(&b, "  %-32s %-21s %-11s %s\n", name, "<not set>", "ipv4,ipv6", strings.Join(byVRF[name], " "))
	}
	return b.String()
}

// shortInterface is IOS's short form of an interface name
// ("GigabitEthernet0/0" → "Gi0/0").
func shortInterface(name string) string {
	for long, short := range map[string]string{"GigabitEthernet": "Gi", "TenGigabitEthernet": "Te", "TwentyFiveGigE": "Twe",
		"FortyGigabitEthernet": "Fo", "HundredGigE": "Hu", "Vlan": "Vl", "Loopback": "Lo", "AppGigabitEthernet": "Ap"} {
		if rest, ok := strings.CutPrefix(name, long); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			return short + rest
		}
	}
	return name
}

// ShowCallHomeSmartLicensing renders `show call-home smart-licensing`:
// whether Call Home carries smart licensing, and through which profile. [model]
func (v View) ShowCallHomeSmartLicensing() string {
	var b strings.Builder
	status := "disabled"
	if v.Running.ServiceCallHome {
		status = "enabled"
	}
	fmt.Fprintf(&b, "Current smart-licensing transport settings:\n Smart-license messages: %s\n", status)
	for _, p := range v.Running.Profiles {
		if p.Active && p.ReportsSmartLicensing {
			fmt.Fprintf(&b, " Profile: %s (status: ACTIVE)\n", p.Name)
		}
	}
	return b.String()
}

// ShowInstallSummary renders `show install summary`: the release the
// device runs, committed, on every member. [layout model: IOS-XE 16.x]
func (v View) ShowInstallSummary() string {
	var b strings.Builder
	members := ""
	for i := range max(1, len(v.Topology.HAList())) {
		members += fmt.Sprintf(" %d", i+1)
	}
	fmt.Fprintf(&b, "[ Switch%s ] Installed Package(s) Information:\n", members)
	b.WriteString("State (St): I - Inactive, U - Activated & Uncommitted,\n            C - Activated & Committed, D - Deactivated & Uncommitted\n")
	b.WriteString(strings.Repeat("-", 80) + "\nType  St   Filename/Version\n" + strings.Repeat("-", 80) + "\n")
	ver := v.Topology.Version
	if v.Running.BootSystem != "" {
		fmt.Fprintf(&b, "IMG   C    %s (bundle mode: boot system)\n", v.Running.BootSystem)
	} else {
		fmt.Fprintf(&b, "IMG   C    %d.%d.%d.0%s\n", ver.Major, ver.Minor, ver.Rebuild, ver.Letter)
	}
	b.WriteString("\n" + strings.Repeat("-", 80) + "\nAuto abort timer: inactive\n" + strings.Repeat("-", 80) + "\n")
	return b.String()
}

// releaseName is the IOS-XE train's name: Fuji (16.9), Gibraltar
// (16.10–16.12), Amsterdam (17.1–17.3), Bengaluru (17.4–17.6).
func releaseName(v stackwise.Version) string {
	switch {
	case v.Major == 16 && v.Minor <= 9:
		return "Fuji"
	case v.Major == 16:
		return "Gibraltar"
	case v.Major == 17 && v.Minor <= 3:
		return "Amsterdam"
	case v.Major == 17 && v.Minor <= 6:
		return "Bengaluru"
	}
	return "Cupertino"
}

// ShowVersion renders `show version` in the Catalyst 16.9–17.3 layout:
// the release and copyright lines, uptime and image, the license levels
// now and after the next reboot, the Smart Licensing status, the
// processor, memory and interfaces, and each stack member's identity with
// the members' table. bootedAt is when the device last booted.
func (v View) ShowVersion(bootedAt time.Time) string {
	var b strings.Builder
	t := v.Topology
	ver := t.Version
	year := copyrightYear(ver)
	fmt.Fprintf(&b, "Cisco IOS XE Software, Version %s\n", paddedVersion(ver))
	image := "CAT9K_IOSXE"
	switch t.Platform() {
	case stackwise.C3850:
		image = "CAT3K_CAA-UNIVERSALK9"
	case stackwise.C9200:
		image = "CAT9K_LITE_IOSXE"
	}
	fmt.Fprintf(&b, "Cisco IOS Software [%s], Catalyst L3 Switch Software (%s), Version %s, RELEASE SOFTWARE (fc2)\n", releaseName(ver), image, ver)
	b.WriteString("Technical Support: http://www.cisco.com/techsupport\n")
	fmt.Fprintf(&b, "Copyright (c) 1986-%d by Cisco Systems, Inc.\n\n\n", year)
	fmt.Fprintf(&b, gplNotice, year)
	b.WriteString("\n\nROM: IOS-XE ROMMON\n")
	fmt.Fprintf(&b, "BOOTLDR: System Bootstrap, Version %d.%d.%dr, RELEASE SOFTWARE (P)\n\n", ver.Major, ver.Minor, ver.Rebuild)
	up := uptime(v.Now.Sub(bootedAt))
	fmt.Fprintf(&b, "%s uptime is %s\n", v.Running.Hostname, up)
	fmt.Fprintf(&b, "Uptime for this control processor is %s\n", up)
	b.WriteString("System returned to ROM by Reload Command\n")
	file := "flash:packages.conf"
	if v.Running.BootSystem != "" {
		file = v.Running.BootSystem
	}
	fmt.Fprintf(&b, "System image file is \"%s\"\n", file)
	b.WriteString("Last reload reason: Reload Command\n\n\n\n")
	b.WriteString(cryptoNotice)
	b.WriteString("\n\n")
	cur, _ := stackwise.ParseLevel(v.Running.LicenseLevel)
	next, err := stackwise.ParseLevel(v.Startup.LicenseLevel)
	if err != nil {
		next = cur
	}
	b.WriteString("Technology Package License Information: \n\n")
	b.WriteString("------------------------------------------------------------------------------\n")
	b.WriteString("Technology-package                                     Technology-package\n")
	b.WriteString("Current                        Type                       Next reboot  \n")
	b.WriteString("------------------------------------------------------------------------------\n")
	fmt.Fprintf(&b, "%-31s%-27s%s\n", cur.Base.Feature(), "Smart License", next.Base.Feature())
	if cur.Addon != 0 || next.Addon != 0 {
		c, n := "None", "None"
		if cur.Addon != 0 {
			c = cur.Addon.Feature()
		}
		if next.Addon != 0 {
			n = next.Addon.Feature()
		}
		fmt.Fprintf(&b, "%-31s%-27s%s\n", c, "Subscription Smart License", n)
	}
	b.WriteString("\n\n")
	fmt.Fprintf(&b, "Smart Licensing Status: %s\n\n", smartLicensingStatus(v.Status))

	arch, mainMem, physical := processor(t.Platform())
	var chassisPID, boardID string
	var front ports
	switch {
	case len(t.Chassis) > 0:
		chassisPID, boardID = t.Chassis[0].PID, t.Chassis[0].SN
	case len(t.Switches) > 0:
		chassisPID, boardID = t.Switches[0].PID, t.Switches[0].SN
		for _, u := range t.Switches {
			front.add(portsOf(u.PID))
		}
	}
	fmt.Fprintf(&b, "cisco %s (%s) processor (revision V01) with %dK/6147K bytes of memory.\n", chassisPID, arch, mainMem)
	fmt.Fprintf(&b, "Processor board ID %s\n", boardID)
	interfaceCounts(&b, front)
	b.WriteString("2048K bytes of non-volatile configuration memory.\n")
	fmt.Fprintf(&b, "%dK bytes of physical memory.\n", physical)
	b.WriteString("1638400K bytes of Crash Files at crashinfo:.\n")
	b.WriteString("11264000K bytes of Flash at flash:.\n")
	b.WriteString("0K bytes of WebUI ODM Files at webui:.\n\n")
	if len(t.Switches) > 0 {
		memberBlock(&b, t.Switches[0].PID, t.Switches[0].SN)
		mode := "INSTALL"
		if v.Running.BootSystem != "" {
			mode = "BUNDLE"
		}
		b.WriteString("\n\nSwitch Ports Model              SW Version        SW Image              Mode   \n------ ----- -----              ----------        ----------            ----   \n")
		for i, u := range t.Switches {
			star := " "
			if i == 0 {
				star = "*"
			}
			fmt.Fprintf(&b, "%s%5d %-5d %-18s %-17s %-21s %s\n", star, i+1, portsOf(u.PID).total(), u.PID, paddedVersion(ver), image, mode)
		}
		for i, u := range t.Switches[1:] {
			fmt.Fprintf(&b, "\n\nSwitch %02d\n---------\n", i+2)
			fmt.Fprintf(&b, "Switch uptime                      : %s \n", up)
			memberBlock(&b, u.PID, u.SN)
		}
	}
	b.WriteString("\nConfiguration register is 0x102\n\n")
	return b.String()
}

// smartLicensingStatus is the `show version` form: "UNREGISTERED/EVAL
// EXPIRED", "REGISTERED/AUTHORIZED", … (the status lines of docs/agent.md, States)
func smartLicensingStatus(s agent.Status) string {
	reg := s.Registration
	if i := strings.Index(reg, " - "); i > 0 {
		reg = reg[:i]
	}
	return reg + "/" + s.Authorization
}

func uptime(d time.Duration) string {
	mins := int64(d / time.Minute)
	parts := []string{}
	if w := mins / (7 * 24 * 60); w > 0 {
		parts = append(parts, plural(w, "week"))
	}
	if dd := mins / (24 * 60) % 7; dd > 0 {
		parts = append(parts, plural(dd, "day"))
	}
	if h := mins / 60 % 24; h > 0 {
		parts = append(parts, plural(h, "hour"))
	}
	parts = append(parts, plural(mins%60, "minute"))
	return strings.Join(parts, ", ")
}

func plural(n int64, unit string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", unit)
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// NVRAMBytes is the size `show startup-config` reports its configuration
// out of: a Catalyst 9300's 2 MB of NVRAM. [model]
const NVRAMBytes = 2097152

// ShowRunningConfig renders the licensing-relevant part of a configuration
// as IOS writes it (`show running-config`): "Building configuration...",
// then the size of what follows.
func ShowRunningConfig(c device.Config) string { return runningConfig(c, false) }

// ShowRunningConfigAll renders `show running-config all`: the
// configuration with the defaults IOS leaves out of `show running-config`
// (CiscoTAC-1's destination and reporting, active profiles, ip domain
// lookup, the server identity check), so that `show run all | include
// destination address http` finds every destination.
func ShowRunningConfigAll(c device.Config) string { return runningConfig(c, true) }

func runningConfig(c device.Config, all bool) string {
	body := configText(c, all)
	return fmt.Sprintf("Building configuration...\n\nCurrent configuration : %d bytes\n", len(body)) + body
}

// ShowStartupConfig renders the saved configuration as `show
// startup-config` prints it: "Using N out of M bytes", then the text.
func ShowStartupConfig(c device.Config) string {
	body := configText(c, false)
	return fmt.Sprintf("Using %d out of %d bytes\n", len(body), NVRAMBytes) + body
}

// configText is a configuration as IOS writes it, from the first "!";
// with all, the defaults too.
// secretDigest is how a user's secret shows in the configuration: a type 9
// form ($9$, a salt, a hash) whose salt and hash are derived from the name
// and secret, so that the same configuration always prints the same text.
// It is not IOS's scrypt and is not meant to be reversed. [model]
func secretDigest(u device.User) string {
	sum := sha256.Sum256([]byte(u.Name + "\x00" + u.Secret))
	enc := base64.RawStdEncoding.EncodeToString(sum[:])
	enc = strings.ReplaceAll(enc, "+", ".") // crypt's alphabet: ./0-9A-Za-z
	return "$9$" + enc[:14] + "$" + enc[14:]
}

func configText(c device.Config, all bool) string {
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	line("!")
	if c.Syslog.Localtime || c.Syslog.ShowTimezone || c.Syslog.SequenceNumbers {
		syslogServiceConfig(c.Syslog, line)
		line("!")
	}
	line("hostname %s", c.Hostname)
	line("!")
	if c.BootSystem != "" {
		line("boot system %s", c.BootSystem)
		line("!")
	}
	if c.EnableSecret != "" {
		line("enable secret 9 %s", secretDigest(device.User{Name: "enable", Secret: c.EnableSecret}))
	}
	if c.EnablePassword != "" {
		line("enable password %s", c.EnablePassword)
	}
	if c.EnableSecret != "" || c.EnablePassword != "" {
		line("!")
	}
	if c.AAANewModel {
		line("aaa new-model")
		line("!")
	}
	if c.SSHTimeout > 0 {
		line("ip ssh time-out %d", c.SSHTimeout)
	}
	if c.SSHMaxStartups > 0 {
		line("ip ssh maxstartups %d", c.SSHMaxStartups)
	}
	switch {
	case c.SSHRetries > 0 && c.SSHRetries != 3:
		line("ip ssh authentication-retries %d", c.SSHRetries)
	case c.SSHRetries < 0:
		line("ip ssh authentication-retries 0")
	}
	switch {
	case c.LogBuffer > 0:
		line("logging buffered %d", c.LogBuffer)
		line("!")
	case c.LogBuffer < 0:
		line("no logging buffered")
		line("!")
	}
	if s := c.Syslog; s.Trap != 0 || s.Facility != "" || s.SourceInterface != "" || s.OriginHostname || len(s.Hosts) > 0 {
		syslogConfig(s, line)
		line("!")
	}
	if s := c.SNMP; len(s.Communities) > 0 || len(s.Hosts) > 0 || s.TrapsSL || s.Location != "" || s.Contact != "" {
		snmpConfig(s, line)
		line("!")
	}
	if c.TimeZone != "" {
		h, m := c.TimeZoneOffset/3600, (c.TimeZoneOffset%3600)/60
		if m < 0 {
			m = -m
		}
		if m != 0 {
			line("clock timezone %s %d %d", c.TimeZone, h, m)
		} else {
			line("clock timezone %s %d", c.TimeZone, h)
		}
	}
	if c.CalendarValid {
		line("clock calendar-valid")
	}
	switch {
	case !c.DomainLookup:
		line("no ip domain lookup")
	case all:
		line("ip domain lookup")
	}
	if c.DomainName != "" {
		line("ip domain name %s", c.DomainName)
	}
	if c.DomainSourceInterface != "" {
		line("ip domain lookup source-interface %s", c.DomainSourceInterface)
	}
	for _, h := range slices.Sorted(maps.Keys(c.Hosts)) {
		line("ip host %s %s", h, c.Hosts[h])
	}
	for _, ns := range c.NameServers {
		if ns.VRF != "" {
			line("ip name-server vrf %s %s", ns.VRF, ns.IP)
		} else {
			line("ip name-server %s", ns.IP)
		}
	}
	line("!")
	for _, tp := range c.Trustpoints {
		line("crypto pki trustpoint %s", tp.Name)
		line(" enrollment terminal")
		line(" revocation-check %s", tp.RevocationCheck)
		line("!")
	}
	if c.SLAKeyPair != "" {
		line("crypto pki certificate chain SLA-TrustPoint")
		line(" certificate ca 01")
		line("  ! SLA-KeyPair %s", c.SLAKeyPair)
		line("  \tquit")
		line("!")
	}
	for _, tp := range c.Trustpoints {
		if tp.Name == device.SLATrustPoint || tp.CA == "" {
			continue
		}
		// The CA certificate `crypto pki authenticate` imported, in hex
		// as IOS lists it: eight 32-bit words a line.
		line("crypto pki certificate chain %s", tp.Name)
		line(" certificate ca 01")
		der := []byte(labCAPrefix + tp.CA)
		for len(der) > 0 {
			n := min(len(der), 32)
			var words []string
			for w := range slices.Chunk(der[:n], 4) {
				words = append(words, fmt.Sprintf("%X", w))
			}
			line("  %s", strings.Join(words, " "))
			der = der[n:]
		}
		line("  \tquit")
		line("!")
	}
	line("license boot level %s", c.LicenseLevel)
	line("!")
	for _, u := range c.Users {
		if u.Privilege != 1 {
			line("username %s privilege %d secret 9 %s", u.Name, u.Privilege, secretDigest(u))
		} else {
			line("username %s secret 9 %s", u.Name, secretDigest(u))
		}
	}
	if len(c.Users) > 0 {
		line("!")
	}
	for _, i := range c.Interfaces {
		line("interface %s", i.Name)
		if i.VRF != "" {
			line(" vrf forwarding %s", i.VRF)
		}
		if addr, mask, ok := addressAndMask(i.IP); ok {
			line(" ip address %s %s", addr, mask)
		} else {
			line(" no ip address")
		}
		line("!")
	}
	for _, r := range c.Routes {
		addr, mask, _ := addressAndMask(r.Prefix)
		vrf := ""
		if r.VRF != "" {
			vrf = "vrf " + r.VRF + " "
		}
		line("ip route %s%s %s %s", vrf, addr, mask, strings.TrimSpace(r.Interface+" "+r.NextHop))
	}
	if c.HTTPAuthLocal {
		line("ip http authentication local")
	}
	if c.HTTPSecureServer {
		line("ip http secure-server")
	} else if all {
		line("no ip http secure-server")
	}
	if c.SourceInterface != "" {
		line("ip http client source-interface %s", c.SourceInterface)
	}
	switch {
	case !c.ServerIdentityCheck:
		line("no http secure server-identity-check")
	case all:
		line("http secure server-identity-check")
	}
	line("!")
	if c.ServiceCallHome {
		line("service call-home")
	} else {
		line("no service call-home")
	}
	line("!")
	line("call-home")
	line(" ! If contact email address in call-home is configured as sch-smart-licensing@cisco.com")
	line(" ! the email address configured in Cisco Smart License Portal will be used as contact email address to send SCH notifications.")
	if c.ContactEmail != "" {
		line(" contact-email-addr %s", c.ContactEmail)
	} else {
		line(" contact-email-addr sch-smart-licensing@cisco.com")
	}
	if c.CallHomeVRF != "" {
		line(" vrf %s", c.CallHomeVRF)
	}
	if c.HTTPProxy != "" {
		line(" http-proxy \"%s\" port %d", c.HTTPProxy, c.HTTPProxyPort)
	}
	for _, p := range c.Profiles {
		line(" profile \"%s\"", p.Name)
		switch {
		case !p.Active:
			line("  no active")
		case all:
			line("  active")
		}
		if all || p.Name != "CiscoTAC-1" || p.Destination != defaultDestination {
			if p.Destination != "" {
				line("  destination address http %s", p.Destination)
			}
		}
		if p.TransportHTTP {
			line("  destination transport-method http")
		}
		if p.ReportsSmartLicensing && (all || p.Name != "CiscoTAC-1") {
			line("  reporting smart-licensing-data")
		}
	}
	line("!")
	for _, s := range c.NTPServers {
		line("ntp server %s", s)
	}
	line("!")
	if c.RESTCONF {
		line("restconf")
		line("!")
	}
	line("end")
	return b.String()
}

const defaultDestination = "https://tools.cisco.com/its/service/oddce/services/DDCEService"

// addressAndMask splits a prefix into IOS's address and dotted mask.
func addressAndMask(prefix string) (string, string, bool) {
	p, err := netip.ParsePrefix(prefix)
	if err != nil || !p.Addr().Is4() {
		return "", "", false
	}
	m := uint32(0xffffffff) << (32 - p.Bits())
	if p.Bits() == 0 {
		m = 0
	}
	return p.Addr().String(), fmt.Sprintf("%d.%d.%d.%d", m>>24, m>>16&0xff, m>>8&0xff, m&0xff), true
}

// ShowIPRoute renders `show ip route [vrf <vrf>]`: the connected and local
// routes of the VRF's addressed interfaces and its static routes, as IOS
// lists them. [model: the codes header kept to the codes used]
func (v View) ShowIPRoute(vrf string) string {
	var b strings.Builder
	if vrf != "" {
		fmt.Fprintf(&b, "\nRouting Table: %s\n", vrf)
	}
	b.WriteString("Codes: L - local, C - connected, S - static\n       * - candidate default\n\n")
	type entry struct {
		prefix netip.Prefix
		text   string
	}
	var entries []entry
	gateway := "not set"
	for _, r := range v.Running.Routes {
		p, err := netip.ParsePrefix(r.Prefix)
		if err != nil || r.VRF != vrf {
			continue
		}
		code, via := "S ", ""
		if p.Bits() == 0 {
			code = "S*"
			if r.NextHop != "" {
				gateway = r.NextHop + " to network 0.0.0.0"
			}
		}
		switch {
		case r.NextHop != "" && r.Interface != "":
			via = "[1/0] via " + r.NextHop + ", " + r.Interface
		case r.NextHop != "":
			via = "[1/0] via " + r.NextHop
		default:
			via = "is directly connected, " + r.Interface
		}
		entries = append(entries, entry{p, fmt.Sprintf("%s    %s %s", code, p, via)})
	}
	for _, i := range v.Running.Interfaces {
		p, err := netip.ParsePrefix(i.IP)
		if err != nil || i.VRF != vrf {
			continue
		}
		entries = append(entries, entry{p.Masked(), fmt.Sprintf("C        %s is directly connected, %s", p.Masked(), i.Name)},
			entry{netip.PrefixFrom(p.Addr(), 32), fmt.Sprintf("L        %s/32 is directly connected, %s", p.Addr(), i.Name)})
	}
	slices.SortStableFunc(entries, func(a, b entry) int {
		return cmp.Or(a.prefix.Addr().Compare(b.prefix.Addr()), cmp.Compare(a.prefix.Bits(), b.prefix.Bits()))
	})
	fmt.Fprintf(&b, "Gateway of last resort is %s\n\n", gateway)
	for _, e := range entries {
		b.WriteString(e.text + "\n")
	}
	return b.String()
}

// ShowIPInterfaceBrief renders `show ip interface brief`.
func (v View) ShowIPInterfaceBrief() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-22s %-15s %-3s %-6s %-21s %s\n", "Interface", "IP-Address", "OK?", "Method", "Status", "Protocol")
	for _, i := range v.Running.Interfaces {
		addr, method := "unassigned", "unset"
		if a, _, ok := addressAndMask(i.IP); ok {
			addr, method = a, "manual"
		}
		fmt.Fprintf(&b, "%-22s %-15s %-3s %-6s %-21s %s\n", i.Name, addr, "YES", method, "up", "up")
	}
	return b.String()
}
