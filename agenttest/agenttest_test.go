package agenttest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/agenttest"
)

func TestScripts(t *testing.T) { agenttest.RunScripts(t, "testdata/scripts") }

func TestZeroConfigAndBadInput(t *testing.T) {
	env, err := agenttest.New(agenttest.Config{})
	require.NoError(t, err)
	assert.Equal(t, agenttest.DefaultStart, env.Now())
	_, _, err = env.Command("reboot")
	assert.ErrorContains(t, err, `command "reboot"`)
	_, err = env.Advance(-time.Second)
	assert.Error(t, err)
	_, err = env.AdvanceTo(env.Now().Add(-time.Hour))
	assert.Error(t, err)
	_, err = agenttest.New(agenttest.Config{UDI: agent.Config{}.UDI, Usage: nil, Licenses: -5})
	require.NoError(t, err, "a pool with none of the licenses is a valid Env")

	for in, want := range map[string]time.Duration{"90s": 90 * time.Second, "30d": 30 * agent.Day, "1d12h": 36 * time.Hour} {
		got, err := agenttest.ParseDuration(in)
		require.NoError(t, err)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "d", "-1h", "3x", "1d-2h"} {
		_, err := agenttest.ParseDuration(bad)
		assert.Error(t, err, bad)
	}
}

// Against a real CSSM, a switch whose path to CSSM is never down for 90
// days at a stretch never shows AUTHORIZATION EXPIRED, and keeps its
// registration; in compliance exactly when the pool holds what it uses.
func TestPropertyOutagesUnder90DaysNeverExpire(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cfg := agenttest.Configs().Draw(t, "config")
		env, err := agenttest.New(cfg)
		require.NoError(t, err)
		horizon := 3 * 365 * agent.Day
		env.Schedule(agenttest.Outages(env.Now().Add(time.Hour), horizon, 59*agent.Day).Draw(t, "outages")...)
		_, r, err := env.Command("register")
		require.NoError(t, err)
		end := env.Now().Add(horizon)
		for env.Now().Before(end) {
			r, err = env.Advance(agent.Day)
			require.NoError(t, err)
			require.NotEqual(t, agent.AuthExpired, r.Authorization, "at %s", r.Now)
			require.Equal(t, agent.RegRegistered, r.Registration, "at %s", r.Now)
		}
		// A last renewal on a path that is up tells the pool's verdict.
		env.SetReachable(true)
		_, r, err = env.Command("renew auth")
		require.NoError(t, err)
		want := agent.AuthAuthorized
		if cfg.Licenses < 0 {
			want = agent.AuthOutOfComp
		}
		assert.Equal(t, want, r.Authorization)
	})
}
