// Package changes carries the committed changes of model records to the subscribers of change
// streams: in-process, and between the instances of an app through a Transport (PostgreSQL's
// LISTEN/NOTIFY, Redis pub/sub). It bounds subscribers (in total and per user) and their
// buffers: a subscriber that does not keep up is dropped, never buffered without bound. It
// knows nothing of HTTP or ACLs; the framework filters what each subscriber may see.
package changes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// Event is one committed change of one record.
type Event struct {
	Model *schema.Model
	Type  string        // store.ChangeCreate, store.ChangeUpdate or store.ChangeRemove
	ID    any           // the record's id
	Data  schema.Record // the record (every property); shared by subscribers: never modify it
}

// Errors a subscription ends with (Subscription.Err), and Subscribe's refusals.
var (
	ErrSlow           = errors.New("changes: subscriber too slow; dropped")
	ErrClosed         = errors.New("changes: change streams closed")
	ErrTooMany        = errors.New("changes: too many change stream subscribers")
	ErrTooManyForUser = errors.New("changes: too many change stream subscribers for this user")
	errUnsubscribed   = errors.New("changes: unsubscribed")
)

// Options configure a Bus; zero values take the defaults.
type Options struct {
	MaxSubscribers        int // in total on this instance; default 1000
	MaxSubscribersPerUser int // per user key; default 10
	Buffer                int // events waiting for one subscriber; default 256
	Logger                *slog.Logger
	// Models looks up the model an event from another instance names.
	Models func(name string) *schema.Model
	// Reread reads a record an event from another instance names by id only (its data did not
	// fit the transport's payload); nil record = gone, the event is dropped.
	Reread func(ctx context.Context, m *schema.Model, id any) (schema.Record, error)
}

// Bus delivers committed changes to subscriptions.
type Bus struct {
	opts   Options
	log    *slog.Logger
	origin string // this instance, so that it ignores its own messages coming back

	mu         sync.RWMutex
	subs       map[string]map[*Subscription]struct{} // model name -> subscriptions
	perUser    map[string]int
	total      int
	closed     bool
	transports []Transport
	dropped    uint64 // subscriptions dropped as too slow
	sendLost   uint64 // messages a transport could not send

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a Bus with opts.
func New(opts Options) *Bus {
	if opts.MaxSubscribers <= 0 {
		opts.MaxSubscribers = 1000
	}
	if opts.MaxSubscribersPerUser <= 0 {
		opts.MaxSubscribersPerUser = 10
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 256
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	var raw [8]byte
	_, _ = rand.Read(raw[:])
	ctx, cancel := context.WithCancel(context.Background())
	return &Bus{
		opts: opts, log: opts.Logger, origin: hex.EncodeToString(raw[:]),
		subs: map[string]map[*Subscription]struct{}{}, perUser: map[string]int{},
		ctx: ctx, cancel: cancel,
	}
}

// Subscription receives the events of one model. Its channel is closed when it ends: by
// Close, when the bus closes (Err ErrClosed) or when it fell Buffer events behind (Err ErrSlow).
type Subscription struct {
	bus   *Bus
	model string
	user  string
	ch    chan Event
	once  sync.Once
	mu    sync.Mutex
	err   error
}

// Events returns the channel of events; it is closed when the subscription ends.
func (s *Subscription) Events() <-chan Event { return s.ch }

// Err returns why the subscription ended (nil while it runs or after Close).
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if errors.Is(s.err, errUnsubscribed) {
		return nil
	}
	return s.err
}

// Close ends the subscription.
func (s *Subscription) Close() { s.bus.remove(s, errUnsubscribed) }

// Subscribe starts a subscription to the changes of model m for a user key ("" = anonymous,
// counted together); ErrTooMany or ErrTooManyForUser when a limit is reached, ErrClosed after
// Close.
func (b *Bus) Subscribe(m *schema.Model, user string) (*Subscription, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.closed:
		return nil, ErrClosed
	case b.total >= b.opts.MaxSubscribers:
		return nil, ErrTooMany
	case b.perUser[user] >= b.opts.MaxSubscribersPerUser:
		return nil, ErrTooManyForUser
	}
	s := &Subscription{bus: b, model: m.Name, user: user, ch: make(chan Event, b.opts.Buffer)}
	if b.subs[m.Name] == nil {
		b.subs[m.Name] = map[*Subscription]struct{}{}
	}
	b.subs[m.Name][s] = struct{}{}
	b.perUser[user]++
	b.total++
	return s, nil
}

// remove ends s with err (once).
func (b *Bus) remove(s *Subscription, err error) {
	s.once.Do(func() {
		b.mu.Lock()
		if set := b.subs[s.model]; set != nil {
			if _, ok := set[s]; ok {
				delete(set, s)
				if len(set) == 0 {
					delete(b.subs, s.model)
				}
				b.total--
				if b.perUser[s.user]--; b.perUser[s.user] <= 0 {
					delete(b.perUser, s.user)
				}
			}
		}
		if errors.Is(err, ErrSlow) {
			b.dropped++
		}
		b.mu.Unlock()
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		close(s.ch)
	})
}

// hasSubscribers reports whether this instance has subscribers to a model.
func (b *Bus) hasSubscribers(model string) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.subs[model]) > 0
}

// deliver hands events to the local subscribers of their models, dropping those whose buffer
// is full.
func (b *Bus) deliver(events []Event) {
	var slow []*Subscription
	b.mu.RLock()
	for _, ev := range events {
		for s := range b.subs[ev.Model.Name] {
			select {
			case s.ch <- ev:
			default:
				slow = append(slow, s)
			}
		}
	}
	b.mu.RUnlock()
	for _, s := range slow {
		b.log.Warn("change stream: subscriber too slow; dropped", "model", s.model, "buffer", b.opts.Buffer)
		b.remove(s, ErrSlow)
	}
}

// Stats describes the bus at one moment.
type Stats struct {
	Subscribers int            // open subscriptions
	ByModel     map[string]int // open subscriptions per model
	Dropped     uint64         // subscriptions dropped as too slow so far
	SendLost    uint64         // messages to other instances lost (a transport's queue was full or failed)
	Transports  []string       // the transports to other instances
}

// Stats returns the current counts.
func (b *Bus) Stats() Stats {
	b.mu.RLock()
	defer b.mu.RUnlock()
	st := Stats{Subscribers: b.total, ByModel: map[string]int{}, Dropped: b.dropped, SendLost: b.sendLost}
	for m, set := range b.subs {
		st.ByModel[m] = len(set)
	}
	for _, t := range b.transports {
		st.Transports = append(st.Transports, t.Name())
	}
	return st
}

// Close ends every subscription (ErrClosed) and stops the transports; later Subscribe calls
// fail. It returns once the transports' receive loops have ended or ctx is done.
func (b *Bus) Close(ctx context.Context) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	var all []*Subscription
	for _, set := range b.subs {
		for s := range set {
			all = append(all, s)
		}
	}
	transports := b.transports
	b.mu.Unlock()
	for _, s := range all {
		b.remove(s, ErrClosed)
	}
	for _, t := range transports {
		t.Close() // sends what is queued
	}
	b.cancel()
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		b.log.Warn("change stream: a transport did not stop within 10 s")
	}
}

// Listener returns the store.ChangeListener to install on a store: its changes go to the local
// subscribers and, when tr is not nil, to the other instances through tr.
func (b *Bus) Listener(tr Transport) store.ChangeListener { return &listener{b: b, tr: tr} }

type listener struct {
	b  *Bus
	tr Transport
}

// Wants reports whether a change of m can reach anyone: a local subscriber, or (with a
// transport) possibly one on another instance.
func (l *listener) Wants(m *schema.Model) bool {
	return l.tr != nil || l.b.hasSubscribers(m.Name)
}

// Committed delivers a committed transaction's changes.
func (l *listener) Committed(changes []store.Change) {
	events := make([]Event, len(changes))
	for i, c := range changes {
		events[i] = Event{Model: c.Model, Type: c.Type, ID: c.ID, Data: c.Data}
	}
	l.b.deliver(events)
	if l.tr != nil {
		for _, p := range l.b.encode(events, l.tr.MaxPayload()) {
			if !l.tr.Send(p) {
				l.b.mu.Lock()
				l.b.sendLost++
				l.b.mu.Unlock()
			}
		}
	}
}

// TransportList returns the transports added so far.
func (b *Bus) TransportList() []Transport {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return append([]Transport(nil), b.transports...)
}

// AddTransport starts receiving the messages of other instances through t, until Close.
func (b *Bus) AddTransport(t Transport) {
	b.mu.Lock()
	b.transports = append(b.transports, t)
	b.mu.Unlock()
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t.Run(b.ctx, b.receive)
	}()
}

// receive delivers the events of another instance's message.
func (b *Bus) receive(payload []byte) {
	events, err := b.decode(payload)
	if err != nil {
		b.log.Warn("change stream: unreadable message from another instance; ignored", "err", err)
		return
	}
	if len(events) > 0 {
		b.deliver(events)
	}
}

// backoff returns the wait before reconnection attempt n (1 s doubling, at most 30 s).
func backoff(n int) time.Duration {
	d := time.Second << min(n, 5)
	return min(d, 30*time.Second)
}
