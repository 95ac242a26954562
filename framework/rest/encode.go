package rest

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// Instance is a model record to serialise with the model's rules: properties in definition
// order, hidden properties removed, protected ones too when nested in another instance.
type Instance struct {
	Model *schema.Model
	Rec   schema.Record
}

// Instances is a list of records of one model.
type Instances struct {
	Model *schema.Model
	Recs  []schema.Record
}

// ISOTime formats t as JavaScript's Date.toISOString does.
func ISOTime(t time.Time) string { return t.UTC().Format(isoLayout) }

// writeTime writes t as a JSON string in ISOTime's format.
func writeTime(buf *bytes.Buffer, t time.Time) {
	buf.WriteByte('"')
	buf.Write(t.UTC().AppendFormat(buf.AvailableBuffer(), isoLayout))
	buf.WriteByte('"')
}

// isoLayout is JavaScript's Date.toISOString format.
const isoLayout = "2006-01-02T15:04:05.000Z"

// bufferPool recycles encoding buffers: a response is written into a pooled buffer and copied
// out once at its final size, instead of growing a new buffer step by step per response.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer kept for reuse (a huge answer does not stay pinned).
const maxPooledBuffer = 64 << 10

// encode serialises a result value.
func (e encoder) encode(v any) ([]byte, error) {
	buf := bufferPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			bufferPool.Put(buf)
		}
	}()
	buf.Reset()
	if err := e.value(buf, v, false); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// EncodeJSON serialises v as the server answers it (records without hidden properties).
func (s *Server) EncodeJSON(v any) ([]byte, error) { return encoder{models: s.opts.Models}.encode(v) }

func (e encoder) value(buf *bytes.Buffer, v any, nested bool) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case Instance:
		return e.record(buf, x.Model, x.Rec, nested)
	case *Instance:
		if x == nil {
			buf.WriteString("null")
			return nil
		}
		return e.record(buf, x.Model, x.Rec, nested)
	case Instances:
		buf.WriteByte('[')
		for i, r := range x.Recs {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := e.record(buf, x.Model, r, nested); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case []Instance:
		buf.WriteByte('[')
		for i, r := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := e.record(buf, r.Model, r.Rec, nested); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case string:
		writeString(buf, x)
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case int:
		buf.Write(strconv.AppendInt(buf.AvailableBuffer(), int64(x), 10))
	case int64:
		buf.Write(strconv.AppendInt(buf.AvailableBuffer(), x, 10))
	case float64:
		writeFloat(buf, x)
	case time.Time:
		writeTime(buf, x)
	case *time.Time:
		if x == nil {
			buf.WriteString("null")
			return nil
		}
		writeTime(buf, *x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			if err := e.value(buf, x[k], nested); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, item := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := e.value(buf, item, nested); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	return nil
}

func writeFloat(buf *bytes.Buffer, f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		buf.WriteString("null")
		return
	}
	format := byte('g')
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		format = 'f'
	}
	buf.Write(strconv.AppendFloat(buf.AvailableBuffer(), f, format, -1, 64))
}

func writeString(buf *bytes.Buffer, s string) {
	simple := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c >= 0x7f || c == '<' || c == '>' || c == '&' {
			simple = false
			break
		}
	}
	if simple {
		buf.WriteByte('"')
		buf.WriteString(s)
		buf.WriteByte('"')
		return
	}
	b, _ := json.Marshal(s)
	buf.Write(b)
}

// encodeRecord writes a record: declared properties in order, then other keys sorted; related
// records (keys naming a relation) are written with the related model's rules, as nested.
func (e encoder) record(buf *bytes.Buffer, m *schema.Model, rec schema.Record, nested bool) error {
	if rec == nil {
		buf.WriteString("null")
		return nil
	}
	buf.WriteByte('{')
	first := true
	sep := func() {
		if !first {
			buf.WriteByte(',')
		}
		first = false
	}
	skip := func(k string) bool {
		return m.IsHidden(k) || (nested && m.IsProtected(k))
	}
	declared := 0 // declared properties present in rec
	for _, p := range m.Properties {
		v, ok := rec[p.Name]
		if !ok {
			continue
		}
		declared++
		if skip(p.Name) {
			continue
		}
		sep()
		writeString(buf, p.Name)
		buf.WriteByte(':')
		if err := e.value(buf, v, nested); err != nil {
			return err
		}
	}
	var extra []string
	if declared < len(rec) {
		for k := range rec {
			if m.Property(k) == nil && !skip(k) {
				extra = append(extra, k)
			}
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		sep()
		writeString(buf, k)
		buf.WriteByte(':')
		v := rec[k]
		if rel := m.Relation(k); rel != nil && e.models != nil {
			if rm := e.models.Model(rel.Model); rm != nil {
				if err := e.related(buf, rm, v); err != nil {
					return err
				}
				continue
			}
		}
		if err := e.value(buf, v, nested); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// encoder serialises results; models resolves relation targets for nested records.
type encoder struct {
	models filter.Models
}

func (e encoder) related(buf *bytes.Buffer, m *schema.Model, v any) error {
	switch x := v.(type) {
	case schema.Record:
		return e.record(buf, m, x, true)
	case []schema.Record:
		buf.WriteByte('[')
		for i, r := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := e.record(buf, m, r, true); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	}
	return e.value(buf, v, true)
}
