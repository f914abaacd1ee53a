package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// With Loopback every switch has its own address, and the servers of a
// process share one listening socket per port, bound to every address
// (on Linux, to the loopback device when the process may), which hands
// each connection to the switch whose address it was made to: file
// descriptors grow with sessions, not with switches.
var demuxes = struct {
	sync.Mutex
	byPort map[int]*demux
}{byPort: map[int]*demux{}}

// DemuxBacklog bounds the connections waiting for one switch's accept
// loop; beyond it a connection is closed at once. [model]
const DemuxBacklog = 64

// demux is one shared listening socket and the switches it accepts for.
type demux struct {
	ln   net.Listener
	port int
	mu   sync.Mutex
	subs map[string]*subListener // by the switch's address
}

// subListener is one switch's view of a demux: the connections made to
// its address.
type subListener struct {
	d      *demux
	ip     string
	addr   net.Addr
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

// listenShared gives ip a listener on port from the process's shared
// socket for that port, opening it when none is open (port 0: a socket of
// its own on any free port, shared by the calls that pass the port it
// got).
func listenShared(ip string, port int) (*subListener, error) {
	demuxes.Lock()
	defer demuxes.Unlock()
	d := demuxes.byPort[port]
	if d == nil {
		lc := net.ListenConfig{Control: bindLoopbackDevice}
		ln, err := lc.Listen(context.Background(), "tcp4", net.JoinHostPort("0.0.0.0", strconv.Itoa(port)))
		if err != nil {
			return nil, err
		}
		d = &demux{ln: ln, port: ln.Addr().(*net.TCPAddr).Port, subs: map[string]*subListener{}}
		demuxes.byPort[d.port] = d
		go d.run()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, taken := d.subs[ip]; taken {
		return nil, fmt.Errorf("%s:%d: already served", ip, d.port)
	}
	l := &subListener{d: d, ip: ip, addr: &net.TCPAddr{IP: net.ParseIP(ip), Port: d.port},
		conns: make(chan net.Conn, DemuxBacklog), closed: make(chan struct{})}
	d.subs[ip] = l
	return l, nil
}

// run accepts until the socket closes, and hands out the connections.
func (d *demux) run() {
	pause := 5 * time.Millisecond
	for {
		c, err := d.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil { // transient (too many open files): wait, and go on
			time.Sleep(pause)
			pause = min(2*pause, acceptBackoff)
			continue
		}
		pause = 5 * time.Millisecond
		local, _ := c.LocalAddr().(*net.TCPAddr)
		d.mu.Lock()
		var l *subListener
		if local != nil && local.IP.IsLoopback() { // never a connection from beyond this machine
			l = d.subs[local.IP.String()]
		}
		d.mu.Unlock()
		if l == nil {
			c.Close()
			continue
		}
		select {
		case l.conns <- c:
		case <-l.closed:
			c.Close()
		default: // the switch's accept loop is that far behind: refuse, as a full backlog does
			c.Close()
		}
	}
}

// Accept waits for the next connection to the switch's address.
func (l *subListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close stops the switch's listening; the shared socket closes with the
// last switch on it.
func (l *subListener) Close() error {
	l.once.Do(func() {
		close(l.closed)
		demuxes.Lock()
		defer demuxes.Unlock()
		l.d.mu.Lock()
		delete(l.d.subs, l.ip)
		last := len(l.d.subs) == 0
		l.d.mu.Unlock()
		if last {
			delete(demuxes.byPort, l.d.port)
			l.d.ln.Close()
		}
		for {
			select {
			case c := <-l.conns:
				c.Close()
			default:
				return
			}
		}
	})
	return nil
}

// Addr is the switch's own address and the shared port.
func (l *subListener) Addr() net.Addr { return l.addr }
