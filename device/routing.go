package device

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/slsim/slsim/netsim"
)

// ErrNoRoute is a destination the device's routing table has no usable
// route to.
var ErrNoRoute = errors.New("no route to host")

// route is the device's forwarding decision for ip from a VRF: the
// upstream table (netsim's VRF reachability) the packet leaves into, or
// ErrNoRoute. The longest matching prefix wins: a connected subnet (an
// interface of the VRF with an address), or a static route whose next
// hop is a router on a connected subnet of the VRF (or whose exit
// interface is one of the VRF's, through the router on its subnet). A
// configuration without addresses or routes (saved before they existed)
// leaves the choice to the network's tables, as it always did.
func (d *Device) route(vrf, ip string, net *netsim.Network) (string, error) {
	c := &d.running
	if !c.addressed() {
		return vrf, nil
	}
	dst, err := netip.ParseAddr(ip)
	if err != nil {
		return "", fmt.Errorf("%s: %w", ip, ErrNoRoute)
	}
	best, up := -1, ""
	for _, i := range c.Interfaces {
		p, ok := ifacePrefix(i)
		if !ok || i.VRF != vrf || !p.Contains(dst) || p.Bits() <= best {
			continue
		}
		if _, isRouter := net.Routers[ip]; isRouter || net.Has(ip) {
			best, up = p.Bits(), vrf
		}
	}
	for _, r := range c.Routes {
		p, err := netip.ParsePrefix(r.Prefix)
		if err != nil || r.VRF != vrf || !p.Contains(dst) || p.Bits() <= best {
			continue
		}
		gw := r.NextHop
		if gw == "" { // an exit interface: the router on its subnet
			gw = d.routerOn(r.Interface, vrf, net)
		}
		// A route whose next hop is not a router on a connected subnet of
		// the VRF is not installed, as IOS leaves it out of the table.
		if upstream, ok := net.Routers[gw]; ok && d.connected(vrf, gw) {
			best, up = p.Bits(), upstream
		}
	}
	if best < 0 {
		return "", fmt.Errorf("%s from VRF %q: %w", ip, vrf, ErrNoRoute)
	}
	return up, nil
}

// connected reports whether ip is on a connected subnet of the VRF.
func (d *Device) connected(vrf, ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	for _, i := range d.running.Interfaces {
		if p, ok := ifacePrefix(i); ok && i.VRF == vrf && p.Contains(a) {
			return true
		}
	}
	return false
}

// routerOn is the router on an interface's subnet, if the interface is
// in the VRF.
func (d *Device) routerOn(name, vrf string, net *netsim.Network) string {
	for _, i := range d.running.Interfaces {
		p, ok := ifacePrefix(i)
		if !ok || i.Name != name || i.VRF != vrf {
			continue
		}
		for ip := range net.Routers {
			if a, err := netip.ParseAddr(ip); err == nil && p.Contains(a) {
				return ip
			}
		}
	}
	return ""
}

func ifacePrefix(i Interface) (netip.Prefix, bool) {
	if i.IP == "" {
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(i.IP)
	return p.Masked(), err == nil
}

// Connect opens a TCP connection to ip:port from a VRF as the device
// routes it: its routing table, then the network from the upstream router.
func (d *Device) Connect(vrf, ip string, port int, net *netsim.Network) error {
	up, err := d.route(vrf, ip, net)
	if err != nil {
		return err
	}
	return net.Connect(up, ip, port)
}

// Reachable reports whether ip answers from a VRF (ping), as the device
// routes it.
func (d *Device) Reachable(vrf, ip string, net *netsim.Network) bool {
	up, err := d.route(vrf, ip, net)
	return err == nil && net.Reachable(up, ip)
}
