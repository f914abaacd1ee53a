package stackwise

import (
	"fmt"
	"strconv"
	"strings"
)

// Level is the license level a switch boots with, as configured by
// `license boot level <network-essentials|network-advantage> [addon
// <dna-essentials|dna-advantage>]`, or on a 3650/3850 `license boot level
// <lanbase|ipbase|ipservices>`.
type Level struct {
	Base  Tier // NetworkEssentials, NetworkAdvantage; LANBase, IPBase, IPServices
	Addon Tier // 0, DNAEssentials or DNAAdvantage
}

// ParseLevel reads the words after `license boot level`:
// "network-advantage addon dna-advantage", "network-essentials". The add-on
// pairs with the same base level: network-essentials with dna-essentials,
// network-advantage with dna-advantage.
func ParseLevel(s string) (Level, error) {
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 0 {
		return Level{}, fmt.Errorf("license level: empty")
	}
	var l Level
	switch f[0] {
	case "network-essentials":
		l.Base = NetworkEssentials
	case "network-advantage":
		l.Base = NetworkAdvantage
	case "lanbase":
		l.Base = LANBase
	case "ipbase":
		l.Base = IPBase
	case "ipservices":
		l.Base = IPServices
	default:
		return Level{}, fmt.Errorf("license level %q: want network-essentials or network-advantage (lanbase, ipbase or ipservices on a 3650/3850)", f[0])
	}
	switch {
	case len(f) == 1:
	case len(f) == 3 && f[1] == "addon":
		switch f[2] {
		case "dna-essentials":
			l.Addon = DNAEssentials
		case "dna-advantage":
			l.Addon = DNAAdvantage
		default:
			return Level{}, fmt.Errorf("license level add-on %q: want dna-essentials or dna-advantage", f[2])
		}
	default:
		return Level{}, fmt.Errorf("license level %q: want <base> [addon <dna-level>]", s)
	}
	if err := l.Validate(); err != nil {
		return Level{}, err
	}
	return l, nil
}

// Legacy reports whether the level is a 3650/3850 one.
func (l Level) Legacy() bool { return l.Base == LANBase || l.Base == IPBase || l.Base == IPServices }

// Validate applies the pairing rule. A 3650/3850 level takes no add-on.
// [model: 16.9's license boot level {lanbase | ipbase | ipservices}]
func (l Level) Validate() error {
	if l.Legacy() {
		if l.Addon != 0 {
			return fmt.Errorf("license level: %s takes no add-on", l.Base.Feature())
		}
		return nil
	}
	if l.Base != NetworkEssentials && l.Base != NetworkAdvantage {
		return fmt.Errorf("license level: missing base level (network-essentials or network-advantage)")
	}
	switch l.Addon {
	case 0:
	case DNAEssentials:
		if l.Base != NetworkEssentials {
			return fmt.Errorf("license level: addon dna-essentials pairs with network-essentials, not %s", l.Base.Feature())
		}
	case DNAAdvantage:
		if l.Base != NetworkAdvantage {
			return fmt.Errorf("license level: addon dna-advantage pairs with network-advantage, not %s", l.Base.Feature())
		}
	default:
		return fmt.Errorf("license level: %d is not a DNA add-on", l.Addon)
	}
	return nil
}

// String gives the level as configured: "network-advantage addon dna-advantage".
func (l Level) String() string {
	if l.Addon == 0 {
		return l.Base.Feature()
	}
	return l.Base.Feature() + " addon " + l.Addon.Feature()
}

// Version is an IOS-XE release: 16.12.3a is {16, 12, 3, "a"}.
type Version struct {
	Major, Minor, Rebuild int
	Letter                string // "", "a", "b", …
}

// ParseVersion reads "16.9.1", "16.12.3a", "17.3.1", and the zero-padded
// form `show version` prints ("16.12.03a").
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 3 {
		return Version{}, fmt.Errorf("IOS-XE version %q: want major.minor.rebuild, e.g. 16.12.3a", s)
	}
	var v Version
	last := parts[2]
	if n := len(last); n > 0 && last[n-1] >= 'a' && last[n-1] <= 'z' {
		v.Letter, last = last[n-1:], last[:n-1]
	}
	nums := []*int{&v.Major, &v.Minor, &v.Rebuild}
	for i, p := range []string{parts[0], parts[1], last} {
		if p == "" || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return Version{}, fmt.Errorf("IOS-XE version %q: %q is not a number", s, p)
		}
		n, _ := strconv.Atoi(p)
		*nums[i] = n
	}
	if v.Major < 3 || v.Major > 99 {
		return Version{}, fmt.Errorf("IOS-XE version %q: major release %d is not an IOS-XE release", s, v.Major)
	}
	return v, nil
}

// MustVersion is ParseVersion for constants; it panics on bad input.
func MustVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String prints the version in its short form, "16.12.3a".
func (v Version) String() string {
	return fmt.Sprintf("%d.%d.%d%s", v.Major, v.Minor, v.Rebuild, v.Letter)
}

// Compare orders versions: -1, 0 or +1.
func (v Version) Compare(w Version) int {
	for _, d := range [][2]int{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Rebuild, w.Rebuild}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	return strings.Compare(v.Letter, w.Letter)
}

// IsZero reports whether the version is unset.
func (v Version) IsZero() bool { return v == Version{} }

// FirstSmartVersion is the first IOS-XE release from which the Catalyst
// 9000 and 3650/3850 license with Smart Licensing only. [seed]
var FirstSmartVersion = Version{Major: 16, Minor: 9, Rebuild: 1}

// GenericC9500Tags is the first release whose C9500 high-performance images
// request the generic C9500 network tags. [seed]
var GenericC9500Tags = Version{Major: 16, Minor: 12, Rebuild: 3}
