// Package pq is a binary min-heap of values kept in a slice. Unlike
// container/heap it is typed: pushing and popping do not box values in
// interfaces, which matters on the simulators' hot paths (every timer of
// every device goes through one).
package pq

// Ordered is an element that knows whether it comes before another. The
// order must be total and strict for pops to be deterministic.
type Ordered[T any] interface {
	Less(T) bool
}

// Heap is a min-heap; its zero value is empty and ready.
type Heap[T Ordered[T]] struct {
	items []T
}

// Len is the number of elements.
func (h *Heap[T]) Len() int { return len(h.items) }

// Peek returns the least element; it panics on an empty heap.
func (h *Heap[T]) Peek() T { return h.items[0] }

// Reset empties the heap, keeping its storage.
func (h *Heap[T]) Reset() { h.items = h.items[:0] }

// Push adds x.
func (h *Heap[T]) Push(x T) {
	h.items = append(h.items, x)
	s := h.items
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].Less(s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

// Pop removes and returns the least element; it panics on an empty heap.
func (h *Heap[T]) Pop() T {
	s := h.items
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	var zero T
	s[last] = zero // no stale references for the collector
	s = s[:last]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < len(s) && s[l].Less(s[m]) {
			m = l
		}
		if r := l + 1; r < len(s) && s[r].Less(s[m]) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	h.items = s
	return top
}

// Items returns a copy of the elements, in no particular order.
func (h *Heap[T]) Items() []T { return append([]T(nil), h.items...) }
