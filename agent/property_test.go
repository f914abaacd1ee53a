package agent_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
)

// op is one step of a generated script.
type op struct {
	Kind   string        // advance, register, force, deregister, renew-auth, renew-id, usage, reload, answer
	D      time.Duration // advance
	N      int           // usage: number of tags; reload: 1 keeps the registration
	Answer string        // answer: ok-in, ok-out, or a failure class, or drop
}

func genOp() *rapid.Generator[op] {
	return rapid.Custom(func(t *rapid.T) op {
		switch k := rapid.SampledFrom([]string{"advance", "advance", "advance", "answer", "answer", "answer", "register", "force", "deregister", "renew-auth", "renew-id", "usage", "reload"}).Draw(t, "kind"); k {
		case "advance":
			unit := rapid.SampledFrom([]time.Duration{time.Second, time.Minute, time.Hour, agent.Day}).Draw(t, "unit")
			return op{Kind: k, D: unit * time.Duration(rapid.IntRange(1, 40).Draw(t, "n"))}
		case "answer":
			return op{Kind: k, Answer: rapid.SampledFrom([]string{"ok-in", "ok-in", "ok-out", "drop", "send", "busy", "rejected", "transport-unavailable", "invalid-data"}).Draw(t, "answer")}
		case "usage":
			return op{Kind: k, N: rapid.IntRange(0, 2).Draw(t, "tags")}
		case "reload":
			return op{Kind: k, N: rapid.IntRange(0, 1).Draw(t, "keep")}
		default:
			return op{Kind: k}
		}
	})
}

// driver runs scripts against an agent, playing a simple back end, and
// records every output.
type driver struct {
	a        *agent.Agent
	inflight []license.Message
	trace    []string
}

var allUsage = []license.Usage{{Tag: "C9300-24 DNA Advantage", Count: 2}, {Tag: "C9300-24 Network Advantage", Count: 2}}

func newDriver(t require.TestingT, seed uint64) *driver {
	a, err := agent.New(t0, agent.Config{UDI: testUDI, Hostname: "sw1", Seed: seed, Usage: allUsage[:1]})
	require.NoError(t, err)
	return &driver{a: a}
}

// ignorable are refusals that a random script provokes legitimately.
func ignorable(err error) bool {
	return err == nil || errors.Is(err, agent.ErrNotRegistered) || errors.Is(err, agent.ErrAlreadyRegistered) || errors.Is(err, agent.ErrUnexpectedAnswer)
}

func (d *driver) step(t require.TestingT, o op) {
	a := d.a
	now := a.Now()
	var err error
	switch o.Kind {
	case "advance":
		err = a.Advance(now.Add(o.D))
	case "register", "force":
		_, err = a.Register(now, testToken, o.Kind == "force")
	case "deregister":
		err = a.Deregister(now)
	case "renew-auth":
		err = a.RenewAuth(now)
	case "renew-id":
		err = a.RenewID(now)
	case "usage":
		err = a.SetUsage(now, allUsage[:o.N])
	case "reload":
		err = a.Reload(now, o.N == 1)
		d.inflight = nil
	case "answer":
		d.inflight = append(d.inflight, a.TakeMessages()...)
		if len(d.inflight) == 0 {
			break
		}
		m := d.inflight[0]
		d.inflight = d.inflight[1:]
		if ans := answerFor(m, o.Answer, now); ans != nil {
			err = a.Handle(now, ans)
		}
	}
	require.True(t, ignorable(err), "op %+v: %v", o, err)
	d.record()
}

func answerFor(m license.Message, how string, now time.Time) license.Answer {
	classes := map[string]license.FailureClass{"send": license.FailSend, "busy": license.FailBusy, "rejected": license.FailRejected, "transport-unavailable": license.FailTransportUnavailable, "invalid-data": license.FailInvalidData}
	switch how {
	case "drop":
		return nil
	case "ok-in", "ok-out":
	default:
		return license.Failure{ID: m.RequestID(), Class: classes[how], Reason: "reason " + how}
	}
	back := now.Add(-5 * time.Minute)
	switch x := m.(type) {
	case license.Register:
		return license.RegisterReply{ID: x.ID, SmartAccount: "SA", VirtualAccount: "VA", CertStart: back}
	case license.Authorize:
		r := license.AuthorizeReply{ID: x.ID, Time: back}
		for _, u := range x.Usage {
			r.Entitlements = append(r.Entitlements, license.Entitlement{Tag: u.Tag, Count: u.Count, InCompliance: how == "ok-in"})
		}
		return r
	case license.RenewID:
		return license.RenewIDReply{ID: x.ID, CertStart: back}
	case license.Deregister:
		return license.DeregisterReply{ID: x.ID}
	}
	return nil
}

func (d *driver) record() {
	for _, l := range d.a.TakeLogs() {
		d.trace = append(d.trace, l.Time.Format(time.RFC3339Nano)+" "+l.Message())
	}
	msgs := d.a.TakeMessages()
	for _, m := range msgs {
		b, _ := json.Marshal(m)
		d.trace = append(d.trace, fmt.Sprintf("send %s %s", m.Kind(), b))
	}
	d.inflight = append(d.inflight, msgs...)
}

func TestPropertyNextDeadlineIsAfterNow(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := newDriver(t, rapid.Uint64().Draw(t, "seed"))
		for _, o := range rapid.SliceOfN(genOp(), 1, 80).Draw(t, "ops") {
			d.step(t, o)
			if o.Kind == "advance" {
				if n := d.a.NextDeadline(); !n.IsZero() && !n.After(d.a.Now()) {
					t.Fatalf("after Advance(%s) next deadline %s is not after it", d.a.Now(), n)
				}
			}
		}
	})
}

// Eval time left never grows; across an Advance with no deadline in between
// it shrinks by exactly the elapsed time while running and not at all
// otherwise; it only runs with licenses in use and no authorization.
func TestPropertyEvalRemaining(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := newDriver(t, rapid.Uint64().Draw(t, "seed"))
		for _, o := range rapid.SliceOfN(genOp(), 1, 80).Draw(t, "ops") {
			before := d.a.Status()
			next := d.a.NextDeadline()
			d.step(t, o)
			after := d.a.Status()
			if after.EvalRemaining > before.EvalRemaining {
				t.Fatalf("eval grew from %v to %v on %+v", before.EvalRemaining, after.EvalRemaining, o)
			}
			if after.EvalRunning && (len(after.Entitlements) == 0 || after.Authorization == agent.AuthAuthorized || after.Authorization == agent.AuthOutOfComp || after.Authorization == agent.AuthExpired) {
				t.Fatalf("eval running in %s with %d entitlements", after.Authorization, len(after.Entitlements))
			}
			if o.Kind == "advance" && (next.IsZero() || next.After(after.Now)) {
				want := before.EvalRemaining
				if before.EvalRunning {
					want -= o.D
				}
				if want != after.EvalRemaining {
					t.Fatalf("eval %v → %v over %v (running %v)", before.EvalRemaining, after.EvalRemaining, o.D, before.EvalRunning)
				}
			}
		}
	})
}

// A device whose communications succeed at least every 90 days never shows
// AUTHORIZATION EXPIRED: agenttest's TestPropertyOutagesUnder90DaysNeverExpire
// holds it against the in-memory CSSM, with random pools and outages.

// With no successful communication for 365 days after the last certificate
// start, the agent is UNREGISTERED; a moment before, it is still registered.
func TestPropertyNoSuccessForAYearUnregisters(t *testing.T) {
	if testing.Short() {
		t.Skip("a long property run (7 s under -race): CI runs it without -short")
	}
	rapid.Check(t, func(t *rapid.T) {
		d := newDriver(t, rapid.Uint64().Draw(t, "seed"))
		a := d.a
		_, err := a.Register(t0, testToken, false)
		require.NoError(t, err)
		reg := a.TakeMessages()[0]
		start := t0.Add(-time.Duration(rapid.IntRange(0, 3600).Draw(t, "skew")) * time.Second)
		require.NoError(t, a.Handle(t0, license.RegisterReply{ID: reg.RequestID(), CertStart: start}))
		failAll := rapid.Bool().Draw(t, "fail-or-silence")
		expiry := start.Add(365 * agent.Day)
		for {
			n := a.NextDeadline()
			if !n.Before(expiry) {
				break
			}
			if err := a.Advance(n); err != nil {
				t.Fatal(err)
			}
			a.TakeLogs()
			for _, m := range a.TakeMessages() {
				if failAll {
					if err := a.Handle(n, license.Failure{ID: m.RequestID(), Class: license.FailSend, Reason: license.ReasonSendFailed}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		require.NoError(t, a.Advance(expiry.Add(-time.Nanosecond)))
		require.True(t, a.Mode().HasIDCert())
		require.NoError(t, a.Advance(expiry))
		require.Equal(t, agent.RegUnregistered, a.Status().Registration)
	})
}

func TestPropertyReplayIsDeterministic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		ops := rapid.SliceOfN(genOp(), 1, 80).Draw(t, "ops")
		d1, d2 := newDriver(t, seed), newDriver(t, seed)
		for _, o := range ops {
			d1.step(t, o)
			d2.step(t, o)
		}
		require.Equal(t, d1.trace, d2.trace)
	})
}

// snapshot → restore → continue gives the same future as continuing.
func TestPropertySnapshotRestoreContinue(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := newDriver(t, rapid.Uint64().Draw(t, "seed"))
		for _, o := range rapid.SliceOfN(genOp(), 0, 40).Draw(t, "before") {
			d.step(t, o)
		}
		snap, err := d.a.Snapshot()
		require.NoError(t, err)
		restored, err := agent.Restore(snap)
		require.NoError(t, err)
		again, err := restored.Snapshot()
		require.NoError(t, err)
		require.Equal(t, string(snap), string(again), "round trip is byte-identical")

		twin := &driver{a: restored, inflight: append([]license.Message(nil), d.inflight...)}
		d.trace = nil
		for _, o := range rapid.SliceOfN(genOp(), 1, 40).Draw(t, "after") {
			d.step(t, o)
			twin.step(t, o)
		}
		require.Equal(t, d.trace, twin.trace)
		s1, err := d.a.Snapshot()
		require.NoError(t, err)
		s2, err := twin.a.Snapshot()
		require.NoError(t, err)
		require.Equal(t, string(s1), string(s2))
	})
}

// Every edge of the graph is in the dense table and nothing else is.
func TestDenseTableMatchesGraph(t *testing.T) {
	for _, from := range agent.Modes() {
		for _, ev := range agent.Events() {
			want, ok := agent.Transition(from, ev)
			got, allowed := agent.DenseTransition(from, ev)
			require.Equal(t, ok, allowed, "%s --%s-->", from, ev)
			require.Equal(t, want, got, "%s --%s-->", from, ev)
		}
	}
}
