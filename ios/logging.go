package ios

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/slsim/slsim/device"
)

// severityNames are IOS's names of the syslog severities, 0 to 7.
var severityNames = []string{"emergencies", "alerts", "critical", "errors", "warnings", "notifications", "informational", "debugging"}

// facilities are the syslog facilities `logging facility` takes.
var facilities = []string{"auth", "cron", "daemon", "kern", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
	"lpr", "mail", "news", "sys10", "sys11", "sys12", "sys13", "sys14", "sys9", "syslog", "user", "uucp"}

// FacilityCode is a facility's number in the syslog PRI (RFC 5424), and
// whether it is known.
func FacilityCode(name string) (int, bool) {
	codes := map[string]int{"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7, "uucp": 8, "cron": 9,
		"sys9": 9, "sys10": 10, "sys11": 11, "sys12": 12, "sys13": 13, "sys14": 14,
		"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23}
	c, ok := codes[name]
	return c, ok
}

// loggingSyslog is the syslog part of `logging` (on) and `no logging`.
func loggingSyslog(on bool) []*node {
	set := func(what string, f func(s *device.Syslog, a []string) error) func(*Console, []string) (string, error) {
		if !on {
			what = "no " + what
		}
		return func(c *Console, a []string) (string, error) {
			return configure(what, func(_ *Console, cfg *device.Config, _ []string) error { return f(&cfg.Syslog, a) })(c, a)
		}
	}
	if !on {
		return []*node{
			kw("host", "Set syslog server IP address and parameters", arg("A.B.C.D", "IP address of the syslog server", restArg("LINE", "vrf <vrf> | transport udp|tcp [port <n>]").does(logHost(false))).does(logHost(false))),
			kw("trap", "Set trap server logging level").does(set("logging trap", func(s *device.Syslog, _ []string) error { s.Trap = 0; return nil })),
			kw("facility", "Facility parameter for syslog messages").does(set("logging facility", func(s *device.Syslog, _ []string) error { s.Facility = ""; return nil })),
			kw("source-interface", "Specify interface for source address in logging transactions").does(set("logging source-interface", func(s *device.Syslog, _ []string) error { s.SourceInterface = ""; return nil })),
			kw("origin-id", "Add origin ID to syslog messages").does(set("logging origin-id", func(s *device.Syslog, _ []string) error { s.OriginHostname = false; return nil })),
		}
	}
	trap := func(c *Console, a []string) (string, error) {
		lvl := slices.Index(severityNames, strings.ToLower(a[0]))
		if n, err := strconv.Atoi(a[0]); err == nil {
			lvl = n
		}
		if lvl < 0 || lvl > 7 {
			return "", &badArg{a[0]}
		}
		return set("logging trap", func(s *device.Syslog, _ []string) error { s.Trap = lvl + 1; return nil })(c, a)
	}
	facility := func(c *Console, a []string) (string, error) {
		f := strings.ToLower(a[0])
		if !slices.Contains(facilities, f) {
			return "", &badArg{a[0]}
		}
		return set("logging facility", func(s *device.Syslog, _ []string) error {
			s.Facility = f
			if f == "local7" {
				s.Facility = ""
			}
			return nil
		})(c, a)
	}
	source := func(c *Console, a []string) (string, error) {
		run := c.device().Running()
		name := canonicalInterface(&run, a[0])
		if run.Interface(name) == nil {
			return "", &badArg{a[0]}
		}
		return set("logging source-interface", func(s *device.Syslog, _ []string) error { s.SourceInterface = name; return nil })(c, a)
	}
	return []*node{
		kw("host", "Set syslog server IP address and parameters", arg("A.B.C.D", "IP address of the syslog server", restArg("LINE", "vrf <vrf> | transport udp|tcp [port <n>]").does(logHost(true))).does(logHost(true))),
		kw("trap", "Set trap server logging level", arg("<0-7>", "Logging severity level, or its name (informational, warnings, …)").does(trap)),
		kw("facility", "Facility parameter for syslog messages", arg("WORD", "Facility (local0 … local7, syslog, user, …)").does(facility)),
		kw("source-interface", "Specify interface for source address in logging transactions", arg("WORD", "Interface name").does(source)),
		kw("origin-id", "Add origin ID to syslog messages", kw("hostname", "Use origin hostname as ID").does(set("logging origin-id hostname", func(s *device.Syslog, _ []string) error { s.OriginHostname = true; return nil }))),
	}
}

// logHost is `[no] logging host <ip> [vrf <vrf>] [transport udp|tcp [port <n>]]`.
func logHost(on bool) func(*Console, []string) (string, error) {
	return func(c *Console, a []string) (string, error) {
		ip, err := netip.ParseAddr(a[0])
		if err != nil || !ip.Is4() {
			return "", &badArg{a[0]}
		}
		h := device.LogHost{IP: ip.String()}
		if len(a) > 1 {
			f := strings.Fields(a[1])
			for i := 0; i < len(f); i++ {
				switch w := strings.ToLower(f[i]); {
				case w == "vrf" && i+1 < len(f):
					i++
					h.VRF = f[i]
				case w == "transport" && i+1 < len(f) && (strings.EqualFold(f[i+1], "udp") || strings.EqualFold(f[i+1], "tcp")):
					i++
					h.TCP = strings.EqualFold(f[i], "tcp")
				case w == "port" && i+1 < len(f):
					i++
					n, err := strconv.Atoi(f[i])
					if err != nil || n < 1 || n > 65535 {
						return "", &badArg{f[i]}
					}
					h.Port = n
				case w == "transport" && i+1 < len(f):
					return "", &badArg{f[i+1]}
				case w == "vrf" || w == "transport" || w == "port":
					return "", errIncomplete
				default:
					return "", &badArg{f[i]}
				}
			}
		}
		what := "logging host " + h.IP
		if !on {
			what = "no " + what
		}
		return configure(what, func(_ *Console, cfg *device.Config, _ []string) error {
			return editList(&cfg.Syslog.Hosts, h, on, func(x device.LogHost) bool { return x.IP == h.IP && x.VRF == h.VRF }, MaxLogHosts, "logging host "+h.IP)
		})(c, a)
	}
}

// MaxLogHosts bounds `logging host` entries. [model]
const MaxLogHosts = 16

// serviceSyslog is `[no] service sequence-numbers` and `[no] service
// timestamps log datetime msec [localtime] [show-timezone]`.
func serviceSyslog(on bool) []*node {
	prefix := ""
	if !on {
		prefix = "no "
	}
	stamps := func(c *Console, a []string) (string, error) {
		local, zone := false, false
		if len(a) > 0 {
			for _, w := range strings.Fields(a[0]) {
				switch strings.ToLower(w) {
				case "localtime":
					local = true
				case "show-timezone":
					zone = true
				default:
					return "", &badArg{w}
				}
			}
		}
		return configure(prefix+"service timestamps log", func(_ *Console, cfg *device.Config, _ []string) error {
			cfg.Syslog.Localtime, cfg.Syslog.ShowTimezone = on && local, on && zone
			return nil
		})(c, a)
	}
	return []*node{
		kw("sequence-numbers", "Stamp logger messages with a sequence number").does(configure(prefix+"service sequence-numbers", func(_ *Console, cfg *device.Config, _ []string) error {
			cfg.Syslog.SequenceNumbers = on
			return nil
		})),
		kw("timestamps", "Timestamp debug/log messages", kw("log", "Timestamp log messages", kw("datetime", "Timestamp with date and time",
			kw("msec", "Include milliseconds in timestamp", restArg("LINE", "[localtime] [show-timezone]").does(stamps)).does(stamps)))),
	}
}

// syslogServiceConfig writes the syslog service lines of the running
// configuration, among the service lines before the hostname.
func syslogServiceConfig(s device.Syslog, line func(string, ...any)) {
	switch {
	case s.Localtime && s.ShowTimezone:
		line("service timestamps log datetime msec localtime show-timezone")
	case s.Localtime:
		line("service timestamps log datetime msec localtime")
	case s.ShowTimezone:
		line("service timestamps log datetime msec show-timezone")
	}
	if s.SequenceNumbers {
		line("service sequence-numbers")
	}
}

// syslogConfig writes the logging lines of the running configuration.
func syslogConfig(s device.Syslog, line func(string, ...any)) {
	if s.Trap != 0 {
		line("logging trap %s", severityNames[s.TrapLevel()])
	}
	if s.Facility != "" {
		line("logging facility %s", s.Facility)
	}
	if s.SourceInterface != "" {
		line("logging source-interface %s", s.SourceInterface)
	}
	if s.OriginHostname {
		line("logging origin-id hostname")
	}
	for _, h := range s.Hosts {
		l := "logging host " + h.IP
		if h.VRF != "" {
			l += " vrf " + h.VRF
		}
		if h.TCP || h.Port != 0 {
			t := "udp"
			if h.TCP {
				t = "tcp"
			}
			l += " transport " + t
			if h.Port != 0 {
				l += fmt.Sprintf(" port %d", h.Port)
			}
		}
		line("%s", l)
	}
}
