package changes

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/loopgo/loopgo/framework/schema"
	"github.com/loopgo/loopgo/framework/store"
)

// Messages between instances are JSON:
//
//	{"v":1,"o":"<origin>","e":[{"m":"Note","t":"create","id":1,"d":{...}}, ...]}
//
// An event whose data does not fit the transport's payload is sent without it ("r":true): the
// receiving instance re-reads the record by id. A removed record cannot be re-read, so its data
// is cut down instead ("p":true): the largest values are left out until it fits.

const wireVersion = 1

type wireMessage struct {
	V int         `json:"v"`
	O string      `json:"o"`
	E []wireEvent `json:"e"`
}

type wireEvent struct {
	M  string          `json:"m"`
	T  string          `json:"t"`
	ID any             `json:"id"`
	D  json.RawMessage `json:"d,omitempty"`
	R  bool            `json:"r,omitempty"` // re-read by id
	P  bool            `json:"p,omitempty"` // partial data
}

// envelopeSize bounds the bytes of a message around its events.
const envelopeSize = 64

// encode packs events into messages of at most max bytes each.
func (b *Bus) encode(events []Event, max int) [][]byte {
	var (
		out  [][]byte
		cur  [][]byte
		size = envelopeSize
	)
	flush := func() {
		if len(cur) == 0 {
			return
		}
		var buf bytes.Buffer
		fmt.Fprintf(&buf, `{"v":%d,"o":%q,"e":[`, wireVersion, b.origin)
		buf.Write(bytes.Join(cur, []byte(",")))
		buf.WriteString("]}")
		out = append(out, buf.Bytes())
		cur, size = nil, envelopeSize
	}
	for _, ev := range events {
		raw, err := b.encodeEvent(ev, max-envelopeSize)
		if err != nil {
			b.log.Error("change stream: event not sent to other instances", "model", ev.Model.Name, "id", ev.ID, "err", err)
			continue
		}
		if size+len(raw)+1 > max {
			flush()
		}
		cur = append(cur, raw)
		size += len(raw) + 1
	}
	flush()
	return out
}

// encodeEvent writes one event in at most limit bytes.
func (b *Bus) encodeEvent(ev Event, limit int) ([]byte, error) {
	we := wireEvent{M: ev.Model.Name, T: ev.Type, ID: ev.ID}
	data, err := json.Marshal(ev.Data)
	if err != nil {
		return nil, err
	}
	we.D = data
	raw, err := json.Marshal(we)
	if err != nil || len(raw) <= limit {
		return raw, err
	}
	we.D = nil
	if ev.Type != store.ChangeRemove {
		we.R = true
		return json.Marshal(we)
	}
	we.P = true
	// keep the smallest values (foreign keys, flags, short text) that fit
	bare, err := json.Marshal(we)
	if err != nil {
		return nil, err
	}
	room := limit - len(bare) - len(`,"d":{}`)
	type kv struct {
		k string
		v []byte
	}
	var items []kv
	for k, v := range ev.Data {
		enc, err := json.Marshal(v)
		if err != nil {
			continue
		}
		items = append(items, kv{k, enc})
	}
	sort.Slice(items, func(i, j int) bool {
		if len(items[i].v) != len(items[j].v) {
			return len(items[i].v) < len(items[j].v)
		}
		return items[i].k < items[j].k
	})
	kept := map[string]json.RawMessage{}
	for _, it := range items {
		key, _ := json.Marshal(it.k)
		need := len(key) + 1 + len(it.v) + 1
		if need > room {
			break
		}
		room -= need
		kept[it.k] = it.v
	}
	if we.D, err = json.Marshal(kept); err != nil {
		return nil, err
	}
	return json.Marshal(we)
}

// decode reads another instance's message into events for the models that have subscribers
// here; its own messages are ignored. Records sent by id are re-read.
func (b *Bus) decode(payload []byte) ([]Event, error) {
	var msg wireMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&msg); err != nil {
		return nil, err
	}
	if msg.V != wireVersion {
		return nil, fmt.Errorf("message version %d, want %d", msg.V, wireVersion)
	}
	if msg.O == b.origin {
		return nil, nil
	}
	var out []Event
	for _, we := range msg.E {
		if !b.hasSubscribers(we.M) || b.opts.Models == nil {
			continue
		}
		m := b.opts.Models(we.M)
		if m == nil || m.IDProperty() == nil {
			continue
		}
		id, err := m.IDProperty().CoerceData(we.ID)
		if err != nil {
			return nil, fmt.Errorf("id of %s: %w", we.M, err)
		}
		ev := Event{Model: m, Type: we.T, ID: id}
		switch {
		case we.R:
			if b.opts.Reread == nil {
				continue
			}
			ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
			rec, err := b.opts.Reread(ctx, m, id)
			cancel()
			if err != nil {
				b.log.Warn("change stream: record sent by id not re-read; event dropped", "model", m.Name, "id", id, "err", err)
				continue
			}
			if rec == nil {
				continue // gone meanwhile: its removal follows
			}
			ev.Data = rec
		default:
			rec, err := decodeRecord(m, we.D)
			if err != nil {
				return nil, fmt.Errorf("data of %s %v: %w", we.M, id, err)
			}
			ev.Data = rec
		}
		out = append(out, ev)
	}
	return out, nil
}

// decodeRecord converts JSON data back to a record with the Go types of the model's properties.
func decodeRecord(m *schema.Model, raw json.RawMessage) (schema.Record, error) {
	if len(raw) == 0 {
		return schema.Record{}, nil
	}
	var data map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&data); err != nil {
		return nil, err
	}
	rec := make(schema.Record, len(data))
	for k, v := range data {
		if p := m.Property(k); p != nil {
			if cv, err := p.CoerceData(v); err == nil {
				rec[k] = cv
				continue
			}
		}
		rec[k] = plain(v)
	}
	return rec, nil
}

// plain turns json.Number values back into float64, at any depth.
func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = plain(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = plain(e)
		}
		return x
	}
	return v
}

// Transport carries messages between the instances of an app.
type Transport interface {
	// Name names the transport in stats and logs ("postgres", "redis").
	Name() string
	// MaxPayload is the largest message it carries, in bytes.
	MaxPayload() int
	// Send queues a message for the other instances without blocking; false when it was lost
	// (the queue is full).
	Send(payload []byte) bool
	// Run receives messages until ctx ends, handing each to receive (one at a time), and
	// reconnects after failures.
	Run(ctx context.Context, receive func(payload []byte))
	// Ready is closed once the transport receives (its first subscription is in place).
	Ready() <-chan struct{}
	// Close stops sending; Run returns when its ctx ends.
	Close()
}
