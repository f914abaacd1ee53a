package serve

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
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
	dropped, missed                            atomic.Uint64
}

// SyslogStats are the syslog messages the served switches sent to
// collectors (hosts in MonitorAllow), withheld (a host outside it that the
// simulated network reaches), unreachable there, or failed to send (a TCP
// collector down).
type SyslogStats struct {
	Sent, Withheld, Unreachable, Failed uint64
	Traps                               uint64 // SNMP notifications sent
	// Dropped counts messages and notifications past MaxQueued that a
	// fast clock produced faster than SendPerTick lets out; Missed, log
	// lines the world's event window no longer held when the forwarder
	// came to read them.
	Dropped, Missed uint64
}

// SyslogStats reports the forwarder's counts.
func (s *Server) SyslogStats() SyslogStats {
	return SyslogStats{Sent: s.syslog.sent.Load(), Withheld: s.syslog.withheld.Load(),
		Unreachable: s.syslog.unreachable.Load(), Failed: s.syslog.failed.Load(), Traps: s.syslog.traps.Load(),
		Dropped: s.syslog.dropped.Load(), Missed: s.syslog.missed.Load()}
}

// datagram is one syslog message for one host.
type datagram struct {
	from, to  string // source address; host:port
	tcp, trap bool   // over TCP; an SNMP notification
	msg       string
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

// SendPerTick bounds the syslog messages and notifications the server
// sends to real collectors each SyslogEvery (so 1,000 a second): a fast
// clock can make a switch log months of retries in one tick, which a real
// switch spreads over those months, and a burst of thousands of datagrams
// overflows a collector's socket buffer. What is not sent waits, in
// order, up to MaxQueued; beyond that the oldest are dropped, and
// counted. [model]
const (
	SendPerTick = 100
	MaxQueued   = 10000
)

// forwardSyslog sends, as the world's time moves, each switch's log lines
// at or above its trap level to its logging hosts, in IOS's format
// (SyslogMessage), and its notifications to its SNMP hosts, from the
// switch's own address, in the order the switch wrote them.
// It reads the world's event stream from cur.
func (s *Server) forwardSyslog(ctx context.Context, cur sim.Cursor) {
	count := map[string]uint64{} // each switch's message number
	var trapID uint32            // the notifications' request IDs
	var queue outbox
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
		s.run.View(func() {
			var evs []sim.Event
			var missed uint64
			evs, cur, missed = s.w.Events(cur)
			s.syslog.missed.Add(missed)
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
				if logs {
					count[e.Source]++
					msg := SyslogMessage(run, count[e.Source], e.Stamp, e.Log.Message(), e.Log.Severity)
					for _, h := range sl.Hosts {
						if s.realTarget(d, h.VRF, h.IP) {
							queue.add(datagram{from: s.addr[e.Source], to: net.JoinHostPort(h.IP, fmt.Sprint(h.PortOf())), tcp: h.TCP, msg: msg})
						}
					}
				}
				for _, tr := range s.smartLicTraps(d, run, e) {
					trapID++
					if g, ok := s.trapDatagram(tr, trapID); ok {
						queue.add(g)
					}
				}
			}
		})
		batch, dropped := queue.take()
		s.syslog.dropped.Add(uint64(dropped))
		for _, g := range batch {
			switch {
			case g.tcp:
				s.sendTCP(tcp, g)
			case !s.sendUDP(udp, g):
			case g.trap:
				s.syslog.traps.Add(1)
			default:
				s.syslog.sent.Add(1)
			}
		}
	}
}

// outbox holds what the forwarder is yet to send, oldest first.
type outbox struct{ q []datagram }

func (o *outbox) add(g datagram) { o.q = append(o.q, g) }

// take drops the oldest beyond MaxQueued, and returns the next
// SendPerTick at most, in order, with how many it dropped.
func (o *outbox) take() (batch []datagram, dropped int) {
	if over := len(o.q) - MaxQueued; over > 0 {
		dropped = over
		o.q = slices.Delete(o.q, 0, over)
	}
	n := min(len(o.q), SendPerTick)
	batch = slices.Clone(o.q[:n])
	o.q = slices.Delete(o.q, 0, n)
	return batch, dropped
}

// sendUDP sends one datagram from its switch's address, and says whether
// it left; a collector that is not there loses it, as UDP does.
func (s *Server) sendUDP(conns map[string]*net.UDPConn, g datagram) bool {
	c, ok := conns[g.from]
	if !ok {
		var err error
		c, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(g.from)})
		if err != nil {
			s.syslog.failed.Add(1)
			return false
		}
		conns[g.from] = c
	}
	to, err := net.ResolveUDPAddr("udp4", g.to)
	if err != nil {
		s.syslog.failed.Add(1)
		return false
	}
	if _, err := c.WriteToUDP([]byte(g.msg), to); err != nil {
		s.syslog.failed.Add(1)
		return false
	}
	return true
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
