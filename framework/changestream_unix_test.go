//go:build unix

package framework_test

import (
	"syscall"
)

// smallReceiveBuffer shrinks a client socket's receive buffer, so that a client that does not
// read fills it quickly.
func smallReceiveBuffer(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
	})
	if err != nil {
		return err
	}
	return serr
}
