package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
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

var sshLine = regexp.MustCompile(`sw1 ssh (127\.0\.0\.1:\d+)\n`)

// serveOnce runs `slsim serve` on a state directory, hands its sw1 address
// to f, then stops it as Ctrl-C does and returns what it printed.
func serveOnce(t *testing.T, state string, f func(addr string)) string {
	t.Helper()
	out := &syncBuffer{}
	cmd := &cobra.Command{}
	cmd.SetOut(out)
	cmd.SetErr(out)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, cmd, serveOptions{seed: 1, host: "127.0.0.1", port: 0, scale: 1, state: state, user: defaultUser, secret: defaultSecret})
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
}

func TestServeRefusesBadScale(t *testing.T) {
	_, err := run(t, "serve", "--scale", "0", "--state", t.TempDir())
	require.ErrorContains(t, err, "--scale")
}
