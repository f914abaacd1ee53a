package fleet

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/internal/agentcore"
	"github.com/slsim/slsim/stackwise"
)

// Shards get virtual accounts by estimated cost in renewal attempts (one
// year here): a device costs 100 plus 12 renewals (every 30 days), or 730
// in a VA short of licenses at the start (every 12 hours), plus one an
// hour through each outage of its path (cut at the run's end). The
// heaviest go first to the least loaded shard; an SA's VAs may land on
// different shards.
func TestPlanBalances(t *testing.T) {
	dev := func(sa, va string, i int) Device {
		return Device{SA: sa, VA: va, Topo: stackwise.Device{Name: fmt.Sprintf("%s-%s-%d", sa, va, i),
			Switches: []stackwise.Unit{{PID: "C9300-24P", SN: fmt.Sprintf("FOC%s%s%03d", sa, va, i)}},
			Level:    stackwise.Level{Base: stackwise.NetworkAdvantage}, Version: stackwise.MustVersion("17.3.1")}}
	}
	spec := Spec{Start: benchStart, Duration: 365 * agent.Day}
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
	for i := range 5 {
		d := dev("D", "z", i)
		d.Path = "proxy"
		spec.Devices = append(spec.Devices, d)
	}
	spec.Pools = append(spec.Pools, Pool{SA: "D", VA: "z", Tag: "C9300-24 Network Advantage", Qty: 5})
	spec.Schedule = []Event{{At: benchStart, Kind: EvAddDevice, Device: dev("C", "y", 0)},
		{At: benchStart.Add(100 * agent.Day), Kind: EvOutage, Path: "proxy", Duration: 10 * agent.Day},
		{At: benchStart.Add(363 * agent.Day), Kind: EvOutage, Path: "proxy", Duration: 30 * agent.Day}, // 2 days of it in the run
		{At: benchStart.Add(200 * agent.Day), Kind: EvOutage, Path: "elsewhere", Duration: 30 * agent.Day}}
	usages, err := spec.validate()
	require.NoError(t, err)
	of, cost := spec.plan(agent.DefaultProfile(), usages, 2)
	// A/x 10×(100+730) = 8300; B/v* 20×(100+12) = 2240 each; D/z 5×(100+12) + 5×(240+48) = 2000; C/y 112.
	// A/x → 0; v1, v2, v3 → 1 (6720); D/z → 1 (8720); C/y → 0 (8412).
	assert.Equal(t, map[unit]int{unitOf("A", "x"): 0, unitOf("B", "v1"): 1, unitOf("B", "v2"): 1, unitOf("B", "v3"): 1,
		unitOf("D", "z"): 1, unitOf("C", "y"): 0}, of)
	assert.Equal(t, []int64{8412, 8720}, cost)

	of, cost = spec.plan(agent.DefaultProfile(), usages, 8)
	assert.Len(t, cost, 6, "no more shards than virtual accounts")
	assert.Len(t, of, 6)
	assert.Equal(t, int64(8300), cost[0], "the heaviest first")
	_, cost = spec.plan(agent.DefaultProfile(), usages, 0)
	assert.Equal(t, []int64{8300 + 3*2240 + 2000 + 112}, cost)
}

// Nodes are 256 bytes, and a renewal's fields (the node's own and the
// agent's hot ones) are the first three cache lines.
func TestNodeLayout(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout is planned for 64-bit platforms")
	}
	var n node
	assert.Equal(t, uintptr(256), unsafe.Sizeof(n))
	assert.Equal(t, uintptr(24), unsafe.Offsetof(n.a))
	assert.LessOrEqual(t, unsafe.Offsetof(n.a)+agentcore.HotBytes, uintptr(3*64))
}
