package lab_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/lab"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func lines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

// A whole session: every renderer in EVAL MODE, AUTHORIZED, with a failed
// communication, OUT OF COMPLIANCE and after deregistration, and the
// console's parsing, help, filters, modes and prompts.
func TestSessionTranscript(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	golden(t, "testdata/session.golden", s.Transcript(lines(t, "testdata/session.lab")))
}

func TestDemoScript(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	out := s.Transcript(lines(t, "../examples/lab/demo.lab"))
	golden(t, "testdata/demo.golden", out)
	assert.Contains(t, out, "  Status: AUTHORIZATION EXPIRED on ")
	assert.True(t, strings.HasSuffix(out, "no open alerts\n") || strings.Contains(out, "Insufficient"), out[len(out)-200:])
}

func TestSaveAndLoad(t *testing.T) {
	dir := t.TempDir()
	s, err := lab.New(2)
	require.NoError(t, err)
	s.Transcript([]string{"enable", "license smart register idtoken $TOKEN", "lab advance 2d", "lab save " + dir + "/lab.json"})
	rest := []string{"lab advance 40d", "show license status", "lab timeline 8"}
	outputs := func(s *lab.Session) string {
		var b strings.Builder
		for _, l := range rest {
			b.WriteString(s.Exec(l))
		}
		return b.String()
	}
	want := outputs(s)

	t2, err := lab.New(3)
	require.NoError(t, err)
	out := t2.Exec("lab load " + dir + "/lab.json")
	assert.Contains(t, out, "loaded")
	assert.Equal(t, "sw1>", t2.Prompt(), "a loaded lab starts in user EXEC")
	assert.Equal(t, want, outputs(t2))
	assert.Contains(t, t2.Exec("lab load "+dir+"/missing.json"), "% lab: ")
}

func TestScenarioLoad(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	out := s.Transcript([]string{"lab scenario 7", "enable", "show license status | include PENDING|Waiting", "configure terminal",
		"crypto pki trustpoint SLA-TrustPoint", "revocation-check none", "end", "lab advance 30m", "show license status | include Status|Last Comm"})
	assert.Contains(t, out, "  Last Communication Attempt: PENDING on ")
	assert.Contains(t, out, "    Failure reason: Waiting for reply")
	assert.Contains(t, out, "  Status: AUTHORIZED on ")
	assert.Contains(t, out, "  Last Communication Attempt: SUCCEEDED on ")
}

func TestLabControlsRefuseBadInput(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	for _, l := range []string{"lab frobnicate", "lab advance", "lab advance -3d", "lab advance 30 days", "lab timeline x", "lab device sw9",
		"lab scenario 42", "lab cssm license add Campus many C9300-24 DNA Advantage", "lab cssm license add Nowhere 1 C9300-24 DNA Advantage",
		"lab fault set meteor 1.2.3.4", "lab token Nowhere", "lab satellite sync none", "lab cssm va create"} {
		assert.Contains(t, s.Exec(l), "% lab: ", l)
	}
	for _, d := range []string{"30d", "12h", "90m", "45s", "1y", "1h30m"} {
		_, err := lab.ParseDuration(d)
		assert.NoError(t, err, d)
	}
}

func TestProxyCAImport(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	ca := s.Exec("lab proxy ca Corp Proxy CA")
	require.Contains(t, ca, "-----BEGIN CERTIFICATE-----")
	script := []string{"lab proxy 192.0.2.8 intercept Corp Proxy CA", "enable", "configure terminal", "call-home", "http-proxy 192.0.2.8 port 8080", "end",
		"license smart register idtoken $TOKEN", "lab advance 1m", "show license status | include Status|Failure"}
	out := s.Transcript(script)
	assert.Contains(t, out, "REGISTERING - REGISTRATION IN PROGRESS", "the proxy breaks TLS open")
	script = []string{"configure terminal", "crypto pki trustpoint LicRoot", "enrollment terminal", "revocation-check none", "exit", "crypto pki authenticate LicRoot"}
	script = append(script, strings.Split(strings.TrimSuffix(ca, "\n"), "\n")...)
	script = append(script, "", "yes", "end", "lab advance 30m", "show license status | include Status")
	out = s.Transcript(script)
	assert.Contains(t, out, "Trustpoint CA certificate accepted.\n% Certificate successfully imported\n")
	assert.Contains(t, out, "  Status: REGISTERED\n")
}
