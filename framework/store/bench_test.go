package store

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/loopgo/loopgo/framework/filter"
	"github.com/loopgo/loopgo/framework/schema"
)

// The read paths the HTTP benchmark (bench/http) drives, measured in-process on SQLite:
// allocations per operation are the steady figure on a shared machine.
//
//	go test ./framework/store -run '^$' -bench Read -benchmem

// benchNoteModel is the ready app's Note.
func benchNoteModel() *schema.Model {
	return &schema.Model{
		Name: "Note", Persisted: true, Strict: schema.StrictTrue, ForceID: true, IDInjection: true,
		Table: "bench_note",
		Properties: []*schema.Property{
			{Name: "id", Type: schema.Number, ID: true, Generated: true},
			{Name: "title", Type: schema.String},
			{Name: "body", Type: schema.String},
			{Name: "published", Type: schema.Boolean},
			{Name: "rating", Type: schema.Number},
			{Name: "ownerId", Type: schema.Number},
		},
	}
}

// openBenchStore opens a SQLite store holding n notes.
func openBenchStore(b *testing.B, n int) (*Store, *schema.Model) {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, "bench", "sqlite:"+filepath.Join(b.TempDir(), "bench.db"),
		Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatalf("open: %v", err)
	}
	b.Cleanup(func() { _ = s.Close() })
	m := benchNoteModel()
	if err := s.Migrate(ctx, []*schema.Model{m}); err != nil {
		b.Fatalf("migrate: %v", err)
	}
	err = s.Transaction(ctx, func(ctx context.Context) error {
		for i := range n {
			if _, err := s.Create(ctx, m, map[string]any{"title": fmt.Sprintf("note %d", i),
				"body": "some text", "published": i%2 == 0, "rating": float64(i % 5), "ownerId": float64(1 + i%10)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
	return s, m
}

func BenchmarkRead(b *testing.B) {
	s, m := openBenchStore(b, 1000)
	ctx := context.Background()
	list := &filter.Filter{Where: &filter.Cmp{Property: "rating", Op: filter.Gte, Value: float64(2)},
		Order: []filter.Order{{Property: "id", Desc: true}}, Limit: 20}
	cases := []struct {
		name string
		run  func(i int) error
	}{
		{"findById", func(i int) error {
			rec, err := s.FindByID(ctx, m, int64(1+i%1000), nil)
			if err == nil && rec == nil {
				err = fmt.Errorf("note %d not found", 1+i%1000)
			}
			return err
		}},
		{"list of 20", func(int) error {
			recs, err := s.Find(ctx, m, list)
			if err == nil && len(recs) != 20 {
				err = fmt.Errorf("want 20 notes, got %d", len(recs))
			}
			return err
		}},
		{"exists", func(i int) error {
			_, err := s.Exists(ctx, m, int64(1+i%1000))
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if err := c.run(i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
