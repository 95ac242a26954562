package filter

import (
	"net/url"
	"testing"
	"time"
)

// These tests depend on schema.Property.CoerceQuery's contract (numbers from numeric strings,
// "true"/"1"/"false"/"0" booleans, dates from ISO strings, *schema.CoerceError on bad input);
// they skip while CoerceQuery is still the stub that returns its input.

func TestWhereCoercion(t *testing.T) {
	if !coercionImplemented() {
		t.Skip("schema.Property.CoerceQuery does not coerce yet")
	}
	book, _ := sample()
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		query, want string
	}{
		{`where[rating][gt]=3`, `rating gt 3`},
		{`where[rating][inq]=1&where[rating][inq]=2.5`, `rating inq [1 2.5]`},
		{`where[published]=true`, `published eq true`},
		{`where[published]=0`, `published eq false`},
		{`where[released][lt]=2024-03-01T00:00:00.000Z`, `released lt ` + renderValue(day)},
		{`where[tags]=sf`, `tags eq "sf"`},
		{`where[title][like]=5`, `title like "5"`},
		{`where[meta.n]=5`, `meta.n eq "5"`}, // below a dot path the type is unknown: kept as sent
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		raw, _, err := FromQuery(q, "where")
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseWhere(raw, book)
		if err != nil {
			t.Errorf("%s: %v", tt.query, err)
			continue
		}
		if got := render(t, c); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.query, got, tt.want)
		}
	}
}

func TestWhereCoercionErrors(t *testing.T) {
	if !coercionImplemented() {
		t.Skip("schema.Property.CoerceQuery does not coerce yet")
	}
	book, _ := sample()
	tests := []struct{ where, want string }{
		{`{"rating":{"gt":"abc"}}`, `~The rating property has invalid clause {"gt":"abc"}: "abc" `},
		{`{"rating":{"inq":[1,"x"]}}`, `~The rating property has invalid clause {"inq":[1,"x"]}: "x" `},
		{`{"released":"not a date"}`, `~The released property has invalid clause "not a date": "not a date" `},
		{`{"published":"maybe"}`, `~The published property has invalid clause "maybe": "maybe" `},
	}
	for _, tt := range tests {
		_, err := ParseWhere(decode(t, tt.where), book)
		checkErr(t, err, wantErr{msg: tt.want})
	}
}
