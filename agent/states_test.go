package agent_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
)

func TestStatesAreValues(t *testing.T) {
	for _, line := range agent.RegistrationStates() {
		r, err := agent.ParseRegistration(line)
		require.NoError(t, err)
		assert.Equal(t, line, r.String())
		b, err := r.MarshalText()
		require.NoError(t, err)
		var back agent.Registration
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, r, back)
	}
	for _, line := range agent.AuthorizationStates() {
		a, err := agent.ParseAuthorization(line)
		require.NoError(t, err)
		assert.Equal(t, line, a.String())
	}
	var none agent.Registration
	assert.Equal(t, "", none.String(), "the zero value is no status")
	_, err := agent.ParseRegistration("REGISTERED-ish")
	assert.Error(t, err)
	_, err = agent.ParseAuthorization("AUTHORISED")
	assert.Error(t, err)

	// The agent's values say what its status lines say.
	a := newAgent(t, at(t, "Aug 22 18:00:00 2022"), usage24)
	reg, auth := a.State()
	s := a.Status()
	assert.Equal(t, s.Registration, reg.String())
	assert.Equal(t, s.Authorization, auth.String())
	register(t, a, at(t, "Aug 22 18:58:03 2022"), at(t, "Aug 22 18:52:49 2022"))
	reg, _ = a.State()
	assert.Equal(t, agent.RegRegistered, reg.String())
}

// An agent whose logs nobody takes keeps a bounded number of them, the
// newest: eleven years of hourly EVAL_EXPIRED notices do not grow it.
func TestUntakenLogsAreBounded(t *testing.T) {
	a := newAgent(t, at(t, "Jan 01 00:00:00 2024"), usage24)
	end := at(t, "Jan 01 00:00:00 2035")
	for n := a.NextDeadline(); !n.IsZero() && n.Before(end); n = a.NextDeadline() {
		require.NoError(t, a.Advance(n))
	}
	logs := a.TakeLogs()
	assert.LessOrEqual(t, len(logs), agent.MaxPendingLogs+agent.MaxPendingLogs/4)
	assert.GreaterOrEqual(t, len(logs), agent.MaxPendingLogs)
	assert.Equal(t, agent.MnEvalExpired, logs[len(logs)-1].Mnemonic, "the newest are kept")
	assert.True(t, logs[len(logs)-1].Time.After(at(t, "Dec 01 00:00:00 2034")))
}
