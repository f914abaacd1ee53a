package collect_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/collect"
	sw "github.com/slsim/slsim/stackwise"
)

// Tests that import a lab's outputs live in cmd/slsim/estate_test.go: the
// lab would bring the whole world into this package's test binary, and
// coverage-guided fuzzing (fuzz_test.go) crawls there.

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

// The registration states show license status prints map to the estate's
// words; a failed registration is "failed", not merely unregistered.
func TestRegistrationStates(t *testing.T) {
	version := strings.Replace(string(read(t, "testdata/real/genie-c9500-48y4c-svl-17.3.3.txt")), "Version 17.03.03", "Version 16.12.03", 1)
	for status, want := range map[string]string{
		"UNREGISTERED":                           "unregistered",
		"UNREGISTERED - REGISTRATION FAILED":     "failed",
		"REGISTERING - REGISTRATION IN PROGRESS": "registering",
		"REGISTERED":                             "registered",
	} {
		im := collect.NewImporter()
		text := "sw9#show license status\nRegistration:\n  Status: " + status + "\nsw9#show version\n" + version
		require.NoError(t, im.AddText("a.txt", []byte(text)))
		devs, skipped := im.Result()
		require.Empty(t, skipped)
		require.Len(t, devs, 1)
		assert.Equal(t, want, devs[0].Account.State, status)
	}
}
