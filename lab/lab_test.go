package lab_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/lab"
	"github.com/slsim/slsim/scenario"
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

	// revocation-check crl none cures it too: the CRL when it can be had,
	// no check when it cannot.
	s2, err := lab.New(1)
	require.NoError(t, err)
	out = s2.Transcript([]string{"lab scenario 7", "enable", "configure terminal",
		"crypto pki trustpoint SLA-TrustPoint", "revocation-check crl none", "end", "lab advance 30m", "show license status | include Status|Last Comm"})
	assert.Contains(t, out, "  Status: AUTHORIZED on ")
	assert.Contains(t, out, "  Last Communication Attempt: SUCCEEDED on ")
	assert.Contains(t, out, "%PKI-3-CRL_FETCH_FAIL", "the CRL still cannot be fetched, and says so")
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

// In the lab only a scenario's cause is applied: scenario 2's busy CSSM
// must recover by itself, and the retry then succeed, as docs/lab.md says.
func TestLabScenario2Recovers(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	out := s.Exec("lab scenario 2")
	require.Contains(t, out, "scenario 2 loaded")
	st := s.Exec("show license status")
	require.Contains(t, st, "  Status: REGISTERING - REGISTRATION IN PROGRESS\n")
	require.Contains(t, st, "Failure reason: Your request could not be processed right now. Please try again\n")
	s.Exec("lab advance 20m")
	st = s.Exec("show license status")
	assert.Contains(t, st, "  Status: REGISTERED\n")
	assert.Contains(t, st, "  Status: AUTHORIZED on ")
}

// Lab durations too large to hold are refused, not wrapped around; lab
// errors print one %.
func TestLabDurations(t *testing.T) {
	for _, ok := range []string{"30d", "12h", "90m", "45s", "1y", "20y", "36h30m"} {
		_, err := lab.ParseDuration(ok)
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"585y", "21y", "7301d", "99999999999999999999d", "9223372036854775807s", "0s", "-5m", "5", "1w", "y"} {
		_, err := lab.ParseDuration(bad)
		assert.Error(t, err, bad)
	}
	s, err := lab.New(1)
	require.NoError(t, err)
	before := s.Exec("lab time")
	out := s.Exec("lab advance 585y")
	assert.Equal(t, "% lab: duration \"585y\": want more than 0 and at most 20 years\n", out)
	assert.Equal(t, before, s.Exec("lab time"), "time did not move")
}

// lab save writes the new file whole or not at all: a save over an
// existing file replaces it, leaves no temporary file behind, and a save
// that cannot be written leaves the old file as it was.
func TestLabSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/lab.json"
	s, err := lab.New(1)
	require.NoError(t, err)
	require.Equal(t, "saved "+path+"\n", s.Exec("lab save "+path))
	first, err := os.ReadFile(path)
	require.NoError(t, err)
	s.Exec("lab advance 1d")
	require.Equal(t, "saved "+path+"\n", s.Exec("lab save "+path))
	second, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotEqual(t, string(first), string(second))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")

	// A save that fails at the last step (the name is a directory, which
	// a file cannot replace) leaves what was there, and no temporary file.
	blocked := dir + "/blocked"
	require.NoError(t, os.MkdirAll(blocked+"/inside", 0o755))
	out := s.Exec("lab save " + blocked)
	assert.Contains(t, out, "% lab: ")
	info, err := os.Stat(blocked + "/inside")
	require.NoError(t, err)
	assert.True(t, info.IsDir())
	entries, err = os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "lab.json and blocked, no temporary file")
	kept, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(second), string(kept))
}

// A lab file whose network latency no lab could have written is refused,
// and the lab stays as it was.
func TestLabLoadRefusesNegativeLatency(t *testing.T) {
	dir := t.TempDir()
	s, err := lab.New(1)
	require.NoError(t, err)
	path := dir + "/lab.json"
	require.Equal(t, "saved "+path+"\n", s.Exec("lab save "+path))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(data), `"latency":1000000000`)
	bad := dir + "/bad.json"
	require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(string(data), `"latency":1000000000`, `"latency":-1000000000`, 1)), 0o644))
	before := s.Exec("lab time")
	out := s.Exec("lab load " + bad)
	assert.Contains(t, out, "% lab: ")
	assert.Contains(t, out, "network latency -1s is outside 0..1m0s")
	assert.Equal(t, before, s.Exec("lab time"))
}

// A log line keeps the timestamp the switch stamped it with: after NTP
// corrects the clock, scenario 3's lines still say May 2018 (with the
// '*' of an unsynchronised clock) — they are the clue — and later lines
// carry the corrected time.
func TestLogLinesKeepTheirStamps(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	s.Exec("lab scenario 3")
	before := s.Exec("show logging | include AGENT_REG_FAILED")
	require.Contains(t, before, "*May 12 14:27:49.000: %SMART_LIC-3-AGENT_REG_FAILED: ")
	for _, l := range []string{"enable", "configure terminal", "ntp server 198.51.100.123", "end", "lab advance 20m"} {
		s.Exec(l)
	}
	after := s.Exec("show logging | include AGENT_REG")
	assert.Contains(t, after, "*May 12 14:27:49.000: %SMART_LIC-3-AGENT_REG_FAILED: ", "the old line keeps its stamp")
	assert.Regexp(t, `\nMar  4 10:2\d:\d\d\.\d{3}: %SMART_LIC-6-AGENT_REG_SUCCESS: `, "\n"+after, "the new line: NTP time, no '*'")
}

// The terminal's length and width stay with the session when it moves to
// a scenario's lab, a loaded lab or another device.
func TestTerminalStaysWithTheSession(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	s.Exec("terminal length 7")
	s.Exec("terminal width 132")
	s.Exec("lab scenario 8")
	l, w := s.Console().Terminal()
	assert.Equal(t, [2]int{7, 132}, [2]int{l, w})
	s.Exec("lab device sw1")
	l, w = s.Console().Terminal()
	assert.Equal(t, [2]int{7, 132}, [2]int{l, w})
}

// The lab's CSSM controls for the served faces: a user for the portal and
// the API, API credentials, the event log and removing an instance.
func TestCSSMAccessControls(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	assert.Equal(t, "ann may sign in to ACME Corporation\n", s.Exec("lab cssm user ann p4ssword"))
	assert.Equal(t, "% lab: invalid password: 4 to 128 characters on one line\n", s.Exec("lab cssm user bob x"))
	assert.Regexp(t, `^API client for ACME Corporation:\nclient_id [0-9a-f]{24}\nclient_secret [0-9a-f]{32}\n$`, s.Exec("lab cssm api-client"))
	s.Exec("enable")
	s.Exec("license smart register idtoken $TOKEN")
	s.Exec("lab advance 1m")
	assert.Empty(t, s.Exec("lab cssm remove PID:C9300-24P,SN:FOC2133Z0AB"))
	assert.Contains(t, s.Exec("lab cssm remove PID:C9300-24P,SN:FOC2133Z0AB"), "not found")
	assert.Contains(t, s.Exec("lab cssm events"), "System   Product instance sw1 (PID:C9300-24P,SN:FOC2133Z0AB) was removed.\n")
	_, ok := s.Console().World().CSSM().SignIn("ann", "p4ssword")
	assert.True(t, ok)
}

// Migrations: transcripts of upgrades and downgrades on lab worlds built
// from the estate files in examples/estates.
func TestMigrations(t *testing.T) {
	for _, script := range []string{"satellite", "transport-gateway"} {
		t.Run(script, func(t *testing.T) {
			s, err := lab.New(1)
			require.NoError(t, err)
			golden(t, "testdata/"+script+".golden", s.Transcript(lines(t, "testdata/"+script+".lab")))
		})
	}
	for _, c := range []struct{ script, estate string }{
		{"c9500-upgrade", "c9500-upgrade.txt"},
		{"c9500-downgrade", "c9500-1612.txt"},
		{"dlc", "dlc.txt"},
	} {
		t.Run(c.script, func(t *testing.T) {
			f, err := os.Open(filepath.Join("..", "examples", "estates", c.estate))
			require.NoError(t, err)
			defer f.Close()
			l, err := scenario.NewEstate(1, f)
			require.NoError(t, err)
			s, err := lab.Attach(l, 1)
			require.NoError(t, err)
			golden(t, "testdata/"+c.script+".golden", s.Transcript(lines(t, "testdata/"+c.script+".lab")))
		})
	}
}

// Loading refuses what is not a saved lab before reading it: a device
// that never ends, a directory.
func TestLoadRefusesWhatIsNotAFile(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	assert.Contains(t, s.Exec("lab load /dev/zero"), "not a regular file")
	assert.Contains(t, s.Exec("lab load "+t.TempDir()), "not a regular file")
}

// A lab saved by the release before the typed event stream (its world's
// save version 1) loads, and goes on where it was.
func TestLoadVersion1Lab(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	out := s.Transcript([]string{"lab load testdata/lab-v1.json", "enable", "show license status | include Status:", "lab time", "show logging | include COMM_RESTORED"})
	assert.Contains(t, out, "loaded testdata/lab-v1.json")
	assert.Contains(t, out, "  Status: REGISTERED")
	assert.Contains(t, out, "Thu Apr 4 11:01:00 2024 UTC")
	assert.Contains(t, out, "%SMART_LIC-5-COMM_RESTORED", "its log lines came along")
}
