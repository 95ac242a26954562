package changes

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

func noteModel() *schema.Model {
	return &schema.Model{Name: "Note", Persisted: true, Properties: []*schema.Property{
		{Name: "id", Type: schema.Number, ID: true, Generated: true},
		{Name: "title", Type: schema.String},
		{Name: "body", Type: schema.String},
		{Name: "ownerId", Type: schema.Number},
		{Name: "created", Type: schema.Date},
		{Name: "meta", Type: schema.Object},
	}}
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestSubscriberLimits(t *testing.T) {
	b := New(Options{MaxSubscribers: 3, MaxSubscribersPerUser: 2, Logger: quiet()})
	m := noteModel()
	s1, err := b.Subscribe(m, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Subscribe(m, "u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Subscribe(m, "u1"); !errors.Is(err, ErrTooManyForUser) {
		t.Fatalf("third of one user: %v", err)
	}
	if _, err := b.Subscribe(m, "u2"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Subscribe(m, "u3"); !errors.Is(err, ErrTooMany) {
		t.Fatalf("fourth in total: %v", err)
	}
	s1.Close()
	if s1.Err() != nil {
		t.Fatalf("Err after Close: %v", s1.Err())
	}
	if _, err := b.Subscribe(m, "u1"); err != nil {
		t.Fatalf("a closed subscription frees its place: %v", err)
	}
	if st := b.Stats(); st.Subscribers != 3 || st.ByModel["Note"] != 3 {
		t.Fatalf("stats: %+v", st)
	}
	b.Close(context.Background())
	if st := b.Stats(); st.Subscribers != 0 {
		t.Fatalf("after Close: %+v", st)
	}
	if _, err := b.Subscribe(m, "u1"); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestSlowSubscriberIsDropped(t *testing.T) {
	b := New(Options{Buffer: 4, Logger: quiet()})
	m := noteModel()
	slow, _ := b.Subscribe(m, "slow")
	fast, _ := b.Subscribe(m, "fast")
	l := b.Listener(nil)
	got := 0
	for i := 0; i < 10; i++ {
		l.Committed([]store.Change{{Model: m, Type: store.ChangeCreate, ID: int64(i), Data: schema.Record{"id": int64(i)}}})
		<-fast.Events() // the fast one keeps up
		got++
	}
	n := 0
	for range slow.Events() { // closed after its 4 buffered events
		n++
	}
	if n != 4 || !errors.Is(slow.Err(), ErrSlow) {
		t.Fatalf("slow subscriber: %d events, err %v", n, slow.Err())
	}
	if fast.Err() != nil || got != 10 {
		t.Fatalf("fast subscriber: %d, %v", got, fast.Err())
	}
	if st := b.Stats(); st.Dropped != 1 || st.Subscribers != 1 {
		t.Fatalf("stats: %+v", st)
	}
	// another model's subscribers see nothing of Note
	other := &schema.Model{Name: "Other", Properties: m.Properties}
	os, _ := b.Subscribe(other, "x")
	l.Committed([]store.Change{{Model: m, Type: store.ChangeRemove, ID: int64(1)}})
	select {
	case ev := <-os.Events():
		t.Fatalf("Other got %+v", ev)
	default:
	}
	// Wants: local subscribers only, without a transport
	if !l.Wants(m) || l.Wants(&schema.Model{Name: "Nobody"}) {
		t.Fatal("Wants")
	}
}

// loopback is a transport joining buses in one process.
type loopback struct {
	max   int
	peers *[]*Bus
	ready chan struct{}
}

func (l *loopback) Name() string           { return "loopback" }
func (l *loopback) MaxPayload() int        { return l.max }
func (l *loopback) Ready() <-chan struct{} { return l.ready }
func (l *loopback) Close()                 {}
func (l *loopback) Send(p []byte) bool {
	for _, b := range *l.peers {
		b.receive(p)
	}
	return true
}
func (l *loopback) Run(ctx context.Context, _ func([]byte)) { <-ctx.Done() }

func TestEventsBetweenInstances(t *testing.T) {
	m := noteModel()
	stored := map[any]schema.Record{}
	var peers []*Bus
	mk := func() *Bus {
		return New(Options{Logger: quiet(), Models: func(string) *schema.Model { return m },
			Reread: func(_ context.Context, _ *schema.Model, id any) (schema.Record, error) { return stored[id], nil }})
	}
	a, b := mk(), mk()
	peers = []*Bus{a, b}
	tr := &loopback{max: 600, peers: &peers, ready: make(chan struct{})}
	sa, _ := a.Subscribe(m, "")
	sb, _ := b.Subscribe(m, "")
	created := time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC)
	big := strings.Repeat("x", 2000)
	stored[int64(2)] = schema.Record{"id": int64(2), "title": "re-read", "body": big}
	a.Listener(tr).Committed([]store.Change{
		{Model: m, Type: store.ChangeCreate, ID: int64(1), Data: schema.Record{"id": int64(1), "title": "t", "ownerId": 7.0, "created": created, "meta": map[string]any{"n": 1.0}}},
		{Model: m, Type: store.ChangeUpdate, ID: int64(2), Data: schema.Record{"id": int64(2), "title": "big", "body": big}},
		{Model: m, Type: store.ChangeRemove, ID: int64(3), Data: schema.Record{"id": int64(3), "title": "gone", "ownerId": 7.0, "body": big}},
	})
	// a delivers its own changes once (in-process), not again from the transport
	for i := 0; i < 3; i++ {
		<-sa.Events()
	}
	select {
	case ev := <-sa.Events():
		t.Fatalf("own change delivered twice: %+v", ev)
	default:
	}
	var evs []Event
	for i := 0; i < 3; i++ {
		evs = append(evs, <-sb.Events())
	}
	if ev := evs[0]; ev.Type != "create" || ev.ID != int64(1) || ev.Data["ownerId"] != 7.0 ||
		!ev.Data["created"].(time.Time).Equal(created) || ev.Data["meta"].(map[string]any)["n"] != 1.0 || ev.Data["id"] != int64(1) {
		t.Fatalf("create across instances: %#v", ev)
	}
	if ev := evs[1]; ev.Type != "update" || ev.Data["title"] != "re-read" {
		t.Fatalf("oversized update is re-read by id: %#v", ev)
	}
	if ev := evs[2]; ev.Type != "remove" || ev.Data["ownerId"] != 7.0 || ev.Data["title"] != "gone" || ev.Data["body"] != nil {
		t.Fatalf("oversized remove keeps its small values: %#v", ev)
	}
	for _, p := range a.encode([]Event{{Model: m, Type: "update", ID: int64(2), Data: schema.Record{"body": big}}, {Model: m, Type: "create", ID: int64(4)}}, 600) {
		if len(p) > 600 {
			t.Fatalf("message of %d bytes over the 600 limit", len(p))
		}
	}
}
