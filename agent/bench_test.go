package agent_test

import (
	"testing"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
)

// healthy returns an agent in AUTHORIZED with its 30-day renewal scheduled.
func healthy(b *testing.B) *agent.Agent { return healthyCfg(b, agent.Config{}) }

func healthyCfg(b *testing.B, cfg agent.Config) *agent.Agent {
	cfg.UDI, cfg.Hostname, cfg.Seed, cfg.Usage = testUDI, "sw1", 1, usage24
	a, err := agent.New(t0, cfg)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Register(t0, testToken, false); err != nil {
		b.Fatal(err)
	}
	reg := a.TakeMessages()[0]
	if err := a.Handle(t0, license.RegisterReply{ID: reg.RequestID(), CertStart: t0}); err != nil {
		b.Fatal(err)
	}
	if err := a.Advance(a.NextDeadline()); err != nil {
		b.Fatal(err)
	}
	req := a.TakeMessages()[0].(license.Authorize)
	if err := a.Handle(a.Now(), reply(req, a.Now(), true)); err != nil {
		b.Fatal(err)
	}
	a.TakeLogs()
	return a
}

// BenchmarkAdvanceIdle: Advance with nothing due (the common call in a
// world that steps many devices).
func BenchmarkAdvanceIdle(b *testing.B) {
	a := healthy(b)
	now := a.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now = now.Add(time.Nanosecond)
		if err := a.Advance(now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdvanceEvalWarning: Advance that processes one deadline (an
// eval-expiry warning or re-notification) and logs it. (The agent boots
// again every 100,000 hours: an agent's instants end in 2262.)
func BenchmarkAdvanceEvalWarning(b *testing.B) {
	boot := func() *agent.Agent {
		a, err := agent.New(t0, agent.Config{UDI: testUDI, Seed: 1, Usage: usage24})
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	a := boot()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%100_000 == 99_999 {
			b.StopTimer()
			a = boot()
			b.StartTimer()
		}
		if err := a.Advance(a.NextDeadline()); err != nil {
			b.Fatal(err)
		}
		a.TakeLogs()
	}
}

// BenchmarkRenewalCycle: one full authorization renewal: the 30-day
// deadline fires, the request is taken, the AUTHORIZED answer is handled.
// (The agent starts over every 1,000 renewals: an agent's instants end in
// 2262.)
func BenchmarkRenewalCycle(b *testing.B) {
	a := healthy(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%1000 == 999 {
			b.StopTimer()
			a = healthy(b)
			b.StartTimer()
		}
		n := a.NextDeadline()
		if err := a.Advance(n); err != nil {
			b.Fatal(err)
		}
		for _, m := range a.TakeMessages() {
			var ans license.Answer
			switch x := m.(type) {
			case license.Authorize:
				ans = reply(x, n, true)
			case license.RenewID:
				ans = license.RenewIDReply{ID: x.ID, CertStart: n}
			}
			if err := a.Handle(n, ans); err != nil {
				b.Fatal(err)
			}
		}
		a.TakeLogs()
	}
}

// BenchmarkSnapshotRestore: the JSON trusted store round trip.
func BenchmarkSnapshotRestore(b *testing.B) {
	a := healthy(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := a.Snapshot()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := agent.Restore(s); err != nil {
			b.Fatal(err)
		}
	}
}
