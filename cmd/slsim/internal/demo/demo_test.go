package demo

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/demo.golden")

// TestGolden pins the demo's whole output: every date of it follows from
// the agent's timers, so a change here is a change of behaviour.
func TestGolden(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Run(&buf, 1))
	if *update {
		require.NoError(t, os.WriteFile("testdata/demo.golden", buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile("testdata/demo.golden")
	require.NoError(t, err)
	require.Equal(t, string(want), buf.String())
}
