package pq_test

import (
	"cmp"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/slsim/slsim/internal/pq"
)

type item struct{ at, id int }

func (a item) Less(b item) bool { return a.at < b.at || a.at == b.at && a.id < b.id }

// Pops come out in order whatever the pushes, interleaved with pops.
func TestHeapOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var h pq.Heap[item]
		var model []item
		ops := rapid.SliceOfN(rapid.IntRange(-1, 40), 1, 300).Draw(t, "ops")
		for i, op := range ops {
			if op < 0 {
				if len(model) == 0 {
					continue
				}
				slices.SortFunc(model, func(a, b item) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.id, b.id)) })
				if got := h.Peek(); got != model[0] {
					t.Fatalf("peek %d: got %+v, want %+v", i, got, model[0])
				}
				if got := h.Pop(); got != model[0] {
					t.Fatalf("pop %d: got %+v, want %+v", i, got, model[0])
				}
				model = model[1:]
				continue
			}
			x := item{at: op, id: i}
			h.Push(x)
			model = append(model, x)
		}
		if h.Len() != len(model) {
			t.Fatalf("%d left, want %d", h.Len(), len(model))
		}
		h.Reset()
		if h.Len() != 0 {
			t.Fatal("reset left elements")
		}
	})
}

func TestEmptyPopPanics(t *testing.T) {
	var h pq.Heap[item]
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	h.Pop()
}

func BenchmarkPushPop(b *testing.B) {
	var h pq.Heap[item]
	for i := range 100_000 {
		h.Push(item{at: i * 7919 % 100_000, id: i})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x := h.Pop()
		x.at += 100_000
		h.Push(x)
	}
}
