package agent_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
)

func snapshotOf(t testing.TB, a *agent.Agent) string {
	t.Helper()
	b, err := a.Snapshot()
	require.NoError(t, err)
	return string(b)
}

func TestNewRefusesBadConfig(t *testing.T) {
	short := agent.DefaultProfile()
	short.AuthRenewAfter = 100 * agent.Day
	neg := agent.DefaultProfile()
	neg.CommRetryFirst = -time.Second
	for name, cfg := range map[string]agent.Config{
		"no UDI":          {},
		"bad serial":      {UDI: license.UDI{PID: "C9300-24P", SN: "FOC 1"}},
		"hostname space":  {UDI: testUDI, Hostname: "sw 1"},
		"renew after exp": {UDI: testUDI, Profile: &short},
		"negative retry":  {UDI: testUDI, Profile: &neg},
		"zero count":      {UDI: testUDI, Usage: []license.Usage{{Tag: "x", Count: 0}}},
		"duplicate tag":   {UDI: testUDI, Usage: []license.Usage{{Tag: "x", Count: 1}, {Tag: "x", Count: 2}}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := agent.New(t0, cfg)
			assert.Error(t, err)
		})
	}
	_, err := agent.New(time.Time{}, agent.Config{UDI: testUDI})
	assert.Error(t, err)
}

func TestRefusedInputsChangeNothing(t *testing.T) {
	a, since := authorized(t)
	require.NoError(t, a.RenewAuth(since.Add(time.Hour)))
	req := one[license.Authorize](t, a)
	// A deadline is due inside the refused inputs' time: it must not fire.
	later := since.Add(40 * agent.Day)
	before := snapshotOf(t, a)
	cases := map[string]func() error{
		"empty token":    func() error { _, err := a.Register(later, "", true); return err },
		"short token":    func() error { _, err := a.Register(later, "abc", true); return err },
		"token spaces":   func() error { _, err := a.Register(later, "abc def ghi jkl", true); return err },
		"no force":       func() error { _, err := a.Register(later, testToken, false); return err },
		"time backwards": func() error { return a.Advance(since.Add(-time.Hour)) },
		"input backwards": func() error {
			return a.SetUsage(since.Add(-time.Hour), nil)
		},
		"bad usage":  func() error { return a.SetUsage(later, []license.Usage{{Tag: "", Count: 1}}) },
		"nil answer": func() error { return a.Handle(later, nil) },
		"unknown id": func() error { return a.Handle(later, license.DeregisterReply{ID: 999}) },
		"id zero":    func() error { return a.Handle(later, license.DeregisterReply{}) },
		"wrong type": func() error {
			return a.Handle(since.Add(2*time.Hour), license.RenewIDReply{ID: req.ID, CertStart: since})
		},
		"superseded":     func() error { return a.Handle(later, reply(req, later, true)) },
		"zero auth time": func() error { return a.Handle(since.Add(2*time.Hour), license.AuthorizeReply{ID: req.ID}) },
		"expired auth":   func() error { return a.Handle(since.Add(2*time.Hour), reply(req, since.Add(-100*agent.Day), true)) },
		"dup entitlement": func() error {
			r := reply(req, since, true)
			r.Entitlements = append(r.Entitlements, r.Entitlements[0])
			return a.Handle(since.Add(2*time.Hour), r)
		},
		"no reason": func() error {
			return a.Handle(since.Add(2*time.Hour), license.Failure{ID: req.ID, Class: license.FailSend})
		},
		"unknown class": func() error {
			return a.Handle(since.Add(2*time.Hour), license.Failure{ID: req.ID, Class: 99, Reason: "x"})
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			require.Error(t, f())
			assert.Equal(t, before, snapshotOf(t, a), "state changed")
		})
	}
}

func TestRestoreRefusesBadSnapshots(t *testing.T) {
	a, _ := authorized(t)
	good := snapshotOf(t, a)
	for name, edit := range map[string][2]string{
		"mode":    {`"mode": "Authorized"`, `"mode": "Flying"`},
		"version": {`"version": 2`, `"version": 7`},
		"udi":     {`"SN": "FOC2133Z0AB"`, `"SN": ""`},
		"eval":    {`"evalLeft": \d+`, `"evalLeft": 7776000000000001`},
		"nextId":  {`"nextId": \d+`, `"nextId": 0`},
		"past":    {`"nextCommunication": "[^"]+"`, `"nextCommunication": "2001-01-01T00:00:00Z"`},
		"pending": {`"pending": \{\}`, `"pending": {"authorize": 12345}`},
	} {
		t.Run(name, func(t *testing.T) {
			re := regexp.MustCompile(edit[0])
			require.Regexp(t, re, good)
			_, err := agent.Restore([]byte(re.ReplaceAllString(good, edit[1])))
			assert.Error(t, err)
		})
	}
	_, err := agent.Restore([]byte("{"))
	assert.Error(t, err)
}

func FuzzRestore(f *testing.F) {
	a, err := agent.New(t0, agent.Config{UDI: testUDI, Usage: usage24})
	if err != nil {
		f.Fatal(err)
	}
	snap, err := a.Snapshot()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(snap)
	f.Add([]byte(`{"version":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := agent.Restore(data)
		if err != nil {
			return
		}
		// Whatever was accepted must be usable.
		_ = b.Status()
		_ = b.Advance(b.Now().Add(time.Hour))
	})
}
