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

// CheckUsage checks a usage list and returns a copy in the same order —
// the platform's order, in which agents send and show it. Duplicate tags,
// empty or non-printable tags and counts outside 1..MaxUsageCount are
// refused.
func CheckUsage(in []Usage) ([]Usage, error) {
	out := slices.Clone(in)
	sorted := slices.Clone(in)
	slices.SortFunc(sorted, func(a, b Usage) int { return strings.Compare(a.Tag, b.Tag) })
	for i, u := range sorted {
		if strings.TrimSpace(u.Tag) == "" {
			return nil, ErrNoUsage
		}
		for _, r := range u.Tag {
			if r < ' ' || r == 0x7f {
				return nil, fmt.Errorf("usage tag %q has a control character", u.Tag)
			}
		}
		if u.Count < 1 || u.Count > MaxUsageCount {
			return nil, fmt.Errorf("usage %q: count %d is outside 1..%d", u.Tag, u.Count, MaxUsageCount)
		}
		if i > 0 && sorted[i-1].Tag == u.Tag {
			return nil, fmt.Errorf("usage tag %q appears twice", u.Tag)
		}
	}
	return out, nil
}
