package serve

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/sim"
)

// SyslogEvery is how often, in real time, the server sends the log lines
// the switches wrote since the last time to their logging hosts.
const SyslogEvery = 100 * time.Millisecond

// syslogState counts what the forwarder did.
type syslogState struct {
	sent, withheld, unreachable, failed, traps atomic.Uint64
}

// SyslogStats are the syslog messages the served switches sent to
// collectors (hosts in MonitorAllow), withheld (a host outside it that the
// simulated network reaches), unreachable there, or failed to send (a TCP
// collector down).
type SyslogStats struct {
	Sent, Withheld, Unreachable, Failed uint64
	Traps                               uint64 // SNMP notifications sent
}

// SyslogStats reports the forwarder's counts.
func (s *Server) SyslogStats() SyslogStats {
	return SyslogStats{Sent: s.syslog.sent.Load(), Withheld: s.syslog.withheld.Load(),
		Unreachable: s.syslog.unreachable.Load(), Failed: s.syslog.failed.Load(), Traps: s.syslog.traps.Load()}
}

// datagram is one syslog message for one host.
type datagram struct {
	from, to string // source address; host:port
	tcp      bool
	msg      string
}

// allowed reports whether ip may really be sent to.
func (s *Server) allowed(ip netip.Addr) bool {
	if len(s.cfg.MonitorAllow) == 0 {
		return ip.IsLoopback()
	}
	for _, p := range s.cfg.MonitorAllow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// realTarget reports whether host may really be sent to: it is inside
// MonitorAllow. Any other host is reached or not as the simulated network
// decides from the switch, and only counted.
func (s *Server) realTarget(d *device.Device, vrf, host string) bool {
	if ip, err := netip.ParseAddr(host); err == nil && s.allowed(ip) {
		return true
	}
	if d.Reachable(vrf, host, s.w.Network()) {
		s.syslog.withheld.Add(1)
	} else {
		s.syslog.unreachable.Add(1)
	}
	return false
}

// forwardSyslog sends, as the world's time moves, each switch's log lines
// at or above its trap level to its logging hosts, in IOS's format
// (SyslogMessage), from the switch's own address.
func (s *Server) forwardSyslog(ctx context.Context) {
	var cur sim.Cursor
	s.run.View(func() { cur = s.w.Head() })
	count := map[string]uint64{} // each switch's message number
	udp := map[string]*net.UDPConn{}
	tcp := map[string]net.Conn{}
	defer func() {
		for _, c := range udp {
			c.Close()
		}
		for _, c := range tcp {
			c.Close()
		}
	}()
	tick := time.NewTicker(SyslogEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var out []datagram
		var traps []trapOut
		s.run.View(func() {
			var evs []sim.Event
			evs, cur, _ = s.w.Events(cur)
			for _, e := range evs {
				if e.Kind != sim.EventLog || e.Log == nil || e.Log.EventLog {
					continue
				}
				d, ok := s.w.Device(e.Source)
				if !ok {
					continue
				}
				sl, sn := d.Monitoring()
				logs := len(sl.Hosts) > 0 && e.Log.Severity <= sl.TrapLevel()
				if !logs && (!sn.TrapsSL || len(sn.Hosts) == 0) {
					continue // the common case: nothing to send, nothing cloned
				}
				run := d.Running()
				traps = append(traps, s.smartLicTraps(d, run, e)...)
				if !logs {
					continue
				}
				count[e.Source]++
				msg := SyslogMessage(run, count[e.Source], e.Stamp, e.Log.Message(), e.Log.Severity)
				for _, h := range sl.Hosts {
					if s.realTarget(d, h.VRF, h.IP) {
						out = append(out, datagram{from: s.addr[e.Source], to: net.JoinHostPort(h.IP, fmt.Sprint(h.PortOf())), tcp: h.TCP, msg: msg})
					}
				}
			}
		})
		for _, g := range out {
			if g.tcp {
				s.sendTCP(tcp, g)
			} else {
				s.sendUDP(udp, g)
			}
		}
		for _, tr := range traps {
			s.sendTrap(tr)
		}
	}
}

// sendUDP sends one datagram from its switch's address; a collector that
// is not there loses it, as UDP does.
func (s *Server) sendUDP(conns map[string]*net.UDPConn, g datagram) {
	c, ok := conns[g.from]
	if !ok {
		var err error
		c, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(g.from)})
		if err != nil {
			s.syslog.failed.Add(1)
			return
		}
		conns[g.from] = c
	}
	to, err := net.ResolveUDPAddr("udp4", g.to)
	if err != nil {
		s.syslog.failed.Add(1)
		return
	}
	if _, err := c.WriteToUDP([]byte(g.msg), to); err != nil {
		s.syslog.failed.Add(1)
		return
	}
	s.syslog.sent.Add(1)
}

// sendTCP sends one message over a kept TCP connection as IOS does:
// one write (one segment) per message and no framing at all, neither a
// trailing newline nor an octet count. rsyslog's documentation of
// imptcp's AddtlFrameDelimiter says so of Cisco IOS ("they do not use any
// framing at all", confirmed by Cisco), as does ipspace.net's "Running
// syslog over TCP" (each message in a separate TCP packet, no separators).
// A collector that splits on newlines sees messages that arrive together
// run into one. A collector that is down costs one short connection
// attempt and the message.
func (s *Server) sendTCP(conns map[string]net.Conn, g datagram) {
	key := g.from + ">" + g.to
	c, ok := conns[key]
	if !ok {
		d := net.Dialer{Timeout: time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(g.from)}}
		var err error
		if c, err = d.Dial("tcp4", g.to); err != nil {
			s.syslog.failed.Add(1)
			return
		}
		conns[key] = c
	}
	c.SetWriteDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte(g.msg)); err != nil {
		c.Close()
		delete(conns, key)
		s.syslog.failed.Add(1)
		return
	}
	s.syslog.sent.Add(1)
}

// SyslogMessage is one syslog message as IOS sends it:
// "<189>16: *Mar  4 10:00:06.000: %SMART_LIC-…" — the PRI (the facility,
// local7 by default, times eight plus the severity), the message number,
// then with `logging origin-id hostname` the hostname, with `service
// sequence-numbers` a six-digit sequence number, the timestamp (with its
// zone under `service timestamps log … show-timezone`) and the message.
// No RFC 5424 header: IOS sends the BSD form without HOSTNAME. [model:
// the order of origin-id and sequence number]
func SyslogMessage(run device.Config, n uint64, stamp, message string, severity int) string {
	sl := run.Syslog
	fac, _ := ios.FacilityCode(sl.FacilityName())
	var b strings.Builder
	fmt.Fprintf(&b, "<%d>%d: ", fac*8+severity, n)
	if sl.OriginHostname {
		b.WriteString(run.Hostname + ": ")
	}
	if sl.SequenceNumbers {
		fmt.Fprintf(&b, "%06d: ", n)
	}
	b.WriteString(stamp)
	if sl.ShowTimezone {
		zone := run.TimeZone
		if zone == "" {
			zone = "UTC"
		}
		b.WriteString(" " + zone)
	}
	b.WriteString(": " + message)
	return b.String()
}
