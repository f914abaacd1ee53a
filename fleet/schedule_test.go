package fleet_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/fleet"
	"github.com/slsim/slsim/stackwise"
)

func TestParseSchedule(t *testing.T) {
	src := `# the next years
2024-03-01 outage cloud 120d   # proxy down
2024-04-01 OUTAGE site-7 36h
2024-09-01 upgrade core-* 16.12.3a
2025-01-15 licenses 3 C9300-48 DNA Advantage term 3
2025-02-01 licenses 2 C9300-24 Network Advantage

2026-06-01 remove access-17
2026-09-01 convert 8 C3850-24 IP Services
`
	evs, err := fleet.ParseSchedule(strings.NewReader(src), "SA", "VA")
	require.NoError(t, err)
	require.Len(t, evs, 7)
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }

	assert.Equal(t, fleet.Event{At: day("2024-03-01"), Kind: fleet.EvOutage, Path: "cloud", Duration: 120 * agent.Day}, evs[0])
	assert.Equal(t, fleet.Event{At: day("2024-04-01"), Kind: fleet.EvOutage, Path: "site-7", Duration: 36 * time.Hour}, evs[1])
	assert.Equal(t, fleet.EvUpgrade, evs[2].Kind)
	assert.Equal(t, "core-*", evs[2].Name)
	assert.Equal(t, stackwise.MustVersion("16.12.3a"), evs[2].Version)
	assert.Equal(t, fleet.Pool{SA: "SA", VA: "VA", Tag: "C9300-48 DNA Advantage", Qty: 3, TermYears: 3}, evs[3].Pool)
	assert.Equal(t, fleet.Pool{SA: "SA", VA: "VA", Tag: "C9300-24 Network Advantage", Qty: 2}, evs[4].Pool)
	assert.Equal(t, fleet.Event{At: day("2026-06-01"), Kind: fleet.EvRemove, Name: "access-17"}, evs[5])
	assert.Equal(t, fleet.Event{At: day("2026-09-01"), Kind: fleet.EvAddLicenses, Pool: fleet.Pool{SA: "SA", VA: "VA", Tag: "C3850-24 IP Services", Qty: 8}}, evs[6],
		"a conversion adds perpetual licenses")
}

func TestParseScheduleRefuses(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"2024-03-01 outage cloud", "line 1: want <date> outage <path> <duration>"},
		{"2024-03-01 convert 2 C3850-24 IP Services term 3", "line 1: converted licenses are perpetual: no term"},
		{"2024-13-01 outage cloud 1d", `line 1: date "2024-13-01": want YYYY-MM-DD`},
		{"\n2024-03-01 outage cloud 0d", `line 2: duration "0d": want e.g. 120d or 36h`},
		{"2024-03-01 outage cloud 3w", `duration "3w"`},
		{"2024-03-01 licenses -2 C9300-48 DNA Advantage", `quantity "-2"`},
		{"2024-03-01 licenses 2 C9300-48 DNA Advantage term 11", `term "11": want 1 to 10 years`},
		{"2024-03-01 licenses 2 C9300-48 Gold", "C9300-48 Gold"},
		{"2024-03-01 upgrade core-1 banana", "banana"},
		{"2024-03-01 remove", "want <date> <event>"},
		{"2024-03-01 remove a b", "want <date> remove <device|prefix*>"},
		{"2024-03-01 explode all", `unknown event "explode"`},
	} {
		evs, err := fleet.ParseSchedule(strings.NewReader(c.src), "SA", "VA")
		if assert.Error(t, err, c.src) {
			assert.Contains(t, err.Error(), c.want, c.src)
			assert.True(t, strings.HasPrefix(err.Error(), "schedule line "), err.Error())
		}
		assert.Nil(t, evs, c.src)
	}
}

// FuzzParseSchedule: any text is either refused with a line-numbered error
// or gives events that a fleet spec accepts.
func FuzzParseSchedule(f *testing.F) {
	f.Add("2024-03-01 outage cloud 120d\n2025-01-15 licenses 3 C9300-48 DNA Advantage term 3\n")
	f.Add("2024-09-01 upgrade core-* 16.12.3a # c\n2026-06-01 remove access-17")
	f.Add("2024-03-01 outage cloud 36h")
	f.Fuzz(func(t *testing.T, src string) {
		evs, err := fleet.ParseSchedule(strings.NewReader(src), "SA", "VA")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "schedule") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		for _, e := range evs {
			switch e.Kind {
			case fleet.EvOutage:
				if e.Duration <= 0 || e.Path == "" {
					t.Fatalf("bad outage %+v", e)
				}
			case fleet.EvAddLicenses:
				if e.Pool.Qty < 1 {
					t.Fatalf("bad licenses %+v", e)
				}
				if _, err := stackwise.LookupEntitlement(e.Pool.Tag); err != nil {
					t.Fatalf("unknown tag accepted: %v", err)
				}
			case fleet.EvUpgrade:
				if e.Version.IsZero() {
					t.Fatalf("upgrade without version %+v", e)
				}
			case fleet.EvRemove:
			default:
				t.Fatalf("unknown kind %q", e.Kind)
			}
		}
	})
}

func ExampleParseSchedule() {
	evs, err := fleet.ParseSchedule(strings.NewReader(`
2024-03-01 outage cloud 120d
2025-01-15 licenses 1 C9300-48 DNA Advantage term 3
`), "ACME", "DEFAULT")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range evs {
		fmt.Println(e.At.Format(time.DateOnly), e.Kind, e.Path, e.Duration, e.Pool.Tag, e.Pool.Qty)
	}
	_, err = fleet.ParseSchedule(strings.NewReader("2024-03-01 outage cloud forever"), "ACME", "DEFAULT")
	fmt.Println(err)
	// Output:
	// 2024-03-01 outage cloud 2880h0m0s  0
	// 2025-01-15 add-licenses  0s C9300-48 DNA Advantage 1
	// schedule line 1: duration "forever": want e.g. 120d or 36h
}
