package collect_test

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

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// Real switches slsim does not count are read, then named with the
// reason: a C9500 pair on 17.3.3 runs Smart Licensing Using Policy, a
// 3850 stack on 16.4 uses Right-to-Use licenses.
func TestRealOutputsOutsideTheModelAreNamed(t *testing.T) {
	im := collect.NewImporter()
	require.NoError(t, im.AddText("c9500.txt", read(t, "testdata/real/genie-c9500-48y4c-svl-17.3.3.txt")))
	require.NoError(t, im.AddText("c3850.txt", read(t, "testdata/real/genie-ws-c3850-24p-stack-16.4.txt")))
	devs, skipped := im.Result()
	assert.Empty(t, devs)
	require.Len(t, skipped, 2)
	assert.Equal(t, "R1", skipped[0].Name)
	assert.Contains(t, skipped[0].Reason, "16.9.1")
	assert.Equal(t, "svs-fc-dis-r-a-1", skipped[1].Name)
	assert.Equal(t, "c9500.txt", skipped[1].Source)
	assert.Contains(t, skipped[1].Reason, "IOS-XE 17.03.03 runs Smart Licensing Using Policy (17.3.2 and later)")
}

// What the import reads from the real outputs: members and serials in
// order, and the license level from the Technology Package table (tabs
// and all), as a device on a release slsim models would be imported.
func TestRealShowVersionIsRead(t *testing.T) {
	c9500 := strings.Replace(string(read(t, "testdata/real/genie-c9500-48y4c-svl-17.3.3.txt")), "Version 17.03.03", "Version 16.12.03", 1)
	c3850 := strings.ReplaceAll(string(read(t, "testdata/real/genie-ws-c3850-24p-stack-16.4.txt")), "16.4.2 ", "16.9.4 ")
	im := collect.NewImporter()
	require.NoError(t, im.AddText("c9500.txt", []byte(c9500)))
	require.NoError(t, im.AddText("c3850.txt", []byte(c3850)))
	devs, skipped := im.Result()
	require.Empty(t, skipped)
	require.Len(t, devs, 2)
	assert.Equal(t, sw.Device{Name: "R1", Version: sw.Version{Major: 16, Minor: 9, Rebuild: 4},
		Switches: []sw.Unit{{PID: "WS-C3850-24P", SN: "FCW1932D0LB"}, {PID: "WS-C3850-24P", SN: "FOC1932X0K1"}, {PID: "WS-C3850-24P", SN: "FCW1932C0MA"},
			{PID: "WS-C3850-24P", SN: "FCW1932D0L0"}, {PID: "WS-C3850-24P", SN: "FOC1932X0F9"}},
		Level: mustLevel(t, "ipservices")}, devs[0].Device)
	assert.Equal(t, []sw.Unit{{PID: "C9500-48Y4C", SN: "FDO25180ANN"}, {PID: "C9500-48Y4C", SN: "FDO251801UK"}}, devs[1].Device.Switches)
	assert.Equal(t, "network-advantage addon dna-advantage", devs[1].Device.Level.String())
}

func mustLevel(t *testing.T, s string) sw.Level {
	l, err := sw.ParseLevel(s)
	require.NoError(t, err)
	return l
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
	require.NoError(t, collect.Write(&b, devs))
	assert.Equal(t, "# from sw1-version.txt, sw1-license.txt\n"+
		"device sw1 version 17.3.1 level network-advantage addon dna-advantage va Campus state registered\n"+
		"  switch C9300-24P FOC2133Z0AB\n  switch C9300-24P FOC2133Z0AC\n", b.String())
	e, _, err := sw.Parse(&b)
	require.NoError(t, err)
	assert.Equal(t, 1, e.Len())
}

// The real show license captures give the registration state and virtual
// account; a file without a hostname is named as skipped.
func TestLicenseCapturesAlone(t *testing.T) {
	im := collect.NewImporter()
	require.NoError(t, im.AddText("summary.txt", read(t, "testdata/real/classic-summary-c9200l-authorized.txt")))
	_, skipped := im.Result()
	require.Len(t, skipped, 1)
	assert.Equal(t, "summary.txt", skipped[0].Name)
	assert.Contains(t, skipped[0].Reason, "no hostname")

	im = collect.NewImporter()
	status := string(read(t, "testdata/real/classic-status-authorized.txt")) // saved with its prompt, c1000v-5#
	version := "c1000v-5#show version\n" + strings.Replace(string(read(t, "testdata/real/genie-c9500-48y4c-svl-17.3.3.txt")), "Version 17.03.03", "Version 16.12.03", 1)
	require.NoError(t, im.AddText("a.txt", []byte(status+version)))
	devs, skipped := im.Result()
	require.Empty(t, skipped)
	require.Len(t, devs, 1)
	assert.Equal(t, "c1000v-5", devs[0].Device.Name, "the prompt names the device")
	assert.Equal(t, "registered", devs[0].Account.State)
	assert.Equal(t, "RADKit-LMM-NA", devs[0].Account.VA)
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
