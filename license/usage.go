package license

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Usage is one line of what a device requests: an entitlement tag and how
// many of it. A stack of three 24-port switches at Network Advantage requests
// {Tag: "C9300-24 Network Advantage", Count: 3}.
type Usage struct {
	Tag   string `json:"tag"`
	Count int    `json:"count"`
}

// ErrNoUsage is returned by CheckUsage for a usage line with no tag.
var ErrNoUsage = errors.New("usage has an empty entitlement tag")

// MaxUsageCount bounds the count of one usage line. No Catalyst topology
// requests more than 16 of one tag; the bound only catches nonsense. [model]
const MaxUsageCount = 1 << 20

// CheckUsage checks a usage list (see ValidateUsage) and returns a copy in
// the same order — the platform's order, in which agents send and show it.
func CheckUsage(in []Usage) ([]Usage, error) {
	if err := ValidateUsage(in); err != nil {
		return nil, err
	}
	return slices.Clone(in), nil
}

// ValidateUsage checks a usage list without copying it: duplicate tags,
// empty or non-printable tags and counts outside 1..MaxUsageCount are
// refused, the first in list order reported.
func ValidateUsage(in []Usage) error {
	var seen map[string]bool // only for long lists; short ones look back
	for i, u := range in {
		// A blank tag starts with a space, ASCII or not: only then trim.
		if u.Tag == "" || u.Tag[0] <= ' ' || u.Tag[0] >= 0x80 {
			if strings.TrimSpace(u.Tag) == "" {
				return ErrNoUsage
			}
		}
		// Control characters are single bytes in UTF-8: check bytes.
		for k := 0; k < len(u.Tag); k++ {
			if c := u.Tag[k]; c < ' ' || c == 0x7f {
				return fmt.Errorf("usage tag %q has a control character", u.Tag)
			}
		}
		if u.Count < 1 || u.Count > MaxUsageCount {
			return fmt.Errorf("usage %q: count %d is outside 1..%d", u.Tag, u.Count, MaxUsageCount)
		}
		dup := false
		if len(in) <= 16 {
			dup = slices.ContainsFunc(in[:i], func(p Usage) bool { return p.Tag == u.Tag })
		} else {
			if seen == nil {
				seen = make(map[string]bool, len(in))
			}
			dup = seen[u.Tag]
			seen[u.Tag] = true
		}
		if dup {
			return fmt.Errorf("usage tag %q appears twice", u.Tag)
		}
	}
	return nil
}
