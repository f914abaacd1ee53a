// Package collect reads what network tools collect from switches — the
// command outputs a netmiko script or Ansible's ios_command saves, with or
// without the prompt and command line, and Ansible's ios_facts — into
// devices of an estate (package stackwise's format): each device's
// hostname, IOS-XE release, stack members, SVL peers or chassis with
// their serials, license level, and where `show license status` shows
// it, its registration state and virtual account.
//
// A device slsim does not model is not imported but named with the
// reason: IOS-XE 3.x predates Smart Licensing, 17.3.2 and later run Smart
// Licensing Using Policy, and only Catalyst 9200/9300/9400/9500 and
// 3650/3850 are counted.
package collect

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	sw "github.com/slsim/slsim/stackwise"
)

// MaxInput bounds one input file (a day of show outputs of a stack is a
// few hundred KiB).
const MaxInput = 16 << 20

// Device is one device read from collected outputs.
type Device struct {
	Device  sw.Device
	Account sw.Account
	Source  string // the file it came from
}

// Skipped is a device that was read but not imported, and why.
type Skipped struct {
	Name   string // hostname, or the file when none was seen
	Source string
	Reason string // what it is and what to do about it
}

// seen is what the outputs of one device say, before it is checked.
type seen struct {
	host    string
	version string // as printed: 17.03.01, 16.12.3a, 03.06.05E
	level   string // "network-advantage addon dna-advantage"
	models  []string
	serials []string
	chassis []sw.Chassis
	sups    []string
	state   string
	va      string
	section string // the show license section being read ("Registration")
	invName string // the inventory entry whose PID line comes next
	// factsOnly is set when all that was read is ios_facts, which carry
	// no license level.
	factsOnly bool
}

var (
	promptLine = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._:-]{0,62})[#>]\s*(\S.*)$`)
	xeVersion  = regexp.MustCompile(`^Cisco IOS XE Software, Version (\S+)`)
	iosVersion = regexp.MustCompile(`^Cisco IOS Software.*, Version ([0-9][0-9A-Za-z.()]*)`)
	// A row of show version's members' table: number, ports, PID, release.
	memberRow  = regexp.MustCompile(`^\*?\s*\d+\s+\d+\s+(\S+)\s+(\d+\.\d+\.\d+\S*)\s+\S+\s+(?:INSTALL|BUNDLE)\s*$`)
	uptime     = regexp.MustCompile(`^(\S+) uptime is `)
	modelLine  = regexp.MustCompile(`^Model [Nn]umber\s*:\s*(\S+)`)
	serialLine = regexp.MustCompile(`^System [Ss]erial [Nn]umber\s*:\s*(\S+)`)
	invName    = regexp.MustCompile(`^NAME:\s*"([^"]*)"`)
	invPID     = regexp.MustCompile(`^PID:\s*(\S*)\s*,.*SN:\s*(\S*)`)
	procLine   = regexp.MustCompile(`^cisco (\S+) \(\S+\) processor`)
	udiLine    = regexp.MustCompile(`(?:^UDI|^\s*(?:Active|Standby|Member)):\s*PID:([^,\s]+),SN:(\S+)`)
	levelWords = []string{"network-advantage", "network-essentials", "ipservices", "ipbase", "lanbase",
		"ipservicesk9", "ipbasek9", "lanbasek9"}
)

// Importer gathers devices from collected files. Outputs of one hostname
// found in several files (show version in one, show license status in
// another) make one device.
type Importer struct {
	byHost  map[string]*seen
	order   []string
	sources map[string][]string
}

// NewImporter returns an empty importer.
func NewImporter() *Importer {
	return &Importer{byHost: map[string]*seen{}, sources: map[string][]string{}}
}

func (im *Importer) add(source string, s *seen) {
	key := s.host
	if key == "" {
		key = "\x00" + source // no hostname: the file alone
	}
	if old, ok := im.byHost[key]; ok {
		old.merge(s)
	} else {
		im.byHost[key] = s
		im.order = append(im.order, key)
	}
	if !slices.Contains(im.sources[key], source) {
		im.sources[key] = append(im.sources[key], source)
	}
}

// AddText reads one text file of command outputs. Outputs saved with
// their prompt and command line ("sw1#show version") are split there, so
// a file may hold several devices; without prompts the file is one
// device, its outputs recognised by their content. Nothing is added from
// a file that cannot be read.
func (im *Importer) AddText(source string, data []byte) error {
	if len(data) > MaxInput {
		return fmt.Errorf("%s: larger than %d bytes", source, MaxInput)
	}
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return fmt.Errorf("%s: not text", source)
	}
	byHost := map[string]*seen{}
	var order []string
	get := func(host string) *seen {
		s, ok := byHost[host]
		if !ok {
			s = &seen{host: host}
			byHost[host] = s
			order = append(order, host)
		}
		return s
	}
	cur := get("")
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if m := promptLine.FindStringSubmatch(text); m != nil && isShowCommand(m[2]) {
			cur = get(m[1])
			continue
		}
		cur.read(text)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: line %d: %w", source, line+1, err)
	}
	anon := byHost[""]
	switch {
	case len(order) == 2: // outputs before the only prompt are that device's
		byHost[order[1]].merge(anon)
		order = order[1:]
	case len(order) > 2 && anon.empty():
		order = order[1:]
	}
	for _, h := range order {
		im.add(source, byHost[h])
	}
	return nil
}

// Result checks every device gathered: the devices to import, sorted by
// name, and those skipped with the reason.
func (im *Importer) Result() ([]Device, []Skipped) {
	var devs []Device
	var skipped []Skipped
	for _, key := range im.order {
		src := strings.Join(im.sources[key], ", ")
		d, skip := im.byHost[key].device(src)
		if skip != nil {
			skipped = append(skipped, *skip)
			continue
		}
		devs = append(devs, d)
	}
	slices.SortFunc(devs, func(a, b Device) int { return strings.Compare(a.Device.Name, b.Device.Name) })
	slices.SortFunc(skipped, func(a, b Skipped) int { return strings.Compare(a.Name, b.Name) })
	return devs, skipped
}

func isShowCommand(cmd string) bool {
	f := strings.Fields(strings.ToLower(cmd))
	return len(f) >= 2 && (f[0] == "show" || f[0] == "sh" || f[0] == "sho")
}

// read takes one line of output.
func (s *seen) read(line string) {
	switch {
	case xeVersion.MatchString(line):
		s.version = xeVersion.FindStringSubmatch(line)[1]
	case iosVersion.MatchString(line) && s.version == "":
		s.version = iosVersion.FindStringSubmatch(line)[1]
	case memberRow.MatchString(line):
		if s.version == "" { // an engineering build's header; the table has the release
			s.version = memberRow.FindStringSubmatch(line)[2]
		}
	case uptime.MatchString(line) && !strings.HasPrefix(line, "Switch uptime"):
		if s.host == "" {
			s.host = uptime.FindStringSubmatch(line)[1]
		}
	case modelLine.MatchString(line):
		s.models = append(s.models, modelLine.FindStringSubmatch(line)[1])
	case serialLine.MatchString(line):
		s.serials = append(s.serials, serialLine.FindStringSubmatch(line)[1])
	case procLine.MatchString(line):
		pid := procLine.FindStringSubmatch(line)[1]
		if m, err := sw.LookupModel(pid); err == nil && m.Kind == sw.KindChassis && len(s.chassis) == 0 {
			s.chassis = append(s.chassis, sw.Chassis{PID: pid})
		}
	case invName.MatchString(line):
		s.invName = invName.FindStringSubmatch(line)[1]
	case invPID.MatchString(line):
		m := invPID.FindStringSubmatch(line)
		s.inventory(m[1], m[2])
	case strings.HasSuffix(line, ":") && !strings.Contains(line, " : "):
		s.section = strings.TrimSuffix(line, ":")
	case strings.HasPrefix(line, "Status:") && s.section == "Registration" && s.state == "":
		s.state = strings.TrimSpace(strings.TrimPrefix(line, "Status:"))
	case strings.HasPrefix(line, "Virtual Account:"):
		s.va = strings.TrimSpace(strings.TrimPrefix(line, "Virtual Account:"))
	case udiLine.MatchString(line):
		m := udiLine.FindStringSubmatch(line)
		if !slices.Contains(s.serials, m[2]) && len(s.chassis) == 0 {
			if mod, err := sw.LookupModel(m[1]); err == nil && mod.Kind == sw.KindSwitch {
				s.models, s.serials = append(s.models, m[1]), append(s.serials, m[2])
			}
		}
	default:
		s.technology(line)
	}
}

// technology reads the license rows of show version's Technology Package
// table: the first row is the base level, a second the add-on.
func (s *seen) technology(line string) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return
	}
	word := strings.ToLower(f[0])
	switch {
	case slices.Contains(levelWords, word) && !strings.Contains(s.level, " "):
		if s.level == "" {
			s.level = strings.TrimSuffix(word, "k9")
		}
	case (word == "dna-advantage" || word == "dna-essentials") && s.level != "" && !strings.Contains(s.level, "addon"):
		s.level += " addon " + word
	}
}

// inventory takes one PID/SN line of show inventory.
func (s *seen) inventory(pid, sn string) {
	name := s.invName
	s.invName = ""
	mod, err := sw.LookupModel(pid)
	if err != nil {
		return
	}
	switch {
	case mod.Kind == sw.KindChassis:
		if i := slices.IndexFunc(s.chassis, func(c sw.Chassis) bool { return c.PID == pid && (c.SN == "" || c.SN == sn) }); i >= 0 {
			s.chassis[i].SN = sn
		} else {
			s.chassis = append(s.chassis, sw.Chassis{PID: pid, SN: sn})
		}
	case mod.Kind == sw.KindSupervisor:
		s.sups = append(s.sups, pid)
	case mod.Kind == sw.KindSwitch && strings.HasPrefix(name, "Switch ") && !slices.Contains(s.serials, sn):
		s.models, s.serials = append(s.models, pid), append(s.serials, sn)
	}
}

func (s *seen) empty() bool {
	return s.version == "" && len(s.models) == 0 && len(s.chassis) == 0 && s.state == ""
}

// merge takes what another reading of the same device saw.
func (s *seen) merge(o *seen) {
	if s.host == "" {
		s.host = o.host
	}
	if s.version == "" {
		s.version = o.version
	}
	if s.level == "" {
		s.level = o.level
	}
	for i, sn := range o.serials {
		if !slices.Contains(s.serials, sn) && i < len(o.models) {
			s.models, s.serials = append(s.models, o.models[i]), append(s.serials, sn)
		}
	}
	if len(s.chassis) == 0 {
		s.chassis = o.chassis
	}
	s.sups = append(s.sups, o.sups...)
	if s.state == "" {
		s.state, s.va = o.state, o.va
	}
	s.factsOnly = s.factsOnly && o.factsOnly
}

// device checks what was seen and makes it an estate device, or says why
// it is not one.
func (s *seen) device(source string) (Device, *Skipped) {
	name := s.host
	skip := func(format string, a ...any) (Device, *Skipped) {
		n := name
		if n == "" {
			n = source
		}
		return Device{}, &Skipped{Name: n, Source: source, Reason: fmt.Sprintf(format, a...)}
	}
	if name == "" {
		return skip("no hostname: save show version, or the outputs with their prompt (sw1#show version)")
	}
	if s.version == "" {
		return skip("no release: include show version")
	}
	v, err := parseRelease(s.version)
	if err != nil {
		return skip("release %s: %v", s.version, err)
	}
	switch {
	case v.Major < 16:
		return skip("IOS-XE %s predates Smart Licensing (Right-to-Use licenses): upgrade it to 16.9 or later, or count its licenses by hand", s.version)
	case v.Compare(sw.Version{Major: 17, Minor: 3, Rebuild: 2}) >= 0:
		return skip("IOS-XE %s runs Smart Licensing Using Policy (17.3.2 and later), which slsim does not model: count it with Cisco's tools", s.version)
	}
	d := sw.Device{Name: name, Version: v}
	switch {
	case len(s.chassis) > 0:
		d.Chassis = slices.Clone(s.chassis)
		for i, sup := range s.sups {
			c := &d.Chassis[i*len(d.Chassis)/max(1, len(s.sups))]
			c.Supervisors = append(c.Supervisors, sup)
		}
	case len(s.models) > 0:
		for i, pid := range s.models {
			sn := ""
			if i < len(s.serials) {
				sn = s.serials[i]
			}
			if _, err := sw.LookupModel(pid); err != nil {
				return skip("%s is not a Catalyst 9200/9300/9400/9500 or 3650/3850, the switches slsim counts", pid)
			}
			d.Switches = append(d.Switches, sw.Unit{PID: pid, SN: sn})
		}
	default:
		return skip("no Catalyst 9200/9300/9400/9500 or 3650/3850 model found: include show version or show inventory")
	}
	if s.level == "" && s.factsOnly {
		return skip("no license level: ios_facts carries none; collect show version with ios_command as well")
	}
	if s.level == "" {
		return skip("no license level: include show version (its Technology Package table)")
	}
	l, err := sw.ParseLevel(s.level)
	if err != nil {
		return skip("license level %s: %v", s.level, err)
	}
	d.Level = l
	if err := d.Validate(); err != nil {
		return skip("%v", err)
	}
	return Device{Device: d, Account: s.account(), Source: source}, nil
}

// account is the registration state and virtual account show license
// status reported.
func (s *seen) account() sw.Account {
	var a sw.Account
	st := strings.ToUpper(s.state)
	switch { // "UNREGISTERED - REGISTRATION FAILED" is a failure, not unregistered
	case strings.Contains(st, "FAIL"):
		a.State = "failed"
	case strings.HasPrefix(st, "UNREGISTERED"):
		a.State = "unregistered"
	case strings.HasPrefix(st, "REGISTERED"):
		a.State = "registered"
	case strings.HasPrefix(st, "REGISTERING"):
		a.State = "registering"
	}
	if s.va != "" {
		a.VA = strings.Join(strings.Fields(s.va), "_") // the estate's words are one word
	}
	return a
}

// parseRelease reads a release as show version prints it: 17.03.01,
// 16.12.3a, 16.9.4, 03.06.05E (IOS-XE 3.x, whose letters the 16.x form
// does not take: only its major matters here).
func parseRelease(s string) (sw.Version, error) {
	v, err := sw.ParseVersion(s)
	if major, _, ok := strings.Cut(s, "."); err != nil && ok && strings.TrimLeft(major, "0") == "3" {
		return sw.Version{Major: 3}, nil
	}
	return v, err
}
