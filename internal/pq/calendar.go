package pq

import (
	"math"
	"math/bits"
	"slices"
)

// Item is what a Calendar holds: an instant (any int64 scale, e.g. Unix
// nanoseconds) and an ID that orders items of the same instant (and names
// what is due, e.g. a device's index).
type Item struct {
	At int64
	ID uint64
}

// Less orders items by instant, then ID.
func (a Item) Less(b Item) bool { return a.At < b.At || a.At == b.At && a.ID < b.ID }

func compareItems(a, b Item) int {
	switch {
	case a.Less(b):
		return -1
	case b.Less(a):
		return 1
	}
	return 0
}

// Calendar is a priority queue for timers that fall due in time order (a
// calendar queue): elements are appended to the bucket of their instant
// in a ring of buckets, and a bucket is sorted only when the queue pops
// from it. Pushing costs O(1) and popping O(log k) amortised for a bucket
// of k elements, against O(log n) for both on a heap of n — and the
// elements of a bucket sit side by side in memory. Elements beyond the
// ring's horizon wait in a heap; so do elements pushed into the bucket
// being popped from, or before it, unless they come at or after its last.
//
// Pops come out in exactly the order of a Heap of the same elements,
// whatever the pushes. Its zero value is not usable; make one with
// NewCalendar.
type Calendar struct {
	width  int64    // of a bucket
	shift  int      // log2 of width when it is a power of two (a shift, not a division), else -1
	mask   int64    // ring length - 1
	ring   [][]Item // made at the first push that needs it
	mixed  []bool   // by ring bucket: pushed out of order (else its elements are sorted)
	inRing int      // elements in ring buckets
	// cur is the bucket popped from last (at first, the start's): the ring
	// holds buckets cur+1 .. cur+mask. It moves only when popping.
	cur     int64
	ready   []Item // the rest of bucket cur, sorted, consumed from readyAt
	readyAt int
	late    Heap[Item] // pushed into bucket cur or before it
	far     Heap[Item] // beyond the ring
	least   Item       // the least element, when known and ready and late are empty
	known   bool
	pool    [][][]Item // empty bucket arrays by log2 of their capacity
	pooled  int        // their capacity in all
	runs    []int      // sort's run starts
}

// NewCalendar makes a calendar of buckets of width (in the elements'
// instant unit; a power of two is cheapest) and a ring of 2^ringBits
// buckets (its horizon is width·2^ringBits)
// whose first bucket holds start — the time the simulation starts.
func NewCalendar(width int64, ringBits uint, start int64) *Calendar {
	if width <= 0 || ringBits == 0 || ringBits > 24 {
		panic("pq: calendar needs a positive width and 1 to 24 bits of buckets")
	}
	c := &Calendar{width: width, mask: 1<<ringBits - 1, shift: -1}
	if width&(width-1) == 0 {
		c.shift = bits.TrailingZeros64(uint64(width))
	}
	c.cur = c.bucketOf(start)
	return c
}

// Len is the number of elements.
func (c *Calendar) Len() int {
	return len(c.ready) - c.readyAt + c.late.Len() + c.inRing + c.far.Len()
}

func (c *Calendar) bucketOf(at int64) int64 {
	if c.shift >= 0 {
		return at >> c.shift // an arithmetic shift floors negative instants too
	}
	if at < 0 {
		return (at+1)/c.width - 1 // floor for negative instants
	}
	return at / c.width
}

// Push adds x.
func (c *Calendar) Push(x Item) {
	if c.known && x.Less(c.least) {
		c.least = x
	}
	b := c.bucketOf(x.At)
	switch {
	case b <= c.cur:
		switch n := len(c.ready); {
		case c.readyAt == n: // the bucket is used up: x starts it again
			c.ready, c.readyAt = append(c.ready[:0], x), 0
		case !x.Less(c.ready[n-1]): // at or after its last (devices that renew together push in order)
			c.ready = append(c.ready, x)
		default:
			c.late.Push(x)
		}
	case b-c.cur <= c.mask:
		if c.ring == nil {
			c.ring, c.mixed = make([][]Item, c.mask+1), make([]bool, c.mask+1)
		}
		s := c.ring[b&c.mask]
		if len(s) > 0 && x.Less(s[len(s)-1]) {
			c.mixed[b&c.mask] = true
		}
		if len(s) == cap(s) {
			s = c.grow(s)
		}
		c.ring[b&c.mask] = append(s, x)
		c.inRing++
	default:
		c.far.Push(x)
	}
}

// next is the first bucket after cur holding elements (ring or far); the
// queue must not be empty beyond cur.
func (c *Calendar) next() int64 {
	next := int64(math.MaxInt64)
	if c.inRing > 0 {
		for b := c.cur + 1; b <= c.cur+c.mask; b++ {
			if len(c.ring[b&c.mask]) > 0 {
				next = b
				break
			}
		}
	}
	if c.far.Len() > 0 {
		next = min(next, c.bucketOf(c.far.Peek().At))
	}
	return next
}

// Bucket storage is recycled: arrays of a power-of-two capacity of at
// least minPooledCap wait in a pool by size class, up to twice as many
// elements in all as the calendar holds (at least minPool), so that memory
// follows the elements while the large buckets that fill and drain every
// simulated month (or every 12 hours) allocate nothing past their first
// small arrays: a bucket growing out of those takes the smallest pooled
// array that fits, however larger, and a drained array pushes smaller ones
// out of a full pool. Small arrays are left to the allocator, which hands
// out memory still in cache where a pooled one would be cold.
const (
	minPool      = 1 << 12
	minPooledCap = 64
)

// grow moves a full bucket into an array twice its size, from the pool
// when it has one.
func (c *Calendar) grow(s []Item) []Item {
	a := append(c.take(max(4, 2*cap(s))), s...)
	c.recycle(s[:0])
	return a
}

// take returns an empty array of at least size (a power of two): the
// smallest pooled one that fits, however larger, or a new one.
func (c *Calendar) take(size int) []Item {
	class := bits.Len(uint(size - 1))
	for k := class; size >= minPooledCap && k < len(c.pool); k++ {
		if free := c.pool[k]; len(free) > 0 {
			a := free[len(free)-1]
			c.pool[k] = free[:len(free)-1]
			c.pooled -= cap(a)
			return a
		}
	}
	return make([]Item, 0, 1<<class)
}

// recycle pools an empty array of a power-of-two capacity, if the pool
// has room or can make it by dropping smaller arrays.
func (c *Calendar) recycle(a []Item) {
	n := cap(a)
	if n < minPooledCap || n&(n-1) != 0 {
		return
	}
	class := bits.Len(uint(n)) - 1
	limit := max(minPool, 2*c.Len())
	for k := 0; k < class && k < len(c.pool) && c.pooled+n > limit; k++ { // smaller arrays make room for a larger one
		for len(c.pool[k]) > 0 && c.pooled+n > limit {
			last := len(c.pool[k]) - 1
			c.pooled -= cap(c.pool[k][last])
			c.pool[k][last] = nil
			c.pool[k] = c.pool[k][:last]
		}
	}
	if c.pooled+n > limit {
		return
	}
	for len(c.pool) <= class {
		c.pool = append(c.pool, nil)
	}
	c.pool[class] = append(c.pool[class], a)
	c.pooled += n
}

// fill makes the next non-empty bucket current when ready and late are
// used up; it reports false when the queue is empty.
func (c *Calendar) fill() bool {
	if c.readyAt < len(c.ready) || c.late.Len() > 0 {
		return true
	}
	if c.inRing == 0 && c.far.Len() == 0 {
		return false
	}
	// Ready's old storage, used up, is the merge buffer if the next bucket
	// needs sorting, then goes back to the pool. The next bucket's slice
	// becomes ready (no copying).
	old := c.ready[:0]
	c.cur = c.next()
	var bucket []Item
	mixed := false
	if c.ring != nil {
		slot := &c.ring[c.cur&c.mask]
		bucket, *slot = *slot, nil
		mixed, c.mixed[c.cur&c.mask] = c.mixed[c.cur&c.mask], false
		c.inRing -= len(bucket)
	}
	for c.far.Len() > 0 && c.bucketOf(c.far.Peek().At) == c.cur {
		x := c.far.Pop()
		mixed = mixed || len(bucket) > 0 && x.Less(bucket[len(bucket)-1])
		bucket = append(bucket, x)
	}
	if mixed { // devices that renew together push in order
		c.sort(bucket, old)
	}
	c.ready, c.readyAt, c.known = bucket, 0, false
	c.recycle(old)
	return true
}

// sort sorts a bucket pushed out of order. Such a bucket is most often a
// few ascending runs (devices on different cycles each push in order), so
// the runs are merged pairwise — linear in the bucket per round, a round
// per doubling of the runs — rather than the bucket sorted from scratch;
// a bucket of many short runs is sorted as any slice.
func (c *Calendar) sort(a, spare []Item) {
	runs := append(c.runs[:0], 0)
	for i := 1; i < len(a); i++ {
		if a[i].Less(a[i-1]) {
			runs = append(runs, i)
		}
	}
	c.runs = runs
	if len(runs) > 16 && len(runs) > len(a)/8 {
		slices.SortFunc(a, compareItems)
		return
	}
	buf := spare // the drained bucket's array, if it is large enough …
	if cap(buf) < len(a) {
		buf = c.take(len(a)) // … else one from the pool, and back to it: no storage kept for sorting
		defer c.recycle(buf[:0])
	}
	src, dst := a, buf[:len(a)]
	for len(runs) > 1 {
		next := runs[:0] // runs halve in place: the write index trails the read
		for k := 0; k < len(runs); k += 2 {
			lo, mid, hi := runs[k], len(a), len(a)
			if k+1 < len(runs) {
				mid = runs[k+1]
			}
			if k+2 < len(runs) {
				hi = runs[k+2]
			}
			i, j, o := lo, mid, lo
			for i < mid && j < hi {
				if src[j].Less(src[i]) {
					dst[o], j = src[j], j+1
				} else {
					dst[o], i = src[i], i+1
				}
				o++
			}
			o += copy(dst[o:], src[i:mid])
			copy(dst[o:], src[j:hi])
			next = append(next, lo)
		}
		runs = next
		src, dst = dst, src
	}
	if &src[0] != &a[0] {
		copy(a, src)
	}
}

// Peek returns the least element; it panics on an empty queue. It moves
// nothing: the least of the next bucket is found by a scan and kept until
// a pop.
func (c *Calendar) Peek() Item {
	switch {
	case c.readyAt < len(c.ready) || c.late.Len() > 0:
		if c.late.Len() > 0 && (c.readyAt == len(c.ready) || c.late.Peek().Less(c.ready[c.readyAt])) {
			return c.late.Peek()
		}
		return c.ready[c.readyAt]
	case c.known:
		return c.least
	case c.inRing == 0 && c.far.Len() == 0:
		panic("pq: peek on an empty calendar")
	}
	b := c.next()
	var least Item
	found := false
	if c.ring != nil {
		bucket := c.ring[b&c.mask]
		switch {
		case len(bucket) == 0:
		case !c.mixed[b&c.mask]: // in order: the least is the first
			least, found = bucket[0], true
		default:
			for _, x := range bucket {
				if !found || x.Less(least) {
					least, found = x, true
				}
			}
		}
	}
	if c.far.Len() > 0 && (!found || c.far.Peek().Less(least)) {
		least = c.far.Peek()
	}
	c.least, c.known = least, true
	return least
}

// Pop removes and returns the least element; it panics on an empty queue.
func (c *Calendar) Pop() Item {
	if !c.fill() {
		panic("pq: pop on an empty calendar")
	}
	c.known = false
	if c.late.Len() > 0 && (c.readyAt == len(c.ready) || c.late.Peek().Less(c.ready[c.readyAt])) {
		return c.late.Pop()
	}
	x := c.ready[c.readyAt]
	c.readyAt++
	return x
}
