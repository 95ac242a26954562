package changes

import (
	"log/slog"
	"sync"
	"time"
)

// sendQueue is how many messages a transport holds while it sends; more are lost (counted).
const sendQueue = 1024

// outbox is a transport's bounded queue of outgoing messages, sent in order by one goroutine
// through deliver; a message that does not fit is lost with a warning, never waited for.
type outbox struct {
	what    string // the transport's name in warnings ("NOTIFY", "Redis")
	channel string
	log     *slog.Logger
	deliver func(msg []byte)

	out      chan []byte
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

// newOutbox starts the sending goroutine of a transport.
func newOutbox(what, channel string, log *slog.Logger, deliver func([]byte)) *outbox {
	o := &outbox{what: what, channel: channel, log: log, deliver: deliver,
		out: make(chan []byte, sendQueue), stop: make(chan struct{}), done: make(chan struct{})}
	go o.loop()
	return o
}

// Send implements Transport: it queues payload without blocking; false when it was lost.
func (o *outbox) Send(payload []byte) bool {
	select {
	case <-o.stop:
		return false
	default:
	}
	select {
	case o.out <- payload:
		return true
	default:
		o.log.Warn("change stream: "+o.what+" queue full; message to other instances lost", "channel", o.channel)
		return false
	}
}

// loop sends queued messages in order until close, then what is still queued.
func (o *outbox) loop() {
	defer close(o.done)
	for {
		select {
		case msg := <-o.out:
			o.deliver(msg)
		case <-o.stop:
			for {
				select {
				case msg := <-o.out:
					o.deliver(msg)
				default:
					return
				}
			}
		}
	}
}

// close stops accepting messages and waits a few seconds at most for the queued ones.
func (o *outbox) close() {
	o.stopOnce.Do(func() { close(o.stop) })
	select {
	case <-o.done:
	case <-time.After(5 * time.Second):
	}
}
