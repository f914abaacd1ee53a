// Package ring is a bounded first-in, first-out buffer: the shape of IOS's
// logging buffer and of the world's event window. Pushing is amortised
// O(1); the oldest values are dropped by the caller's bound (a count, or a
// byte budget it keeps itself) with DropFront.
package ring

// Ring holds values oldest first. Its zero value is empty and ready.
type Ring[T any] struct {
	buf  []T
	head int // index of the oldest value in buf
}

// Len is how many values the ring holds.
func (r *Ring[T]) Len() int { return len(r.buf) - r.head }

// Push appends v as the newest value.
func (r *Ring[T]) Push(v T) {
	if r.head > 0 && r.head >= len(r.buf)/2 && len(r.buf) == cap(r.buf) {
		// Reclaim the dropped half before the slice grows: amortised O(1).
		n := copy(r.buf, r.buf[r.head:])
		clear(r.buf[n:])
		r.buf, r.head = r.buf[:n], 0
	}
	r.buf = append(r.buf, v)
}

// DropFront removes the oldest value and returns it; ok is false when the
// ring is empty.
func (r *Ring[T]) DropFront() (v T, ok bool) {
	if r.Len() == 0 {
		return v, false
	}
	v = r.buf[r.head]
	var zero T
	r.buf[r.head] = zero
	r.head++
	if r.head == len(r.buf) {
		r.buf, r.head = r.buf[:0], 0
	}
	return v, true
}

// At returns the i-th value, 0 being the oldest.
func (r *Ring[T]) At(i int) T { return r.buf[r.head+i] }

// Front is the oldest value; ok is false when the ring is empty.
func (r *Ring[T]) Front() (v T, ok bool) {
	if r.Len() == 0 {
		return v, false
	}
	return r.buf[r.head], true
}

// Values returns a copy of the values, oldest first.
func (r *Ring[T]) Values() []T {
	out := make([]T, r.Len())
	copy(out, r.buf[r.head:])
	return out
}

// From returns a copy of the values from the i-th on.
func (r *Ring[T]) From(i int) []T {
	i = max(0, min(i, r.Len()))
	out := make([]T, r.Len()-i)
	copy(out, r.buf[r.head+i:])
	return out
}

// Search returns the index of the first value for which after is true,
// given that after is false then true along the ring (e.g. "sequence
// number > n"); Len when there is none.
func (r *Ring[T]) Search(after func(T) bool) int {
	lo, hi := 0, r.Len()
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !after(r.buf[r.head+m]) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
