package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/slsim/slsim/scenario"
	"github.com/slsim/slsim/sim"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var sshLine = regexp.MustCompile(`sw1 ssh (127\.0\.0\.1:\d+) https (127\.0\.0\.1:\d+)\n`)

// serveOnce runs `slsim serve` on a state directory, hands its sw1 address
// to f, then stops it as Ctrl-C does and returns what it printed.
func serveOnce(t *testing.T, state string, f func(addr string)) string {
	t.Helper()
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, serveOptions{seed: 1, host: "127.0.0.1", speed: 1, pods: 1, saveEvery: time.Minute, state: state,
			user: defaultUser, secret: defaultSecret, stdout: out, stderr: out})
	}()
	var addr string
	require.Eventually(t, func() bool {
		m := sshLine.FindStringSubmatch(out.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, out.String())
	f(addr)
	cancel()
	require.NoError(t, <-done)
	return out.String()
}

func login(t *testing.T, addr string, key *[]byte) *ssh.Client {
	t.Helper()
	c, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{
		User: defaultUser,
		Auth: []ssh.AuthMethod{ssh.Password(defaultSecret)},
		HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error {
			*key = k.Marshal()
			return nil
		},
		Timeout: 10 * time.Second,
	})
	require.NoError(t, err)
	return c
}

// A served world outlives the server: what a session configured, and the
// switch's host key, are there after a restart.
func TestServeKeepsTheWorld(t *testing.T) {
	state := t.TempDir()
	var key1, key2 []byte
	first := serveOnce(t, state, func(addr string) {
		c := login(t, addr, &key1)
		defer c.Close()
		sess, err := c.NewSession()
		require.NoError(t, err)
		require.NoError(t, sess.RequestPty("vt100", 24, 80, ssh.TerminalModes{}))
		in, _ := sess.StdinPipe()
		sess.Stdout = io.Discard
		require.NoError(t, sess.Shell())
		io.WriteString(in, "configure terminal\rhostname kept\rend\rexit\r")
		require.NoError(t, sess.Wait())
	})
	require.Contains(t, first, "new world in "+state)
	require.Contains(t, first, "world saved to ")

	second := serveOnce(t, state, func(addr string) {
		c := login(t, addr, &key2)
		defer c.Close()
		sess, err := c.NewSession()
		require.NoError(t, err)
		out, err := sess.Output("show running-config | include hostname")
		require.NoError(t, err)
		require.Equal(t, "hostname kept\r\n", string(out))
	})
	require.Contains(t, second, "world loaded from ")
	require.Equal(t, key1, key2, "the host key is kept")

	// What the state holds is the owner's alone: the world (tokens, API
	// secrets) and the keys 0600, the directory 0700.
	for name, mode := range map[string]os.FileMode{"world.json": 0o600, "ssh_host_ed25519_key": 0o600, "https.key": 0o600, "https.crt": 0o644} {
		st, err := os.Stat(filepath.Join(state, name))
		require.NoError(t, err)
		assert.Equal(t, mode, st.Mode().Perm(), name)
	}
	st, err := os.Stat(state)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), st.Mode().Perm())

	// A temporary file left by a save a crash interrupted is swept at start.
	left := filepath.Join(state, ".world.json.tmp-4242")
	require.NoError(t, os.WriteFile(left, []byte("{half"), 0o600))
	third := serveOnce(t, state, func(string) {})
	assert.Contains(t, third, "removed 1 temporary files that an interrupted save left in "+state)
	_, err = os.Stat(left)
	assert.ErrorIs(t, err, os.ErrNotExist)

	// A lost certificate is not made anew over the key that is left.
	require.NoError(t, os.Remove(filepath.Join(state, "https.crt")))
	key, err := os.ReadFile(filepath.Join(state, "https.key"))
	require.NoError(t, err)
	err = runServe(context.Background(), serveOptions{seed: 1, host: "127.0.0.1", speed: 1, pods: 1, saveEvery: time.Minute, state: state,
		user: defaultUser, secret: defaultSecret, stdout: io.Discard, stderr: io.Discard})
	assert.ErrorContains(t, err, "only one of")
	again, rerr := os.ReadFile(filepath.Join(state, "https.key"))
	require.NoError(t, rerr)
	assert.Equal(t, key, again, "the key is untouched")
}

func TestServeRefusesBadFlags(t *testing.T) {
	for flag, value := range map[string]string{"--speed": "0", "--pods": "0", "--save-every": "10ms", "--scenario": "42", "--restconf-errors": "oops",
		"--exercise": "42", "--lang": "fr"} {
		_, err := run(t, "serve", flag, value, "--state", t.TempDir(), "--console=false")
		require.ErrorContains(t, err, flag)
	}
	_, err := run(t, "serve", "--scenario", "5", "--exercise", "5", "--state", t.TempDir(), "--console=false")
	require.ErrorContains(t, err, "choose one")
	// Beyond loopback, the documented default password is refused.
	_, err = run(t, "serve", "--host", "0.0.0.0", "--state", t.TempDir(), "--console=false")
	require.ErrorContains(t, err, "give --password")
	_, err = run(t, "serve", "--host", "192.0.2.1", "--password", "cisco", "--state", t.TempDir(), "--console=false", "--ssh-port-base", "-5")
	assert.NotContains(t, fmt.Sprint(err), "give --password", "a password given, even the default, is the user's choice")
	for _, host := range []string{"127.0.0.1", "localhost", "::1", "127.0.0.2"} {
		assert.True(t, loopbackHost(host), host)
	}
	assert.False(t, loopbackHost("0.0.0.0"))
}

// The operator console runs lab controls on the served world through its
// runner: `lab advance` moves the world the sessions see, and `quit`
// stops the server, which saves the world.
func TestServeOperatorConsole(t *testing.T) {
	state := t.TempDir()
	out := &syncBuffer{}
	in, feed := io.Pipe()
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- runServe(context.Background(), serveOptions{seed: 1, host: "127.0.0.1", speed: 1, pods: 2, saveEvery: time.Second, state: state,
			user: defaultUser, secret: defaultSecret, console: true, stdin: in, stdout: out, stderr: out, afterStart: func() { close(started) }})
	}()
	<-started
	require.Contains(t, out.String(), "pod1 sw1 ssh 127.0.0.1:")
	require.Contains(t, out.String(), "pod2 sw1 ssh 127.0.0.1:")
	tokens := regexp.MustCompile(`pod\d token (\S+)`).FindAllStringSubmatch(out.String(), -1)
	require.Len(t, tokens, 2)
	require.NotEqual(t, tokens[0][1], tokens[1][1], "each pod has its own token")
	require.Eventually(t, func() bool {
		_, err1 := os.Stat(filepath.Join(state, "pod1", "world.json"))
		_, err2 := os.Stat(filepath.Join(state, "pod2", "world.json"))
		return err1 == nil && err2 == nil
	}, 10*time.Second, 50*time.Millisecond, "saved on the interval, before any shutdown")

	io.WriteString(feed, "pod 2\nlab advance 30d\nlab time\nshow license summary | include Remaining\nlab scenario 1\npod 1\nlab time\nquit\n")
	require.NoError(t, <-done)
	text := out.String()
	require.Contains(t, text, "pod2\nnow 2024-04-03T10:00:")
	require.Contains(t, text, "Wed Apr 3 10:00:", "lab time in pod 2")
	require.Contains(t, text, "Evaluation Period Remaining: 59 days")
	require.Contains(t, text, "% lab: this world is served and cannot be replaced here")
	require.Contains(t, text, "Mon Mar 4 10:00:", "pod 1 kept its own time")
	require.Contains(t, text, "world saved to "+filepath.Join(state, "pod2", "world.json"))
}

// A saved world with no switch is refused with the reason, not served.
func TestServeRefusesAWorldWithoutSwitches(t *testing.T) {
	state := t.TempDir()
	w, err := sim.New(sim.Config{Start: scenario.Start, Seed: 1})
	require.NoError(t, err)
	data, err := w.Save()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(state, "world.json"), data, 0o600))
	err = runServe(context.Background(), serveOptions{seed: 1, host: "127.0.0.1", speed: 1, pods: 1, saveEvery: time.Minute, state: state,
		user: defaultUser, secret: defaultSecret, stdout: io.Discard, stderr: io.Discard})
	assert.ErrorContains(t, err, "the world has no switch to serve")
}
