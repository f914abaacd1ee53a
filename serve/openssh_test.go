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
	return runOpenSSH(t, addr, stdin, append([]string{"-o", "PubkeyAuthentication=no"}, args...)...)
}

// runOpenSSH is openssh with the client's own choice of keys (its first
// value of an option wins, so openssh's PubkeyAuthentication=no cannot be
// overridden after it).
func runOpenSSH(t *testing.T, addr, stdin string, args ...string) string {
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
		"-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10", "-p", port, "admin@" + host}, args...)
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

// OpenSSH with a key in its agent offers the key first, as a user's
// client does; the switch refuses it and takes the password on the same
// connection.
func TestOpenSSHAgentKeyFirst(t *testing.T) {
	s := start(t, serve.Config{})
	agent, err := exec.LookPath("ssh-agent")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs ssh-agent (openssh-client)")
		}
		t.Skip("no ssh-agent")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "agent.sock")
	key := filepath.Join(dir, "id_ed25519")
	require.NoError(t, exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).Run())
	ag := exec.Command(agent, "-D", "-a", sock)
	require.NoError(t, ag.Start())
	t.Cleanup(func() { ag.Process.Kill(); ag.Wait() })
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	add := exec.Command("ssh-add", key)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	out, err := add.CombinedOutput()
	require.NoError(t, err, string(out))
	out2 := runOpenSSH(t, s.addr, "", "-o", "IdentityAgent="+sock, "-o", "IdentitiesOnly=no", "-v", "show privilege")
	require.Contains(t, out2, "Offering public key", "the agent's key went first")
	require.Contains(t, out2, "Current privilege level is 15")
}
