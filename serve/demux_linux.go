package serve

import "syscall"

// bindLoopbackDevice binds a shared socket to the loopback device
// (SO_BINDTODEVICE), so that nothing beyond this machine reaches it. It
// needs CAP_NET_RAW; without it the socket listens on every address and
// the demux closes any connection not made to a loopback address.
func bindLoopbackDevice(_, _ string, c syscall.RawConn) error {
	return c.Control(func(fd uintptr) {
		syscall.SetsockoptString(int(fd), syscall.SOL_SOCKET, syscall.SO_BINDTODEVICE, "lo") // best effort, see above
	})
}
