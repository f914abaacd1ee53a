package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Debian's interpreter, where python3-netmiko and python3-requests install.
const debianPython = "/usr/bin/python3"

// TestRealClients runs testdata/realclients.py — netmiko 2.4 (cisco_xe),
// the OpenSSH client and python requests over RESTCONF — against `slsim
// serve`. CI installs the clients; elsewhere the test is skipped when they
// are missing.
func TestRealClients(t *testing.T) {
	if testing.Short() {
		t.Skip("real clients take about 20 s")
	}
	probe := exec.Command(debianPython, "-c", "import netmiko, requests")
	_, sshErr := exec.LookPath("ssh")
	if err := probe.Run(); err != nil || sshErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs python3-netmiko, python3-requests and openssh-client: %v %v", err, sshErr)
		}
		t.Skip("no netmiko, requests or ssh")
	}
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error, 1)
	state := t.TempDir()
	go func() {
		done <- runServe(ctx, serveOptions{seed: 1, host: "127.0.0.1", speed: 60, pods: 1, saveEvery: time.Minute, state: state,
			user: defaultUser, secret: defaultSecret, stdout: out, stderr: out, afterStart: func() { close(started) }})
	}()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	<-started
	m := regexp.MustCompile(`sw1 ssh (\S+) https (\S+)\ntoken (\S+)\ncssm https://(\S+) client_id (\S+) client_secret (\S+)\n`).FindStringSubmatch(out.String())
	require.NotNil(t, m, out.String())
	cmd := exec.Command(debianPython, "testdata/realclients.py", m[1], m[2], m[3], defaultUser, defaultSecret)
	got, err := cmd.CombinedOutput()
	t.Logf("%s", got)
	require.NoError(t, err)
	require.Contains(t, string(got), "PASS: netmiko, OpenSSH and RESTCONF against slsim serve")

	cmd = exec.Command(debianPython, "testdata/cssmclients.py", m[4], m[5], m[6], defaultUser, defaultSecret, filepath.Join(state, "https.crt"), m[1])
	got, err = cmd.CombinedOutput()
	t.Logf("%s", got)
	require.NoError(t, err)
	require.Contains(t, string(got), "PASS: python requests against the CSSM API of slsim serve")
}

// TestKeyFirstClients runs testdata/keyfirst.py: paramiko and netmiko
// with an SSH key present, on the tolerant switch and then under the lab
// fault ssh-strict, set from serve's console as an instructor would.
func TestKeyFirstClients(t *testing.T) {
	if testing.Short() {
		t.Skip("real clients take seconds")
	}
	if err := exec.Command(debianPython, "-c", "import netmiko, paramiko").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs python3-netmiko: %v", err)
		}
		t.Skip("no netmiko")
	}
	home := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(home, ".ssh"), 0o700))
	key := filepath.Join(home, ".ssh", "id_ed25519")
	gen := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	out := &syncBuffer{}
	stdin, controls := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, serveOptions{seed: 1, host: "127.0.0.1", speed: 1, pods: 1, saveEvery: time.Minute, state: t.TempDir(),
			user: defaultUser, secret: defaultSecret, console: true, stdin: stdin, stdout: out, stderr: out, afterStart: func() { close(started) }})
	}()
	defer func() {
		cancel()
		controls.Close()
		require.NoError(t, <-done)
	}()
	<-started
	m := regexp.MustCompile(`sw1 ssh (\S+) https`).FindStringSubmatch(out.String())
	require.NotNil(t, m, out.String())
	run := func(mode, pass string) {
		cmd := exec.Command(debianPython, "testdata/keyfirst.py", mode, m[1], defaultUser, defaultSecret, key)
		cmd.Env = append(os.Environ(), "HOME="+home)
		got, err := cmd.CombinedOutput()
		t.Logf("%s", got)
		require.NoError(t, err)
		require.Contains(t, string(got), pass)
	}
	run("tolerant", "PASS: a refused key, then the password")
	_, err := io.WriteString(controls, "lab fault set ssh-strict sw1\nlab timeline 1\n")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "ssh-strict sw1") }, 5*time.Second, 10*time.Millisecond, out.String())
	run("strict", "PASS: ssh-strict and its cure")
}

// TestAnsible runs testdata/ansible/site.yml with Debian's ansible (its
// cisco.ios collection) against `slsim serve`, with an SSH key in the
// user's ~/.ssh so that paramiko offers it first, as on a network
// engineer's laptop.
func TestAnsible(t *testing.T) {
	if testing.Short() {
		t.Skip("ansible takes about 30 s")
	}
	bin, err := exec.LookPath("ansible-playbook")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI needs ansible (Debian's, with the cisco.ios collection)")
		}
		t.Skip("no ansible-playbook")
	}
	home := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(home, ".ssh"), 0o700))
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(home, ".ssh", "id_ed25519")).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, serveOptions{seed: 1, host: "127.0.0.1", speed: 1, pods: 1, saveEvery: time.Minute, state: t.TempDir(),
			user: defaultUser, secret: defaultSecret, stdout: out, stderr: out, afterStart: func() { close(started) }})
	}()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	<-started
	m := regexp.MustCompile(`sw1 ssh 127\.0\.0\.1:(\d+) https`).FindStringSubmatch(out.String())
	require.NotNil(t, m, out.String())
	inventory := filepath.Join(home, "inventory.ini")
	require.NoError(t, os.WriteFile(inventory, []byte("[switches]\nsw1 ansible_host=127.0.0.1 ansible_port="+m[1]+"\n\n"+
		"[switches:vars]\nansible_connection=ansible.netcommon.network_cli\nansible_network_os=cisco.ios.ios\n"+
		"ansible_user="+defaultUser+"\nansible_password="+defaultSecret+"\nansible_become=true\nansible_become_method=enable\n"), 0o600))
	cmd := exec.Command(bin, "-i", inventory, "testdata/ansible/site.yml")
	cmd.Env = append(os.Environ(), "HOME="+home, "ANSIBLE_HOST_KEY_CHECKING=False", "ANSIBLE_NOCOLOR=1", "ANSIBLE_LOCAL_TEMP="+filepath.Join(home, "tmp"))
	got, err := cmd.CombinedOutput()
	t.Logf("%s", got)
	require.NoError(t, err)
	require.Regexp(t, `sw1\s+: ok=\d+\s+changed=2\s+unreachable=0\s+failed=0`, string(got), "the first ios_config and the user lines changed the switch, nothing else")
}
