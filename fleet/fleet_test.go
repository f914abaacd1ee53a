package fleet_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/fleet"
)

var start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// The sharded run equals the single-threaded run on the same seed.
func TestShardedEqualsSingle(t *testing.T) {
	spec := fleet.Synthetic(300, 6, start, 2, 7)
	single, err := fleet.Run(spec)
	require.NoError(t, err)
	spec.Shards = 4
	sharded, err := fleet.Run(spec)
	require.NoError(t, err)
	require.True(t, reflect.DeepEqual(single, sharded), "sharded and single-threaded reports differ")
	assert.Equal(t, 300, single.Devices)
	assert.Len(t, single.Days, 2*365+1, "one row a day, both ends included")
	assert.NotEmpty(t, single.Alerts)
	assert.NotEmpty(t, single.Supply)
}
