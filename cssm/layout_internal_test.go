package cssm

import (
	"testing"
	"unsafe"
)

// An instance is allocated in the 256-byte size class (so it starts on a
// cache line), and what a renewal reads and writes (up to the contact
// list's links) is its first two lines.
func TestInstanceLayout(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout is planned for 64-bit platforms")
	}
	var i instance
	if size := unsafe.Sizeof(i); size <= 240 || size > 256 {
		t.Fatalf("instance is %d bytes, want 241–256", size)
	}
	if end := unsafe.Offsetof(i.next) + unsafe.Sizeof(i.next); end > 128 {
		t.Fatalf("hot fields end at %d", end)
	}
	if unsafe.Offsetof(i.UDI) < 104 {
		t.Fatal("a cold field among the hot ones")
	}
}
