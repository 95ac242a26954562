package changes

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisMaxPayload bounds one Redis message (Redis itself allows far more).
const redisMaxPayload = 1 << 20

// Redis carries messages with Redis pub/sub (PUBLISH, SUBSCRIBE), for deployments whose
// database has no notifications of its own (MySQL) or that prefer Redis.
type Redis struct {
	client  *redis.Client
	channel string
	log     *slog.Logger

	*outbox   // Send, and the queue PUBLISH drains
	ready     chan struct{}
	readyOnce sync.Once
}

// NewRedis returns a transport on a Redis server (redis://[user:password@]host:port/db or
// rediss:// for TLS) and channel.
func NewRedis(url, channel string, log *slog.Logger) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("changeStreams: redisUrl: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	r := &Redis{client: redis.NewClient(opts), channel: channel, log: log, ready: make(chan struct{})}
	r.outbox = newOutbox("Redis", channel, log, r.publish)
	return r, nil
}

// Name implements Transport.
func (r *Redis) Name() string { return "redis" }

// MaxPayload implements Transport.
func (r *Redis) MaxPayload() int { return redisMaxPayload }

// Ready implements Transport.
func (r *Redis) Ready() <-chan struct{} { return r.ready }

// publish sends one message with PUBLISH.
func (r *Redis) publish(msg []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.client.Publish(ctx, r.channel, msg).Err(); err != nil {
		r.log.Warn("change stream: PUBLISH failed; message to other instances lost", "channel", r.channel, "err", err)
	}
}

// Run implements Transport: SUBSCRIBE, resubscribing with backoff after failures.
func (r *Redis) Run(ctx context.Context, receive func(payload []byte)) {
	defer r.client.Close()
	for attempt := 0; ctx.Err() == nil; attempt++ {
		err := r.subscribe(ctx, receive, func() { attempt = 0 })
		if ctx.Err() != nil {
			return
		}
		wait := backoff(attempt)
		r.log.Warn("change stream: Redis subscription lost; resubscribing (changes of other instances meanwhile are missed)",
			"channel", r.channel, "err", err, "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func (r *Redis) subscribe(ctx context.Context, receive func([]byte), subscribed func()) error {
	ps := r.client.Subscribe(ctx, r.channel)
	defer ps.Close()
	// a blocked receive does not watch ctx: closing the subscription ends it
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer stop()
	if _, err := ps.Receive(ctx); err != nil { // the subscription's confirmation
		return err
	}
	subscribed()
	r.readyOnce.Do(func() { close(r.ready) })
	for {
		msg, err := ps.ReceiveMessage(ctx)
		if err != nil {
			return err
		}
		receive([]byte(msg.Payload))
	}
}

// Close implements Transport: it stops accepting messages and publishes what is queued (for up
// to a few seconds).
func (r *Redis) Close() { r.outbox.close() }
