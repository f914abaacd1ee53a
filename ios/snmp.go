package ios

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/slsim/slsim/device"
)

// MaxCommunities bounds `snmp-server community` and `snmp-server host`
// entries each. [model]
const MaxCommunities = 16

// snmpServer is `[no] snmp-server …`.
func snmpServer(on bool) *node {
	prefix := ""
	if !on {
		prefix = "no "
	}
	edit := func(what string, f func(s *device.SNMP, a []string) error) func(*Console, []string) (string, error) {
		return func(c *Console, a []string) (string, error) {
			return configure(prefix+what, func(_ *Console, cfg *device.Config, _ []string) error { return f(&cfg.SNMP, a) })(c, a)
		}
	}
	checkWord := func(w string) error {
		if w == "" || len(w) > 64 || strings.ContainsAny(w, " \t\"") {
			return &badArg{w}
		}
		return nil
	}
	community := func(c *Console, a []string) (string, error) {
		if err := checkWord(a[0]); err != nil {
			return "", err
		}
		cm := device.Community{Name: a[0]}
		if on && len(a) > 1 {
			f := strings.Fields(a[1])
			switch {
			case len(f) > 2:
				return "", &badArg{f[2]}
			case strings.EqualFold(f[0], "RW"):
				cm.RW = true
			case !strings.EqualFold(f[0], "RO"):
				return "", &badArg{f[0]}
			}
			if len(f) == 2 {
				cm.ACL = f[1]
			}
		}
		return edit("snmp-server community", func(s *device.SNMP, _ []string) error {
			i := slices.IndexFunc(s.Communities, func(x device.Community) bool { return x.Name == cm.Name })
			switch {
			case !on && i < 0:
				return fmt.Errorf("community %s is not configured", cm.Name)
			case !on:
				s.Communities = slices.Delete(s.Communities, i, i+1)
			case i >= 0:
				s.Communities[i] = cm
			case len(s.Communities) >= MaxCommunities:
				return fmt.Errorf("at most %d communities", MaxCommunities)
			default:
				s.Communities = append(s.Communities, cm)
			}
			return nil
		})(c, a)
	}
	host := func(c *Console, a []string) (string, error) {
		ip, err := netip.ParseAddr(a[0])
		if err != nil || !ip.Is4() {
			return "", &badArg{a[0]}
		}
		f := strings.Fields(a[1])
		if len(f) >= 2 && strings.EqualFold(f[0], "version") {
			if f[1] != "2c" {
				return "", &badArg{f[1]}
			}
			f = f[2:]
		}
		if len(f) != 1 {
			return "", errIncomplete
		}
		if err := checkWord(f[0]); err != nil {
			return "", err
		}
		h := device.TrapHost{IP: ip.String(), Community: f[0]}
		return edit("snmp-server host", func(s *device.SNMP, _ []string) error {
			i := slices.IndexFunc(s.Hosts, func(x device.TrapHost) bool { return x.IP == h.IP })
			switch {
			case !on && i < 0:
				return fmt.Errorf("snmp-server host %s is not configured", h.IP)
			case !on:
				s.Hosts = slices.Delete(s.Hosts, i, i+1)
			case i >= 0:
				s.Hosts[i] = h
			case len(s.Hosts) >= MaxCommunities:
				return fmt.Errorf("at most %d snmp-server hosts", MaxCommunities)
			default:
				s.Hosts = append(s.Hosts, h)
			}
			return nil
		})(c, a)
	}
	text := func(what string, set func(s *device.SNMP, v string)) *node {
		return kw(what, "Text for mib object sys"+strings.ToUpper(what[:1])+what[1:],
			restArg("LINE", "identification string").does(func(c *Console, a []string) (string, error) {
				v := strings.TrimSpace(a[0])
				if len(v) > 255 {
					return "", &badArg{v}
				}
				return edit("snmp-server "+what, func(s *device.SNMP, _ []string) error { set(s, v); return nil })(c, a)
			}))
	}
	traps := kw("enable", "Enable SNMP Traps or Informs", kw("traps", "Enable SNMP Traps",
		kw("smart-license", "Enable smart license traps").does(edit("snmp-server enable traps smart-license", func(s *device.SNMP, _ []string) error {
			s.TrapsSL = on
			return nil
		}))))
	if !on {
		return kw("snmp-server", "Modify SNMP engine parameters",
			kw("community", "Enable SNMP; set community string and access privs", arg("WORD", "SNMP community string").does(community)),
			kw("host", "Specify hosts to receive SNMP notifications", arg("A.B.C.D", "IP address of SNMP notification host", restArg("LINE", "[version 2c] <community>").does(host))),
			kw("location", "Text for mib object sysLocation").does(edit("snmp-server location", func(s *device.SNMP, _ []string) error { s.Location = ""; return nil })),
			kw("contact", "Text for mib object sysContact").does(edit("snmp-server contact", func(s *device.SNMP, _ []string) error { s.Contact = ""; return nil })),
			traps)
	}
	return kw("snmp-server", "Modify SNMP engine parameters",
		kw("community", "Enable SNMP; set community string and access privs", arg("WORD", "SNMP community string",
			restArg("LINE", "RO | RW [<access-list>]").does(community)).does(community)),
		kw("host", "Specify hosts to receive SNMP notifications", arg("A.B.C.D", "IP address of SNMP notification host", restArg("LINE", "[version 2c] <community>").does(host))),
		text("location", func(s *device.SNMP, v string) { s.Location = v }),
		text("contact", func(s *device.SNMP, v string) { s.Contact = v }),
		traps)
}

// snmpConfig writes the snmp-server lines of the running configuration.
func snmpConfig(s device.SNMP, line func(string, ...any)) {
	for _, c := range s.Communities {
		l := "snmp-server community " + c.Name + " RO"
		if c.RW {
			l = "snmp-server community " + c.Name + " RW"
		}
		if c.ACL != "" {
			l += " " + c.ACL
		}
		line("%s", l)
	}
	if s.Location != "" {
		line("snmp-server location %s", s.Location)
	}
	if s.Contact != "" {
		line("snmp-server contact %s", s.Contact)
	}
	if s.TrapsSL {
		line("snmp-server enable traps smart-license")
	}
	for _, h := range s.Hosts {
		line("snmp-server host %s version 2c %s", h.IP, h.Community)
	}
}
