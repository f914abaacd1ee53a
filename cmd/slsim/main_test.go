package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/lab"
	sw "github.com/slsim/slsim/stackwise"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRoot(&out, &errOut)
	root.SetArgs(args)
	err := root.Execute()
	return out.String() + errOut.String(), err
}

func TestDemoIsDeterministic(t *testing.T) {
	a, err := run(t, "demo")
	require.NoError(t, err)
	b, err := run(t, "demo", "--seed", "1")
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Contains(t, a, "== REGISTERED / AUTHORIZATION EXPIRED")
	c, err := run(t, "demo", "--seed", "2")
	require.NoError(t, err)
	assert.NotEqual(t, a, c, "the seed drives the retry jitter")
}

func TestDiagram(t *testing.T) {
	out, err := run(t, "diagram")
	require.NoError(t, err)
	assert.Equal(t, agent.Diagram(), out)
	assert.True(t, strings.HasPrefix(out, "stateDiagram-v2\n"))
}

func TestBadArguments(t *testing.T) {
	_, err := run(t, "demo", "extra")
	assert.Error(t, err)
	_, err = run(t, "demo", "--seed", "minus-one")
	assert.Error(t, err)
	_, err = run(t, "nonsense")
	assert.Error(t, err)
}

func TestCount(t *testing.T) {
	out, err := run(t, "count", "../../examples/estates/campus.txt")
	require.NoError(t, err)
	assert.Contains(t, out, "C9500-32QC Network Advantage  C9500 32QC NW Advantage               2        0            2        0  In Compliance\n")
	assert.True(t, strings.HasSuffix(out, "3 devices, 9 entitlements, 0 short\n"), out)

	// The year after is short: the diff, then exit status ExitShort.
	out, err = run(t, "count", "../../examples/estates/campus.txt", "../../examples/estates/campus-next-year.txt")
	require.Error(t, err)
	assert.Equal(t, ExitShort, exitCode(err))
	assert.Equal(t, `Entitlement                   CSSM license                        Demand         Supply          Short
C9300-48 DNA Advantage        C9300 48P DNA Advantage             1 -> 2         1 -> 1         0 -> 1
C9300-48 Network Advantage    C9300 48P Network Advantage         1 -> 2         1 -> 1         0 -> 1
C9500 Network Advantage       C9500 Network Advantage             0 -> 2         2 -> 2         0 -> 0
C9500-32QC Network Advantage  C9500 32QC NW Advantage             2 -> 0         0 -> 0         0 -> 0
Error: 2 entitlements short of licenses
`, out)

	out, err = run(t, "count", "../../examples/estates/campus.txt", "../../examples/estates/campus.txt")
	require.NoError(t, err)
	assert.Equal(t, "no change\n", out)
}

// One device, one entitlement, named in the pool by its CSSM name; one
// short: singular words, and the exit status for CI.
func TestCountSingularAndCSSMNames(t *testing.T) {
	f := t.TempDir() + "/one.txt"
	require.NoError(t, os.WriteFile(f, []byte("device a version 17.3.1 level network-advantage\n  switch C9300-24P x2\npool\n  1 C9300 24P Network Advantage\n"), 0o644))
	out, err := run(t, "count", f)
	require.Error(t, err)
	assert.Equal(t, ExitShort, exitCode(err))
	assert.Equal(t, `Entitlement                 CSSM license                  Demand   Supply  From parent    Short  Status
C9300-24 Network Advantage  C9300 24P Network Advantage        2        1            0        1  Insufficient Licenses
1 device, 1 entitlement, 1 short
Error: 1 entitlement short of licenses
`, out)
	require.NoError(t, os.WriteFile(f, []byte("device a version 17.3.1 level network-advantage\n  switch C9300-24P x2\npool\n  2 C9300 24P Network Advantage\n"), 0o644))
	_, err = run(t, "count", f)
	require.NoError(t, err)
}

func TestCountTags(t *testing.T) {
	out, err := run(t, "count", "--tags")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	assert.Equal(t, "Entitlement                     CSSM license                       Platform  Feature             Kind          Fulfilled by", lines[0])
	assert.Contains(t, out, "\nC9500-32C Network Advantage     C9500 32C NW Advantage             c9500     network-advantage   Perpetual     C9500 Network Advantage\n")
	assert.Contains(t, out, "\ndna_advantage-C9400             C9400 DNA Advantage                c9400     dna-advantage       Subscription\n")
	assert.Equal(t, fmt.Sprintf("%d entitlements", len(sw.Entitlements())), lines[len(lines)-1])
	assert.Len(t, lines, len(sw.Entitlements())+2)
	assert.Contains(t, out, "\nC9200L-NW-E-24                  C9200L Network Essentials 24-port  c9200     network-essentials  Perpetual\n")
	for _, l := range lines {
		assert.Equal(t, strings.TrimRight(l, " "), l, "no trailing spaces")
	}
	_, err = run(t, "count", "--tags", "../../examples/estates/campus.txt")
	assert.Error(t, err, "--tags takes no file")
}

func TestCountErrors(t *testing.T) {
	bad := t.TempDir() + "/bad.txt"
	require.NoError(t, os.WriteFile(bad, []byte("device a version 17.3.1 level network-advantage\n  switch C9300-24PX\n"), 0o644))
	out, err := run(t, "count", bad)
	require.Error(t, err)
	assert.Contains(t, out, "bad.txt: line 2: unknown PID \"C9300-24PX\" (nearest known: C9300-24P")
	_, err = run(t, "count", t.TempDir()+"/missing.txt")
	assert.Error(t, err)
	_, err = run(t, "count")
	assert.Error(t, err)
}

func TestScenarioCommand(t *testing.T) {
	out, err := run(t, "scenario")
	require.NoError(t, err)
	assert.Contains(t, out, "7   \"Failure reason: Waiting for reply\"\n")
	out, err = run(t, "scenario", "7")
	require.NoError(t, err)
	want, err := os.ReadFile("../../scenario/testdata/scenario7.txt")
	require.NoError(t, err)
	assert.Equal(t, string(want), out)
	_, err = run(t, "scenario", "42")
	assert.Error(t, err)
}

func TestRunScript(t *testing.T) {
	out, err := run(t, "run", "../../examples/lab/demo.lab")
	require.NoError(t, err)
	want, err := os.ReadFile("../../lab/testdata/demo.golden")
	require.NoError(t, err)
	assert.Equal(t, string(want), out, "slsim run prints what the session test pins")
	again, err := run(t, "run", "../../examples/lab/demo.lab")
	require.NoError(t, err)
	assert.Equal(t, out, again)
	_, err = run(t, "run", "missing.lab")
	assert.Error(t, err)
}

// The interactive console reads lines from its input like a terminal.
func TestLabInteractive(t *testing.T) {
	var out bytes.Buffer
	root := newRoot(&out, &out)
	root.SetIn(strings.NewReader("enable\nshow license summary | include Status\nlab time\n"))
	root.SetArgs([]string{"lab"})
	require.NoError(t, root.Execute())
	assert.Contains(t, out.String(), "  Status: UNREGISTERED\n  Status: EVAL MODE\n")
	assert.Contains(t, out.String(), "Mon Mar 4 10:00:00 2024 UTC\n")
}

func TestFleetCommand(t *testing.T) {
	dir := t.TempDir()
	out, err := run(t, "fleet", "--estate", "../../examples/estates/campus.txt", "--schedule", "../../examples/estates/campus-outage.schedule",
		"--years", "2", "--out", dir, "--quiet")
	require.NoError(t, err)
	assert.Contains(t, out, "3 devices, ")
	assert.Contains(t, out, "AUTHORIZATION EXPIRED")
	for _, f := range []string{"days.csv", "entered.csv", "alerts.csv", "supply.csv", "report.json", "states.svg"} {
		st, err := os.Stat(dir + "/" + f)
		require.NoError(t, err, f)
		assert.Positive(t, st.Size(), f)
	}
	days, err := os.ReadFile(dir + "/days.csv")
	require.NoError(t, err)
	assert.Equal(t, 2*365+2, strings.Count(string(days), "\n"), "a header and a row a day")
	_, err = run(t, "fleet", "--quiet")
	assert.Error(t, err, "no estate")
	prof := dir + "/cpu.out"
	_, err = run(t, "fleet", "--devices", "50", "--years", "1", "--quiet", "--out", dir, "--cpuprofile", prof)
	require.NoError(t, err)
	st, err := os.Stat(prof)
	require.NoError(t, err)
	assert.Positive(t, st.Size(), "a profile was written")
	_, err = run(t, "fleet", "--devices", "5", "--quiet", "--out", dir, "--cpuprofile", dir+"/no/such/dir/cpu.out")
	assert.ErrorContains(t, err, "--cpuprofile")
	bad := dir + "/bad.schedule"
	require.NoError(t, os.WriteFile(bad, []byte("2024-01-01 meteor cloud\n"), 0o644))
	out, err = run(t, "fleet", "--devices", "5", "--schedule", bad, "--quiet", "--out", dir)
	require.Error(t, err)
	assert.Contains(t, out, "schedule line 1: unknown event")

	// Bounds and outputs are checked before any work.
	_, err = run(t, "fleet", "--devices", "100000000", "--quiet", "--out", dir)
	assert.ErrorContains(t, err, "--devices 100000000: at most 10000000")
	_, err = run(t, "fleet", "--devices", "5", "--years", "101", "--quiet", "--out", dir)
	assert.ErrorContains(t, err, "--years 101")
	blocked := dir + "/blocked"
	require.NoError(t, os.WriteFile(blocked, nil, 0o644))
	_, err = run(t, "fleet", "--devices", "20000", "--quiet", "--out", blocked+"/reports")
	assert.ErrorContains(t, err, "--out "+blocked+"/reports")
	_, err = run(t, "fleet", "--devices", "5", "--quiet", "--schedule", "/dev/zero", "--out", dir)
	assert.ErrorContains(t, err, "not a regular file")
}

// exit at the EXEC prompt ends a session, as it ends one on a switch: the
// lines after it are not run.
func TestRunStopsAtExit(t *testing.T) {
	script := t.TempDir() + "/exit.lab"
	require.NoError(t, os.WriteFile(script, []byte("show clock\nenable\nconfigure terminal\nexit\nexit\nshow version\n"), 0o644))
	out, err := run(t, "run", script)
	require.NoError(t, err)
	assert.Contains(t, out, "sw1(config)#exit\n")
	assert.True(t, strings.HasSuffix(out, "sw1#exit\n"), out)
	assert.NotContains(t, out, "show version")
}

// The interactive lab as a person types at it: Tab completes a unique
// keyword (here "lic" then "sum" typed without a space), Ctrl-Z runs the
// line typed so far and ends configuration mode (it used to suspend the
// process), Ctrl-C abandons the line and ends configuration mode, exit
// ends the session.
func TestInteractiveKeys(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	var out bytes.Buffer
	keys := "show lic\tsum\r" + "enable\r" + "conf t\r" + "hostname core-9\x1a" + "show running-config | include ^hostname\r" +
		"conf t\r" + "hostname never\x03" + "show running-config | include ^hostname\r" + "exit\r" + "show version\r"
	require.NoError(t, interactive(s, strings.NewReader(keys), &out, ""))
	got := out.String()
	assert.Contains(t, got, "License Usage:\n", "show license summary ran")
	assert.Contains(t, got, "%SYS-5-CONFIG_I: Configured from console by console\n", "Ctrl-Z ended configuration mode")
	assert.Contains(t, got, "hostname core-9\n", "the line before Ctrl-Z ran")
	assert.NotContains(t, got, "hostname never", "Ctrl-C abandons the line")
	assert.Equal(t, 2, strings.Count(got, "%SYS-5-CONFIG_I"), "Ctrl-C left configuration mode too")
	assert.NotContains(t, got, "Cisco IOS XE Software", "nothing runs after exit")
	assert.True(t, s.Closed())
}

// The interactive lab is a console line: 24 lines, long output pauses at
// --More--, a space goes on.
func TestInteractivePager(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, interactive(s, strings.NewReader("show license status\r \r"), &out, ""))
	got := out.String()
	i := strings.Index(got, " --More-- ")
	require.Greater(t, i, 0)
	assert.Equal(t, 23, strings.Count(got[strings.Index(got, "Smart Licensing is ENABLED"):i], "\n"), "23 lines, then the marker")
	assert.True(t, strings.HasSuffix(got, "  Features Authorized:\n    <none>\n"), "the rest after the space")
}

// The migration what-if: an upgrade to 16.12.3 moves the C9500-48Y4C
// pairs to the generic network tag, which the pool is short of; a
// conversion covers a 3850 stack's licenses.
func TestCountWhatIf(t *testing.T) {
	out, err := run(t, "count", "--upgrade", "all=16.12.3", "../../examples/estates/c9500-upgrade.txt")
	require.Error(t, err)
	assert.Equal(t, ExitShort, exitCode(err))
	assert.Contains(t, out, "after all=16.12.3:\n")
	assert.Contains(t, out, "C9500 Network Advantage        C9500 Network Advantage          0 -> 4         2 -> 2         0 -> 2\n")
	assert.Contains(t, out, "C9500-48Y4C Network Advantage  C9500 48Y4C NW Advantage         4 -> 0         4 -> 4         0 -> 0\n")

	out, err = run(t, "count", "--upgrade", "core-a=16.12.3", "../../examples/estates/c9500-upgrade.txt")
	require.NoError(t, err, "one pair upgraded: the two generic licenses cover it")
	assert.Contains(t, out, "2 devices, 3 entitlements, 0 short\n\nafter core-a=16.12.3:")

	out, err = run(t, "count", "--convert", "2 C3850-24 IP Services", "--convert", "1 C3850 48P IP Services", "../../examples/estates/dlc.txt")
	require.NoError(t, err, out)
	assert.Contains(t, out, "C3850-24 IP Services  C3850 24P IP Services         2 -> 2         0 -> 2         2 -> 0\n")

	// A pool shrinking: two DNA licenses gone leave the 9300 stack short.
	out, err = run(t, "count", "--remove", "2 C9300-24 DNA Advantage", "../../examples/estates/campus.txt")
	require.Error(t, err)
	assert.Equal(t, ExitShort, exitCode(err))
	assert.Contains(t, out, "after -2 C9300-24 DNA Advantage:\n")
	assert.Contains(t, out, "C9300-24 DNA Advantage  C9300 24P DNA Advantage         2 -> 2         2 -> 0         0 -> 2\n")

	for _, bad := range [][]string{{"--upgrade", "nobody=16.12.3"}, {"--upgrade", "core-a"}, {"--upgrade", "core-a=16.6.1"}, {"--convert", "x C3850-24 IP Services"}, {"--convert", "2 No Such License"},
		{"--remove", "9 C9500-48Y4C DNA Advantage"}, {"--remove", "0 C9500-48Y4C DNA Advantage"}} {
		_, err := run(t, append(append([]string{"count"}, bad...), "../../examples/estates/c9500-upgrade.txt")...)
		assert.Error(t, err, bad)
		assert.Equal(t, 1, exitCode(err), bad)
	}
}

// An estate with a pool per virtual account is counted per account: the
// surplus of one does not cover the other's shortfall.
func TestCountPerVirtualAccount(t *testing.T) {
	path := filepath.Join(t.TempDir(), "va.txt")
	require.NoError(t, os.WriteFile(path, []byte(`device a1 version 17.3.1 level network-advantage va Campus
  switch C9300-24P FOC1
device b1 version 17.3.1 level network-advantage va Branch
  switch C9300-24P FOC2
  switch C9300-24P FOC3
pool va Branch
  1 C9300-24 Network Advantage
pool va Campus
  3 C9300-24 Network Advantage
`), 0o644))
	out, err := run(t, "count", path)
	assert.Equal(t, ExitShort, exitCode(err), out)
	assert.Contains(t, out, "virtual account Branch:\n")
	assert.Contains(t, out, "C9300 24P Network Advantage        2        1            0        1  Insufficient Licenses\n1 device, 1 entitlement, 1 short\n\nvirtual account Campus:\n")
	assert.Contains(t, out, "        1        3            0        0  In Compliance\n")
}
