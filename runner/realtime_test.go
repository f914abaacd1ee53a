//go:build go1.25

package runner_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/runner"
)

// With the real clock (inside a synctest bubble, whose time is fake but
// flows as goroutines block), a world run at one virtual day per second
// for 70 seconds ends where stepping it directly for 70 days ends.
func TestRealClockScaled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		direct := lab(t)
		require.NoError(t, direct.RunUntil(start.Add(70*24*time.Hour)))

		w := lab(t)
		r, err := runner.New(clock.New(), w, 86400)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		time.Sleep(70 * time.Second)
		// The runner's timers alone brought the world to its last event.
		tr := direct.Trace()
		var at time.Time
		r.View(func() { at = w.Now() })
		assert.False(t, at.Before(tr[len(tr)-1].Time), "world at %s, last event %s", at, tr[len(tr)-1].Time)
		require.NoError(t, r.Do(func(now time.Time) error {
			assert.Equal(t, start.Add(70*24*time.Hour), now)
			return nil
		}))
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
		assert.Equal(t, direct.TraceText(), w.TraceText())
	})
}
