package sim_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/sim"
)

// outageWorld is a registered world with the path to CSSM down from day
// 10 to day 110.
func outageWorld(t *testing.T, window int) *sim.World {
	t.Helper()
	w := registeredWorld(t, window)
	require.NoError(t, w.ScheduleFault(sim.Fault{At: start.Add(10 * agent.Day), Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP, On: true}))
	require.NoError(t, w.ScheduleFault(sim.Fault{At: start.Add(110 * agent.Day), Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP}))
	return w
}

// registeredWorld is healthyWorld with a window of the given size, the
// switch registered.
func registeredWorld(t *testing.T, window int) *sim.World {
	t.Helper()
	w, tok := healthyWorldWindow(t, 1, window)
	_, err := w.Register("sw1", tok, false)
	require.NoError(t, err)
	return w
}

func TestCursorReadsEveryEventOnceInOrder(t *testing.T) {
	// One world keeps everything; the other a small window, read by a
	// cursor every day. The reader sees exactly the same events.
	all := outageWorld(t, sim.MaxWindow)
	require.NoError(t, all.RunFor(150*agent.Day))

	w := outageWorld(t, 512)
	var got strings.Builder
	var cur sim.Cursor
	for range 150 {
		require.NoError(t, w.RunFor(agent.Day))
		evs, next, missed := w.Events(cur)
		require.Zero(t, missed, "a reader that keeps up misses nothing")
		for _, e := range evs {
			got.WriteString(e.String() + "\n")
		}
		cur = next
	}
	assert.Equal(t, all.TraceText(), got.String())
	assert.Greater(t, strings.Count(got.String(), "\n"), 5_000, "the outage retries hourly: far more events than the window")
}

func TestWindowAndLogBufferAreBounded(t *testing.T) {
	w := outageWorld(t, 100)
	require.NoError(t, w.RunFor(150*agent.Day))
	assert.Equal(t, 100, w.WindowLen())
	assert.Len(t, w.Trace(), 100)

	evs, next, missed := w.Events(0)
	assert.Len(t, evs, 100)
	assert.Equal(t, w.Head(), next)
	assert.Equal(t, uint64(w.Head())-100, missed, "a reader from the start is told how much it missed")
	assert.Equal(t, evs[len(evs)-1].Seq, uint64(w.Head()))

	logs := w.Logs("sw1")
	size := 0
	for _, l := range logs {
		size += len(l.Text()) + 1
	}
	assert.LessOrEqual(t, size, sim.DefaultLogBuffer)
	assert.Greater(t, size, sim.DefaultLogBuffer-1000, "the buffer is full after 100 days of hourly failures")
	assert.Greater(t, w.LogCount("sw1"), uint64(len(logs)), "the device logged more than its buffer keeps")
	assert.Equal(t, evs[len(evs)-3:], w.Recent(3))

	// A smaller `logging buffered` keeps fewer lines, the latest ones.
	require.NoError(t, w.Configure("sw1", "logging buffered 4096", func(c *device.Config) error {
		c.LogBuffer = 4096
		return nil
	}))
	require.NoError(t, w.RunFor(time.Hour))
	small := w.Logs("sw1")
	size = 0
	for _, l := range small {
		size += len(l.Text()) + 1
	}
	assert.LessOrEqual(t, size, 4096)
	assert.Less(t, len(small), len(logs))
	newest := w.Select(0, func(e *sim.Event) bool { return e.Kind == sim.EventLog })
	require.NotEmpty(t, newest)
	assert.Equal(t, newest[len(newest)-1].Seq, small[len(small)-1].Seq, "the lines kept are the newest")
	assert.Equal(t, small, w.LogsAfter("sw1", sim.Cursor(small[0].Seq-1)), "LogsAfter reads from a cursor")

	// A saved world keeps the buffer, its count and the window.
	data, err := w.Save()
	require.NoError(t, err)
	loaded, err := sim.Load(data)
	require.NoError(t, err)
	assert.Equal(t, w.Logs("sw1"), loaded.Logs("sw1"))
	assert.Equal(t, w.LogCount("sw1"), loaded.LogCount("sw1"))
	assert.Equal(t, w.TraceText(), loaded.TraceText())
	assert.Equal(t, w.Head(), loaded.Head())
}

func TestEventsAreTyped(t *testing.T) {
	w := outageWorld(t, 0)
	require.NoError(t, w.RunFor(150*agent.Day))
	var sawState, sawFail, sawAlert, sawCleared bool
	for _, e := range w.Trace() {
		switch e.Kind {
		case sim.EventState:
			sawState = true
			assert.NotEqual(t, e.From, e.To)
		case sim.EventFail:
			sawFail = true
			assert.Equal(t, "authorize", e.Message)
			assert.NotZero(t, e.Request)
			assert.Equal(t, "Fail to send out Call Home HTTP message.", e.Outcome)
		case sim.EventAlert:
			require.NotNil(t, e.Alert)
			sawAlert = sawAlert || !e.Alert.Cleared
			sawCleared = sawCleared || e.Alert.Cleared
		case sim.EventLog:
			require.NotNil(t, e.Log)
			assert.NotEmpty(t, e.Log.Mnemonic)
		}
	}
	assert.True(t, sawState && sawFail && sawAlert && sawCleared)
	st := w.State("sw1")
	assert.Equal(t, agent.RegRegistered, st.Registration.String())
	assert.Equal(t, agent.AuthAuthorized, st.Authorization.String())
	assert.Equal(t, "REGISTERED / AUTHORIZED", st.String())

	for k := sim.EventAction; k <= sim.EventSync; k++ {
		b, err := k.MarshalText()
		require.NoError(t, err)
		var back sim.EventKind
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, k, back)
	}
	_, err := sim.ParseEventKind("gossip")
	assert.ErrorContains(t, err, `event kind "gossip"`)
	_, err = sim.EventKind(0).MarshalText()
	assert.Error(t, err)
}

func TestSaveDoesNotGrowWithAge(t *testing.T) {
	// A healthy switch renews every 30 days for decades. Once the window
	// and the logging buffer are full, the save file stays the same size.
	size := func(years int) int {
		w := registeredWorld(t, 256)
		require.NoError(t, w.Configure("sw1", "logging buffered 4096", func(c *device.Config) error {
			c.LogBuffer = 4096
			return nil
		}))
		require.NoError(t, w.WriteMemory("sw1"))
		require.NoError(t, w.RunFor(time.Duration(years)*365*agent.Day))
		data, err := w.Save()
		require.NoError(t, err)
		return len(data)
	}
	// A window of 256 events fills in about five years of renewals;
	// compare two ages beyond it.
	at20, at40 := size(20), size(40)
	assert.InDelta(t, at20, at40, float64(at20)/50, "20 years: %d bytes, 40 years: %d bytes", at20, at40)
}

func TestLoadVersion1(t *testing.T) {
	// testdata/world-v1.json was saved by the release before the typed
	// stream (a lab: registration, then a two-day outage over a renewal).
	data, err := os.ReadFile("testdata/world-v1.json")
	require.NoError(t, err)
	var v1 struct {
		Trace []struct {
			Time                      time.Time
			Source, Kind, Text, Stamp string
		} `json:"trace"`
	}
	require.NoError(t, json.Unmarshal(data, &v1))
	var want strings.Builder
	logs := 0
	for _, e := range v1.Trace {
		want.WriteString(e.Time.UTC().Format("2006-01-02T15:04:05Z") + " " + e.Source + " " + e.Kind + " " + e.Text + "\n")
		if e.Kind == "log" {
			logs++
		}
	}

	w, err := sim.Load(data)
	require.NoError(t, err)
	assert.Equal(t, want.String(), w.TraceText(), "the version 1 trace is the window, line for line")
	lines := w.Logs("sw1")
	require.Len(t, lines, logs)
	assert.Equal(t, "*Apr  4 10:03:37.000: %SMART_LIC-6-AUTH_RENEW_SUCCESS: Authorization renewal with the Cisco Smart Software Manager or satellite. State=Authorized for udi PID:C9300-24P,SN:FOC2133Z0AB",
		lines[len(lines)-1].Text())
	assert.Equal(t, "AUTH_RENEW_SUCCESS", lines[len(lines)-1].Line.Mnemonic)
	assert.Equal(t, agent.RegRegistered, w.State("sw1").Registration.String())

	// Alerts already on the trace are not raised again; the world goes on.
	head := w.Head()
	require.NoError(t, w.RunFor(40*agent.Day))
	for _, e := range w.Select(head, func(e *sim.Event) bool { return e.Kind == sim.EventAlert }) {
		t.Errorf("alert event after loading: %s", e)
	}
	d, _ := w.Device("sw1")
	assert.Equal(t, agent.AuthAuthorized, d.Agent().Status().Authorization)

	// Saved again, it is a version 2 file.
	again, err := w.Save()
	require.NoError(t, err)
	assert.Contains(t, string(again), `"version":2`)
	_, err = sim.Load(again)
	require.NoError(t, err)
}

func TestLoadRefusesAStreamOutOfBounds(t *testing.T) {
	w := outageWorld(t, 50)
	require.NoError(t, w.RunFor(20*agent.Day))
	data, err := w.Save()
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(data, &raw))
	for name, spoil := range map[string]func(m map[string]any){
		"window too small for its events": func(m map[string]any) { m["window"] = 10 },
		"window beyond the bound":         func(m map[string]any) { m["window"] = sim.MaxWindow + 1 },
		"events after the last":           func(m map[string]any) { m["lastSeq"] = 3 },
		"logs of an unknown device":       func(m map[string]any) { m["logs"] = map[string]any{"ghost": map[string]any{}} },
		"a log line of no message": func(m map[string]any) {
			m["logs"].(map[string]any)["sw1"].(map[string]any)["lines"].([]any)[0].([]any)[3] = 99
		},
		"a log line of three fields": func(m map[string]any) {
			m["logs"].(map[string]any)["sw1"].(map[string]any)["lines"].([]any)[0] = []any{1, 2, "x"}
		},
		"an open alert never raised": func(m map[string]any) { m["alertOpen"] = []any{99} },
		"an event of no kind": func(m map[string]any) {
			m["events"].([]any)[0].(map[string]any)["kind"] = "gossip"
		},
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			require.NoError(t, json.Unmarshal(data, &m))
			spoil(m)
			bad, err := json.Marshal(m)
			require.NoError(t, err)
			_, err = sim.Load(bad)
			assert.Error(t, err)
		})
	}
}

// A world keeps instants it can run: it refuses to start, load or run
// outside them, and a refused run leaves it where it was.
func TestWorldTimeBounds(t *testing.T) {
	_, err := sim.New(sim.Config{Start: time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC), Seed: 1})
	assert.ErrorContains(t, err, "a world keeps")
	w, _ := healthyWorldWindow(t, 1, 0)
	before := w.Now()
	head := w.Head()
	assert.ErrorContains(t, w.RunUntil(sim.Latest.Add(time.Hour)), "a world keeps")
	assert.Error(t, w.RunFor(-time.Hour))
	assert.Equal(t, before, w.Now(), "a refused run does not move the clock")
	assert.Equal(t, head, w.Head(), "nor records anything")

	data, err := w.Save()
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	m["now"] = "2261-06-01T00:00:00Z"
	bad, err := json.Marshal(m)
	require.NoError(t, err)
	_, err = sim.Load(bad)
	assert.ErrorContains(t, err, "a world keeps")
}

// A reset world has the fresh world's state and goes on counting its
// events: a cursor taken before reads the reset and what follows, once.
func TestResetKeepsTheStreamCounting(t *testing.T) {
	w := registeredWorld(t, 0)
	require.NoError(t, w.RunFor(30*agent.Day))
	cur := w.Head()
	fresh, _ := healthyWorldWindow(t, 1, 0)
	w.Reset(fresh)
	assert.Equal(t, start, w.Now(), "the fresh world's time")
	d, _ := w.Device("sw1")
	assert.Equal(t, agent.RegUnregistered, d.Agent().Status().Registration, "the fresh world's state")
	evs, next, missed := w.Events(cur)
	require.Len(t, evs, 1)
	assert.Equal(t, "world reset", evs[0].Note)
	assert.Equal(t, uint64(cur)+1, evs[0].Seq)
	assert.Zero(t, missed)
	require.NoError(t, w.RunFor(agent.Day))
	more, _, _ := w.Events(next)
	for _, e := range more {
		assert.Greater(t, e.Seq, evs[0].Seq)
	}
}
