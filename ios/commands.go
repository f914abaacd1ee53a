package ios

import (
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"crypto/md5"
	"crypto/sha1"
	"crypto/x509"

	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/sim"
	"github.com/slsim/slsim/stackwise"
)

// cmd wraps a handler that edits the running configuration.
func configure(what string, edit func(c *Console, cfg *device.Config, args []string) error) func(*Console, []string) (string, error) {
	return func(c *Console, args []string) (string, error) {
		err := c.w.Configure(c.dev, actionNote(what, args), func(cfg *device.Config) error { return edit(c, cfg, args) })
		if err != nil {
			return "", fmt.Errorf("%% %s", strings.TrimPrefix(err.Error(), device.ErrBadConfig.Error()+": "))
		}
		return "", nil
	}
}

// actionNote is the configuration command as the world's event stream
// records it: the command and its arguments (`ip http client
// source-interface GigabitEthernet0/0`), so that what an operator did can
// be judged from the events. A username's and the enable secret's or
// password's lines are recorded without them: they hold secrets.
func actionNote(what string, args []string) string {
	if len(args) == 0 || strings.HasPrefix(what, "username") || strings.HasPrefix(what, "enable ") {
		return what
	}
	tail := strings.TrimSpace(strings.Join(args, " "))
	if tail == "" || strings.HasSuffix(what, tail) {
		return what
	}
	return what + " " + tail
}

func show(f func(v View) string) func(*Console, []string) (string, error) {
	return func(c *Console, _ []string) (string, error) { return f(c.view()), nil }
}

// loggingBuffered is `logging buffered <size>`: the logging buffer's size
// in bytes, 4096 to 2147483647 as IOS takes it; the default size is not
// shown in the configuration.
func loggingBuffered(c *Console, a []string) (string, error) {
	n, err := strconv.Atoi(a[0])
	if err != nil || n < 4096 || n > math.MaxInt32 {
		return "", &badArg{a[0]}
	}
	if n == sim.DefaultLogBuffer {
		n = 0
	}
	return setLogBuffer("logging buffered "+a[0], n)(c, a)
}

// sshSetting is an `ip ssh` number from lo to hi.
func sshSetting(what string, lo, hi int, set func(*device.Config, int)) func(*Console, []string) (string, error) {
	return func(c *Console, a []string) (string, error) {
		n, err := strconv.Atoi(a[0])
		if err != nil || n < lo || n > hi {
			return "", &badArg{a[0]}
		}
		return configure(what+" "+a[0], func(_ *Console, cfg *device.Config, _ []string) error {
			set(cfg, n)
			return nil
		})(c, a)
	}
}

// setLogBuffer sets the logging buffer's size (0: the default, -1: off).
func setLogBuffer(what string, size int) func(*Console, []string) (string, error) {
	return configure(what, func(_ *Console, cfg *device.Config, _ []string) error {
		cfg.LogBuffer = size
		return nil
	})
}

// showLogs is show for the commands that print the logging buffer.
func showLogs(f func(v View) string) func(*Console, []string) (string, error) {
	return func(c *Console, _ []string) (string, error) {
		v, _ := ViewWithLogs(c.w, c.dev)
		return f(v), nil
	}
}

// grammar builds the command trees of every mode.
func grammar() map[Mode]*node {
	showTree := kw("show", "Show running system information",
		kw("license", "Show license information",
			kw("summary", "Show license summary").does(show(View.ShowLicenseSummary)),
			kw("status", "Show license status information").does(show(View.ShowLicenseStatus)),
			kw("all", "Show license all information").does(show(View.ShowLicenseAll)),
			kw("usage", "Show license usage information").does(show(View.ShowLicenseUsage)),
			kw("udi", "Show license UDI information").does(show(View.ShowLicenseUDI)),
			kw("data", "Show license data", kw("conversion", "Show license conversion data").does(show(View.ShowLicenseDataConversion))),
			kw("eventlog", "Show license event log").does(showLogs(View.ShowLicenseEventlog)),
			kw("tech", "Show license tech information",
				kw("support", "Show license tech support information").does(show(View.ShowLicenseTechSupport)))),
		kw("call-home", "Show command for call home",
			kw("profile", "Show call-home profile",
				kw("all", "Show all call-home profiles").does(show(View.ShowCallHomeProfileAll)),
				arg("WORD", "Profile name").does(func(c *Console, a []string) (string, error) { return c.view().ShowCallHomeProfile(a[0]), nil })),
			kw("smart-licensing", "Show smart licensing transport").does(show(View.ShowCallHomeSmartLicensing))),
		kw("version", "System hardware and software status").does(func(c *Console, _ []string) (string, error) {
			return c.view().ShowVersion(c.bootedAt()), nil
		}),
		kw("clock", "Display the system clock", kw("detail", "Display detailed information").does(show(View.ShowClockDetail))).does(show(View.ShowClock)),
		kw("privilege", "Show current privilege level").does(func(c *Console, _ []string) (string, error) {
			level := 1
			if c.mode != ModeUser {
				level = 15
			}
			return fmt.Sprintf("Current privilege level is %d\n", level), nil
		}),
		kw("inventory", "Show the physical inventory").does(show(View.ShowInventory)),
		kw("users", "Display information about terminal lines").does(showUsers),
		kw("history", "Display the session command history").does(showHistory),
		kw("memory", "Memory statistics", kw("statistics", "Memory statistics").does(show(View.ShowMemoryStatistics))),
		kw("switch", "show switch information").does(func(c *Console, _ []string) (string, error) { return c.view().ShowSwitch() }),
		kw("vlan", "VTP VLAN status", kw("brief", "VTP all VLAN status in brief").does(show(View.ShowVLANBrief))),
		kw("ip", "IP information",
			kw("route", "IP routing table",
				kw("vrf", "Display routes from a VPN Routing/Forwarding instance", arg("WORD", "VPN Routing/Forwarding instance name").does(func(c *Console, a []string) (string, error) {
					return c.view().ShowIPRoute(a[0]), nil
				}))).does(func(c *Console, _ []string) (string, error) { return c.view().ShowIPRoute(""), nil }),
			kw("interface", "IP interface status and configuration", kw("brief", "Brief summary of IP status and configuration").does(show(View.ShowIPInterfaceBrief)))),
		kw("vrf", "VPN Routing/Forwarding instance information").does(show(View.ShowVRF)),
		kw("interfaces", "Interface status and configuration", kw("status", "Show interface line status").does(show(View.ShowInterfacesStatus))),
		kw("logging", "Show the contents of logging buffers").does(showLogs(View.ShowLogging)),
		kw("platform", "Show platform information", kw("software", "Show software information", kw("trace", "Show trace information",
			kw("message", "Show trace messages", traceTarget(kw("ios", "IOSd process"), nil))))),
		kw("install", "install information", kw("summary", "Show install summary").does(show(View.ShowInstallSummary))),
		kw("tech-support", "Show system information for Tech-Support",
			kw("license", "License information").does(func(c *Console, _ []string) (string, error) {
				v, _ := ViewWithLogs(c.w, c.dev)
				return "------------------ show license tech support ------------------\n\n" + v.ShowLicenseTechSupport() +
					"\n------------------ show license eventlog ------------------\n\n" + v.ShowLicenseEventlog() +
					"\n------------------ show running-config ------------------\n\n" + ShowRunningConfig(v.Running), nil
			})),
	)
	licenseExec := kw("license", "Smart licensing commands",
		kw("smart", "Smart licensing commands",
			kw("register", "Register with the Cisco Smart Software Manager",
				kw("idtoken", "ID token to register with",
					arg("WORD", "The ID token",
						kw("force", "Force a registration").does(register(true))).does(register(false)))),
			kw("conversion", "Smart licensing conversion",
				kw("start", "Start the conversion of traditional licenses").does(func(c *Console, _ []string) (string, error) {
					if err := c.w.StartConversion(c.dev); err != nil {
						if errors.Is(err, device.ErrConversionNotRegistered) {
							return err.Error() + "\n", nil // as the device prints it, without "%"
						}
						return "", errLine(err)
					}
					return "", nil
				}),
				kw("stop", "Stop the conversion").does(func(c *Console, _ []string) (string, error) {
					return "", wrap(c.w.StopConversion(c.dev))
				})),
			kw("deregister", "Deregister from the Cisco Smart Software Manager").does(func(c *Console, _ []string) (string, error) {
				return "", wrap(c.w.Deregister(c.dev))
			}),
			kw("renew", "Renew",
				kw("auth", "Renew the authorization").does(func(c *Console, _ []string) (string, error) {
					return "", wrap(c.w.RenewAuth(c.dev))
				}),
				kw("id", "Renew the ID certificate").does(func(c *Console, _ []string) (string, error) {
					return "", wrap(c.w.RenewID(c.dev))
				}))))

	user := kw("", "",
		kw("enable", "Turn on privileged commands").does(enable),
		kw("exit", "Exit from the EXEC").does(endSession),
		kw("logout", "Exit from the EXEC").does(endSession),
		kw("terminal", "Set terminal line parameters",
			kw("length", "Set number of lines on a screen", arg("<0-512>", "Number of lines on screen (0 for no pausing)").does(terminalSize("length"))),
			kw("width", "Set width of the display terminal", arg("<0-512>", "Number of characters on a screen line").does(terminalSize("width"))),
			kw("monitor", "Copy debug output to the current terminal line").does(func(c *Console, _ []string) (string, error) { c.quiet = false; return "", nil }),
			kw("no", "Negate a command or set its defaults", kw("monitor", "Copy debug output to the current terminal line").does(func(c *Console, _ []string) (string, error) { c.quiet = true; return "", nil }))),
		kw("ping", "Send echo messages", arg("WORD", "Ping destination address or hostname").does(ping)),
		kw("telnet", "Open a telnet connection", arg("WORD", "IP address or hostname of a remote system").does(telnet).add(
			arg("<1-65535>", "Port number", restArg("LINE", "/source-interface <interface> | /vrf <vrf>").does(telnet)).does(telnet))),
		showTree,
	)
	copyCmd := kw("copy", "Copy from one file to another",
		kw("running-config", "Copy from current system configuration",
			kw("startup-config", "Copy to startup configuration").does(func(c *Console, _ []string) (string, error) {
				c.pending = func(string) string {
					if err := c.w.WriteMemory(c.dev); err != nil {
						return errLine(err).Error() + "\n"
					}
					return "\nBuilding configuration...\n[OK]\n"
				}
				return "Destination filename [startup-config]? ", nil
			})))
	priv := kw("", "",
		// At privilege 15 already, enable is accepted and changes nothing.
		kw("enable", "Turn on privileged commands").does(func(*Console, []string) (string, error) { return "", nil }),
		kw("configure", "Enter configuration mode",
			kw("terminal", "Configure from the terminal").does(func(c *Console, _ []string) (string, error) {
				c.mode = ModeConfig
				return "Enter configuration commands, one per line.  End with CNTL/Z.\n", nil
			})),
		kw("disable", "Turn off privileged commands").does(func(c *Console, _ []string) (string, error) { c.mode = ModeUser; return "", nil }),
		kw("write", "Write running configuration to memory, network, or terminal",
			kw("memory", "Write to NV memory").does(writeMemory)).does(writeMemory),
		copyCmd,
		kw("reload", "Halt and perform a cold restart").does(reload),
		kw("dir", "List files on a filesystem",
			kw("flash:", "Directory or file name").does(dir("flash:")),
			kw("bootflash:", "Directory or file name").does(dir("bootflash:"))).does(dir("flash:")),
		kw("install", "install commands", kw("add", "add package to repository", kw("file", "specify package file",
			arg("WORD", "package file", kw("activate", "activate the package", kw("commit", "commit the activation").does(install)))))),
		kw("redundancy", "Redundancy commands",
			kw("force-switchover", "Force a switchover to the standby").does(func(c *Console, _ []string) (string, error) {
				c.pending = func(line string) string {
					if s := strings.ToLower(strings.TrimSpace(line)); s != "" && s != "y" && s != "yes" && s != "confirm" {
						return "\n"
					}
					if err := c.w.Failover(c.dev); err != nil {
						return errLine(err).Error() + "\n"
					}
					return "\n"
				}
				return "Proceed with switchover to standby RP? [confirm]", nil
			})),
		kw("clock", "Manage the system clock",
			kw("set", "Set the time and date", restArg("LINE", "hh:mm:ss day month year").does(clockSet))),
		kw("debug", "Debugging functions",
			kw("ip", "IP information", kw("http", "HTTP connections", httpClientDebug())),
			kw("call-home", "Call-home debugging",
				kw("smart-licensing", "Smart licensing debugging", kw("all", "All").does(debugOn), kw("trace", "Trace").does(debugOn), kw("error", "Error").does(debugOn)).does(debugOn))),
		kw("undebug", "Disable debugging functions", kw("all", "Disable all debugging").does(debugOff)),
		kw("set", "Set system parameter", kw("platform", "Set platform parameters", kw("software", "Set platform software parameters",
			kw("trace", "Set the trace level of a process", traceTarget(kw("ios", "IOSd process"), setTrace))))),
		licenseExec,
	)
	for _, k := range user.kids {
		if k.word != "enable" && k.word != "show" {
			priv.add(k)
		}
	}
	// Privileged EXEC shows what user EXEC does, and the configurations.
	privShow := kw("show", showTree.help, slices.Clone(showTree.kids)...)
	privShow.add(kw("running-config", "Current operating configuration",
		kw("all", "Configuration with defaults").does(func(c *Console, _ []string) (string, error) {
			return ShowRunningConfigAll(c.device().Running()), nil
		})).does(func(c *Console, _ []string) (string, error) {
		return ShowRunningConfig(c.device().Running()), nil
	}))
	privShow.add(kw("startup-config", "Contents of startup configuration").does(func(c *Console, _ []string) (string, error) {
		return ShowStartupConfig(c.device().Startup()), nil
	}))
	priv.add(privShow)
	priv.add(kw("no", "Negate a command", kw("debug", "Disable debugging functions", kw("all", "Disable all debugging").does(debugOff))))

	config := configGrammar()
	return map[Mode]*node{ModeUser: user, ModePrivileged: priv, ModeConfig: config, ModeCallHome: callHomeGrammar(), ModeProfile: profileGrammar(), ModeTrustpoint: trustpointGrammar(), ModeInterface: interfaceGrammar()}
}

func restArg(name, help string) *node {
	n := arg(name, help)
	n.rest = true
	return n
}

func wrap(err error) error {
	if err == nil {
		return nil
	}
	return errLine(err)
}

func register(force bool) func(*Console, []string) (string, error) {
	return func(c *Console, args []string) (string, error) {
		out, err := c.w.Register(c.dev, args[0], force)
		if err != nil {
			return "", errLine(err)
		}
		return out + "\n", nil
	}
}

func writeMemory(c *Console, _ []string) (string, error) {
	if err := c.w.WriteMemory(c.dev); err != nil {
		return "", errLine(err)
	}
	return "Building configuration...\n[OK]\n", nil
}

func debugOn(c *Console, _ []string) (string, error) {
	c.debug = true
	return "Call Home smart licensing debugging is on\n", nil
}

func debugOff(c *Console, _ []string) (string, error) {
	c.debug = false
	return "All possible debugging has been turned off\n", nil
}

// clockSet is `clock set hh:mm:ss day month year` (or month day year).
func clockSet(c *Console, args []string) (string, error) {
	f := strings.Fields(args[0])
	if len(f) < 4 {
		return "", errIncomplete
	}
	if len(f) > 4 {
		return "", &badArg{f[4]}
	}
	hms := strings.Split(f[0], ":")
	if len(hms) != 3 {
		return "", &badArg{f[0]}
	}
	var tod [3]int
	for i, lim := range []int{23, 59, 59} {
		v, err := strconv.Atoi(hms[i])
		if err != nil || v < 0 || v > lim {
			return "", &badArg{f[0]}
		}
		tod[i] = v
	}
	// <1-31> <month> or <month> <1-31>, then <1993-2035>.
	dayWord, monthWord := f[1], f[2]
	if _, err := strconv.Atoi(f[1]); err != nil {
		dayWord, monthWord = f[2], f[1]
	}
	month, ok := monthOf(monthWord)
	if !ok {
		return "", &badArg{monthWord}
	}
	day, err := strconv.Atoi(dayWord)
	if err != nil || day < 1 || day > 31 {
		return "", &badArg{dayWord}
	}
	year, err := strconv.Atoi(f[3])
	if err != nil || year < 1993 || year > 2035 {
		return "", &badArg{f[3]}
	}
	t := time.Date(year, month, day, tod[0], tod[1], tod[2], 0, c.device().Running().Zone())
	if t.Day() != day { // Feb 30
		return "", &badArg{dayWord}
	}
	return "", wrap(c.w.SetClock(c.dev, t))
}

// monthOf reads a month as IOS takes it: a unique prefix of its English
// name, in any case.
func monthOf(w string) (time.Month, bool) {
	var found time.Month
	for m := time.January; m <= time.December; m++ {
		if len(w) >= 3 && strings.HasPrefix(strings.ToLower(m.String()), strings.ToLower(w)) {
			if found != 0 {
				return 0, false
			}
			found = m
		}
	}
	return found, found != 0
}

func ping(c *Console, args []string) (string, error) {
	d := c.device()
	net := c.w.Network()
	ip, ok := d.Resolve(args[0], net)
	if !ok {
		return translating(d.Running(), args[0]) + "% Unrecognized host or address, or protocol not running.\n\n", nil
	}
	out := fmt.Sprintf("Type escape sequence to abort.\nSending 5, 100-byte ICMP Echos to %s, timeout is 2 seconds:\n", ip)
	if d.Reachable("", ip, net) {
		// A LAN's round trip: ICMP is not Smart Licensing's message
		// latency, which is the network's Latency. [model]
		return out + "!!!!!\nSuccess rate is 100 percent (5/5), round-trip min/avg/max = 1/1/2 ms\n", nil
	}
	return out + ".....\nSuccess rate is 0 percent (0/5)\n", nil
}

// telnet is `telnet <host> [<port>] [/source-interface <if>]`: it opens a
// TCP connection the way the seed checks port 443.
func telnet(c *Console, args []string) (string, error) {
	d := c.device()
	net := c.w.Network()
	port, vrf := 23, ""
	if len(args) > 1 {
		p, err := strconv.Atoi(args[1])
		if err != nil || p < 1 || p > 65535 {
			return "", &badArg{args[1]}
		}
		port = p
	}
	if len(args) > 2 { // /source-interface <if> or /vrf <vrf>, one of them
		f := strings.Fields(args[2])
		opt := ""
		if len(f) > 0 {
			opt = strings.ToLower(f[0])
		}
		isOpt := func(word string) bool { return len(opt) >= 2 && strings.HasPrefix(word, opt) }
		switch {
		case !isOpt("/source-interface") && !isOpt("/vrf"):
			return "", &badArg{strings.TrimSpace(args[2])}
		case len(f) == 1:
			return "", errIncomplete
		case len(f) > 2:
			return "", &badArg{f[2]}
		case isOpt("/vrf"):
			known := false
			for _, i := range d.Running().Interfaces {
				known = known || i.VRF == f[1]
			}
			if !known { // no interface in it: no such VRF here
				return "", &badArg{f[1]}
			}
			vrf = f[1]
		default:
			run := d.Running()
			v, ok := d.InterfaceVRF(canonicalInterface(&run, f[1]))
			if !ok {
				return "", &badArg{f[1]}
			}
			vrf = v
		}
	}
	ip, ok := d.Resolve(args[0], net)
	if !ok {
		return translating(d.Running(), args[0]) + "% Unknown command or computer name, or unable to find computer address\n", nil
	}
	out := fmt.Sprintf("Trying %s (%s, %d)... ", args[0], ip, port)
	if _, err := netip.ParseAddr(args[0]); err == nil {
		out = fmt.Sprintf("Trying %s, %d ... ", ip, port)
	}
	switch err := d.Connect(vrf, ip, port, net); {
	case err == nil:
		return out + "Open\n[Connection to " + args[0] + " closed by foreign host]\n", nil
	case !d.Reachable(vrf, ip, net):
		return out + "\n% Connection timed out; remote host not responding\n", nil
	default:
		return out + "\n% Connection refused by remote host\n", nil
	}
}

func configGrammar() *node {
	exit := func(c *Console, _ []string) (string, error) { return "", c.leaveConfig() }
	return kw("", "",
		kw("end", "Exit from configure mode").does(exit),
		kw("exit", "Exit from configure mode").does(exit),
		kw("hostname", "Set system's network name", arg("WORD", "This system's network name").does(func(c *Console, a []string) (string, error) {
			if err := checkHostname(a[0]); err != nil {
				return "", err
			}
			return configure("hostname", func(c *Console, cfg *device.Config, a []string) error {
				cfg.Hostname = a[0]
				return nil
			})(c, a)
		})),
		kw("service", "Modify use of network based services", append([]*node{kw("call-home", "Enable call-home service").does(configure("service call-home", func(c *Console, cfg *device.Config, a []string) error {
			cfg.ServiceCallHome = true
			return nil
		}))}, serviceSyslog(true)...)...),
		kw("call-home", "Enter call-home configuration mode").does(func(c *Console, _ []string) (string, error) { c.mode = ModeCallHome; return "", nil }),
		snmpServer(true),
		kw("logging", "Modify message logging facilities", append([]*node{kw("buffered", "Set buffered logging parameters",
			arg("<4096-2147483647>", "Logging buffer size").does(loggingBuffered)).does(setLogBuffer("logging buffered", 0))}, loggingSyslog(true)...)...),
		kw("ip", "Global IP configuration subcommands",
			routeCmd(false),
			kw("ssh", "Configure ssh options",
				kw("time-out", "Specify SSH time-out interval", arg("<1-120>", "SSH time-out interval (secs)").does(sshSetting("ip ssh time-out", 1, 120,
					func(cfg *device.Config, n int) { cfg.SSHTimeout = n }))),
				kw("maxstartups", "Maximum concurrent sessions allowed", arg("<2-128>", "Maximum concurrent sessions").does(sshSetting("ip ssh maxstartups", 2, 128,
					func(cfg *device.Config, n int) { cfg.SSHMaxStartups = n }))),
				kw("authentication-retries", "Specify number of authentication retries", arg("<0-5>", "Number of authentication retries").does(sshSetting("ip ssh authentication-retries", 0, 5,
					func(cfg *device.Config, n int) {
						if n == 0 {
							n = -1 // a configured 0, not the default
						}
						cfg.SSHRetries = n
					})))),
			kw("domain-lookup", "Enable IP Domain Name System hostname translation").does(configure("ip domain-lookup", func(c *Console, cfg *device.Config, a []string) error {
				cfg.DomainLookup = true
				return nil
			})),
			kw("domain", "IP DNS Resolver", kw("name", "Define the default domain name", arg("WORD", "Default domain name").does(domainName)), kw("lookup", "Enable IP Domain Name System hostname translation",
				kw("source-interface", "Specify interface for source address in DNS lookups", arg("WORD", "Interface name").does(configure("ip domain lookup source-interface", func(c *Console, cfg *device.Config, a []string) error {
					cfg.DomainLookup, cfg.DomainSourceInterface = true, canonicalInterface(cfg, a[0])
					return nil
				})))).does(configure("ip domain lookup", func(c *Console, cfg *device.Config, a []string) error {
				cfg.DomainLookup = true
				return nil
			}))),
			kw("name-server", "Specify address of name server to use",
				kw("vrf", "Specify VRF", arg("WORD", "VRF name", arg("A.B.C.D", "Domain server IP address").does(configure("ip name-server vrf", func(c *Console, cfg *device.Config, a []string) error {
					cfg.NameServers = append(cfg.NameServers, device.NameServer{IP: a[1], VRF: a[0]})
					return checkIP(a[1])
				})))),
				arg("A.B.C.D", "Domain server IP address").does(configure("ip name-server", func(c *Console, cfg *device.Config, a []string) error {
					cfg.NameServers = append(cfg.NameServers, device.NameServer{IP: a[0]})
					return checkIP(a[0])
				}))),
			kw("host", "Add an entry to the ip hostname table", arg("WORD", "Name of host", arg("A.B.C.D", "Host IP address").does(configure("ip host", func(c *Console, cfg *device.Config, a []string) error {
				if cfg.Hosts == nil {
					cfg.Hosts = map[string]string{}
				}
				cfg.Hosts[strings.ToLower(a[0])] = a[1]
				return checkIP(a[1])
			})))),
			kw("domain-name", "Define the default domain name", arg("WORD", "Default domain name").does(domainName)),
			kw("http", "HTTP server and client configuration", kw("client", "HTTP client configuration",
				kw("source-interface", "Specify interface for source address in all HTTP(S) client connections", arg("WORD", "Interface name").does(configure("ip http client source-interface", func(c *Console, cfg *device.Config, a []string) error {
					cfg.SourceInterface = canonicalInterface(cfg, a[0])
					return nil
				})))),
				kw("secure-server", "Enable HTTP secure server").does(setFlag("ip http secure-server", true, httpSecureServer)),
				kw("authentication", "Set HTTP server authentication method", kw("local", "Local username database").does(setFlag("ip http authentication local", true, httpAuthLocal))))),
		kw("aaa", "Authentication, Authorization and Accounting.", kw("new-model", "Enable NEW access control commands and functions.(Disables OLD commands.)").does(setFlag("aaa new-model", true, aaaNewModel))),
		kw("enable", "Modify enable password parameters",
			kw("secret", "Assign the privileged level secret (MAX of 25 characters)",
				kw("0", "Specifies an UNENCRYPTED password will follow", restArg("LINE", "The UNENCRYPTED (cleartext) 'enable' secret").does(enableSecret("secret"))),
				restArg("LINE", "The UNENCRYPTED (cleartext) 'enable' secret").does(enableSecret("secret"))),
			kw("password", "Assign the privileged level password (MAX of 25 characters)",
				kw("0", "Specifies an UNENCRYPTED password will follow", restArg("LINE", "The UNENCRYPTED (cleartext) 'enable' password").does(enableSecret("password"))),
				restArg("LINE", "The UNENCRYPTED (cleartext) 'enable' password").does(enableSecret("password")))),
		kw("restconf", "Enable RESTCONF").does(setFlag("restconf", true, restconf)),
		kw("http", "HTTP client", kw("secure", "Secure HTTP", kw("server-identity-check", "Check the server's identity").does(configure("http secure server-identity-check", func(c *Console, cfg *device.Config, a []string) error {
			cfg.ServerIdentityCheck = true
			return nil
		})))),
		kw("boot", "Modify system boot parameters", kw("system", "System image file", arg("WORD", "image file name").does(func(c *Console, a []string) (string, error) {
			d := c.device()
			if _, err := device.ImageVersion(a[0], d.Topology().Platform()); err != nil {
				return "", fmt.Errorf("%% %v", err)
			}
			return configure("boot system", func(_ *Console, cfg *device.Config, a []string) error {
				cfg.BootSystem = a[0]
				return nil
			})(c, a)
		}))),
		kw("username", "Establish User Name Authentication", arg("WORD", "User name",
			kw("privilege", "Set user privilege level", arg("<0-15>", "User privilege level",
				kw("secret", "Specify the secret for the user", arg("LINE", "The UNENCRYPTED (cleartext) user secret").does(username)))),
			kw("secret", "Specify the secret for the user", arg("LINE", "The UNENCRYPTED (cleartext) user secret").does(username)))),
		kw("interface", "Select an interface to configure", arg("WORD", "Interface name").does(enterInterface)),
		kw("crypto", "Encryption module",
			kw("pki", "Public Key components",
				kw("trustpoint", "Define a CA trustpoint", arg("WORD", "Trustpoint name").does(func(c *Console, a []string) (string, error) {
					out, err := configure("crypto pki trustpoint "+a[0], func(c *Console, cfg *device.Config, _ []string) error {
						if cfg.Trustpoint(a[0]) == nil {
							cfg.Trustpoints = append(cfg.Trustpoints, device.Trustpoint{Name: a[0], RevocationCheck: "crl"})
						}
						return nil
					})(c, a)
					if err == nil {
						c.mode, c.tp = ModeTrustpoint, a[0]
					}
					return out, err
				})),
				kw("authenticate", "Get the certificate authority certificate", arg("WORD", "Trustpoint name").does(authenticate))),
			kw("key", "Long term key operations", kw("generate", "Generate new keys", kw("rsa", "Generate RSA keys",
				restArg("LINE", "label SLA-KeyPair modulus 2048").does(generateRSA))))),
		kw("ntp", "Configure NTP", kw("server", "Configure NTP server", arg("A.B.C.D", "IP address of peer").does(configure("ntp server", func(c *Console, cfg *device.Config, a []string) error {
			if !slices.Contains(cfg.NTPServers, a[0]) {
				cfg.NTPServers = append(cfg.NTPServers, a[0])
			}
			return checkIP(a[0])
		})))),
		kw("clock", "Configure time-of-day clock",
			kw("calendar-valid", "Calendar time is authoritative").does(configure("clock calendar-valid", func(c *Console, cfg *device.Config, a []string) error {
				cfg.CalendarValid = true
				return nil
			})),
			kw("timezone", "Configure time zone", arg("WORD", "name of time zone", arg("<-23 - 23>", "Hours offset from UTC").does(timezone).add(
				arg("<0-59>", "Minutes offset from UTC").does(timezone))))),
		kw("license", "Configure license features", kw("boot", "license boot config commands", kw("level", "License Level",
			levelWord("network-advantage", "Network Advantage License Level"), levelWord("network-essentials", "Network Essentials License Level"),
			levelWord("ipservices", "IP Services License Level (3650/3850)"), levelWord("ipbase", "IP Base License Level (3650/3850)"),
			levelWord("lanbase", "LAN Base License Level (3650/3850)")))),
		kw("no", "Negate a command or set its defaults",
			snmpServer(false),
			kw("hostname", "Set system's network name").does(configure("no hostname", func(_ *Console, cfg *device.Config, _ []string) error {
				cfg.Hostname = "Switch" // IOS's factory name
				return nil
			})),
			kw("clock", "Configure time-of-day clock", kw("timezone", "Configure time zone").does(configure("no clock timezone", func(_ *Console, cfg *device.Config, _ []string) error {
				cfg.TimeZone, cfg.TimeZoneOffset = "", 0
				return nil
			}))),
			kw("license", "Configure license features", kw("boot", "license boot config commands", kw("level", "License Level").does(noLicenseLevel))),
			kw("crypto", "Encryption module", kw("pki", "Public Key components", kw("trustpoint", "Define a CA trustpoint",
				arg("WORD", "Trustpoint name").does(noTrustpoint)))),
			kw("logging", "Modify message logging facilities", append([]*node{kw("buffered", "Set buffered logging parameters").does(setLogBuffer("no logging buffered", -1))}, loggingSyslog(false)...)...),
			kw("username", "Establish User Name Authentication", arg("WORD", "User name").does(configure("no username", func(c *Console, cfg *device.Config, a []string) error {
				if cfg.User(a[0]) == nil {
					return fmt.Errorf("username %s does not exist", a[0])
				}
				cfg.Users = slices.DeleteFunc(cfg.Users, func(u device.User) bool { return u.Name == a[0] })
				return nil
			}))),
			kw("boot", "Modify system boot parameters", kw("system", "System image file").does(configure("no boot system", func(_ *Console, cfg *device.Config, _ []string) error {
				cfg.BootSystem = ""
				return nil
			}))),
			kw("service", "Modify use of network based services", append([]*node{kw("call-home", "Disable call-home service").does(configure("no service call-home", func(c *Console, cfg *device.Config, a []string) error {
				cfg.ServiceCallHome = false
				return nil
			}))}, serviceSyslog(false)...)...),
			kw("ip", "Global IP configuration subcommands",
				routeCmd(true),
				kw("ssh", "Configure ssh options",
					kw("time-out", "Specify SSH time-out interval").does(configure("no ip ssh time-out", func(_ *Console, cfg *device.Config, _ []string) error {
						cfg.SSHTimeout = 0
						return nil
					})),
					kw("maxstartups", "Maximum concurrent sessions allowed").does(configure("no ip ssh maxstartups", func(_ *Console, cfg *device.Config, _ []string) error {
						cfg.SSHMaxStartups = 0
						return nil
					})),
					kw("authentication-retries", "Specify number of authentication retries").does(configure("no ip ssh authentication-retries", func(_ *Console, cfg *device.Config, _ []string) error {
						cfg.SSHRetries = 0
						return nil
					}))),
				kw("domain-lookup", "Disable IP Domain Name System hostname translation").does(configure("no ip domain-lookup", func(c *Console, cfg *device.Config, a []string) error {
					cfg.DomainLookup = false
					return nil
				})),
				kw("domain", "IP DNS Resolver", kw("name", "Remove the default domain name").does(noDomainName), kw("lookup", "Disable IP Domain Name System hostname translation",
					kw("source-interface", "Remove the DNS source interface").does(configure("no ip domain lookup source-interface", func(c *Console, cfg *device.Config, a []string) error {
						cfg.DomainSourceInterface = ""
						return nil
					}))).does(configure("no ip domain lookup", func(c *Console, cfg *device.Config, a []string) error {
					cfg.DomainLookup = false
					return nil
				}))),
				kw("name-server", "Remove name servers", arg("A.B.C.D", "Domain server IP address").does(configure("no ip name-server", func(c *Console, cfg *device.Config, a []string) error {
					cfg.NameServers = slices.DeleteFunc(cfg.NameServers, func(n device.NameServer) bool { return n.IP == a[0] })
					return nil
				}))),
				kw("host", "Remove a host entry", arg("WORD", "Name of host", arg("A.B.C.D", "Host IP address").does(configure("no ip host", func(c *Console, cfg *device.Config, a []string) error {
					// `no ip host <name> <ip>`, as `show running-config` prints the entry.
					if ip, ok := cfg.Hosts[strings.ToLower(a[0])]; !ok || ip != a[1] {
						return fmt.Errorf("host %s %s is not in the table", a[0], a[1])
					}
					delete(cfg.Hosts, strings.ToLower(a[0]))
					return nil
				}))).does(configure("no ip host", func(c *Console, cfg *device.Config, a []string) error {
					delete(cfg.Hosts, strings.ToLower(a[0]))
					return nil
				}))),
				kw("domain-name", "Remove the default domain name").does(noDomainName),
				kw("http", "HTTP", kw("client", "HTTP client", kw("source-interface", "Remove the source interface").does(configure("no ip http client source-interface", func(c *Console, cfg *device.Config, a []string) error {
					cfg.SourceInterface = ""
					return nil
				}))),
					kw("secure-server", "Disable HTTP secure server").does(setFlag("no ip http secure-server", false, httpSecureServer)),
					kw("authentication", "Set HTTP server authentication method", kw("local", "Local username database").does(setFlag("no ip http authentication local", false, httpAuthLocal))))),
			kw("aaa", "Authentication, Authorization and Accounting.", kw("new-model", "Disable NEW access control commands and functions").does(setFlag("no aaa new-model", false, aaaNewModel))),
			kw("enable", "Modify enable password parameters",
				kw("secret", "Assign the privileged level secret").does(configure("no enable secret", func(_ *Console, cfg *device.Config, _ []string) error {
					cfg.EnableSecret = ""
					return nil
				})),
				kw("password", "Assign the privileged level password").does(configure("no enable password", func(_ *Console, cfg *device.Config, _ []string) error {
					cfg.EnablePassword = ""
					return nil
				}))),
			kw("restconf", "Disable RESTCONF").does(setFlag("no restconf", false, restconf)),
			kw("http", "HTTP client", kw("secure", "Secure HTTP", kw("server-identity-check", "Do not check the server's identity").does(configure("no http secure server-identity-check", func(c *Console, cfg *device.Config, a []string) error {
				cfg.ServerIdentityCheck = false
				return nil
			})))),
			kw("ntp", "Configure NTP", kw("server", "Remove an NTP server", arg("A.B.C.D", "IP address of peer").does(configure("no ntp server", func(c *Console, cfg *device.Config, a []string) error {
				cfg.NTPServers = slices.DeleteFunc(cfg.NTPServers, func(s string) bool { return s == a[0] })
				return nil
			})))),
			kw("clock", "Configure time-of-day clock", kw("calendar-valid", "Calendar time is not authoritative").does(configure("no clock calendar-valid", func(c *Console, cfg *device.Config, a []string) error {
				cfg.CalendarValid = false
				return nil
			})))),
	)
}

// username is `username <name> [privilege <0-15>] secret <secret>`: a new
// user, or new privilege and secret for one (privilege 1 when not given, as
// on IOS).
func username(c *Console, a []string) (string, error) {
	name, priv, secret := a[0], "1", a[len(a)-1]
	if len(a) == 3 {
		priv = a[1]
	}
	p, err := strconv.Atoi(priv)
	if err != nil || p < 0 || p > 15 {
		return "", &badArg{priv}
	}
	return configure("username", func(c *Console, cfg *device.Config, _ []string) error {
		u := device.User{Name: name, Privilege: p, Secret: secret}
		if old := cfg.User(name); old != nil {
			*old = u
		} else {
			cfg.Users = append(cfg.Users, u)
		}
		return nil
	})(c, a)
}

func checkIP(s string) error {
	if _, err := netip.ParseAddr(s); err != nil {
		return fmt.Errorf("invalid address %q", s)
	}
	return nil
}

// canonicalInterface expands an abbreviated interface name ("gi0/0").
func canonicalInterface(cfg *device.Config, name string) string {
	for _, i := range cfg.Interfaces {
		if strings.EqualFold(i.Name, name) {
			return i.Name
		}
	}
	lower := strings.ToLower(name)
	for _, i := range cfg.Interfaces {
		l := strings.ToLower(i.Name)
		j := strings.IndexAny(l, "0123456789")
		k := strings.IndexAny(lower, "0123456789")
		if j > 0 && k > 0 && strings.HasPrefix(l[:j], lower[:k]) && l[j:] == lower[k:] {
			return i.Name
		}
	}
	return name
}

func timezone(c *Console, a []string) (string, error) {
	h, err := strconv.Atoi(a[1])
	if err != nil || h < -23 || h > 23 {
		return "", &badArg{a[1]}
	}
	m := 0
	if len(a) > 2 {
		if m, err = strconv.Atoi(a[2]); err != nil || m < 0 || m > 59 {
			return "", &badArg{a[2]}
		}
	}
	off := h*3600 + m*60
	if h < 0 {
		off = h*3600 - m*60
	}
	return configure("clock timezone", func(c *Console, cfg *device.Config, _ []string) error {
		cfg.TimeZone, cfg.TimeZoneOffset = a[0], off
		return nil
	})(c, a)
}

func levelWord(base, help string) *node {
	set := func(addon string) func(*Console, []string) (string, error) {
		return func(c *Console, _ []string) (string, error) {
			level := base
			if addon != "" {
				level += " addon " + addon
			}
			l, err := stackwise.ParseLevel(level)
			if err != nil {
				return "", fmt.Errorf("%% %v", err)
			}
			topo := c.device().Topology()
			topo.Level = l
			if err := topo.Validate(); err != nil {
				return "", fmt.Errorf("%% a %s does not boot %s", strings.ToUpper(topo.Platform().String()), level)
			}
			out, err := configure("license boot level "+level, func(c *Console, cfg *device.Config, _ []string) error {
				cfg.LicenseLevel = level
				return nil
			})(c, nil)
			if err != nil {
				return out, err
			}
			return "% use 'write' command to make license boot config take effect on next boot\n", nil
		}
	}
	return kw(base, help,
		kw("addon", "Add-on License Level",
			kw("dna-advantage", "DNA Advantage License Level").does(set("dna-advantage")),
			kw("dna-essentials", "DNA Essentials License Level").does(set("dna-essentials")))).does(set(""))
}

func callHomeGrammar() *node {
	return kw("", "",
		kw("end", "Exit from configure mode").does(func(c *Console, _ []string) (string, error) { return "", c.leaveConfig() }),
		kw("exit", "Exit from call-home configuration mode").does(func(c *Console, _ []string) (string, error) { c.mode = ModeConfig; return "", nil }),
		kw("contact-email-addr", "System Contact's email address", arg("WORD", "email address").does(func(c *Console, a []string) (string, error) {
			local, domain, ok := strings.Cut(a[0], "@")
			if !ok || local == "" || domain == "" || strings.ContainsAny(domain, "@ ") {
				return "", &badArg{a[0]}
			}
			return configure("call-home contact-email-addr", func(_ *Console, cfg *device.Config, _ []string) error {
				cfg.ContactEmail = a[0]
				if a[0] == "sch-smart-licensing@cisco.com" {
					cfg.ContactEmail = ""
				}
				return nil
			})(c, a)
		})),
		kw("http-proxy", "Configure HTTP proxy server address and port", arg("WORD", "IP address or host name of the HTTP proxy server",
			kw("port", "Configure the port number", arg("<1-65535>", "HTTP proxy server port").does(func(c *Console, a []string) (string, error) {
				p, err := strconv.Atoi(a[1])
				if err != nil {
					return "", errInvalid
				}
				return configure("call-home http-proxy", func(c *Console, cfg *device.Config, _ []string) error {
					cfg.HTTPProxy, cfg.HTTPProxyPort = strings.Trim(a[0], `"`), p
					return checkIP(cfg.HTTPProxy)
				})(c, a)
			})))),
		kw("profile", "Enter call-home profile configuration mode", arg("WORD", "Profile name").does(func(c *Console, a []string) (string, error) {
			name := strings.Trim(a[0], `"`)
			out, err := configure("call-home profile "+name, func(c *Console, cfg *device.Config, _ []string) error {
				if cfg.Profile(name) == nil {
					cfg.Profiles = append(cfg.Profiles, device.CallHomeProfile{Name: name, Active: true, TransportHTTP: false})
				}
				return nil
			})(c, a)
			if err == nil {
				c.mode, c.profile = ModeProfile, name
			}
			return out, err
		})),
		kw("vrf", "Specify the VRF for the email transport", arg("WORD", "VPN Routing/Forwarding instance name").does(func(c *Console, a []string) (string, error) {
			return configure("call-home vrf", func(_ *Console, cfg *device.Config, _ []string) error {
				cfg.CallHomeVRF = a[0]
				return nil
			})(c, a)
		})),
		kw("no", "Negate a command", kw("vrf", "Specify the VRF for the email transport").does(configure("call-home no vrf", func(_ *Console, cfg *device.Config, _ []string) error {
			cfg.CallHomeVRF = ""
			return nil
		})), kw("contact-email-addr", "System Contact's email address").does(configure("call-home no contact-email-addr", func(_ *Console, cfg *device.Config, _ []string) error {
			cfg.ContactEmail = ""
			return nil
		})), kw("http-proxy", "Remove the HTTP proxy").does(configure("call-home no http-proxy", func(c *Console, cfg *device.Config, _ []string) error {
			cfg.HTTPProxy, cfg.HTTPProxyPort = "", 0
			return nil
		}))),
	)
}

func profileEdit(what string, f func(p *device.CallHomeProfile) error) func(*Console, []string) (string, error) {
	return func(c *Console, a []string) (string, error) {
		return configure("call-home profile "+c.profile+" / "+what, func(c *Console, cfg *device.Config, _ []string) error {
			p := cfg.Profile(c.profile)
			if p == nil {
				return fmt.Errorf("no profile %s", c.profile)
			}
			return f(p)
		})(c, a)
	}
}

func profileGrammar() *node {
	return kw("", "",
		kw("end", "Exit from configure mode").does(func(c *Console, _ []string) (string, error) { return "", c.leaveConfig() }),
		kw("exit", "Exit from call-home profile configuration mode").does(func(c *Console, _ []string) (string, error) { c.mode = ModeCallHome; return "", nil }),
		kw("active", "Activate the current profile").does(profileEdit("active", func(p *device.CallHomeProfile) error { p.Active = true; return nil })),
		kw("reporting", "Specify the type of data to report",
			kw("smart-licensing-data", "Report smart licensing data").does(profileEdit("reporting smart-licensing-data", func(p *device.CallHomeProfile) error {
				p.ReportsSmartLicensing = true
				return nil
			}))),
		kw("destination", "Message destination related configuration",
			kw("address", "Configure destination address", kw("http", "HTTP address", arg("WORD", "URL").does(func(c *Console, a []string) (string, error) {
				return profileEdit("destination address http "+a[0], func(p *device.CallHomeProfile) error { p.Destination = a[0]; return nil })(c, a)
			}))),
			kw("transport-method", "To specify transport method for this profile", kw("http", "To enable HTTP message transport").does(profileEdit("destination transport-method http", func(p *device.CallHomeProfile) error {
				p.TransportHTTP = true
				return nil
			})))),
		kw("no", "Negate a command",
			kw("destination", "Message destination related configuration", kw("address", "Configure destination address", kw("http", "HTTP address",
				arg("WORD", "URL").does(func(c *Console, a []string) (string, error) {
					return profileEdit("no destination address http "+a[0], func(p *device.CallHomeProfile) error {
						if p.Destination != a[0] {
							return fmt.Errorf("destination address http %s is not configured", a[0])
						}
						p.Destination = ""
						return nil
					})(c, a)
				})))),
			kw("active", "Deactivate the current profile").does(profileEdit("no active", func(p *device.CallHomeProfile) error { p.Active = false; return nil })),
			kw("reporting", "Stop reporting", kw("smart-licensing-data", "Smart licensing data").does(profileEdit("no reporting smart-licensing-data", func(p *device.CallHomeProfile) error {
				p.ReportsSmartLicensing = false
				return nil
			})))),
	)
}

func trustpointGrammar() *node {
	edit := func(what string, f func(t *device.Trustpoint)) func(*Console, []string) (string, error) {
		return func(c *Console, a []string) (string, error) {
			return configure("crypto pki trustpoint "+c.tp+" / "+what, func(c *Console, cfg *device.Config, _ []string) error {
				t := cfg.Trustpoint(c.tp)
				if t == nil {
					return fmt.Errorf("no trustpoint %s", c.tp)
				}
				f(t)
				return nil
			})(c, a)
		}
	}
	return kw("", "",
		kw("end", "Exit from configure mode").does(func(c *Console, _ []string) (string, error) { return "", c.leaveConfig() }),
		kw("exit", "Exit from ca-trustpoint configuration mode").does(func(c *Console, _ []string) (string, error) { c.mode = ModeConfig; return "", nil }),
		kw("enrollment", "Enrollment parameters", kw("terminal", "Enroll via the terminal (cut-and-paste)").does(func(*Console, []string) (string, error) { return "", nil })),
		kw("revocation-check", "Revocation checking options",
			kw("crl", "Revocation check by CRL",
				kw("none", "Ignore revocation check if the CRL cannot be had").does(edit("revocation-check crl none", func(t *device.Trustpoint) { t.RevocationCheck = "crl none" }))).
				does(edit("revocation-check crl", func(t *device.Trustpoint) { t.RevocationCheck = "crl" })),
			kw("none", "Ignore revocation check").does(edit("revocation-check none", func(t *device.Trustpoint) { t.RevocationCheck = "none" }))),
		kw("no", "Negate a command or set its defaults",
			kw("revocation-check", "Revocation checking options").does(edit("no revocation-check", func(t *device.Trustpoint) { t.RevocationCheck = "crl" }))),
	)
}

// authenticate is `crypto pki authenticate <trustpoint>`: the CA
// certificate is pasted in base 64, ended by a blank line or "quit", then
// accepted. Its issuer becomes the trustpoint's CA.
func authenticate(c *Console, a []string) (string, error) {
	name := a[0]
	if run := c.device().Running(); run.Trustpoint(name) == nil {
		return "", fmt.Errorf("%% could not find trustpoint %s", name)
	}
	var pasted []string
	var collect func(line string) string
	collect = func(line string) string {
		t := strings.TrimSpace(line)
		if t != "" && t != "quit" {
			pasted = append(pasted, t)
			c.pending = collect
			return ""
		}
		block, _ := pem.Decode([]byte(strings.Join(pasted, "\n") + "\n"))
		if block == nil || block.Type != "CERTIFICATE" {
			return "% Certificate not valid.\n"
		}
		ca := caName(block.Bytes)
		md := md5.Sum(block.Bytes)
		sh := sha1.Sum(block.Bytes)
		out := fmt.Sprintf("Certificate has the following attributes:\n       Fingerprint MD5: %X \n      Fingerprint SHA1: %X \n\n%% Do you accept this certificate? [yes/no]: ", md, sh)
		return askYesNo(c, out, func(yes bool) string {
			if !yes {
				return "% Certificate not accepted.\n"
			}
			err := c.w.Configure(c.dev, "crypto pki authenticate "+name, func(cfg *device.Config) error {
				cfg.Trustpoint(name).CA = ca
				return nil
			})
			if err != nil {
				return errLine(err).Error() + "\n"
			}
			return "Trustpoint CA certificate accepted.\n% Certificate successfully imported\n"
		})
	}
	c.pending = collect
	return "Enter the base 64 encoded CA certificate.\nEnd with a blank line or the word \"quit\" on a line by itself\n", nil
}

// caName reads the CA's name from a certificate: the subject common name
// of a real X.509 certificate, or the name in a lab certificate (CAPEM).
func caName(der []byte) string {
	if cert, err := x509.ParseCertificate(der); err == nil {
		return cert.Subject.CommonName
	}
	if s, ok := strings.CutPrefix(string(der), labCAPrefix); ok {
		return s
	}
	return fmt.Sprintf("unknown CA %X", sha1.Sum(der))
}

const labCAPrefix = "slsim lab CA certificate: "

// CAPEM is the PEM certificate of a lab proxy's CA, to paste after
// `crypto pki authenticate`.
func CAPEM(name string) string {
	b64 := base64.StdEncoding.EncodeToString([]byte(labCAPrefix + name))
	var out strings.Builder
	out.WriteString("-----BEGIN CERTIFICATE-----\n")
	for len(b64) > 64 {
		out.WriteString(b64[:64] + "\n")
		b64 = b64[64:]
	}
	out.WriteString(b64 + "\n-----END CERTIFICATE-----\n")
	return out.String()
}

// endSession is `exit` or `logout` at the EXEC prompt: the session ends
// (the lab closes, an SSH channel closes).
func endSession(c *Console, _ []string) (string, error) {
	c.closed = true
	return "", nil
}

// terminalSize is `terminal length N` or `terminal width N` (0–512): the
// session's screen, kept for the session. Length 0 means no pausing.
func terminalSize(which string) func(*Console, []string) (string, error) {
	return func(c *Console, a []string) (string, error) {
		n, err := strconv.Atoi(a[0])
		if err != nil || n < 0 || n > 512 {
			return "", errInvalid
		}
		if which == "length" {
			c.length = n
		} else {
			c.width = n
		}
		return "", nil
	}
}

// checkHostname refuses what IOS refuses in a hostname [model texts]: a
// name that does not start with a letter or holds anything but letters,
// digits and hyphens (a prompt character, a space) or ends in a hyphen,
// and one longer than 63 characters.
// install is `install add file <image> activate commit`: the image is
// added, then, once confirmed, activated with a reload and committed.
func install(c *Console, a []string) (string, error) {
	d := c.device()
	v, err := device.ImageVersion(a[0], d.Topology().Platform())
	if err != nil {
		return "", fmt.Errorf("%% %v", err)
	}
	if v.Compare(d.Topology().Version) == 0 {
		return "", fmt.Errorf("%% %s is the running release; nothing to install", v)
	}
	stamp := func() string { return c.view().Clock.Local(c.w.Now()).Format("Mon Jan _2 15:04:05 MST 2006") }
	start := fmt.Sprintf("install_add_activate_commit: START %s\n", stamp())
	var b strings.Builder
	b.WriteString("install_add_activate_commit: Adding PACKAGE\n")
	b.WriteString("install_add_activate_commit: Checking whether new add is allowed ....\n\n")
	b.WriteString("--- Starting initial file syncing ---\n")
	fmt.Fprintf(&b, "Info: Finished copying %s to the selected switch(es)\n", a[0])
	b.WriteString("Finished initial file syncing\n\n--- Starting Add ---\nPerforming Add on all members\n")
	members := max(1, len(d.Topology().HAList()))
	for i := 1; i <= members; i++ {
		fmt.Fprintf(&b, "  [%d] Add package(s) on switch %d\n  [%d] Finished Add on switch %d\n", i, i, i, i)
	}
	fmt.Fprintf(&b, "Checks passed. OK to proceed.\nFinished Add\n\ninstall_add_activate_commit: Activating PACKAGE\n")
	b.WriteString("This operation requires a reload of the system. Do you want to proceed? [y/n]")
	image := a[0]
	c.pending = func(line string) string {
		if s := strings.ToLower(strings.TrimSpace(line)); s != "y" && s != "yes" {
			return "\ninstall_add_activate_commit: Activation aborted by the user\n"
		}
		if err := c.w.Install(c.dev, image); err != nil {
			return errLine(err).Error() + "\n"
		}
		c.mode = ModeUser
		var r strings.Builder
		r.WriteString("\n--- Starting Activate ---\nPerforming Activate on all members\n")
		for i := 1; i <= members; i++ {
			fmt.Fprintf(&r, "  [%d] Activate package(s) on switch %d\n  [%d] Finished Activate on switch %d\n", i, i, i, i)
		}
		fmt.Fprintf(&r, "Checks passed. OK to proceed.\nFinished Activate\n\n--- Starting Commit ---\nFinished Commit\n\n")
		fmt.Fprintf(&r, "SUCCESS: install_add_activate_commit  %s\n\n", stamp())
		if c.users != nil { // a vty: the line goes down with the switch
			c.closed = true
			return r.String()
		}
		r.WriteString("Reload requested by " + c.from + ". Reload Reason: Install activation.\n")
		return r.String()
	}
	activate := c.pending
	c.pending = nil
	if d.Saved() {
		c.pending = activate
		return start + b.String(), nil
	}
	// An unsaved configuration: IOS-XE's install asks whether to save it
	// first (what reload asks differently), or to quit.
	const ask = "\nSystem configuration has been modified.\nPress Yes(y) to save the configuration and proceed.\n" +
		"Press No(n) for proceeding without saving the configuration.\n" +
		"Press Quit(q) to exit, you may save configuration and re-enter the command. [y/n/q]"
	var answer func(string) string
	answer = func(line string) string {
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			if err := c.w.WriteMemory(c.dev); err != nil {
				return errLine(err).Error() + "\n"
			}
			c.pending = activate
			return "Building configuration...\n[OK]Modified configuration has been saved\n" + b.String()
		case "n", "no":
			c.pending = activate
			return b.String()
		case "q", "quit":
			return ""
		}
		c.pending = answer
		return ask
	}
	c.pending = answer
	return start + ask, nil
}

// setFlag is a configuration command that turns one setting on or off.
func setFlag(what string, on bool, field func(cfg *device.Config) *bool) func(*Console, []string) (string, error) {
	return configure(what, func(_ *Console, cfg *device.Config, _ []string) error {
		*field(cfg) = on
		return nil
	})
}

func httpSecureServer(c *device.Config) *bool { return &c.HTTPSecureServer }
func httpAuthLocal(c *device.Config) *bool    { return &c.HTTPAuthLocal }
func aaaNewModel(c *device.Config) *bool      { return &c.AAANewModel }
func restconf(c *device.Config) *bool         { return &c.RESTCONF }

// domainName is `ip domain name <name>` (or `ip domain-name`).
func domainName(c *Console, a []string) (string, error) {
	if err := checkDomainName(a[0]); err != nil {
		return "", err
	}
	return configure("ip domain name", func(_ *Console, cfg *device.Config, a []string) error {
		cfg.DomainName = a[0]
		return nil
	})(c, a)
}

var noDomainName = configure("no ip domain name", func(_ *Console, cfg *device.Config, _ []string) error {
	cfg.DomainName = ""
	return nil
})

// checkDomainName accepts a DNS name: labels of letters, digits and
// hyphens, at most 63 characters each and 253 in all.
func checkDomainName(n string) error {
	bad := len(n) > 253
	for _, l := range strings.Split(n, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			bad = true
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				bad = true
			}
		}
	}
	if bad {
		return iosError("% Invalid domain name")
	}
	return nil
}

func checkHostname(h string) error {
	if len(h) > 63 {
		return iosError("% Hostname is longer than 63 characters.")
	}
	for i, r := range h {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r >= '0' && r <= '9' || r == '-')
		if !ok || i == len(h)-1 && r == '-' {
			return iosError("% Hostname contains one or more illegal characters.")
		}
	}
	return nil
}

// httpClientDebug is `debug ip http client all | api | cache | error |
// main | msg | socket` (the seed's list): each shows the Call Home
// messages to and from CSSM. [model text]
func httpClientDebug() *node {
	client := kw("client", "HTTP client")
	for _, w := range []string{"all", "api", "cache", "error", "main", "msg", "socket"} {
		client.add(kw(w, "HTTP client "+w+" debugging").does(func(c *Console, _ []string) (string, error) {
			c.debug = true
			return "HTTP Client " + w + " debugging is on\n", nil
		}))
	}
	return client
}

// traceLevels are the binary-trace levels, most verbose last.
var traceLevels = []string{"error", "warning", "notice", "info", "debug", "verbose", "noise"}

// traceTarget adds to n the trace target of the seed's commands — [switch
// <active|standby|1-8>] active R0 — then, for set (run not nil), a module
// (infra-sl; the seed spells it infra-s1) and a level; for show, nothing
// more.
func traceTarget(n *node, set func(level string) func(*Console, []string) (string, error)) *node {
	tail := func() *node {
		r0 := kw("r0", "Route processor 0")
		if set == nil {
			r0.does(showTrace)
			return kw("active", "Active instance", r0)
		}
		for _, module := range []string{"infra-sl", "infra-s1"} {
			m := kw(module, "Smart Licensing infrastructure")
			for _, level := range traceLevels {
				m.add(kw(level, level+" messages").does(set(level)))
			}
			r0.add(m)
		}
		return kw("active", "Active instance", r0)
	}
	sw := kw("switch", "Switch", tail())
	for _, which := range []string{"standby"} {
		sw.add(kw(which, which+" switch", tail()))
	}
	sw.add(arg("<1-8>", "Switch number", tail()))
	return n.add(sw, tail())
}

// setTrace is `set platform software trace ios ... infra-sl <level>`: from
// now on, the trace keeps Smart Licensing's messages down to the level.
func setTrace(level string) func(*Console, []string) (string, error) {
	return func(c *Console, _ []string) (string, error) {
		c.traceLevel, c.traceFrom = level, c.w.Head()
		return "", nil
	}
}

// showTrace is `show platform software trace message ios ... active R0`:
// IOSd's binary trace — Smart Licensing's syslog lines at (note), and,
// once the trace level is debug or more, the Call Home messages at
// (debug). [model: the layout, after IOS-XE's btrace decoder]
func showTrace(c *Console, _ []string) (string, error) {
	debug := slices.Index(traceLevels, c.traceLevel) >= slices.Index(traceLevels, "debug")
	var b strings.Builder
	line := func(t time.Time, level, text string) {
		fmt.Fprintf(&b, "%s {iosrp_R0-0}{1}: [infra-sl] [25964]: (%s): %s\n", t.UTC().Format("2006/01/02 15:04:05.000"), level, text)
	}
	// Smart Licensing's lines of the logging buffer, and the Call Home
	// messages since the level was raised, in stream order.
	var logs []sim.LogLine
	for _, l := range c.w.Logs(c.dev) {
		if !l.Line.EventLog && strings.Contains(l.Line.Message(), "SMART_LIC") {
			logs = append(logs, l)
		}
	}
	var msgs []sim.Event
	if debug {
		msgs = c.w.Select(c.traceFrom, func(e *sim.Event) bool { return e.Source == c.dev && e.Kind.Transport() })
	}
	for len(logs) > 0 || len(msgs) > 0 {
		if len(msgs) == 0 || len(logs) > 0 && logs[0].Seq < msgs[0].Seq {
			line(logs[0].Line.Time, "note", logs[0].Line.Message())
			logs = logs[1:]
			continue
		}
		line(msgs[0].Time, "debug", msgs[0].Kind.String()+" "+msgs[0].Text())
		msgs = msgs[1:]
	}
	return b.String(), nil
}

// routeCmd is `[no] ip route [vrf <vrf>] <prefix> <mask> {<next hop> |
// <interface> [<next hop>]}`.
func routeCmd(remove bool) *node {
	what := "ip route"
	if remove {
		what = "no ip route"
	}
	route := func(c *Console, vrf string, a []string) (string, error) {
		r, err := parseRoute(c, vrf, a)
		if err != nil {
			return "", err
		}
		return configure(what, func(c *Console, cfg *device.Config, _ []string) error {
			i := slices.Index(cfg.Routes, r)
			switch {
			case remove && i < 0:
				return fmt.Errorf("no such route")
			case remove:
				cfg.Routes = slices.Delete(cfg.Routes, i, i+1)
			case i < 0:
				cfg.Routes = append(cfg.Routes, r)
			}
			return nil
		})(c, a)
	}
	do := func(c *Console, a []string) (string, error) { return route(c, "", a) }
	vrfDo := func(c *Console, a []string) (string, error) { return route(c, a[0], a[1:]) }
	target := func(f func(*Console, []string) (string, error)) *node {
		return arg("A.B.C.D", "Destination prefix", arg("A.B.C.D", "Destination prefix mask",
			arg("WORD", "Forwarding router's address or interface", arg("A.B.C.D", "Forwarding router's address").does(f)).does(f)))
	}
	return kw("route", "Establish static routes",
		kw("vrf", "Configure static route for a VPN Routing/Forwarding instance", arg("WORD", "VPN Routing/Forwarding instance name", target(vrfDo))),
		target(do))
}

// parseRoute reads a static route's prefix, mask and next hop or exit
// interface (and next hop), refusing what IOS refuses with its caret.
func parseRoute(c *Console, vrf string, a []string) (device.Route, error) {
	addr, err := netip.ParseAddr(a[0])
	if err != nil || !addr.Is4() {
		return device.Route{}, &badArg{a[0]}
	}
	mask, err := netip.ParseAddr(a[1])
	bits := maskBits(mask)
	if err != nil || bits < 0 {
		return device.Route{}, &badArg{a[1]}
	}
	p := netip.PrefixFrom(addr, bits)
	if p.Masked().Addr() != addr {
		return device.Route{}, errors.New("% Inconsistent address and mask")
	}
	r := device.Route{VRF: vrf, Prefix: p.String()}
	if _, err := netip.ParseAddr(a[2]); err == nil {
		r.NextHop = a[2]
	} else {
		run := c.device().Running()
		name := canonicalInterface(&run, a[2])
		if run.Interface(name) == nil {
			return device.Route{}, &badArg{a[2]}
		}
		r.Interface = name
		if len(a) > 3 {
			if _, err := netip.ParseAddr(a[3]); err != nil {
				return device.Route{}, &badArg{a[3]}
			}
			r.NextHop = a[3]
		}
	}
	return r, nil
}

// maskBits is a dotted mask's length, or -1 if it is not a mask.
func maskBits(m netip.Addr) int {
	if !m.Is4() {
		return -1
	}
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := 0
	for v&(1<<31) != 0 {
		n++
		v <<= 1
	}
	if v != 0 {
		return -1
	}
	return n
}

// enterInterface is `interface <name>`: an existing interface (the name
// may be abbreviated), or a new Vlan or Loopback, which IOS creates.
func enterInterface(c *Console, a []string) (string, error) {
	run := c.device().Running()
	name := canonicalInterface(&run, a[0])
	if run.Interface(name) == nil {
		created, ok := newInterfaceName(a[0])
		if !ok {
			return "", &badArg{a[0]}
		}
		name = created
		if _, err := configure("interface "+name, func(c *Console, cfg *device.Config, _ []string) error {
			cfg.Interfaces = append(cfg.Interfaces, device.Interface{Name: name})
			return nil
		})(c, a); err != nil {
			return "", err
		}
	}
	c.mode, c.iface = ModeInterface, name
	return "", nil
}

// newInterfaceName is the full name of a logical interface IOS creates
// when it is first configured: Vlan<1-4094> or Loopback<0-2147483647>.
func newInterfaceName(w string) (string, bool) {
	lw := strings.ToLower(w)
	for _, kind := range []string{"Vlan", "Loopback"} {
		i := strings.IndexAny(lw, "0123456789")
		if i < 2 || !strings.HasPrefix(strings.ToLower(kind), lw[:i]) {
			continue
		}
		n, err := strconv.Atoi(lw[i:])
		if err != nil || n < 0 || kind == "Vlan" && (n < 1 || n > 4094) {
			return "", false
		}
		return kind + strconv.Itoa(n), true
	}
	return "", false
}

func interfaceGrammar() *node {
	edit := func(what string, f func(i *device.Interface, a []string) error) func(*Console, []string) (string, error) {
		return func(c *Console, a []string) (string, error) {
			return configure("interface "+c.iface+" / "+what, func(c *Console, cfg *device.Config, a []string) error {
				if i := cfg.Interface(c.iface); i != nil {
					return f(i, a)
				}
				return fmt.Errorf("no interface %s", c.iface)
			})(c, a)
		}
	}
	setVRF := func(remove bool) func(*Console, []string) (string, error) {
		return func(c *Console, a []string) (string, error) {
			v := ""
			if !remove {
				v = a[0]
			}
			var note string
			out, err := edit("vrf forwarding", func(i *device.Interface, _ []string) error {
				if i.VRF != v && i.IP != "" {
					// IOS removes the address when the VRF changes.
					note = fmt.Sprintf("%% Interface %s IPv4 disabled and address(es) removed due to enabling VRF %s\n", c.iface, v)
					if v == "" {
						note = fmt.Sprintf("%% Interface %s IPv4 disabled and address(es) removed due to disabling VRF %s\n", c.iface, i.VRF)
					}
					i.IP = ""
				}
				i.VRF = v
				return nil
			})(c, a)
			return note + out, err
		}
	}
	return kw("", "",
		kw("end", "Exit from configure mode").does(func(c *Console, _ []string) (string, error) { return "", c.leaveConfig() }),
		kw("exit", "Exit from interface configuration mode").does(func(c *Console, _ []string) (string, error) { c.mode = ModeConfig; return "", nil }),
		kw("vrf", "VPN Routing/Forwarding parameters on the interface",
			kw("forwarding", "Configure forwarding table", arg("WORD", "VRF name").does(setVRF(false)))),
		kw("ip", "Interface Internet Protocol config commands",
			kw("address", "Set the IP address of an interface", arg("A.B.C.D", "IP address", arg("A.B.C.D", "IP subnet mask").does(func(c *Console, a []string) (string, error) {
				addr, err := netip.ParseAddr(a[0])
				if err != nil || !addr.Is4() {
					return "", &badArg{a[0]}
				}
				m, err := netip.ParseAddr(a[1])
				bits := maskBits(m)
				if err != nil || bits < 8 || bits > 31 {
					return "", &badArg{a[1]}
				}
				return edit("ip address", func(i *device.Interface, _ []string) error {
					i.IP = netip.PrefixFrom(addr, bits).String()
					return nil
				})(c, a)
			})))),
		kw("no", "Negate a command or set its defaults",
			kw("vrf", "VPN Routing/Forwarding parameters on the interface", kw("forwarding", "Configure forwarding table").does(setVRF(true)).add(arg("WORD", "VRF name").does(setVRF(true)))),
			kw("ip", "Interface Internet Protocol config commands", kw("address", "Remove the IP address").does(edit("no ip address", func(i *device.Interface, _ []string) error {
				i.IP = ""
				return nil
			})))),
	)
}

// translating is the line IOS prints while it looks a name up: the name
// servers it asks, in order, or the broadcast address when none is
// configured; nothing with `no ip domain lookup`.
func translating(run device.Config, host string) string {
	if !run.DomainLookup {
		return ""
	}
	var servers strings.Builder
	for _, ns := range run.NameServers {
		fmt.Fprintf(&servers, " (%s)", ns.IP)
	}
	if servers.Len() == 0 {
		servers.WriteString(" (255.255.255.255)")
	}
	return "Translating \"" + host + "\"...domain server" + servers.String() + "\n"
}
