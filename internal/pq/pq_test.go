package pq_test

import (
	"cmp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// timed is the calendar's item, as the tests write it.
type timed = pq.Item

func tm(at, id int64) timed { return timed{At: at, ID: uint64(id)} }

// A calendar pops exactly what a heap of the same elements pops, whatever
// the pushes: near and beyond its horizon, into the current bucket, before
// the last element popped, negative instants, ties.
func TestCalendarEqualsHeap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		width := rapid.Int64Range(1, 50).Draw(t, "width")
		c := pq.NewCalendar(width, uint(rapid.IntRange(1, 6).Draw(t, "bits")), rapid.Int64Range(-100, 100).Draw(t, "start"))
		var h pq.Heap[timed]
		last := int64(0)
		for i, op := range rapid.SliceOfN(rapid.IntRange(0, 9), 1, 400).Draw(t, "ops") {
			if op == 9 { // peek only: it must not change what comes out
				if h.Len() > 0 && c.Peek() != h.Peek() {
					t.Fatalf("peek %d: calendar %+v, heap %+v", i, c.Peek(), h.Peek())
				}
				continue
			}
			if op < 4 { // pop
				if h.Len() == 0 {
					continue
				}
				if got, want := c.Peek(), h.Peek(); got != want {
					t.Fatalf("peek %d: calendar %+v, heap %+v", i, got, want)
				}
				got, want := c.Pop(), h.Pop()
				if got != want {
					t.Fatalf("pop %d: calendar %+v, heap %+v", i, got, want)
				}
				last = got.At
				continue
			}
			d := rapid.SampledFrom([]int64{0, 1, 7, 50, 400, 5000, -3, -200}).Draw(t, "delta")
			x := tm(last+d*rapid.Int64Range(0, 3).Draw(t, "k"), int64(i%5))
			c.Push(x)
			h.Push(x)
			if c.Len() != h.Len() {
				t.Fatalf("len %d, heap %d", c.Len(), h.Len())
			}
		}
		for h.Len() > 0 {
			if got, want := c.Pop(), h.Pop(); got != want {
				t.Fatalf("drain: calendar %+v, heap %+v", got, want)
			}
		}
		if c.Len() != 0 {
			t.Fatalf("%d left", c.Len())
		}

	})
}

func TestCalendarRefusesBadShape(t *testing.T) {
	for _, f := range []func(){
		func() { pq.NewCalendar(0, 4, 0) },
		func() { pq.NewCalendar(1, 0, 0) },
		func() { pq.NewCalendar(1, 25, 0) },
		func() { pq.NewCalendar(1, 4, 0).Pop() },
		func() { pq.NewCalendar(1, 4, 0).Peek() },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		}()
	}
}

// BenchmarkCalendarPushPop is BenchmarkPushPop on a calendar of one-unit
// buckets over the same 100,000 deadlines.
func BenchmarkCalendarPushPop(b *testing.B) {
	c := pq.NewCalendar(1, 17, 0)
	for i := range int64(100_000) {
		c.Push(tm(i*7919%100_000, i))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x := c.Pop()
		x.At += 100_000
		c.Push(x)
	}
}

// An element that waited beyond the horizon joins its bucket after the
// ones pushed there since, however it compares with them; the bucket is
// sorted before it pops (and Peek finds the least of it).
func TestCalendarFarJoinsItsBucket(t *testing.T) {
	c := pq.NewCalendar(10, 2, 0) // buckets of 10, a ring of 4: cur+1 .. cur+3
	c.Push(tm(51, 1))             // bucket 5: beyond the horizon
	c.Push(tm(21, 2))
	require.Equal(t, tm(21, 2), c.Pop()) // cur is bucket 2: 3 .. 5 in the ring
	c.Push(tm(58, 3))                    // bucket 5, in the ring: 51 joins it after 58
	require.Equal(t, tm(51, 1), c.Peek())
	for _, want := range []timed{tm(51, 1), tm(58, 3)} {
		require.Equal(t, want, c.Pop())
	}
}

// Large buckets (many timers at the same instants, as fleets registered
// together have) recycle their storage and still pop in heap order.
func TestCalendarLargeBuckets(t *testing.T) {
	c := pq.NewCalendar(10, 4, 0)
	var h pq.Heap[timed]
	id := int64(0)
	for round := int64(0); round < 40; round++ {
		for k := 0; k < 700+int(round)*50; k++ { // lockstep: the same few instants, growing
			id++
			x := tm(round*30+id%3, id)
			c.Push(x)
			h.Push(x)
		}
		for k := 0; k < 600; k++ {
			if got, want := c.Pop(), h.Pop(); got != want {
				t.Fatalf("round %d: calendar %+v, heap %+v", round, got, want)
			}
		}
	}
	for h.Len() > 0 {
		if got, want := c.Pop(), h.Pop(); got != want {
			t.Fatalf("drain: calendar %+v, heap %+v", got, want)
		}
	}
}

// A bucket that fills and drains on a cycle (a fleet's devices renewing
// together) allocates, once the calendar has seen a cycle, only the small
// arrays it starts in (4, 8, 16 and 32 elements): then it grows into the
// drained bucket's array, which waited in the pool, having pushed out the
// smaller arrays the first growth left there. Small buckets around it
// (stragglers, one element each) take a small array each from the
// allocator, as they would in any queue.
func TestCalendarRecyclesCycles(t *testing.T) {
	const n, period = 5000, 720
	c := pq.NewCalendar(16, 12, 0)
	for i := range int64(n) {
		at := int64(100)
		if i%125 == 0 {
			at += 16 * (1 + i/125) // forty stragglers, a bucket each, all before the next cycle
		}
		c.Push(tm(at, i))
	}
	cycle := func() {
		for range n {
			x := c.Pop()
			c.Push(timed{At: x.At + period, ID: x.ID})
		}
	}
	cycle()
	cycle()
	assert.Equal(t, float64(4+n/125), testing.AllocsPerRun(3, cycle), "allocations per cycle: four small arrays, one per straggler")
	assert.Equal(t, n, c.Len())
	prev := int64(-1 << 62)
	for c.Len() > 0 { // and the order holds
		x := c.Pop()
		require.LessOrEqual(t, prev, x.At)
		prev = x.At
	}
}

// A bucket pushed as a few ascending runs (devices on different cycles)
// or as many short ones pops in order either way.
func TestCalendarBucketRuns(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := pq.NewCalendar(1<<20, 4, 0)
		var h pq.Heap[timed]
		runs := rapid.IntRange(1, 40).Draw(t, "runs")
		id := int64(0)
		for range runs {
			at := int64(1<<20) + rapid.Int64Range(0, 500).Draw(t, "from") // all in bucket 1
			for range rapid.IntRange(1, 60).Draw(t, "len") {
				at += rapid.Int64Range(0, 40).Draw(t, "step")
				id++
				x := tm(min(at, 2<<20-1), rapid.Int64Range(0, id).Draw(t, "id"))
				c.Push(x)
				h.Push(x)
			}
		}
		for h.Len() > 0 {
			if got, want := c.Pop(), h.Pop(); got != want {
				t.Fatalf("calendar %+v, heap %+v", got, want)
			}
		}
	})
}
