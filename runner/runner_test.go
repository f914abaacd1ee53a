package runner_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/netsim"
	"github.com/slsim/slsim/runner"
	"github.com/slsim/slsim/sim"
	"github.com/slsim/slsim/stackwise"
)

var start = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// lab builds a world with one switch registering to the CSSM.
func lab(t *testing.T) *sim.World {
	t.Helper()
	w, err := sim.New(sim.Config{Start: start, Seed: 3})
	require.NoError(t, err)
	c := w.CSSM()
	require.NoError(t, c.CreateSmartAccount(start, "ACME", ""))
	_, err = c.AddLicenses(start, "ACME", "DEFAULT", "C9300-24 Network Advantage", 1, time.Time{}, time.Time{})
	require.NoError(t, err)
	tok, err := c.CreateToken(start, "ACME", "DEFAULT", cssm.TokenOptions{ExpiresAfterDays: 365})
	require.NoError(t, err)
	_, err = w.AddDevice(stackwise.Device{Name: "sw1", Switches: []stackwise.Unit{{PID: "C9300-24P", SN: "FOC1"}},
		Level: stackwise.Level{Base: stackwise.NetworkAdvantage}, Version: stackwise.MustVersion("17.3.1")}, nil)
	require.NoError(t, err)
	require.NoError(t, w.Configure("sw1", "ip name-server", func(c *device.Config) error {
		c.NameServers = []device.NameServer{{IP: netsim.DNSIP}}
		return nil
	}))
	_, err = w.Register("sw1", tok.Value, false)
	require.NoError(t, err)
	require.NoError(t, w.ScheduleFault(sim.Fault{At: start.Add(50 * 24 * time.Hour), Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP, On: true}))
	require.NoError(t, w.ScheduleFault(sim.Fault{At: start.Add(53 * 24 * time.Hour), Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP}))
	return w
}

// Driving a world through the runner with a *clock.Mock gives the same
// trace as stepping it directly.
func TestMockClockFollowsDirectStepping(t *testing.T) {
	end := start.Add(70 * 24 * time.Hour)
	direct := lab(t)
	require.NoError(t, direct.RunUntil(end))

	w := lab(t)
	mock := clock.NewMock()
	mock.Set(start)
	r, err := runner.New(mock, w, 1)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	// Move the mock to each next deadline, waiting for the runner to process it.
	for steps := 0; steps < 10000; steps++ {
		var next time.Time
		r.View(func() { next = w.NextDeadline() })
		if next.IsZero() || next.After(end) {
			break
		}
		mock.Set(next)
		deadline := time.Now().Add(5 * time.Second)
		for {
			var at time.Time
			r.View(func() { at = w.Now() }) // only the runner's timer moves the world
			if !at.Before(next) {
				break
			}
			require.True(t, time.Now().Before(deadline), "the runner did not reach %s", next)
			time.Sleep(time.Millisecond)
		}
	}
	mock.Set(end)
	tr := direct.Trace()
	var at time.Time
	r.View(func() { at = w.Now() })
	assert.False(t, at.Before(tr[len(tr)-1].Time), "the runner's timers alone reached the last event")
	require.NoError(t, r.Do(func(time.Time) error { return nil })) // bring every component to the end
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	assert.Equal(t, direct.TraceText(), w.TraceText())
}

func TestNewRefusesBadInput(t *testing.T) {
	w := lab(t)
	_, err := runner.New(nil, w, 1)
	assert.Error(t, err)
	_, err = runner.New(clock.NewMock(), nil, 1)
	assert.Error(t, err)
	_, err = runner.New(clock.NewMock(), w, -2)
	assert.Error(t, err)
}

// A Do that moves the world ahead (a lab's "advance 30d") moves virtual
// time with it: the world goes on from there rather than waiting for the
// clock to catch up.
func TestDoThatAdvancesMovesVirtualTime(t *testing.T) {
	w := lab(t)
	mock := clock.NewMock()
	mock.Set(start)
	r, err := runner.New(mock, w, 1)
	require.NoError(t, err)
	require.NoError(t, r.Do(func(time.Time) error { return w.RunFor(30 * 24 * time.Hour) }))
	jumped := start.Add(30 * 24 * time.Hour)
	assert.Equal(t, jumped, r.Virtual(mock.Now()))
	mock.Add(time.Hour)
	var now time.Time
	require.NoError(t, r.Do(func(n time.Time) error { now = n; return nil }))
	assert.Equal(t, jumped.Add(time.Hour), now, "an hour later on the clock is an hour later in the world")
}

// A world far behind its speed (an hourly outage retry for a year) does
// not make a caller wait for the whole backlog: Do runs after one batch,
// on the world as far as it got, Lag says how far behind it is, and the
// next calls work the backlog off with no timer skipped.
func TestDoDoesNotWaitForTheBacklog(t *testing.T) {
	w := lab(t)
	require.NoError(t, w.SetFault(sim.Fault{Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP, On: true}))
	direct := lab(t)
	require.NoError(t, direct.SetFault(sim.Fault{Kind: sim.FaultEndpointDown, Target: netsim.CSSMIP, On: true}))
	mock := clock.NewMock()
	r, err := runner.New(mock, w, 1)
	require.NoError(t, err)
	mock.Add(365 * 24 * time.Hour) // a year passes with nobody running the loop

	var seen time.Time
	require.NoError(t, r.Do(func(now time.Time) error { seen = now; return nil }))
	assert.True(t, seen.Before(start.Add(364*24*time.Hour)), "ran after a batch, at %s", seen)
	assert.Greater(t, r.Lag(), 24*time.Hour)

	for r.Lag() > 0 {
		require.NoError(t, r.Do(func(time.Time) error { return nil }))
	}
	require.NoError(t, direct.RunUntil(w.Now()))
	assert.Equal(t, direct.TraceText(), w.TraceText(), "caught up in batches, nothing skipped")
}

// Replace anchors virtual time at the new world's present: a world reset
// to an earlier time goes on from there, not from the old world's time.
func TestReplaceAnchorsVirtualTime(t *testing.T) {
	w := lab(t)
	mock := clock.NewMock()
	mock.Set(start)
	r, err := runner.New(mock, w, 1)
	require.NoError(t, err)
	require.NoError(t, r.Do(func(time.Time) error { return w.RunFor(30 * 24 * time.Hour) }))
	require.NoError(t, r.Replace(func() error { w.Reset(lab(t)); return nil }))
	assert.Equal(t, start, r.Virtual(mock.Now()))
	mock.Add(time.Minute)
	var now time.Time
	require.NoError(t, r.Do(func(n time.Time) error { now = n; return nil }))
	assert.Equal(t, start.Add(time.Minute), now)
}
