package fleet

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/stackwise"
)

// Shards get virtual accounts by expected work: a VA short of licenses at
// the start weighs 60 times its devices (renewals every 12 h, not 30 days),
// the heaviest go first to the least loaded shard, and an SA's VAs may
// land on different shards.
func TestShardOfBalances(t *testing.T) {
	dev := func(sa, va string, i int) Device {
		return Device{SA: sa, VA: va, Topo: stackwise.Device{Name: fmt.Sprintf("%s-%s-%d", sa, va, i),
			Switches: []stackwise.Unit{{PID: "C9300-24P", SN: fmt.Sprintf("FOC%s%s%03d", sa, va, i)}},
			Level:    stackwise.Level{Base: stackwise.NetworkAdvantage}, Version: stackwise.MustVersion("17.3.1")}}
	}
	spec := Spec{Start: benchStart, Duration: agent.Day, Shards: 2}
	for i := range 10 {
		spec.Devices = append(spec.Devices, dev("A", "x", i))
	}
	spec.Pools = append(spec.Pools, Pool{SA: "A", VA: "x", Tag: "C9300-24 Network Advantage", Qty: 9}) // one short
	for _, va := range []string{"v1", "v2", "v3"} {
		for i := range 20 {
			spec.Devices = append(spec.Devices, dev("B", va, i))
		}
		spec.Pools = append(spec.Pools, Pool{SA: "B", VA: va, Tag: "C9300-24 Network Advantage", Qty: 20})
	}
	spec.Schedule = []Event{{At: benchStart, Kind: EvAddDevice, Device: dev("C", "y", 0)}}
	usages, err := spec.startUsages()
	require.NoError(t, err)
	of, n := spec.shardOf(agent.DefaultProfile(), usages)
	require.Equal(t, 2, n)
	assert.Equal(t, map[string]int{unitOf("A", "x"): 0, unitOf("B", "v1"): 1, unitOf("B", "v2"): 1, unitOf("B", "v3"): 1, unitOf("C", "y"): 1}, of,
		"A/x weighs 600 and runs alone; the 20-device VAs and the one added later share the other shard")

	spec.Shards = 8
	of, n = spec.shardOf(agent.DefaultProfile(), usages)
	assert.Equal(t, 5, n, "no more shards than virtual accounts")
	assert.Len(t, of, 5)
	spec.Shards = 0
	_, n = spec.shardOf(agent.DefaultProfile(), usages)
	assert.Equal(t, 1, n)
}
