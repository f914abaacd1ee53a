package serve_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/serve"
)

// openssh runs the OpenSSH client against a served switch, giving the
// password through SSH_ASKPASS. CI installs the client; elsewhere the test
// is skipped when it is missing.
func openssh(t *testing.T, addr, stdin string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("ssh")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs the OpenSSH client (openssh-client)")
		}
		t.Skip("no OpenSSH client")
	}
	dir := t.TempDir()
	askpass := filepath.Join(dir, "askpass")
	require.NoError(t, os.WriteFile(askpass, []byte("#!/bin/sh\necho cisco123\n"), 0o700))
	host, port, _ := strings.Cut(addr, ":")
	all := append([]string{"-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "LogLevel=ERROR", "-o", "PubkeyAuthentication=no", "-o", "ConnectTimeout=10", "-p", port, "admin@" + host}, args...)
	cmd := exec.Command(bin, all...)
	cmd.Env = append(os.Environ(), "SSH_ASKPASS="+askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0")
	cmd.Stdin = strings.NewReader(stdin)
	done := make(chan struct{})
	var out []byte
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("ssh did not finish")
	}
	require.NoError(t, err, string(out))
	return string(out)
}

func TestOpenSSHExec(t *testing.T) {
	s := start(t, serve.Config{})
	out := openssh(t, s.addr, "", "show license summary")
	require.Contains(t, out, "Smart Licensing is ENABLED\r\n")
}

func TestOpenSSHShell(t *testing.T) {
	s := start(t, serve.Config{})
	out := openssh(t, s.addr, "terminal length 0\nshow version | include uptime\nexit\n", "-tt")
	require.Contains(t, out, "sw1#show version | include uptime\r\nsw1 uptime is 0 minutes\r\n")
	require.NotContains(t, out, "\x1b", "no escape sequences")
}
