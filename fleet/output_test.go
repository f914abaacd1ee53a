package fleet_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
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
		"far times":    {Days: []fleet.Day{{Date: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)}, {Date: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", 23*3600+59*60))}}},
		"escapes": {Devices: 2, Events: -1,
			Entered: []fleet.Entered{{Device: "a<b>&c", State: "\"quoted\" \\ back", At: start.Add(1500 * time.Millisecond).In(tokyo)}},
			Alerts: []fleet.Alert{{Raised: start.Add(time.Nanosecond), SA: "tab\there", VA: "nl\nthere", Severity: "\u2028\u2029",
				Type: "caf\u00e9", Source: "bad \xff utf8", Message: "\x00\x1f\x7f"}},
			Supply: []fleet.SupplyRow{{Date: start, SA: "SA", VA: "x>y", Tag: "<t", Demand: 3, Supply: -4, Shortfall: 1 << 40}}},
	} {
		require.Equal(t, encodingJSON(t, r), writeJSON(t, r), name)
	}
}

// Times encoding/json refuses, WriteJSON refuses too.
func TestWriteJSONRefusesWhatEncodingJSONRefuses(t *testing.T) {
	for _, at := range []time.Time{time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))} {
		r := &fleet.Report{Days: []fleet.Day{{Date: at}}}
		require.Error(t, json.NewEncoder(io.Discard).Encode(r), "%v", at)
		require.Error(t, r.WriteJSON(io.Discard), "%v", at)
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

// encodingCSV is what the CSV writers must write: encoding/csv's Writer.
func encodingCSV(t require.TestingT, records [][]string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	require.NoError(t, w.WriteAll(records))
	return b.String()
}

// The CSV reports are encoding/csv's bytes, whatever the strings in them
// (commas, quotes, line breaks, leading spaces, `\.`, invalid UTF-8).
func TestCSVAsEncodingCSV(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		str := rapid.OneOf(rapid.String(), rapid.SampledFrom([]string{"", `\.`, " x", "\tx", "a,b", `a"b`, "a\nb", "a\r\nb", "\u00a0x", "\xff"}))
		s := rapid.SliceOfN(str, 7, 7).Draw(t, "strings")
		r := &fleet.Report{
			Entered: []fleet.Entered{{Device: s[0], State: s[1], At: start}},
			Alerts:  []fleet.Alert{{Raised: start.Add(time.Hour), SA: s[2], VA: s[3], Severity: s[4], Type: s[5], Source: s[6], Message: s[0]}},
			Supply:  []fleet.SupplyRow{{Date: start, SA: s[1], VA: s[2], Tag: s[3], Demand: 4, Supply: -2, Shortfall: 6}},
		}
		var got bytes.Buffer
		require.NoError(t, r.WriteEnteredCSV(&got))
		require.NoError(t, r.WriteAlertsCSV(&got))
		require.NoError(t, r.WriteSupplyCSV(&got))
		want := encodingCSV(t, [][]string{{"device", "state", "first_entered"}, {s[0], s[1], "2024-01-01T00:00:00Z"}}) +
			encodingCSV(t, [][]string{{"raised", "smart_account", "virtual_account", "severity", "type", "source", "message"},
				{"2024-01-01T01:00:00Z", s[2], s[3], s[4], s[5], s[6], s[0]}}) +
			encodingCSV(t, [][]string{{"date", "smart_account", "virtual_account", "tag", "demand", "supply", "shortfall"},
				{"2024-01-01", s[1], s[2], s[3], "4", "-2", "6"}})
		require.Equal(t, want, got.String())
	})
}

// A real run's days, entered rows, alerts and supply as encoding/csv
// writes them.
func TestCSVAsEncodingCSVRun(t *testing.T) {
	r, err := fleet.Run(fleet.Synthetic(200, 3, start, 2, 5))
	require.NoError(t, err)
	days := [][]string{append(append([]string{"date"}, fleet.RegStates()...), fleet.AuthStates()...)}
	for _, d := range r.Days {
		row := []string{d.Date.Format(time.DateOnly)}
		for _, v := range append(append([]int{}, d.Registration...), d.Authorization...) {
			row = append(row, strconv.Itoa(v))
		}
		days = append(days, row)
	}
	entered := [][]string{{"device", "state", "first_entered"}}
	for _, e := range r.Entered {
		entered = append(entered, []string{e.Device, e.State, e.At.Format(time.RFC3339)})
	}
	alerts := [][]string{{"raised", "smart_account", "virtual_account", "severity", "type", "source", "message"}}
	for _, a := range r.Alerts {
		alerts = append(alerts, []string{a.Raised.Format(time.RFC3339), a.SA, a.VA, a.Severity, a.Type, a.Source, a.Message})
	}
	for name, c := range map[string]struct {
		write func(io.Writer) error
		want  [][]string
	}{"days": {r.WriteDaysCSV, days}, "entered": {r.WriteEnteredCSV, entered}, "alerts": {r.WriteAlertsCSV, alerts}} {
		var got bytes.Buffer
		require.NoError(t, c.write(&got), name)
		require.Equal(t, encodingCSV(t, c.want), got.String(), name)
	}
}
