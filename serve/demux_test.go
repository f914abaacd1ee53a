package serve_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/runner"
	"github.com/slsim/slsim/scenario"
	"github.com/slsim/slsim/serve"
)

// openFiles counts the process's open file descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(fds)
}

// Under Loopback the switches of an estate share one listening socket per
// protocol: 60 switches open a handful of descriptors, not 120, and each
// connection still reaches the switch whose address it was made to.
func TestLoopbackSharesOneSocketPerProtocol(t *testing.T) {
	var b strings.Builder
	for i := range 60 {
		fmt.Fprintf(&b, "device sw%02d version 17.3.1 level network-advantage\n  switch C9300-24P x1\n", i)
	}
	l, err := scenario.NewEstate(1, strings.NewReader(b.String()))
	require.NoError(t, err)
	for _, n := range l.World.Devices() {
		require.NoError(t, l.World.Configure(n, "username", func(c *device.Config) error {
			c.Users = append(c.Users, device.User{Name: "admin", Privilege: 15, Secret: "cisco123"})
			return nil
		}))
	}
	r, err := runner.New(clock.NewMock(), l.World, 1)
	require.NoError(t, err)
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	dir := t.TempDir()
	cert, err := serve.LoadOrCreateCertificate(filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem"), []string{"127.0.0.1"})
	require.NoError(t, err)
	before := openFiles(t)
	srv, err := serve.New(r, l.World, serve.Config{Loopback: true, HostKey: key, Certificate: cert, CSSMPort: -1})
	require.NoError(t, err)
	opened := openFiles(t) - before
	assert.LessOrEqual(t, opened, 4, "two shared sockets (SSH, HTTPS), not two per switch")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	defer func() {
		cancel()
		<-done
		assert.LessOrEqual(t, openFiles(t), before+2, "the shared sockets closed with the server")
	}()

	addrs := srv.Addrs()
	port := ""
	for _, n := range []string{"sw00", "sw31", "sw59"} {
		host, p, err := net.SplitHostPort(addrs[n].SSH)
		require.NoError(t, err)
		if port == "" {
			port = p
		}
		assert.Equal(t, port, p, "one port for every switch")
		c, err := ssh.Dial("tcp", addrs[n].SSH, &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password("cisco123")},
			HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
		require.NoError(t, err, host)
		sess, err := c.NewSession()
		require.NoError(t, err)
		out, err := sess.Output("show running-config | include hostname")
		require.NoError(t, err)
		assert.Equal(t, "hostname "+n+"\r\n", string(out), "the switch at %s", host)
		c.Close()
	}
	// An address no switch has is refused.
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.250", port), 2*time.Second)
	if err == nil {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, rerr := c.Read(make([]byte, 1))
		assert.Error(t, rerr, "closed at once")
		c.Close()
	}
}
