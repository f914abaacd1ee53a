package fleet

import (
	"cmp"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// The queue pops entries in (at, idx) order whatever the order of pushes,
// interleaved with pops.
func TestQueueOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var q queue
		var model []entry
		ops := rapid.SliceOfN(rapid.Int64Range(-1, 50), 1, 200).Draw(t, "ops")
		for i, op := range ops {
			if op < 0 {
				if len(model) == 0 {
					continue
				}
				slices.SortFunc(model, func(a, b entry) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.idx, b.idx)) })
				if got := q.pop(); got != model[0] {
					t.Fatalf("pop %d: got %+v, want %+v", i, got, model[0])
				}
				model = model[1:]
				continue
			}
			e := entry{at: op, idx: int32(i % 7)}
			q.push(e)
			model = append(model, e)
		}
		if len(q) != len(model) {
			t.Fatalf("%d left, want %d", len(q), len(model))
		}
	})
}
