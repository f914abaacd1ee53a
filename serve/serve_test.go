package serve_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/runner"
	"github.com/slsim/slsim/scenario"
	"github.com/slsim/slsim/serve"
	"github.com/slsim/slsim/sim"
)

type served struct {
	srv   *serve.Server
	run   *runner.Runner // the world's only actor while the server runs
	clock *clock.Mock
	w     *sim.World
	addr  string
	https string
	token string
	stop  func()
	done  chan error
}

// start serves the healthy lab's sw1 on loopback, with an admin at
// privilege 15 and an operator at privilege 1.
func start(t testing.TB, cfg serve.Config) *served {
	t.Helper()
	return startOn(t, cfg, nil)
}

// startOn is start with the switch's SSH listener given (nil: its own).
func startOn(t testing.TB, cfg serve.Config, sshLn net.Listener) *served {
	t.Helper()
	if sshLn != nil {
		first := true
		cfg.Listen = func(network, addr string) (net.Listener, error) {
			if first {
				first = false
				return sshLn, nil
			}
			return net.Listen(network, addr)
		}
	}
	l, err := scenario.NewLab(1)
	require.NoError(t, err)
	require.NoError(t, l.World.Configure(l.Device, "username", func(c *device.Config) error {
		c.Users = append(c.Users, device.User{Name: "admin", Privilege: 15, Secret: "cisco123"}, device.User{Name: "oper", Privilege: 1, Secret: "look"})
		return nil
	}))
	mock := clock.NewMock()
	r, err := runner.New(mock, l.World, 1)
	require.NoError(t, err)
	_, cfg.HostKey, err = ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	if cfg.Certificate == nil {
		dir := t.TempDir()
		cfg.Certificate, err = serve.LoadOrCreateCertificate(filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem"), []string{"127.0.0.1"})
		require.NoError(t, err)
	}
	srv, err := serve.New(r, l.World, cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	s := &served{srv: srv, run: r, clock: mock, w: l.World, addr: srv.Addrs()[l.Device].SSH, https: srv.Addrs()[l.Device].HTTPS, token: l.Token, stop: cancel, done: done}
	if !cfg.Loopback {
		require.True(t, strings.HasPrefix(s.addr, "127.0.0.1:"), s.addr)
	}
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return s
}

func dial(t testing.TB, addr, user, password string) (*ssh.Client, error) {
	t.Helper()
	return ssh.Dial("tcp", addr, &ssh.ClientConfig{
		User:            user,
		Auth:            []ssh.AuthMethod{ssh.Password(password)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
		Timeout:         10 * time.Second,
	})
}

func TestRefusesWrongPasswordsAndUnknownUsers(t *testing.T) {
	s := start(t, serve.Config{AuthDelay: time.Millisecond})
	_, err := dial(t, s.addr, "admin", "wrong")
	require.ErrorContains(t, err, "unable to authenticate")
	_, err = dial(t, s.addr, "nobody", "cisco123")
	require.ErrorContains(t, err, "unable to authenticate")
}

// An exec request runs one command at the user's privilege, and answers
// what a console on the same switch prints.
func TestExecRunsOneCommand(t *testing.T) {
	s := start(t, serve.Config{})
	c, err := dial(t, s.addr, "admin", "cisco123")
	require.NoError(t, err)
	defer c.Close()
	sess, err := c.NewSession()
	require.NoError(t, err)
	out, err := sess.Output("show license summary")
	require.NoError(t, err)

	con, err := ios.NewConsole(s.w, "sw1")
	require.NoError(t, err)
	con.Exec("enable")
	want := strings.ReplaceAll(con.Exec("show license summary"), "\n", "\r\n")
	require.Equal(t, want, string(out))
	require.Contains(t, string(out), "Smart Licensing is ENABLED")
}

// shellOn logs in and opens a shell on a rows×cols pty; the connection
// closes when the test ends.
func shellOn(t testing.TB, addr, user, password string, rows, cols int) (*ssh.Session, io.Writer, io.Reader) {
	t.Helper()
	c, err := dial(t, addr, user, password)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	sess, err := c.NewSession()
	require.NoError(t, err)
	require.NoError(t, sess.RequestPty("vt100", rows, cols, ssh.TerminalModes{}))
	in, err := sess.StdinPipe()
	require.NoError(t, err)
	out, err := sess.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, sess.Shell())
	return sess, in, out
}

// typeInto logs in, opens a shell on an 80×24 pty, types input and
// returns what the session printed until it closed.
func typeInto(t *testing.T, addr, user, password, input string) string {
	t.Helper()
	sess, in, out := shellOn(t, addr, user, password, 24, 80)
	_, err := io.WriteString(in, input)
	require.NoError(t, err)
	var got bytes.Buffer
	_, err = io.Copy(&got, out)
	require.NoError(t, err)
	require.NoError(t, sess.Wait())
	return got.String()
}

// A shell on a pty is a vty line: the prompt of the user's privilege,
// echo, CR LF line ends, configuration logged with who made it.
func TestShellIsAnIOSLine(t *testing.T) {
	s := start(t, serve.Config{})
	lines := []string{"terminal length 0", "show license status", "configure terminal", "hostname core1", "end", "terminal monitor", "configure terminal", "end", "exit"}
	got := typeInto(t, s.addr, "admin", "cisco123", strings.Join(lines, "\r")+"\r")
	require.Contains(t, got, "sw1#show license status\r\n")
	require.Contains(t, got, "Smart Licensing is ENABLED\r\n")
	require.Contains(t, got, "core1(config)#end")
	require.Equal(t, 1, strings.Count(got, "%SYS-5-CONFIG_I: Configured from console by admin on vty0 (127.0.0.1)\r\n"),
		"syslog shows on a vty only after terminal monitor")
	require.NotContains(t, strings.ReplaceAll(got, "\r\n", ""), "\n", "every line end is CR LF")
	d, _ := s.w.Device("sw1")
	require.Equal(t, "core1", d.Running().Hostname, "the session configured the switch itself")
}

func TestLowPrivilegeLandsInUserExec(t *testing.T) {
	s := start(t, serve.Config{})
	got := typeInto(t, s.addr, "oper", "look", "configure terminal\rexit\r")
	require.Contains(t, got, "sw1>configure terminal\r\n")
	require.Contains(t, got, "% Invalid input detected at '^' marker.")
}

func TestSessionsAreBounded(t *testing.T) {
	s := start(t, serve.Config{MaxSessions: 1})
	c, err := dial(t, s.addr, "admin", "cisco123")
	require.NoError(t, err)
	defer c.Close()
	first, err := c.NewSession()
	require.NoError(t, err)
	defer first.Close()
	_, err = c.NewSession()
	require.ErrorContains(t, err, "all vty lines are in use")
}

func TestIdleSessionsAreClosed(t *testing.T) {
	s := start(t, serve.Config{IdleTimeout: 200 * time.Millisecond})
	c, err := dial(t, s.addr, "admin", "cisco123")
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() { errc <- c.Wait() }()
	select {
	case <-errc:
	case <-time.After(10 * time.Second):
		t.Fatal("idle connection still open")
	}
}

func TestShutdownEndsSessions(t *testing.T) {
	s := start(t, serve.Config{})
	c, err := dial(t, s.addr, "admin", "cisco123")
	require.NoError(t, err)
	s.stop()
	require.NoError(t, <-s.done)
	s.done <- nil // for the cleanup
	require.Error(t, c.Wait())
	_, err = dial(t, s.addr, "admin", "cisco123")
	require.Error(t, err, "the listener is closed")
}

func TestHostKeyIsKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "ssh_host_ed25519_key")
	a, err := serve.LoadOrCreateHostKey(path)
	require.NoError(t, err)
	b, err := serve.LoadOrCreateHostKey(path)
	require.NoError(t, err)
	require.Equal(t, a.Public(), b.Public())
}

// The line editor is IOS's on a vty: plain echo, '?' then the line again,
// Backspace as "\b \b", Ctrl-U erasing, Up recalling the last command,
// Ctrl-C leaving configuration mode.
func TestLineEditing(t *testing.T) {
	s := start(t, serve.Config{})
	got := typeInto(t, s.addr, "admin", "cisco123", "show licx\x7f?\x15show clock\r\x1b[A\rconfigure terminal\r\x03exit\r")
	require.NotContains(t, got, "\x1b", "no escape sequences")
	require.Contains(t, got, "sw1#show licx\b \b?\r\nlicense\r\n\r\nsw1#show lic"+strings.Repeat("\b \b", 8)+"show clock\r\n")
	require.Contains(t, got, "\r\nsw1#show clock\r\n", "Up recalled the command")
	require.Equal(t, 2, strings.Count(got, "UTC Mon Mar 4 2024\r\n"), "and Return ran it")
	require.Contains(t, got, "sw1(config)#^C\r\n")
	require.Contains(t, got, "sw1#exit\r\n")
}

// BenchmarkExecSession measures one served command: a session opened on a
// logged-in connection, `show license summary` run, the session closed.
func BenchmarkExecSession(b *testing.B) {
	s := start(b, serve.Config{})
	c, err := dial(b, s.addr, "admin", "cisco123")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ResetTimer()
	for b.Loop() {
		sess, err := c.NewSession()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sess.Output("show license summary"); err != nil {
			b.Fatal(err)
		}
	}
}

// The pager takes one key as typed, as on a vty: a space for the next
// screen, q to stop, no Return.
func TestPagerTakesOneKey(t *testing.T) {
	s := start(t, serve.Config{})
	_, in, stdout := shellOn(t, s.addr, "admin", "cisco123", 10, 80)
	var got bytes.Buffer
	// read reads new output until it ends with until.
	read := func(until string) {
		t.Helper()
		buf := make([]byte, 4096)
		deadline := time.Now().Add(10 * time.Second)
		from := got.Len()
		for got.Len() == from || !strings.HasSuffix(got.String(), until) {
			require.True(t, time.Now().Before(deadline), "waiting for %q in %q", until, got.String())
			n, err := stdout.Read(buf)
			require.NoError(t, err)
			got.Write(buf[:n])
		}
	}
	read("sw1#")
	io.WriteString(in, "show license all\r")
	read(" --More-- ")
	first := got.Len()
	io.WriteString(in, " ") // one key, no Return
	read(" --More-- ")
	require.Greater(t, got.Len(), first, "a space showed the next screen")
	io.WriteString(in, "q")
	read("sw1#")
	require.NotContains(t, got.String(), "Reservation Info", "q stopped the output before its end")
}
