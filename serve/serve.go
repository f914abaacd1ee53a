// Package serve puts the simulated switches of a world on the network in
// real time: each device answers SSH on its own port, with the users of
// its running configuration (`username … secret …`), and each session is
// an IOS command line on that device, as a vty line is on a switch; each
// device answers RESTCONF over HTTPS while its configuration enables it
// (package restconf); and the world's CSSM answers its REST API (package
// cssmapi) and its portal (package portal), with each satellite's API.
//
// The world advances with a runner (package runner); every command a
// session runs goes through the runner, so sessions and timers never race.
package serve

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ssh "github.com/slsim/slsim/internal/sshd"

	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/internal/atomicfile"
	"github.com/slsim/slsim/internal/shell"
	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/runner"
	"github.com/slsim/slsim/sim"
)

// Settings of the served lines. [model]: IOS's vty defaults where IOS has
// one (exec-timeout 10 minutes, 16 vty lines), ours otherwise.
const (
	DefaultIdleTimeout = 10 * time.Minute
	DefaultMaxSessions = 16
	DefaultAuthDelay   = time.Second
	// DefaultLoginGrace is how long a connection has to log in: IOS's
	// `ip ssh time-out` default, 120 seconds.
	DefaultLoginGrace = 120 * time.Second
	// DefaultMaxStartups bounds a device's connections that have not
	// logged in yet; past it the oldest is closed to make room, so idle
	// connections cannot lock a user out. (IOS's `ip ssh maxstartups`.)
	DefaultMaxStartups = 10
	// DefaultBootTime is how long, in virtual time, a reloaded switch
	// takes to boot before it answers SSH again: a Catalyst 9300 stack
	// takes minutes. [model]
	DefaultBootTime = 5 * time.Minute
	// MaxLine bounds one command line; a longer line takes no more
	// characters.
	MaxLine = 4096
)

// Config sets up a server.
type Config struct {
	// Host is the address listened on (default 127.0.0.1).
	Host string
	// BasePort is the first device's SSH port; the others follow in the
	// order of the device names (0: any free port for each).
	BasePort int
	// HostKey signs the SSH handshake (see LoadOrCreateHostKey): an
	// ed25519, ECDSA or RSA private key.
	HostKey crypto.Signer
	// Certificate, when set, serves RESTCONF over HTTPS on every device
	// (see LoadOrCreateCertificate).
	Certificate *tls.Certificate
	// HTTPSBasePort is the first device's HTTPS port, numbered as BasePort.
	HTTPSBasePort int
	// SNMP answers SNMPv2c on UDP for every device, from SNMPBasePort
	// numbered as BasePort (161 under Loopback needs the privilege to
	// bind ports below 1024).
	SNMP         bool
	SNMPBasePort int
	// OnCommand, when set, is called under the runner with each line a
	// session types on a switch (not the answers to a question, which may
	// be passwords): an exercise's run counts them and reads the events
	// they made.
	OnCommand func(device, line string)
	// Class, when set, answers /class and below on the CSSM's HTTPS port:
	// the instructor's page of a served class (package classroom).
	Class http.Handler
	// TrapPort is where SNMP notifications go on a host whose `snmp-server
	// host` names no udp-port (0: 162).
	TrapPort int
	// Loopback gives each device its own loopback address, 127.0.0.2 for
	// the first in name order and counting up, and the same ports on each
	// (BasePort, HTTPSBasePort): tools that know a switch by its address
	// and the standard ports (22, 443) reach it unchanged. Host is then
	// not used.
	Loopback bool
	// CSSMPort is the port of the world's CSSM REST API (0: any free
	// port, -1: none); SatellitePort the first satellite's (0: any).
	// Both need Certificate.
	CSSMPort      int
	SatellitePort int
	// FirstIndex numbers this server's devices from it, for ports and
	// loopback addresses, so that several servers (one per pod) share a
	// port range.
	FirstIndex int
	// ErrorsKey names RESTCONF's error member (restconf.DefaultErrorsKey
	// when empty).
	ErrorsKey string
	// IdleTimeout closes a session with no input for this long.
	IdleTimeout time.Duration
	// MaxSessions bounds the SSH sessions, and separately the HTTPS
	// connections, open on one device at once.
	MaxSessions int
	// AuthDelay is waited after a refused password (0: DefaultAuthDelay).
	AuthDelay time.Duration
	// LoginGrace is how long an SSH connection has to log in (0:
	// DefaultLoginGrace); MaxStartups how many may be logging in at once
	// on one device (0: DefaultMaxStartups).
	LoginGrace  time.Duration
	MaxStartups int
	// BootTime is how long, in virtual time, a switch reloaded from a vty
	// refuses connections (0: DefaultBootTime; tests set a short one).
	BootTime time.Duration
	// MonitorAllow are the networks a switch's syslog messages may really
	// be sent to (nil: loopback, 127.0.0.0/8). Other logging hosts are
	// reached or not in the simulated network and counted, never sent to.
	MonitorAllow []netip.Prefix
	// Listen opens the listeners (nil: net.Listen).
	Listen func(network, address string) (net.Listener, error)
}

// Addr is where one device answers.
type Addr struct {
	SSH   string // host:port
	HTTPS string // host:port; empty without a certificate
	SNMP  string // host:port (UDP); empty without SNMP
}

// Server serves the devices of one world.
type Server struct {
	cfg     Config
	run     *runner.Runner
	w       *sim.World
	lns     map[string]net.Listener
	https   map[string]*http.Server
	hlns    map[string]net.Listener
	hostKey ssh.Signer
	mu      sync.Mutex
	open    map[string]int // sessions per device
	// vtys are each device's vty lines: a session takes the lowest free
	// one (nil), as IOS numbers them (vty 0 … vty 15).
	vtys map[string][]*vty
	// logged are each device's logged-in connections, closed together
	// when the switch reloads.
	logged map[string]map[net.Conn]bool
	// started is the world's time when the server opened: a boot after
	// it is a reload, which BootTime delays.
	started time.Time
	// addr is each device's own address, the source of its syslog.
	addr   map[string]string
	syslog syslogState
	head   sim.Cursor // the event stream at New: the forwarder reads on from it
	snmp   map[string]*net.UDPConn
	conns  map[net.Conn]bool
	// startups are each device's connections not logged in yet, oldest
	// first.
	startups map[string][]net.Conn
	extra    []extraListener // the CSSM's APIs
	wg       sync.WaitGroup
}

// New prepares a server for the devices of w, driven by r, and opens
// its listeners.
func New(r *runner.Runner, w *sim.World, cfg Config) (*Server, error) {
	if r == nil || w == nil {
		return nil, errors.New("serve: nil runner or world")
	}
	if cfg.HostKey == nil {
		return nil, errors.New("serve: no host key")
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	for _, p := range []int{cfg.BasePort, cfg.HTTPSBasePort, max(0, cfg.CSSMPort), cfg.SatellitePort} {
		if p < 0 || p > 65535 {
			return nil, fmt.Errorf("serve: port %d out of range", p)
		}
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.AuthDelay < 0 {
		return nil, errors.New("serve: negative auth delay")
	}
	if cfg.AuthDelay == 0 {
		cfg.AuthDelay = DefaultAuthDelay
	}
	if cfg.Listen == nil {
		cfg.Listen = net.Listen
	}
	if cfg.LoginGrace <= 0 {
		cfg.LoginGrace = DefaultLoginGrace
	}
	if cfg.MaxStartups <= 0 {
		cfg.MaxStartups = DefaultMaxStartups
	}
	if cfg.BootTime < 0 {
		return nil, errors.New("serve: negative boot time")
	}
	if cfg.BootTime == 0 {
		cfg.BootTime = DefaultBootTime
	}
	s := &Server{cfg: cfg, run: r, w: w, lns: map[string]net.Listener{}, https: map[string]*http.Server{}, hlns: map[string]net.Listener{},
		open: map[string]int{}, conns: map[net.Conn]bool{},
		startups: map[string][]net.Conn{}, vtys: map[string][]*vty{}, logged: map[string]map[net.Conn]bool{},
		addr: map[string]string{}, snmp: map[string]*net.UDPConn{}}
	r.View(func() { s.head = w.Head() })
	r.View(func() { s.started = w.Now() })
	signer, err := ssh.NewSignerFromSigner(cfg.HostKey)
	if err != nil {
		return nil, fmt.Errorf("serve: host key: %w", err)
	}
	s.hostKey = signer
	var names []string
	r.View(func() { names = w.Devices() })
	sort.Strings(names)
	if cfg.FirstIndex < 0 {
		return nil, errors.New("serve: negative first index")
	}
	for j, n := range names {
		i := cfg.FirstIndex + j
		host, err := s.host(i)
		if err != nil {
			return nil, err
		}
		s.addr[n] = host
		if cfg.SNMP {
			u, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(host), Port: s.port(cfg.SNMPBasePort, i)})
			if err != nil {
				s.closeListeners()
				return nil, fmt.Errorf("serve: device %s: snmp: %w", n, err)
			}
			s.snmp[n] = u
		}
		ln, err := s.listen(host, s.port(cfg.BasePort, i))
		if err != nil {
			s.closeListeners()
			return nil, fmt.Errorf("serve: device %s: %w", n, err)
		}
		s.lns[n] = ln
		if cfg.Loopback && cfg.BasePort == 0 { // the first switch's free port is every switch's
			cfg.BasePort = ln.Addr().(*net.TCPAddr).Port
			s.cfg.BasePort = cfg.BasePort
		}
		if cfg.Certificate == nil {
			continue
		}
		hln, err := s.listen(host, s.port(cfg.HTTPSBasePort, i))
		if err != nil {
			s.closeListeners()
			return nil, fmt.Errorf("serve: device %s: https: %w", n, err)
		}
		if cfg.Loopback && cfg.HTTPSBasePort == 0 {
			cfg.HTTPSBasePort = hln.Addr().(*net.TCPAddr).Port
			s.cfg.HTTPSBasePort = cfg.HTTPSBasePort
		}
		s.hlns[n] = hln
		s.https[n] = s.httpsServer(n)
	}
	if err := s.openCSSM(); err != nil {
		s.closeListeners()
		return nil, err
	}
	return s, nil
}

// listen opens a switch's listener: its own socket, or under Loopback its
// share of the process's socket for that port (demux.go).
func (s *Server) listen(host string, port int) (net.Listener, error) {
	if !s.cfg.Loopback {
		return s.cfg.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	}
	return listenShared(host, port)
}

// host is the address device i listens on.
func (s *Server) host(i int) (string, error) {
	if !s.cfg.Loopback {
		return s.cfg.Host, nil
	}
	n := uint32(127<<24) + uint32(i) + 2
	if n >= 128<<24-1 {
		return "", fmt.Errorf("serve: %d devices do not fit in 127.0.0.0/8", i+1)
	}
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}).String(), nil
}

// port is device i's port counted from base (0: any free port).
func (s *Server) port(base, i int) int {
	if base == 0 || s.cfg.Loopback {
		return base
	}
	return base + i
}

// Addrs maps each device to the addresses it answers on.
func (s *Server) Addrs() map[string]Addr {
	m := map[string]Addr{}
	for n, ln := range s.lns {
		a := Addr{SSH: ln.Addr().String()}
		if h, ok := s.hlns[n]; ok {
			a.HTTPS = h.Addr().String()
		}
		if u, ok := s.snmp[n]; ok {
			a.SNMP = u.LocalAddr().String()
		}
		m[n] = a
	}
	return m
}

// Serve accepts sessions until ctx is done, then closes every listener
// and session and returns when they have ended.
func (s *Server) Serve(ctx context.Context) error {
	for name, ln := range s.lns {
		s.wg.Add(1)
		go s.accept(name, ln)
	}
	for name, hs := range s.https {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			hs.Serve(s.secureServerOnly(name, s.hlns[name], hs.TLSConfig))
		}()
	}
	for _, e := range s.extra {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			e.srv.Serve(tls.NewListener(e.ln, e.srv.TLSConfig))
		}()
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.forwardSyslog(ctx, s.head)
	}()
	for name, u := range s.snmp {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.answerSNMP(name, u)
		}()
	}
	<-ctx.Done()
	s.closeListeners()
	for _, hs := range s.https {
		hs.Close()
	}
	for _, e := range s.extra {
		e.srv.Close()
	}
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// Close closes the listeners of a server that will not Serve.
func (s *Server) Close() { s.closeListeners() }

func (s *Server) closeListeners() {
	for _, ln := range s.lns {
		ln.Close()
	}
	for _, u := range s.snmp {
		u.Close()
	}
	for _, ln := range s.hlns {
		ln.Close()
	}
	for _, e := range s.extra {
		e.ln.Close()
	}
}

// acceptBackoff bounds the pause after a failed accept (too many open
// files, say): the listener goes on once the cause has passed.
const acceptBackoff = time.Second

func (s *Server) accept(device string, ln net.Listener) {
	defer s.wg.Done()
	pause := 5 * time.Millisecond
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil { // transient: wait, longer each time, and go on
			time.Sleep(pause)
			pause = min(2*pause, acceptBackoff)
			continue
		}
		pause = 5 * time.Millisecond
		if s.booting(device) { // a reloading switch does not answer
			c.Close()
			continue
		}
		limit := s.sshSetting(device, func(cfg switchConfig) int { return cfg.SSHMaxStartups }, s.cfg.MaxStartups)
		s.mu.Lock()
		s.conns[c] = true
		s.startup(device, c, limit)
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(device, c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

// user is a logged-in user: privilege from the configuration.
type user struct {
	name      string
	privilege int
}

// serverConfig is the SSH server's configuration for one connection to
// device: its users' passwords, `ip ssh authentication-retries` and the
// lab fault ssh-strict, read as the connection opens.
func (s *Server) serverConfig(device string) *ssh.ServerConfig {
	check := func(name string, password []byte) (*ssh.Permissions, error) {
		var priv int
		ok := false
		s.run.View(func() {
			d, found := s.w.Device(device)
			if !found {
				return
			}
			run := d.Running()
			if u := run.User(name); u != nil && subtle.ConstantTimeCompare([]byte(u.Secret), password) == 1 {
				ok, priv = true, u.Privilege
			}
		})
		if !ok {
			time.Sleep(s.cfg.AuthDelay)
			return nil, errors.New("authentication failed")
		}
		return &ssh.Permissions{Extensions: map[string]string{"privilege": fmt.Sprint(priv)}}, nil
	}
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(m ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) { return check(m.User(), pw) },
		KeyboardInteractiveCallback: func(m ssh.ConnMetadata, ask ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
			ans, err := ask("", "", []string{"Password: "}, []bool{false})
			if err != nil || len(ans) != 1 {
				return nil, errors.New("authentication failed")
			}
			return check(m.User(), []byte(ans[0]))
		},
		// IOS offers publickey and refuses the keys not configured for
		// the user; slsim configures none. [model]
		PublicKeyCallback: func(ssh.ConnMetadata, ssh.PublicKey) (*ssh.Permissions, error) {
			return nil, errors.New("no public key configured")
		},
		MaxAuthTries:  3, // IOS's default authentication-retries
		ServerVersion: "SSH-2.0-Cisco-1.25",
	}
	s.run.View(func() {
		d, ok := s.w.Device(device)
		if !ok {
			return
		}
		cfg.RefuseRepeatedServiceRequest = d.StrictSSH()
		switch r := d.Running().SSHRetries; {
		case r < 0: // a configured 0: one attempt [model]
			cfg.MaxAuthTries = 1
		case r > 0:
			cfg.MaxAuthTries = r
		}
	})
	cfg.AddHostKey(s.hostKey)
	return cfg
}

// switchConfig is a served switch's configuration (the name device is
// taken, in this file, by the device names).
type switchConfig = device.Config

// sshSetting reads one of the device's `ip ssh` settings (fallback when
// it has none).
func (s *Server) sshSetting(device string, get func(switchConfig) int, fallback int) int {
	n := 0
	s.run.View(func() {
		if d, ok := s.w.Device(device); ok {
			n = get(d.Running())
		}
	})
	if n <= 0 {
		return fallback
	}
	return n
}

// startup counts c among device's connections still logging in, closing
// the oldest of them when there are limit already (`ip ssh maxstartups`).
// s.mu is held.
func (s *Server) startup(device string, c net.Conn, limit int) {
	list := s.startups[device]
	if len(list) >= limit {
		list[0].Close() // its handler's login fails and it goes
		list = list[1:]
	}
	s.startups[device] = append(list, c)
}

// loggedIn takes c off device's connections still logging in.
func (s *Server) loggedIn(device string, c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.startups[device]
	if i := slices.Index(list, c); i >= 0 {
		s.startups[device] = slices.Delete(list, i, i+1)
	}
}

func (s *Server) handle(device string, nc net.Conn) {
	defer nc.Close()
	// The login must be done within the grace time; then the line's idle
	// timeout applies.
	idle := &idleConn{Conn: nc, timeout: s.cfg.IdleTimeout}
	grace := s.cfg.LoginGrace
	if secs := s.sshSetting(device, func(cfg switchConfig) int { return cfg.SSHTimeout }, 0); secs > 0 {
		grace = time.Duration(secs) * time.Second // `ip ssh time-out`
	}
	nc.SetDeadline(time.Now().Add(grace))
	conn, chans, reqs, err := ssh.NewServerConn(idle, s.serverConfig(device))
	s.loggedIn(device, nc)
	if err != nil {
		return
	}
	nc.SetWriteDeadline(time.Time{})
	s.mu.Lock()
	if s.logged[device] == nil {
		s.logged[device] = map[net.Conn]bool{}
	}
	s.logged[device][nc] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.logged[device], nc)
		if len(s.logged[device]) == 0 {
			delete(s.logged, device)
		}
		s.mu.Unlock()
	}()
	idle.authed.Store(true)
	idle.touch()
	defer conn.Close()
	go ssh.DiscardRequests(reqs)
	var priv int
	fmt.Sscan(conn.Permissions.Extensions["privilege"], &priv)
	u := user{name: conn.User(), privilege: priv}
	remote := "unknown"
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		remote = a.IP.String()
	}
	var sessions sync.WaitGroup
	for nch := range chans {
		if nch.ChannelType() != "session" {
			nch.Reject(ssh.UnknownChannelType, "only session channels")
			continue
		}
		line := &vty{user: u.name, from: remote}
		if !s.take(device, line) {
			nch.Reject(ssh.ResourceShortage, "all vty lines are in use")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			s.release(device, line)
			continue
		}
		sessions.Add(1)
		go func() {
			defer sessions.Done()
			defer s.release(device, line)
			s.session(device, u, line, ch, creqs)
		}()
	}
	conn.Close()
	sessions.Wait()
}

// vty is a vty line in use: who is on it, from where, and when they last
// typed (for `show users`).
type vty struct {
	n          int // vty n
	user, from string
	input      atomic.Int64 // unix nanoseconds of the last command
	notes      []string     // messages sent to the line, shown before its next output (under Server.mu)
}

// MaxNotes bounds the messages waiting for one vty line; older ones are
// dropped. [model]
const MaxNotes = 8

// Send writes a message to every session on device, as IOS's `send *`
// shows one from another line: "*** Message from <from> to all
// terminals:" and the text, before the session's next output (a
// session's output is its answer to a command, so the message waits for
// the next one) [model]. It reports how many sessions it reached.
func (s *Server) Send(device, from, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := "\n***\n***\n*** Message from " + from + " to all terminals:\n***\n" + strings.TrimRight(text, "\n") + "\n"
	n := 0
	for _, l := range s.vtys[device] {
		if l == nil {
			continue
		}
		if len(l.notes) == MaxNotes {
			l.notes = l.notes[1:]
		}
		l.notes = append(l.notes, msg)
		n++
	}
	return n
}

// takeNotes returns and clears the messages waiting for line.
func (s *Server) takeNotes(line *vty) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := strings.Join(line.notes, "")
	line.notes = nil
	return out
}

// take gives line the device's lowest free vty, unless every one of
// MaxSessions is in use.
func (s *Server) take(device string, line *vty) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[device] >= s.cfg.MaxSessions {
		return false
	}
	s.open[device]++
	lines := s.vtys[device]
	i := slices.Index(lines, nil)
	if i < 0 {
		i = len(lines)
		lines = append(lines, nil)
	}
	lines[i], line.n = line, i
	line.input.Store(time.Now().UnixNano())
	s.vtys[device] = lines
	return true
}

func (s *Server) release(device string, line *vty) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open[device]--
	lines := s.vtys[device]
	if line.n < len(lines) && lines[line.n] == line {
		lines[line.n] = nil
	}
	for len(lines) > 0 && lines[len(lines)-1] == nil {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		delete(s.vtys, device)
	} else {
		s.vtys[device] = lines
	}
}

// users lists device's vty lines in use, as `show users` shows them;
// self is the asking session's line.
func (s *Server) users(device string, self *vty) []ios.UserLine {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ios.UserLine
	for _, l := range s.vtys[device] {
		if l == nil {
			continue
		}
		out = append(out, ios.UserLine{VTY: l.n, User: l.user, Location: l.from,
			Idle: now.Sub(time.Unix(0, l.input.Load())), Self: l == self})
	}
	return out
}

// session serves one session channel: a shell on a pty, or one exec
// command, as IOS's SSH server offers.
func (s *Server) session(device string, u user, line *vty, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	var con *ios.Console
	var err error
	var booted time.Time
	s.run.View(func() {
		if con, err = ios.NewConsole(s.w, device); err == nil {
			d, _ := s.w.Device(device)
			booted = d.BootedAt()
		}
	})
	if err != nil {
		return
	}
	con.SetOrigin(fmt.Sprintf("%s on vty%d (%s)", u.name, line.n, line.from))
	con.SetMonitor(false) // a vty shows syslog only after `terminal monitor`
	con.SetUsers(func() []ios.UserLine { return s.users(device, line) })
	sess := &served{s: s, con: con, line: line, device: device, booted: booted}
	defer func() {
		if sess.reloaded { // the switch reloaded: every session goes
			s.dropDevice(device)
		}
	}()
	con.Login(u.privilege)
	for req := range reqs {
		switch req.Type {
		case "pty-req":
			w, h, ok := ptySize(req.Payload)
			if !ok {
				req.Reply(false, nil)
				continue
			}
			s.run.View(func() { con.SetTerminal(h, w) })
			req.Reply(true, nil)
		case "window-change":
			if len(req.Payload) >= 8 {
				w := int(binary.BigEndian.Uint32(req.Payload))
				h := int(binary.BigEndian.Uint32(req.Payload[4:]))
				s.run.View(func() { con.SetTerminal(h, w) })
			}
		case "shell":
			req.Reply(true, nil)
			shell.RunRemote(sess, ch, ch, MaxLine)
			ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
			return
		case "exec":
			var cmd struct{ Command string }
			if ssh.Unmarshal(req.Payload, &cmd) != nil || len(cmd.Command) > MaxLine {
				req.Reply(false, nil)
				continue
			}
			req.Reply(true, nil)
			out := sess.Exec(cmd.Command)
			io.WriteString(ch, strings.ReplaceAll(out, "\n", "\r\n"))
			ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
			return
		default:
			req.Reply(false, nil)
		}
	}
}

// ptySize reads the width and height of a pty-req.
func ptySize(p []byte) (w, h int, ok bool) {
	var r struct {
		Term          string
		Cols, Rows    uint32
		Width, Height uint32
		Modes         string
	}
	if ssh.Unmarshal(p, &r) != nil || r.Cols > 1000 || r.Rows > 1000 {
		return 0, 0, false
	}
	return int(r.Cols), int(r.Rows), true
}

// served is one session's console, run through the runner.
type served struct {
	s        *Server
	con      *ios.Console
	line     *vty
	device   string
	booted   time.Time // when the switch booted, as the session began
	gone     bool      // the switch reloaded under the session
	reloaded bool      // a command of this session reloaded the switch
}

func (v *served) Prompt() string {
	var p string
	v.s.run.View(func() { p = v.con.Prompt() })
	return p
}

func (v *served) Exec(line string) string {
	v.line.input.Store(time.Now().UnixNano())
	var out string
	err := v.s.run.Do(func(time.Time) error {
		d, ok := v.s.w.Device(v.device)
		if ok && d.BootedAt() != v.booted { // reloaded from elsewhere: the line is gone
			v.gone = true
			return nil
		}
		answer := v.con.Pending()
		out = v.con.Exec(line)
		if ok && d.BootedAt() != v.booted { // this command reloaded it
			v.reloaded = true
		}
		if v.s.cfg.OnCommand != nil && !answer {
			v.s.cfg.OnCommand(v.device, line)
		}
		return nil
	})
	if err != nil {
		return "% " + err.Error() + "\n" // the world could not be brought to the present
	}
	return v.s.takeNotes(v.line) + out
}

func (v *served) Help(line string) string { return v.Exec(line) }

func (v *served) Complete(line string) (string, bool) {
	var done string
	var ok bool
	v.s.run.View(func() { done, ok = v.con.Complete(line) })
	return done, ok
}

// WaitsForKey: the pager takes one key, as a vty does.
func (v *served) WaitsForKey() bool {
	var p bool
	v.s.run.View(func() { p = v.con.Paging() })
	return p
}

func (v *served) Closed() bool {
	if v.gone {
		return true
	}
	var c bool
	v.s.run.View(func() { c = v.con.Closed() })
	return c
}

// idleConn closes the connection when nothing is read for a while.
type idleConn struct {
	net.Conn
	timeout time.Duration
	authed  atomic.Bool // before the login, the grace time's deadline stands
}

func (c *idleConn) touch() { c.Conn.SetReadDeadline(time.Now().Add(c.timeout)) }

func (c *idleConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.authed.Load() {
		c.touch()
	}
	return n, err
}

// LoadOrCreateHostKey reads an ed25519 host key (OpenSSH PEM) from path,
// or creates one there, so that a served switch keeps its identity
// between runs.
func LoadOrCreateHostKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		raw, err := ssh.ParseRawPrivateKey(data)
		if err != nil {
			return nil, fmt.Errorf("host key %s: %w", path, err)
		}
		switch k := raw.(type) {
		case *ed25519.PrivateKey: // how OpenSSH's format parses
			return *k, nil
		case crypto.Signer:
			return k, nil
		}
		return nil, fmt.Errorf("host key %s: a %T cannot sign", path, raw)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("host key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "slsim host key")
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	if err := atomicfile.Write(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	return priv, nil
}

// HidesInput reports whether the console asks for a password.
func (v *served) HidesInput() bool {
	var h bool
	v.s.run.View(func() { h = v.con.HidesInput() })
	return h
}

// History is the console's history for its current mode.
func (v *served) History() []string {
	var h []string
	v.s.run.View(func() { h = slices.Clone(v.con.History()) })
	return h
}

// booting reports whether device reloaded less than BootTime ago, in
// virtual time: it does not answer yet.
func (s *Server) booting(device string) bool {
	var b bool
	s.run.Do(func(now time.Time) error { // the world brought to the present first
		if d, ok := s.w.Device(device); ok {
			b = d.BootedAt().After(s.started) && now.Before(d.BootedAt().Add(s.cfg.BootTime))
		}
		return nil
	})
	return b
}

// dropDevice closes every logged-in connection to device (it reloaded).
func (s *Server) dropDevice(device string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.logged[device] {
		c.Close()
	}
}
