//go:build !linux

package serve

import "syscall"

// bindLoopbackDevice leaves the socket as it is on platforms without
// SO_BINDTODEVICE: the demux closes any connection not made to a
// loopback address.
func bindLoopbackDevice(_, _ string, _ syscall.RawConn) error { return nil }
