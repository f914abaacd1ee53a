package serve_test

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/serve"
	"github.com/slsim/slsim/sim"
)

// A served switch sends its log lines to a collector as IOS does: one
// UDP datagram per line at or above the trap level, "<189>1: *Mar  4
// 10:00:00.000: %SYS-5-CONFIG_I: …" (local7, notice), from its own
// address. Lines below the trap level stay home; a host outside
// MonitorAllow is never sent to, only counted, and one the simulated
// network does not reach is counted too.
func TestSyslogToACollector(t *testing.T) {
	col, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer col.Close()
	port := col.LocalAddr().(*net.UDPAddr).Port
	s := start(t, serve.Config{})
	require.NoError(t, s.act(func(w *sim.World) error {
		return w.Configure("sw1", "logging host", func(c *device.Config) error {
			c.Syslog.Hosts = []device.LogHost{{IP: "127.0.0.1", Port: port}, {IP: "203.0.113.10"}, {IP: "192.0.2.99"}}
			return nil
		})
	}))
	typeInto(t, s.addr, "admin", "cisco123", "configure terminal\rend\rexit\r")
	buf := make([]byte, 2048)
	col.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := col.ReadFromUDP(buf)
	require.NoError(t, err)
	assert.Equal(t, "<189>1: *Mar  4 10:00:00.000: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (127.0.0.1)", string(buf[:n]))
	assert.Equal(t, "127.0.0.1", from.IP.String(), "from the switch's address")
	want := serve.SyslogStats{Sent: 1, Withheld: 1, Unreachable: 1}
	require.Eventually(t, func() bool { return s.srv.SyslogStats() == want }, 2*time.Second, 10*time.Millisecond,
		"203.0.113.10 is reached in the simulation but outside MonitorAllow; 192.0.2.99 is not reached: %+v", s.srv.SyslogStats())

	require.NoError(t, s.act(func(w *sim.World) error {
		return w.Configure("sw1", "logging trap", func(c *device.Config) error { c.Syslog.Trap = 4 + 1; return nil }) // warnings
	}))
	typeInto(t, s.addr, "admin", "cisco123", "configure terminal\rend\rexit\r")
	col.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	_, _, err = col.ReadFromUDP(buf)
	require.Error(t, err, "a notice is below the warnings trap level")
}

// The message's parts as the configuration sets them.
func TestSyslogMessageForm(t *testing.T) {
	run := device.DefaultConfig("core1", "network-advantage")
	msg := "%SMART_LIC-3-AUTHORIZATION_EXPIRED: Authorization expired"
	assert.Equal(t, "<187>7: *Jun  2 09:55:06.000: "+msg, serve.SyslogMessage(run, 7, "*Jun  2 09:55:06.000", msg, 3))
	run.Syslog = device.Syslog{Facility: "local5", OriginHostname: true, SequenceNumbers: true, ShowTimezone: true}
	run.TimeZone = "EST"
	assert.Equal(t, "<171>7: core1: 000007: Jun  2 04:55:06.000 EST: "+msg, serve.SyslogMessage(run, 7, "Jun  2 04:55:06.000", msg, 3))
	assert.False(t, strings.Contains(serve.SyslogMessage(run, 1, "x", msg, 3), "  "))
}

// Over TCP a served switch frames as IOS does, that is not at all: each
// message is one write on a kept connection, with neither a newline nor
// an octet count, so the stream is the messages back to back.
func TestSyslogOverTCPIsUnframed(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	s := start(t, serve.Config{})
	require.NoError(t, s.act(func(w *sim.World) error {
		return w.Configure("sw1", "logging host transport tcp", func(c *device.Config) error {
			c.Syslog.Hosts = []device.LogHost{{IP: "127.0.0.1", TCP: true, Port: port}}
			return nil
		})
	}))
	typeInto(t, s.addr, "admin", "cisco123", "configure terminal\rend\rexit\r")
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
	c, err := ln.Accept()
	require.NoError(t, err)
	defer c.Close()
	first := "<189>1: *Mar  4 10:00:00.000: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (127.0.0.1)"
	second := strings.Replace(first, "<189>1:", "<189>2:", 1)
	var got []byte
	buf := make([]byte, 4096)
	read := func(want int) {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		for len(got) < want {
			n, err := c.Read(buf)
			require.NoError(t, err, "have %q", got)
			got = append(got, buf[:n]...)
		}
	}
	read(len(first))
	assert.Equal(t, first, string(got), "one message, no newline after it")
	typeInto(t, s.addr, "admin", "cisco123", "configure terminal\rend\rexit\r")
	read(len(first) + len(second))
	assert.Equal(t, first+second, string(got), "the next message follows with no separator, on the same connection")
	require.Eventually(t, func() bool { return s.srv.SyslogStats() == serve.SyslogStats{Sent: 2} }, 2*time.Second, 10*time.Millisecond,
		"%+v", s.srv.SyslogStats())
}

// A fast clock lets a switch log weeks of hourly retries in one step; the
// forwarder lets them out a batch a tick, in order, rather than in one
// burst that a collector's socket buffer would drop: every one arrives.
// What the world's event window no longer held is counted as missed.
func TestForwarderPacesBursts(t *testing.T) {
	nms, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer nms.Close()
	s := start(t, serve.Config{TrapPort: nms.LocalAddr().(*net.UDPAddr).Port})
	require.NoError(t, s.act(func(w *sim.World) error {
		if err := w.Configure("sw1", "snmp", func(c *device.Config) error {
			c.SNMP = device.SNMP{TrapsSL: true, Hosts: []device.TrapHost{{IP: "127.0.0.1", Community: "traps"}}}
			return nil
		}); err != nil {
			return err
		}
		if _, err := w.Register("sw1", s.token, false); err != nil {
			return err
		}
		if err := w.RunFor(time.Minute); err != nil {
			return err
		}
		if err := w.SetFault(sim.Fault{Kind: sim.FaultEndpointDown, Target: "203.0.113.10", On: true}); err != nil {
			return err
		}
		return w.RunFor(95 * 24 * time.Hour)
	}))
	var uptimes []uint32
	buf := make([]byte, 2048)
	for {
		nms.SetReadDeadline(time.Now().Add(time.Second))
		n, _, err := nms.ReadFromUDP(buf)
		if err != nil {
			break
		}
		pkt, err := (&gosnmp.GoSNMP{}).SnmpDecodePacket(buf[:n])
		require.NoError(t, err)
		uptimes = append(uptimes, pkt.Variables[0].Value.(uint32))
	}
	stats := s.srv.SyslogStats()
	require.Greater(t, len(uptimes), 3*serve.SendPerTick, "weeks of retries: %+v", stats)
	assert.Equal(t, uint64(len(uptimes)), stats.Traps, "every notification sent arrived")
	assert.Zero(t, stats.Dropped)
	assert.Positive(t, stats.Missed, "the window held the last weeks only")
	assert.True(t, slices.IsSorted(uptimes), "in the order the switch raised them")
	// At most SendPerTick a tick: TestOutboxPacesAndBounds, without the
	// wall clock, whose ticks a loaded machine bunches.
}
