package ring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRingIsFIFO(t *testing.T) {
	var r Ring[int]
	_, ok := r.DropFront()
	assert.False(t, ok, "an empty ring has nothing to drop")
	for i := range 10 {
		r.Push(i)
	}
	for want := range 4 {
		v, ok := r.DropFront()
		require.True(t, ok)
		assert.Equal(t, want, v)
	}
	assert.Equal(t, []int{4, 5, 6, 7, 8, 9}, r.Values())
	assert.Equal(t, []int{7, 8, 9}, r.From(3))
	assert.Equal(t, 6, r.At(2))
	f, _ := r.Front()
	assert.Equal(t, 4, f)
}

func TestRingStaysBoundedUnderABound(t *testing.T) {
	// A ring kept at 100 values by its user never holds more than twice
	// that in its backing array, however many values pass through it.
	var r Ring[int]
	for i := range 1_000_000 {
		r.Push(i)
		if r.Len() > 100 {
			r.DropFront()
		}
	}
	assert.Equal(t, 100, r.Len())
	assert.LessOrEqual(t, cap(r.buf), 256, "the backing array is reused, not grown")
	assert.Equal(t, 999_900, r.At(0))
	assert.Equal(t, 999_999, r.At(99))
}

func TestRingSearch(t *testing.T) {
	var r Ring[int]
	for i := range 20 {
		r.Push(i * 2)
	}
	for range 5 {
		r.DropFront()
	}
	// Values are 10, 12, ... 38.
	assert.Equal(t, 0, r.Search(func(v int) bool { return v > 3 }))
	assert.Equal(t, 3, r.Search(func(v int) bool { return v > 15 }))
	assert.Equal(t, 15, r.Search(func(v int) bool { return v > 38 }))
}
