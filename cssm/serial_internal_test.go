package cssm

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// Certificate serials are written as fmt's %X writes them.
func TestHexUpperIsPercentX(t *testing.T) {
	for _, v := range []uint64{0, 1, 15, 16, 0xffffffffffff, 1<<64 - 1} {
		if got, want := hexUpper(v), fmt.Sprintf("%X", v); got != want {
			t.Fatalf("hexUpper(%d) = %q, want %q", v, got, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		v := rapid.Uint64().Draw(t, "v")
		if got, want := hexUpper(v), fmt.Sprintf("%X", v); got != want {
			t.Fatalf("hexUpper(%d) = %q, want %q", v, got, want)
		}
	})
}
