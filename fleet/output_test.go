package fleet_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/slsim/slsim/fleet"
)

// encodingJSON is what WriteJSON must write: encoding/json's Encoder with
// a two-space indent.
func encodingJSON(t require.TestingT, r *fleet.Report) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(r))
	return b.String()
}

func writeJSON(t require.TestingT, r *fleet.Report) string {
	var b bytes.Buffer
	require.NoError(t, r.WriteJSON(&b))
	return b.String()
}

// WriteJSON writes encoding/json's bytes for a real run's report.
func TestWriteJSONAsEncodingJSONRun(t *testing.T) {
	r, err := fleet.Run(fleet.Synthetic(200, 3, start, 2, 5))
	require.NoError(t, err)
	require.NotEmpty(t, r.Alerts)
	require.Equal(t, encodingJSON(t, r), writeJSON(t, r))
}

// … and for the edges: nil and empty slices, strings that need escaping
// (HTML characters, quotes, control characters, U+2028, invalid UTF-8),
// times with nanoseconds and zones.
func TestWriteJSONAsEncodingJSONEdges(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	for name, r := range map[string]*fleet.Report{
		"zero":         {},
		"empty":        {Days: []fleet.Day{}, Entered: []fleet.Entered{}, Alerts: []fleet.Alert{}, Supply: []fleet.SupplyRow{}},
		"empty counts": {Days: []fleet.Day{{Date: start, Registration: []int{}}}},
		"escapes": {Devices: 2, Events: -1,
			Entered: []fleet.Entered{{Device: "a<b>&c", State: "\"quoted\" \\ back", At: start.Add(1500 * time.Millisecond).In(tokyo)}},
			Alerts: []fleet.Alert{{Raised: start.Add(time.Nanosecond), SA: "tab\there", VA: "nl\nthere", Severity: "\u2028\u2029",
				Type: "caf\u00e9", Source: "bad \xff utf8", Message: "\x00\x1f\x7f"}},
			Supply: []fleet.SupplyRow{{Date: start, SA: "SA", VA: "x>y", Tag: "<t", Demand: 3, Supply: -4, Shortfall: 1 << 40}}},
	} {
		require.Equal(t, encodingJSON(t, r), writeJSON(t, r), name)
	}
}

// Any strings in any field are escaped as encoding/json escapes them.
func TestWriteJSONStringsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.SliceOfN(rapid.String(), 7, 7).Draw(t, "strings")
		r := &fleet.Report{
			Entered: []fleet.Entered{{Device: s[0], State: s[1], At: start}},
			Alerts:  []fleet.Alert{{Raised: start, SA: s[2], VA: s[3], Severity: s[4], Type: s[5], Source: s[6], Message: s[0] + s[6]}},
			Supply:  []fleet.SupplyRow{{Date: start, SA: s[1], VA: s[2], Tag: s[3]}},
		}
		require.Equal(t, encodingJSON(t, r), writeJSON(t, r))
	})
}
