package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
