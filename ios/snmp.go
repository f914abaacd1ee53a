package ios

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
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
			return editList(&s.Communities, cm, on, func(x device.Community) bool { return x.Name == cm.Name }, MaxCommunities, "community "+cm.Name)
		})(c, a)
	}
	host := func(c *Console, a []string) (string, error) {
		ip, err := netip.ParseAddr(a[0])
		if err != nil || !ip.Is4() {
			return "", &badArg{a[0]}
		}
		// [traps] [version 2c] <community> [udp-port <port>]: informs
		// and SNMPv1/v3 are not modelled.
		f := strings.Fields(a[1])
		if len(f) >= 1 && strings.EqualFold(f[0], "traps") {
			f = f[1:]
		}
		if len(f) >= 2 && strings.EqualFold(f[0], "version") {
			if f[1] != "2c" {
				return "", &badArg{f[1]}
			}
			f = f[2:]
		}
		if len(f) == 0 {
			return "", errIncomplete
		}
		if err := checkWord(f[0]); err != nil {
			return "", err
		}
		h := device.TrapHost{IP: ip.String(), Community: f[0]}
		switch {
		case len(f) == 1:
		case !strings.EqualFold(f[1], "udp-port"):
			return "", &badArg{f[1]}
		case len(f) == 2:
			return "", errIncomplete
		case len(f) > 3:
			return "", &badArg{f[3]}
		default:
			p, err := strconv.Atoi(f[2])
			if err != nil || p < 1 || p > 65535 {
				return "", &badArg{f[2]}
			}
			h.Port = p
		}
		return edit("snmp-server host", func(s *device.SNMP, _ []string) error {
			return editList(&s.Hosts, h, on, func(x device.TrapHost) bool { return x.IP == h.IP }, MaxCommunities, "snmp-server host "+h.IP)
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
			kw("host", "Specify hosts to receive SNMP notifications", arg("A.B.C.D", "IP address of SNMP notification host", restArg("LINE", "[traps] [version 2c] <community> [udp-port <port>]").does(host))),
			kw("location", "Text for mib object sysLocation").does(edit("snmp-server location", func(s *device.SNMP, _ []string) error { s.Location = ""; return nil })),
			kw("contact", "Text for mib object sysContact").does(edit("snmp-server contact", func(s *device.SNMP, _ []string) error { s.Contact = ""; return nil })),
			traps)
	}
	return kw("snmp-server", "Modify SNMP engine parameters",
		kw("community", "Enable SNMP; set community string and access privs", arg("WORD", "SNMP community string",
			restArg("LINE", "RO | RW [<access-list>]").does(community)).does(community)),
		kw("host", "Specify hosts to receive SNMP notifications", arg("A.B.C.D", "IP address of SNMP notification host", restArg("LINE", "[traps] [version 2c] <community> [udp-port <port>]").does(host))),
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
		if h.Port != 0 {
			line("snmp-server host %s version 2c %s udp-port %d", h.IP, h.Community, h.Port)
		} else {
			line("snmp-server host %s version 2c %s", h.IP, h.Community)
		}
	}
}

// editList adds v to a bounded configuration list (on), replacing the
// entry same matches, or removes that entry (!on); what names the entry
// in the errors.
func editList[T any](list *[]T, v T, on bool, same func(T) bool, limit int, what string) error {
	i := slices.IndexFunc(*list, same)
	switch {
	case !on && i < 0:
		return fmt.Errorf("%s is not configured", what)
	case !on:
		*list = slices.Delete(*list, i, i+1)
	case i >= 0:
		(*list)[i] = v
	case len(*list) >= limit:
		return fmt.Errorf("at most %d entries: %s is one too many", limit, what)
	default:
		*list = append(*list, v)
	}
	return nil
}
