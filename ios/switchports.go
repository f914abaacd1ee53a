package ios

import (
	"fmt"
	"strings"
)

// frontPort is one front-panel interface of a switch: its short name
// ("Gi1/0/1") and speed class.
type frontPort struct {
	short  string
	speed  string // "1G", "10G", "25G", "40G", "100G"
	module bool   // on the uplink module's slot: no transceiver
}

// frontPorts lists a stacking switch's or 9500's front-panel interfaces,
// member by member, as portsOf counts them: downlinks on slot 0, a 9300's
// network module on slot 1.
func (v View) frontPorts() []frontPort {
	var out []frontPort
	for i, u := range v.Topology.Switches {
		m := i + 1
		p := portsOf(u.PID)
		n := 0
		add := func(count int, prefix, speed string, slot int) {
			for range count {
				n++
				port := n
				if slot == 1 {
					port = n - p.gig
				}
				out = append(out, frontPort{short: fmt.Sprintf("%s%d/%d/%d", prefix, m, slot, port), speed: speed})
			}
		}
		if p.gig > 0 && (p.ten > 0 || p.forty > 0) { // downlinks, then the uplink module on slot 1
			down := p.gig - 4
			add(down, "Gi", "1G", 0)
			// Each kind of uplink is numbered from 1, as IOS creates them
			// for every module the slot could hold.
			for _, u := range []struct {
				count         int
				prefix, speed string
			}{{4, "Gi", "1G"}, {p.ten, "Te", "10G"}, {p.twentyFive, "Twe", "25G"}, {p.forty, "Fo", "40G"}} {
				for k := 1; k <= u.count; k++ {
					out = append(out, frontPort{short: fmt.Sprintf("%s%d/1/%d", u.prefix, m, k), speed: u.speed, module: true})
				}
			}
			continue
		}
		add(p.gig, "Gi", "1G", 0)
		add(p.ten, "Te", "10G", 0)
		add(p.twentyFive, "Twe", "25G", 0)
		add(p.forty, "Fo", "40G", 0)
		add(p.hundred, "Hu", "100G", 0)
	}
	return out
}

// ShowSwitch renders `show switch`: the stack's (or StackWise Virtual
// pair's) members, their roles and MAC addresses, all Ready. A 9400 has
// no such table; its supervisors show in `show module` instead.
func (v View) ShowSwitch() (string, error) {
	if len(v.Topology.Switches) == 0 {
		return "", &badArg{"switch"}
	}
	var b strings.Builder
	first, _ := hwID(v.Topology.Switches[0].SN)
	fmt.Fprintf(&b, "Switch/Stack Mac Address : %s - Local Mac Address\n", dotted(first))
	b.WriteString("Mac persistency wait time: Indefinite\n")
	b.WriteString("                                             H/W   Current\n")
	b.WriteString("Switch#   Role    Mac Address     Priority Version  State \n")
	b.WriteString("-------------------------------------------------------------------------------------\n")
	for i, u := range v.Topology.Switches {
		role := "Member"
		switch i {
		case 0:
			role = "Active"
		case 1:
			role = "Standby"
		}
		star := " "
		if i == 0 {
			star = "*"
		}
		mac, _ := hwID(u.SN)
		fmt.Fprintf(&b, "%s%-8d%-9s%-19s%-7d%-8s%-21s\n", star, i+1, role, dotted(mac), 1, "V01", "Ready")
	}
	return b.String(), nil
}

// dotted writes a MAC address as IOS's show commands do: 001e.8fef.7600.
func dotted(mac string) string {
	h := strings.ReplaceAll(mac, ":", "")
	if len(h) != 12 {
		return mac
	}
	return h[:4] + "." + h[4:8] + "." + h[8:]
}

// ShowVLANBrief renders `show vlan brief`: VLAN 1 holding every
// front-panel port (slsim configures no other VLAN), then the four
// reserved VLANs.
func (v View) ShowVLANBrief() string {
	var b strings.Builder
	b.WriteString("VLAN Name                             Status    Ports\n")
	b.WriteString("---- -------------------------------- --------- -------------------------------\n")
	ports := v.frontPorts()
	for i := 0; i == 0 || i < len(ports); i += 4 {
		var names []string
		for _, p := range ports[i:min(i+4, len(ports))] {
			names = append(names, p.short)
		}
		lead := fmt.Sprintf("%-4s %-32s %-9s ", "1", "default", "active")
		if i > 0 {
			lead = strings.Repeat(" ", 48)
		}
		fmt.Fprintf(&b, "%s%s\n", lead, strings.Join(names, ", "))
	}
	for _, r := range []struct{ id, name string }{{"1002", "fddi-default"}, {"1003", "token-ring-default"}, {"1004", "fddinet-default"}, {"1005", "trnet-default"}} {
		fmt.Fprintf(&b, "%-4s %-32s %-9s \n", r.id, r.name, "act/unsup")
	}
	return b.String()
}

// ShowInterfacesStatus renders `show interfaces status`: each front-panel
// port, not connected (a simulated switch has no cables), in VLAN 1; a
// 9300's network-module ports hold no transceiver.
func (v View) ShowInterfacesStatus() string {
	var b strings.Builder
	b.WriteString("\nPort         Name               Status       Vlan       Duplex  Speed Type \n")
	for _, p := range v.frontPorts() {
		duplex, speed, typ := "auto", "auto", "10/100/1000BaseTX"
		switch {
		case p.module && p.speed == "1G":
			typ = "Not Present"
		case p.speed != "1G":
			duplex, speed, typ = "full", p.speed, "Not Present"
		}
		fmt.Fprintf(&b, "%-13s%-19s%-13s%-11s%6s%7s %s\n", p.short, "", "notconnect", "1", duplex, speed, typ)
	}
	return b.String()
}
