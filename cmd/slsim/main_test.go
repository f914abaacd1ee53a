package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
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
