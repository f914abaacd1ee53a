package stackwise_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/stackwise"
)

// Members written as x<N> get serials made from the device's name: the
// same each time, distinct, and leaving given serials alone.
func TestFillSerials(t *testing.T) {
	const text = `device access-1 version 17.3.1 level network-advantage
  switch C9300-24P x3
device access-2 version 17.3.1 level network-advantage
  switch C9300-48P FOC2134Z0AD
  switch C9300-48P x1
`
	parse := func() *stackwise.Estate {
		e, _, err := stackwise.Parse(strings.NewReader(text))
		require.NoError(t, err)
		e.FillSerials()
		return e
	}
	a, b := parse(), parse()
	assert.Equal(t, a.Devices(), b.Devices(), "deterministic")
	seen := map[string]bool{}
	for _, d := range a.Devices() {
		for _, u := range d.Switches {
			require.NotEmpty(t, u.SN, d.Name)
			assert.False(t, seen[u.SN], "distinct: %s", u.SN)
			seen[u.SN] = true
			assert.Len(t, u.SN, 11, "as long as a Cisco serial")
		}
	}
	assert.Equal(t, "FOC2134Z0AD", a.Devices()[1].Switches[0].SN, "a given serial stays")
	assert.True(t, strings.HasSuffix(a.Devices()[0].Switches[2].SN, "03"), "the member's number")
}
