package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/collect"
	"github.com/slsim/slsim/lab"
	sw "github.com/slsim/slsim/stackwise"
)

// slsim estate import on a directory: a lab switch's outputs saved as
// slsim run prints them (prompts and commands, as netmiko saves them)
// become an estate that slsim count reads; the real outputs of switches
// slsim does not count are named on standard error, and the exit status
// says some were skipped.
func TestEstateImport(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "script")
	require.NoError(t, os.WriteFile(script, []byte("enable\nterminal length 0\nshow version\nlicense smart register idtoken $TOKEN\nlab advance 1m\nshow license status\n"), 0o644))
	out, err := run(t, "run", script)
	require.NoError(t, err)
	collected := filepath.Join(dir, "collected")
	require.NoError(t, os.MkdirAll(filepath.Join(collected, "real"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(collected, "sw1.txt"), []byte(out), 0o644))

	got, err := run(t, "estate", "import", collected)
	require.NoError(t, err, "only importable devices")
	want := "# from " + filepath.Join(collected, "sw1.txt") + "\n" +
		"device sw1 version 17.3.1 level network-advantage addon dna-advantage va Campus state registered\n" +
		"  switch C9300-24P FOC2133Z0AB\n  switch C9300-24P FOC2133Z0AC\n"
	assert.Equal(t, want, got)
	estate := filepath.Join(dir, "estate.txt")
	require.NoError(t, os.WriteFile(estate, []byte(got), 0o644))
	counted, err := run(t, "count", estate)
	assert.Contains(t, counted, "1 device, 2 entitlements", "slsim count reads the imported estate")
	_ = err // no pool: short, which count reports with its own status

	for _, f := range []string{"genie-c9500-48y4c-svl-17.3.3.txt", "genie-ws-c3850-24p-stack-16.4.txt"} {
		data, err := os.ReadFile(filepath.Join("../../collect/testdata/real", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(collected, "real", f), data, 0o644))
	}
	got, err = run(t, "estate", "import", collected)
	require.Error(t, err)
	assert.Equal(t, ExitSkipped, exitCode(err))
	assert.True(t, strings.HasPrefix(got, want), "the importable device is still written")
	assert.Contains(t, got, "skipped svs-fc-dis-r-a-1 ("+filepath.Join(collected, "real", "genie-c9500-48y4c-svl-17.3.3.txt")+"): IOS-XE 17.03.03 runs Smart Licensing Using Policy")
	assert.Contains(t, got, "skipped R1 (")

	_, err = run(t, "estate", "import", filepath.Join(dir, "nowhere"))
	require.Error(t, err)
	assert.Equal(t, 1, exitCode(err))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{not json"), 0o644))
	_, err = run(t, "estate", "import", filepath.Join(dir, "bad.json"))
	require.ErrorContains(t, err, "bad.json")
}

// A netmiko capture with prompts — show version and show inventory in one
// file, show license status in another — imports to the device a lab
// switch is, with its registration state and virtual account; the estate
// file parses back.
func TestLabTranscriptRoundTrip(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	version := s.Transcript([]string{"enable", "terminal length 0", "show version", "show inventory"})
	status := s.Transcript([]string{"license smart register idtoken $TOKEN", "lab advance 1m", "show license status"})
	im := collect.NewImporter()
	require.NoError(t, im.AddText("sw1-version.txt", []byte(version)))
	require.NoError(t, im.AddText("sw1-license.txt", []byte(status)))
	devs, skipped := im.Result()
	require.Empty(t, skipped)
	require.Len(t, devs, 1)
	var b bytes.Buffer
	require.NoError(t, collect.Write(&b, devs, nil))
	assert.Equal(t, "# from sw1-version.txt, sw1-license.txt\n"+
		"device sw1 version 17.3.1 level network-advantage addon dna-advantage va Campus state registered\n"+
		"  switch C9300-24P FOC2133Z0AB\n  switch C9300-24P FOC2133Z0AC\n", b.String())
	e, _, err := sw.Parse(&b)
	require.NoError(t, err)
	assert.Equal(t, 1, e.Len())
}

// Ansible: ios_command's stdout is read as text; ios_facts alone lack the
// license level, and the device is named with what to collect.
func TestAnsibleResults(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	out := s.Transcript([]string{"enable", "terminal length 0", "show version"})
	_, body, _ := strings.Cut(out, "sw1#show version\n")
	cmd := `{"changed": false, "stdout": [` + quote(body) + `], "invocation": {"module_args": {"commands": ["show version"]}}}`
	im := collect.NewImporter()
	require.NoError(t, im.AddAnsible(filepath.Join("tree", "sw1"), []byte(cmd)))
	devs, skipped := im.Result()
	require.Empty(t, skipped)
	require.Len(t, devs, 1)
	assert.Len(t, devs[0].Device.Switches, 2)

	facts := `{"ansible_facts": {"ansible_net_hostname": "edge-7", "ansible_net_version": "17.03.01", "ansible_net_stacked_models": ["C9300-48P"], "ansible_net_stacked_serialnums": ["FOC1111X0AA"]}}`
	im = collect.NewImporter()
	require.NoError(t, im.AddAnsible("edge-7", []byte(facts)))
	_, skipped = im.Result()
	require.Len(t, skipped, 1)
	assert.Contains(t, skipped[0].Reason, "ios_facts carries none; collect show version with ios_command as well")

	require.Error(t, collect.NewImporter().AddAnsible("bad", []byte(`{"x": 1}`)))
	require.Error(t, collect.NewImporter().AddAnsible("bad", []byte(`not json`)))
	require.Error(t, collect.NewImporter().AddText("bin", []byte("a\x00b")))
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// examples/collected — one capture of three devices with prompts, as a
// netmiko loop saves it, an ansible --tree result and a licenses export
// of CSSM — imports to examples/estates/campus.txt: the devices, serials,
// chassis and all, and the pool.
func TestExampleCollectionImportsTheCampus(t *testing.T) {
	got, err := run(t, "estate", "import", "--cssm-csv", "../../examples/collected/cssm/licenses.csv", "../../examples/collected")
	require.NoError(t, err, got)
	imported, pool, err := sw.Parse(strings.NewReader(got))
	require.NoError(t, err)
	f, err := os.Open("../../examples/estates/campus.txt")
	require.NoError(t, err)
	defer f.Close()
	campus, campusPool, err := sw.Parse(f)
	require.NoError(t, err)
	assert.Equal(t, campus.Devices(), imported.Devices())
	assert.Equal(t, campusPool.Lines(), pool.Lines())
	a, _ := imported.Account("core-1")
	assert.Equal(t, "unregistered", a.State, "from the Ansible result")
}

// A product instances export beside the collection gives the devices it
// lists their virtual account (and registered, where their outputs did
// not say), and names an instance no collected device has.
func TestImportWithInstancesExport(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "instances.csv")
	require.NoError(t, os.WriteFile(csv, []byte("Name,Product Type,PID,Serial Number,Virtual Account\n"+
		"access-1,C9300,C9300-24P,FOC2133Z0AB,Campus\ndist-1,C9400,C9407R,FXS2119Q2U7,Core\nold-1,C9300,C9300-24P,FOC0000XXXX,Campus\n"), 0o644))
	got, err := run(t, "estate", "import", "--cssm-csv", "../../examples/collected/cssm/licenses.csv", "--cssm-csv", csv, "../../examples/collected")
	require.NoError(t, err, got)
	assert.Contains(t, got, "device access-1 version 17.3.1 level network-advantage addon dna-advantage va Campus state unregistered\n",
		"CSSM holds it, the switch says unregistered: both kept")
	assert.Contains(t, got, "device dist-1 version 17.3.1 level network-advantage addon dna-advantage va Core state registered\n")
	assert.Contains(t, got, "product instance old-1 (C9300-24P, SN FOC0000XXXX) in Campus: no collected device has that serial")
}
