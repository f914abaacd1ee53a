package agent_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
)

var testUDI = license.UDI{PID: "C9300-24P", SN: "FOC2133Z0AB"}

const testToken = "NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgtNmE3ZjZjNDYxYzA0LTE2NDk2NTU4%0ANjA0MzJ8"

var usage24 = []license.Usage{{Tag: "C9300-24 Network Advantage", Count: 1}}

// at parses an IOS-style UTC date: "Aug 22 18:58:03 2022".
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse("Jan 02 15:04:05 2006", s)
	require.NoError(t, err)
	return v.UTC()
}

// ios formats a time as `show license` does (UTC zone).
func ios(v time.Time) string { return v.UTC().Format("Jan 02 15:04:05 2006 MST") }

func newAgent(t testing.TB, now time.Time, usage []license.Usage) *agent.Agent {
	t.Helper()
	a, err := agent.New(now, agent.Config{UDI: testUDI, Hostname: "sw1", Seed: 1, Usage: usage})
	require.NoError(t, err)
	return a
}

// one takes the single outstanding message of type M.
func one[M license.Message](t testing.TB, a *agent.Agent) M {
	t.Helper()
	msgs := a.TakeMessages()
	require.Len(t, msgs, 1, "messages: %v", msgs)
	m, ok := msgs[0].(M)
	require.True(t, ok, "message is %T", msgs[0])
	return m
}

func mnemonics(logs []agent.LogEvent) []string {
	out := make([]string, len(logs))
	for i, l := range logs {
		out[i] = l.Mnemonic
	}
	return out
}

// register drives a registration to success at regAt with the certificate
// starting at certStart, and returns the authorization request that follows.
func register(t testing.TB, a *agent.Agent, regAt, certStart time.Time) license.Authorize {
	t.Helper()
	_, err := a.Register(regAt.Add(-time.Second), testToken, false)
	require.NoError(t, err)
	reg := one[license.Register](t, a)
	require.NoError(t, a.Handle(regAt, license.RegisterReply{ID: reg.ID, SmartAccount: "ACME Corporation", VirtualAccount: "Wile E. Coyote", ExportControlled: true, CertStart: certStart}))
	require.NoError(t, a.Advance(a.NextDeadline()))
	return one[license.Authorize](t, a)
}

func reply(req license.Authorize, backend time.Time, in bool) license.AuthorizeReply {
	r := license.AuthorizeReply{ID: req.ID, Time: backend}
	for _, u := range req.Usage {
		r.Entitlements = append(r.Entitlements, license.Entitlement{Tag: u.Tag, Name: u.Tag, Count: u.Count, InCompliance: in})
	}
	return r
}
