package serve_test

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/serve"
)

// 200 connections that never log in do not lock a user out: past
// MaxStartups the oldest is closed to make room, and the user logs in and
// runs a command within a generous deadline.
func TestUnauthenticatedFloodLeavesRoom(t *testing.T) {
	s := start(t, serve.Config{})
	var idle []net.Conn
	for range 200 {
		c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
		require.NoError(t, err)
		idle = append(idle, c)
	}
	t.Cleanup(func() {
		for _, c := range idle {
			c.Close()
		}
	})
	done := make(chan error, 1)
	go func() {
		c, err := dial(t, s.addr, "admin", "cisco123")
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		sess, err := c.NewSession()
		if err != nil {
			done <- err
			return
		}
		out, err := sess.Output("show license summary")
		if err == nil && len(out) == 0 {
			err = io.ErrUnexpectedEOF
		}
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the flood locked the user out")
	}
	// All but the newest MaxStartups were closed by the server.
	closed := 0
	for _, c := range idle {
		c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		buf := make([]byte, 256)
		for {
			if _, err := c.Read(buf); err != nil {
				if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
					closed++
				}
				break
			}
		}
	}
	assert.GreaterOrEqual(t, closed, 200-serve.DefaultMaxStartups)
}

// A connection that does not log in within the grace time is closed.
func TestLoginGraceTime(t *testing.T) {
	s := start(t, serve.Config{LoginGrace: 200 * time.Millisecond})
	c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
	require.NoError(t, err)
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = io.ReadAll(c) // the banner, then the server closes
	require.NoError(t, err, "closed by the server, not by our deadline")
}

// A listener whose Accept fails for a while (too many open files) does not
// stop the switch's SSH: the server waits and goes on.
func TestAcceptErrorsAreRidden(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	flaky := &flakyListener{Listener: ln, fails: 5}
	s := startOn(t, serve.Config{}, flaky)
	c, err := dial(t, s.addr, "admin", "cisco123")
	require.NoError(t, err)
	c.Close()
	assert.Equal(t, 0, flaky.fails, "every injected error was met and passed")
}

// flakyListener fails its first accepts with a temporary error.
type flakyListener struct {
	net.Listener
	fails int
}

type tempErr struct{}

func (tempErr) Error() string   { return "accept: too many open files" }
func (tempErr) Timeout() bool   { return false }
func (tempErr) Temporary() bool { return true }

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.fails > 0 {
		l.fails--
		return nil, tempErr{}
	}
	return l.Listener.Accept()
}

// 32 idle TLS connections (handshake done, no request) and 32 half-open
// ones (no handshake) do not hold a switch's 16 HTTPS slots against an
// authenticated client: the oldest idle ones are closed to make room.
func TestIdleTLSConnectionsLeaveRoom(t *testing.T) {
	s := start(t, serve.Config{AuthDelay: time.Millisecond})
	typeInto(t, s.addr, "admin", "cisco123", "configure terminal\rip http secure-server\rrestconf\rend\rexit\r")
	var held []net.Conn
	t.Cleanup(func() {
		for _, c := range held {
			c.Close()
		}
	})
	for range 32 {
		c, err := tls.Dial("tcp", s.https, &tls.Config{InsecureSkipVerify: true}) // a lab certificate on loopback
		require.NoError(t, err)
		held = append(held, c)
	}
	for range 32 {
		c, err := net.DialTimeout("tcp", s.https, 5*time.Second)
		require.NoError(t, err)
		held = append(held, c)
	}
	done := make(chan error, 1)
	go func() {
		resp, err := getState(t, restconfClient(), s.https, "admin", "cisco123")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("idle TLS connections kept the client waiting")
	}
}

// The switch's own `ip ssh time-out` and `ip ssh maxstartups` set the
// login grace and the bound on connections logging in.
func TestIPSSHSettings(t *testing.T) {
	s := start(t, serve.Config{})
	typeInto(t, s.addr, "admin", "cisco123", "configure terminal\rip ssh time-out 1\rip ssh maxstartups 2\rend\rexit\r")
	var idle []net.Conn
	for range 5 {
		c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
		require.NoError(t, err)
		idle = append(idle, c)
		defer c.Close()
	}
	closedBy := func(c net.Conn, within time.Duration) bool {
		c.SetReadDeadline(time.Now().Add(within))
		_, err := io.ReadAll(c)
		return err == nil // EOF from the server, not our deadline
	}
	closed := 0
	for _, c := range idle[:3] {
		if closedBy(c, 200*time.Millisecond) {
			closed++
		}
	}
	assert.Equal(t, 3, closed, "maxstartups 2: the three oldest make room")
	assert.True(t, closedBy(idle[4], 10*time.Second), "time-out 1: closed after a second")
}
