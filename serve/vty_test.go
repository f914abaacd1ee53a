package serve_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/serve"
	"github.com/slsim/slsim/sim"
)

// The vty editor's keys, typed through x/crypto/ssh on a pty: cursor
// moves (arrows, Ctrl-B/F), Home/End in their three encodings, Ctrl-A/E,
// Ctrl-K, Ctrl-W, Delete, Ctrl-P/N, and a history per mode. Each edited
// line is checked by what it ran, and no escape sequence is echoed back
// nor a '~' leaked by the End key.
func TestEditorKeys(t *testing.T) {
	s := start(t, serve.Config{})
	keys := strings.Join([]string{
		"terminal length 0",
		"show clck\x1b[D\x1b[Do",                                   // Left twice, then insert: show clock
		"how clock detail\x1b[Hs\x1b[4~",                           // Home, insert, End (VT220's ESC [ 4 ~)
		"ow privilege\x01sh\x05",                                   // Ctrl-A, Ctrl-E
		"show users extra\x17",                                     // Ctrl-W drops "extra"
		"show versionXX\x02\x02\x0b",                               // Ctrl-B twice, Ctrl-K
		"show hiXstory\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[3~", // Delete under the cursor
		"configure terminal",
		"hostname core1",
		"\x10", // Ctrl-P in configuration mode: its own history
		"end",
		"\x1b[A\x1bOA\x0e", // Up twice (both encodings), Ctrl-N: the EXEC history's last
		"end",
		"exit",
	}, "\r") + "\r"
	got := typeInto(t, s.addr, "admin", "cisco123", keys)
	require.NotContains(t, got, "\x1b", "no escape sequences echoed")
	require.NotContains(t, got, "~", "the End key's final byte is not echoed")
	require.Contains(t, got, "UTC Mon Mar 4 2024\r\nNo time source\r\n", "show clock detail ran")
	require.Equal(t, 1, strings.Count(got, "Current privilege level is 15\r\n"), "show privilege ran")
	require.Contains(t, got, "*  2 vty 0     admin", "show users ran without the word erased")
	require.Contains(t, got, "Cisco IOS XE Software", "show version ran after Ctrl-K")
	require.Contains(t, got, "\r\n  terminal length 0\r\n  show clock\r\n  show clock detail\r\n  show privilege\r\n  show users\r\n  show version\r\n  show history\r\n",
		"show history ran, listing what each edited line became")
	require.Contains(t, got, "core1(config)#hostname core1", "Ctrl-P recalled configuration mode's last command")
	require.Equal(t, 2, strings.Count(got, "configure terminal\r\nEnter configuration commands"), "Up, Up, Down recalled EXEC's last command, and it ran")
}

// A refused key, then the password, on one connection: paramiko sends a
// service request before each method, and the server goes on as OpenSSH's
// does; under the lab fault ssh-strict it drops the connection instead.
func TestKeyFirstThenPassword(t *testing.T) {
	s := start(t, serve.Config{AuthDelay: time.Millisecond})
	_, key, err := edKey()
	require.NoError(t, err)
	c, err := ssh.Dial("tcp", s.addr, &ssh.ClientConfig{User: "admin", HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
		Auth: []ssh.AuthMethod{ssh.PublicKeys(key), ssh.Password("cisco123")}})
	require.NoError(t, err, "the key is refused, the password taken")
	c.Close()

	// authentication-retries: with one, a wrong password leaves no
	// second try. (A signed key refused counts too: paramiko's, in
	// testdata/keyfirst.py; x/crypto/ssh only asks whether a key would do.)
	require.NoError(t, s.act(func(w *sim.World) error {
		return w.Configure("sw1", "retries", func(c *device.Config) error { c.SSHRetries = 1; return nil })
	}))
	tries := 0
	_, err = ssh.Dial("tcp", s.addr, &ssh.ClientConfig{User: "admin", HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
		Auth: []ssh.AuthMethod{ssh.RetryableAuthMethod(ssh.PasswordCallback(func() (string, error) {
			tries++
			return []string{"wrong", "cisco123"}[min(tries-1, 1)], nil
		}), 3)}})
	require.Error(t, err)
	require.Equal(t, 1, tries)
	require.NoError(t, s.act(func(w *sim.World) error {
		return w.Configure("sw1", "retries", func(c *device.Config) error { c.SSHRetries = 0; return nil })
	}))

	// x/crypto/ssh's client asks for the service once, so it gets in
	// under ssh-strict too; testdata/keyfirst.py in cmd/slsim shows
	// paramiko refused there.
	require.NoError(t, s.act(func(w *sim.World) error {
		return w.SetFault(sim.Fault{Kind: sim.FaultSSHStrict, Target: "sw1", On: true})
	}))
	c, err = ssh.Dial("tcp", s.addr, &ssh.ClientConfig{User: "admin", HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
		Auth: []ssh.AuthMethod{ssh.PublicKeys(key), ssh.Password("cisco123")}})
	require.NoError(t, err)
	c.Close()
}

func edKey() (ed25519.PublicKey, ssh.Signer, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	s, err := ssh.NewSignerFromKey(priv)
	return pub, s, err
}

// readUntil reads r until what it read contains want.
func readUntil(t *testing.T, r io.Reader, want string) string {
	t.Helper()
	var got []byte
	buf := make([]byte, 4096)
	for !strings.Contains(string(got), want) {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		require.NoError(t, err, "before %q in %q", want, got)
	}
	return string(got)
}

// Sessions take the lowest free vty line, as `show users` and the
// CONFIG_I line name it; a closed session frees its line.
func TestVtyLinesAreNumbered(t *testing.T) {
	s := start(t, serve.Config{})
	first, in1, out1 := shellOn(t, s.addr, "admin", "cisco123", 24, 80)
	_, in2, out2 := shellOn(t, s.addr, "admin", "cisco123", 24, 80)
	readUntil(t, out1, "sw1#")
	readUntil(t, out2, "sw1#")
	in2.Write([]byte("show users\r"))
	users := readUntil(t, out2, "Peer Address")
	require.Contains(t, users, "   2 vty 0     admin      idle")
	require.Contains(t, users, "*  3 vty 1     admin      idle")
	in1.Write([]byte("exit\r"))
	require.NoError(t, first.Wait())
	got := typeInto(t, s.addr, "admin", "cisco123", "terminal monitor\rconfigure terminal\rend\rexit\r")
	require.Contains(t, got, "Configured from console by admin on vty0 (127.0.0.1)", "vty 0 was free again")
	in2.Write([]byte("exit\r"))
}

// enable over SSH: the Password: prompt does not echo what is typed.
func TestEnablePasswordIsNotEchoed(t *testing.T) {
	s := start(t, serve.Config{})
	require.NoError(t, s.act(func(w *sim.World) error {
		return w.Configure("sw1", "enable", func(c *device.Config) error { c.EnableSecret = "hush"; return nil })
	}))
	got := typeInto(t, s.addr, "oper", "look", "enable\rnope\rhush\rshow privilege\rexit\r")
	require.Contains(t, got, "sw1>enable\r\nPassword: \r\nPassword: \r\nsw1#show privilege\r\nCurrent privilege level is 15\r\n")
	require.NotContains(t, got, "hush")
	require.NotContains(t, got, "nope")
}

// reload over SSH asks as on the console: Save? (again after an empty
// answer), Building configuration, then the confirmation. The switch then
// closes every session, refuses connections for its boot time, and
// answers again with the saved configuration and its uptime from the boot.
func TestReloadOverSSH(t *testing.T) {
	s := start(t, serve.Config{BootTime: 2 * time.Minute})
	s.clock.Add(time.Minute) // the switch has been up a minute
	other, _, _ := shellOn(t, s.addr, "admin", "cisco123", 24, 80)
	got := typeInto(t, s.addr, "admin", "cisco123", "configure terminal\rhostname core1\rend\rreload\r\ryes\r\r")
	require.Contains(t, got, "core1#reload\r\n\r\nSystem configuration has been modified. Save? [yes/no]: \r\n"+
		"% Please answer 'yes' or 'no'.\r\n\r\nSystem configuration has been modified. Save? [yes/no]: yes\r\n"+
		"Building configuration...\r\n[OK]\r\nProceed with reload? [confirm]\r\n")
	require.Error(t, other.Wait(), "the other session closed with the switch")
	_, err := dial(t, s.addr, "admin", "cisco123")
	require.Error(t, err, "a booting switch does not answer")
	s.clock.Add(2*time.Minute + time.Second)
	c, err := dial(t, s.addr, "admin", "cisco123")
	require.NoError(t, err, "booted")
	defer c.Close()
	sess, err := c.NewSession()
	require.NoError(t, err)
	out, err := sess.Output("show version | include uptime is")
	require.NoError(t, err)
	require.Equal(t, "core1 uptime is 2 minutes\r\n", string(out), "the saved hostname, the uptime from the reload")
}

// Help long enough to page is paged like any output: after its last
// screen the prompt comes back with the line typed, and the next key
// starts the next line (no extra Return).
func TestPagedHelp(t *testing.T) {
	s := start(t, serve.Config{})
	got := typeInto(t, s.addr, "admin", "cisco123", "terminal length 6\rconfigure terminal\r?"+strings.Repeat(" ", 30)+"end\rexit\r")
	require.Contains(t, got, " --More-- ", "the help was paged")
	// The spaces past the last screen are typed into the next line, which
	// IOS ignores before a command.
	require.Contains(t, got, "username     Establish User Name Authentication\r\n", "the help was shown to its end")
	require.Regexp(t, `\nsw1\(config\)# *end\r\nsw1#exit\r\n$`, got, "the prompt came back, and end ran as typed")
}

// act runs f on the served world through its runner, as the server's own
// sessions do, so that it does not race them.
func (s *served) act(f func(w *sim.World) error) error {
	return s.run.Do(func(time.Time) error { return f(s.w) })
}

// Send shows a message on every session of the switch, as IOS's `send *`
// does, before the session's next answer, once.
func TestSendReachesEverySession(t *testing.T) {
	s := start(t, serve.Config{})
	c, err := dial(t, s.addr, "admin", "cisco123")
	require.NoError(t, err)
	defer c.Close()
	sess, err := c.NewSession()
	require.NoError(t, err)
	require.NoError(t, sess.RequestPty("vt100", 24, 80, ssh.TerminalModes{}))
	in, _ := sess.StdinPipe()
	var out syncBuf
	sess.Stdout = &out
	require.NoError(t, sess.Shell())
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "sw1#") }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, 1, s.srv.Send("sw1", "the instructor", "Look at show call-home profile all."))
	assert.Equal(t, 0, s.srv.Send("sw9", "the instructor", "nobody"))
	io.WriteString(in, "show clock\r")
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "Look at show call-home profile all.") }, 5*time.Second, 10*time.Millisecond)
	assert.Contains(t, out.String(), "***\r\n*** Message from the instructor to all terminals:\r\n***\r\nLook at show call-home profile all.\r\n")
	io.WriteString(in, "show clock\rexit\r")
	sess.Wait()
	assert.Equal(t, 1, strings.Count(out.String(), "Look at show"), "once")
}

// syncBuf is a buffer a session writes to while the test reads it.
type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
