package ios

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/slsim/slsim/stackwise"
)

// ports are one switch's interfaces by speed, as `show version` counts
// them: a C9300-24P shows 28 Gigabit, 8 Ten, 2 TwentyFive and 2 Forty
// Gigabit interfaces and 41 ports in the members' table, a WS-C3850-24P
// 28 Gigabit and 4 Ten Gigabit (32 ports), a C9500-48Y4C 48 TwentyFive and
// 4 Hundred Gigabit (genieparser's ShowVersion captures). [model: the
// 9200's, and the 48-port models' by the same rule]
type ports struct {
	gig, ten, twentyFive, forty, hundred int
	extra                                int // counted in the members' table only
}

func (p ports) total() int { return p.gig + p.ten + p.twentyFive + p.forty + p.hundred + p.extra }

func (p *ports) add(q ports) {
	p.gig += q.gig
	p.ten += q.ten
	p.twentyFive += q.twentyFive
	p.forty += q.forty
	p.hundred += q.hundred
}

// portsOf is the front panel of a stacking switch or 9500 by PID.
func portsOf(pid string) ports {
	m, err := stackwise.LookupModel(pid)
	if err != nil {
		return ports{}
	}
	switch m.Platform {
	case stackwise.C9500:
		switch m.Family {
		case "40X":
			return ports{ten: 40}
		case "16X":
			return ports{ten: 16}
		case "12Q":
			return ports{forty: 12}
		case "24Q":
			return ports{forty: 24}
		case "32C":
			return ports{hundred: 32}
		case "32QC":
			return ports{forty: 32}
		case "48Y4C":
			return ports{twentyFive: 48, hundred: 4}
		case "24Y4C":
			return ports{twentyFive: 24, hundred: 4}
		}
		return ports{}
	case stackwise.C9300:
		n := 24
		if m.Family == "48" {
			n = 48
		}
		return ports{gig: n + 4, ten: 8, twentyFive: 2, forty: 2, extra: 1}
	case stackwise.C3850:
		n := 24
		if strings.HasSuffix(m.Family, "48") {
			n = 48
		}
		return ports{gig: n + 4, ten: 4}
	}
	n := 24 // 9200, 9200L: N downlinks and four 1G uplinks
	if strings.HasSuffix(m.Family, "48") {
		n = 48
	}
	return ports{gig: n + 4}
}

// hwID derives a member's hardware identifiers from its serial number:
// the base MAC address and the motherboard's serial, the same on every
// run. [model]
func hwID(sn string) (mac, board string) {
	h := fnv.New64a()
	h.Write([]byte(sn))
	s := h.Sum64()
	mac = fmt.Sprintf("00:1e:%02x:%02x:%02x:%02x", byte(s>>40), byte(s>>32), byte(s>>24), byte(s>>16)&0xc0)
	prefix := sn
	if len(prefix) > 3 {
		prefix = prefix[:3]
	}
	board = fmt.Sprintf("%s%08d", prefix, s%100000000)
	return mac, board
}

// processor is the memory line's CPU architecture and sizes by platform:
// main/IO memory in KB and physical memory in KB. [model: sizes of a
// typical 17.3 box]
func processor(p stackwise.Platform) (arch string, main, physical int) {
	switch p {
	case stackwise.C9500:
		return "X86", 1863083, 16777216
	case stackwise.C9400:
		return "X86", 1916973, 15958412
	case stackwise.C9200:
		return "ARM", 1048576, 4194304
	case stackwise.C3850:
		return "MIPS", 797420, 4194304
	}
	return "X86", 1419044, 8388608
}

// copyrightYear is the year a release's Copyright lines end in. [model]
func copyrightYear(v stackwise.Version) int {
	switch {
	case v.Major == 16 && v.Minor <= 9:
		return 2018
	case v.Major == 16:
		return 2019
	case v.Major == 17 && v.Minor <= 3:
		return 2020
	}
	return 2021
}

// paddedVersion is a version as IOS-XE 16/17 prints it in `show version`'s
// first line and member table: 17.03.01, 16.12.03a.
func paddedVersion(v stackwise.Version) string {
	return fmt.Sprintf("%02d.%02d.%02d%s", v.Major, v.Minor, v.Rebuild, v.Letter)
}

const gplNotice = `Cisco IOS-XE software, Copyright (c) 2005-%d by cisco Systems, Inc.
All rights reserved.  Certain components of Cisco IOS-XE software are
licensed under the GNU General Public License ("GPL") Version 2.0.  The
software code licensed under GPL Version 2.0 is free software that comes
with ABSOLUTELY NO WARRANTY.  You can redistribute and/or modify such
GPL code under the terms of GPL Version 2.0.  For more details, see the
documentation or "License Notice" file accompanying the IOS-XE software,
or the applicable URL provided on the flyer accompanying the IOS-XE
software.
`

const cryptoNotice = `This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use. Delivery of Cisco cryptographic products does not imply
third-party authority to import, export, distribute or use encryption.
Importers, exporters, distributors and users are responsible for
compliance with U.S. and local country laws. By using this product you
agree to comply with applicable laws and regulations. If you are unable
to comply with U.S. and local laws, return this product immediately.

A summary of U.S. laws governing Cisco cryptographic products may be found at:
http://www.cisco.com/wwl/export/crypto/tool/stqrg.html

If you require further assistance please contact us by sending email to
export@cisco.com.
`

// interfaceCounts writes the "N Gigabit Ethernet interfaces" lines.
func interfaceCounts(b *strings.Builder, p ports) {
	b.WriteString("1 Virtual Ethernet interface\n")
	for _, c := range []struct {
		n    int
		name string
	}{{p.gig, "Gigabit"}, {p.ten, "Ten Gigabit"}, {p.twentyFive, "TwentyFive Gigabit"}, {p.forty, "Forty Gigabit"}, {p.hundred, "Hundred Gigabit"}} {
		if c.n > 0 {
			fmt.Fprintf(b, "%d %s Ethernet interfaces\n", c.n, c.name)
		}
	}
}

// memberBlock writes a member's identity lines, as the first member's
// follow the memory lines and the others' follow "Switch 0N".
func memberBlock(b *strings.Builder, pid, sn string) {
	mac, board := hwID(sn)
	fmt.Fprintf(b, "Base Ethernet MAC Address          : %s\n", mac)
	fmt.Fprintf(b, "Motherboard Assembly Number        : 73-17952-10\n")
	fmt.Fprintf(b, "Motherboard Serial Number          : %s\n", board)
	fmt.Fprintf(b, "Model Revision Number              : A0\n")
	fmt.Fprintf(b, "Motherboard Revision Number        : A0\n")
	fmt.Fprintf(b, "Model Number                       : %s\n", pid)
	fmt.Fprintf(b, "System Serial Number               : %s\n", sn)
}

// flashTotal and flashFree are the flash file system's size and the
// space its files leave free, in bytes. [model]
const (
	flashTotal = 11353194496
	flashFree  = 8816627712
)

// ShowDir renders `dir [flash:|bootflash:]`: the install-mode files of
// the running release, then the file system's size and free space, in
// IOS's layout. fs is "flash:" or "bootflash:" (the same file system on
// a Catalyst 9000).
func (v View) ShowDir(fs string, bootedAt time.Time) string {
	ver := paddedVersion(v.Topology.Version)
	stamp := bootedAt.UTC().Format("Jan 2 2006 15:04:05") + " +00:00"
	files := []struct {
		name string
		size int
	}{
		{"nvram_config", 2097152},
		{"packages.conf", 7406},
		{"cat9k-cc_srdriver." + ver + ".SPA.pkg", 70720},
		{"cat9k-espbase." + ver + ".SPA.pkg", 829805568},
		{"cat9k-rpbase." + ver + ".SPA.pkg", 387576832},
		{"cat9k-rpboot." + ver + ".SPA.pkg", 52776128},
		{"cat9k-webui." + ver + ".SPA.pkg", 24810496},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Directory of %s/\n\n", fs)
	for i, f := range files {
		fmt.Fprintf(&b, "%6d  -rw- %19d  %s  %s\n", 475137+i, f.size, stamp, f.name)
	}
	fmt.Fprintf(&b, "\n%d bytes total (%d bytes free)\n", flashTotal, flashFree)
	return b.String()
}

// ShowMemoryStatistics renders `show memory statistics`: the processor
// and I/O pools, sized from the platform's memory. [model: the figures]
func (v View) ShowMemoryStatistics() string {
	_, main, _ := processor(v.Topology.Platform())
	total := main * 1024
	used := total / 4
	var b strings.Builder
	b.WriteString("                Head    Total(b)     Used(b)     Free(b)   Lowest(b)  Largest(b)\n")
	fmt.Fprintf(&b, "Processor  7F9A1AE048  %10d  %10d  %10d  %10d  %10d\n", total, used, total-used, total-used-12256528, total-used-7679556)
	fmt.Fprintf(&b, " lsmpi_io  7F995D21A8  %10d  %10d  %10d  %10d  %10d\n", 6295128, 6294304, 824, 824, 412)
	return b.String()
}

// dir is `dir` on a file system.
func dir(fs string) func(*Console, []string) (string, error) {
	return func(c *Console, _ []string) (string, error) { return c.view().ShowDir(fs, c.bootedAt()), nil }
}
