package mail

import (
	"testing"
	"time"
)

func TestFormatTTL(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, ""},
		{-time.Minute, ""},
		{400 * time.Millisecond, ""},
		{time.Second, "1 second"},
		{1500 * time.Millisecond, "2 seconds"},
		{45 * time.Second, "45 seconds"},
		{time.Minute, "1 minute"},
		{15 * time.Minute, "15 minutes"},
		{90 * time.Minute, "90 minutes"},
		{time.Hour, "1 hour"},
		{36 * time.Hour, "36 hours"},
		{24 * time.Hour, "1 day"},
		{1209600 * time.Second, "14 days"},
		{15*time.Minute + 30*time.Second, "930 seconds"},
	}
	for _, tc := range tests {
		if got := FormatTTL(tc.d); got != tc.want {
			t.Errorf("FormatTTL(%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
