package mail

import (
	"fmt"
	"time"
)

// ttlUnits are the units FormatTTL may use, largest first.
var ttlUnits = []struct {
	size time.Duration
	name string
}{
	{24 * time.Hour, "day"},
	{time.Hour, "hour"},
	{time.Minute, "minute"},
	{time.Second, "second"},
}

// FormatTTL renders a link lifetime for TemplateData.TTL: the largest unit that states it
// exactly ("15 minutes", "1 hour", "14 days", "90 minutes"); sub-second parts are rounded to
// whole seconds; zero or negative gives "".
func FormatTTL(d time.Duration) string {
	d = d.Round(time.Second)
	if d <= 0 {
		return ""
	}
	for _, u := range ttlUnits {
		if d%u.size == 0 {
			n := int64(d / u.size)
			if n == 1 {
				return "1 " + u.name
			}
			return fmt.Sprintf("%d %ss", n, u.name)
		}
	}
	return "" // unreachable: d is a whole, positive number of seconds
}
