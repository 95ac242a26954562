package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"
)

// ctxDialer dials the SMTP server for one Send and ties the connection's life to the Send's
// context: when the context ends, the connection is closed, which unblocks any pending read
// or write. go-mail itself honours the context only while dialing.
type ctxDialer struct {
	ctx     context.Context
	addr    string      // host:port from the URL (go-mail's own address breaks IPv6 literals)
	tlsConf *tls.Config // non-nil for implicit TLS

	mu    sync.Mutex
	stops []func() bool
}

// dial has go-mail's DialContextFunc signature; network and address are ignored in favour
// of the parsed URL.
func (d *ctxDialer) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	var conn net.Conn
	var err error
	netDialer := &net.Dialer{}
	if d.tlsConf != nil {
		conn, err = (&tls.Dialer{NetDialer: netDialer, Config: d.tlsConf}).DialContext(ctx, "tcp", d.addr)
	} else {
		conn, err = netDialer.DialContext(ctx, "tcp", d.addr)
	}
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", d.addr, err)
	}
	stop := context.AfterFunc(d.ctx, func() { _ = conn.Close() })
	d.mu.Lock()
	d.stops = append(d.stops, stop)
	d.mu.Unlock()
	return conn, nil
}

// release detaches the context watchers once the Send is over.
func (d *ctxDialer) release() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, stop := range d.stops {
		stop()
	}
	d.stops = nil
}
