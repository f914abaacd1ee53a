package agent_test

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
)

// twin drives an Agent (the reference) and a Lean with the same inputs.
type twin struct {
	ref      *agent.Agent
	lean     agent.Lean
	out      []agent.Request
	inflight []agent.Request // requests sent and not yet answered or dropped
}

func kindOf(m license.Message) agent.RequestKind {
	switch m.(type) {
	case license.Register:
		return agent.ReqRegister
	case license.Authorize:
		return agent.ReqAuthorize
	case license.RenewID:
		return agent.ReqRenewID
	}
	panic(fmt.Sprintf("unexpected %T", m))
}

// sync compares both agents after an input and collects their requests.
func (w *twin) sync(t *rapid.T, errRef, errLean error) {
	if (errRef == nil) != (errLean == nil) {
		t.Fatalf("refusals differ: agent %v, lean %v", errRef, errLean)
	}
	msgs := w.ref.TakeMessages()
	if len(msgs) != len(w.out) {
		t.Fatalf("agent sent %d requests, lean %d (%v)", len(msgs), len(w.out), w.out)
	}
	for i, m := range msgs {
		if got := (agent.Request{Kind: kindOf(m), ID: m.RequestID()}); got != w.out[i] {
			t.Fatalf("request %d: agent %+v, lean %+v", i, got, w.out[i])
		}
	}
	w.inflight = append(w.inflight, w.out...)
	w.out = w.out[:0]
	r1, a1 := w.ref.States()
	r2, a2 := w.lean.States()
	if r1 != r2 || a1 != a2 || w.ref.Mode() != w.lean.Mode() {
		t.Fatalf("states: agent %s/%s/%s, lean %s/%s/%s", w.ref.Mode(), r1, a1, w.lean.Mode(), r2, a2)
	}
	if ri, ai := w.lean.StateIndex(); agent.RegistrationStates[ri] != r1 || agent.AuthorizationStates[ai] != a1 {
		t.Fatalf("state index %d/%d for %s/%s", ri, ai, r1, a1)
	}
	d1, d2 := w.ref.NextDeadline(), w.lean.NextDeadline()
	if d1.IsZero() != (d2 == 0) || !d1.IsZero() && d1.UnixNano() != d2 {
		t.Fatalf("next deadline: agent %v, lean %v", d1, time.Unix(0, d2).UTC())
	}
	if !w.ref.Now().Equal(w.lean.Now()) {
		t.Fatalf("now: agent %v, lean %v", w.ref.Now(), w.lean.Now())
	}
}

// TestLeanTwinsAgent holds Lean to Agent's states, deadlines and requests
// under random fleet inputs: time passing, registrations (forced or not),
// usage changes, and answers of every kind — in or out of compliance,
// failures of each class, stale, expired and dropped ones, at once or
// late.
func TestLeanTwinsAgent(t *testing.T) {
	prof, err := agent.Prepare(nil)
	require.NoError(t, err)
	usages := [][]license.Usage{nil, allUsage[:1], allUsage}
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		u0 := usages[rapid.IntRange(0, 2).Draw(t, "usage0")]
		ref, err := agent.New(t0, agent.Config{UDI: testUDI, Hostname: "sw1", Seed: seed, Usage: u0, Dense: true, NoLogs: true, Shared: prof})
		require.NoError(t, err)
		lean, err := agent.NewLean(t0, agent.LeanConfig{Shared: prof, Seed: seed, Usage: u0})
		require.NoError(t, err)
		w := &twin{ref: ref, lean: lean}
		w.sync(t, nil, nil)
		for step := rapid.IntRange(1, 120).Draw(t, "steps"); step > 0; step-- {
			now := w.ref.Now()
			switch rapid.SampledFrom([]string{"advance", "advance", "answer", "answer", "answer", "register", "force", "usage", "jump"}).Draw(t, "input") {
			case "advance":
				unit := rapid.SampledFrom([]time.Duration{time.Second, time.Minute, time.Hour, agent.Day}).Draw(t, "unit")
				to := now.Add(unit * time.Duration(rapid.IntRange(0, 40).Draw(t, "n")))
				w.sync(t, w.ref.Advance(to), w.lean.Advance(to.UnixNano(), &w.out))
			case "jump": // to the next deadline exactly, where ties happen
				if d := w.ref.NextDeadline(); !d.IsZero() {
					w.sync(t, w.ref.Advance(d), w.lean.Advance(d.UnixNano(), &w.out))
				}
			case "register", "force":
				tok := rapid.SampledFrom([]string{testToken, "bad token!"}).Draw(t, "token")
				force := rapid.Bool().Draw(t, "force")
				_, e1 := w.ref.Register(now, tok, force)
				w.sync(t, e1, w.lean.Register(now.UnixNano(), tok, force, &w.out))
			case "usage":
				u := usages[rapid.IntRange(0, 2).Draw(t, "usage")]
				w.sync(t, w.ref.SetUsage(now, u), w.lean.SetUsage(now.UnixNano(), u, &w.out))
			case "answer":
				if len(w.inflight) == 0 {
					continue
				}
				i := rapid.IntRange(0, len(w.inflight)-1).Draw(t, "which")
				req := w.inflight[i]
				w.inflight = append(w.inflight[:i], w.inflight[i+1:]...)
				how := rapid.SampledFrom([]string{"ok", "ok", "ok-out", "drop", "send", "busy", "rejected", "transport-unavailable", "invalid-data", "wrong-kind"}).Draw(t, "how")
				age := rapid.SampledFrom([]time.Duration{5 * time.Minute, 5 * time.Minute, 89 * agent.Day, 400 * agent.Day}).Draw(t, "age")
				ans, la := answers(req, how, now.Add(-age))
				if ans == nil {
					continue
				}
				// Answers come at the agents' time or later, with deadlines
				// due before them at times.
				late := rapid.SampledFrom([]time.Duration{0, 0, time.Second, time.Hour, 3 * agent.Day, 40 * agent.Day}).Draw(t, "late")
				at := now.Add(late)
				w.sync(t, w.ref.Handle(at, ans), w.lean.Handle(at.UnixNano(), la, &w.out))
			}
		}
	})
}

// answers builds the same answer for both agents.
func answers(req agent.Request, how string, at time.Time) (license.Answer, agent.LeanAnswer) {
	la := agent.LeanAnswer{ID: req.ID, Kind: req.Kind, At: at.UnixNano(), InCompliance: how != "ok-out"}
	classes := map[string]license.FailureClass{"send": license.FailSend, "busy": license.FailBusy, "rejected": license.FailRejected,
		"transport-unavailable": license.FailTransportUnavailable, "invalid-data": license.FailInvalidData}
	if c, ok := classes[how]; ok {
		return license.Failure{ID: req.ID, Class: c, Reason: "no"}, agent.LeanAnswer{ID: req.ID, Kind: req.Kind, Class: c}
	}
	kind := req.Kind
	if how == "wrong-kind" {
		kind = (kind + 1) % 3
		la.Kind = kind
	}
	switch {
	case how == "drop":
		return nil, la
	case kind == agent.ReqRegister:
		return license.RegisterReply{ID: req.ID, SmartAccount: "SA", VirtualAccount: "VA", CertStart: at, CertSerial: "1"}, la
	case kind == agent.ReqAuthorize:
		return license.AuthorizeReply{ID: req.ID, Time: at, Entitlements: []license.Entitlement{{Tag: "t", Count: 1, InCompliance: la.InCompliance}}}, la
	}
	return license.RenewIDReply{ID: req.ID, CertStart: at}, la
}

// Lean refuses what it cannot hold (times outside int64 nanoseconds, a
// missing profile) and answers it was not waiting for, changing nothing.
func TestLeanRefusals(t *testing.T) {
	prof, err := agent.Prepare(nil)
	require.NoError(t, err)
	far := time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = agent.NewLean(far, agent.LeanConfig{Shared: prof})
	require.ErrorContains(t, err, "outside 1678–2262")
	_, err = agent.NewLean(t0, agent.LeanConfig{})
	require.ErrorContains(t, err, "no prepared profile")
	_, err = agent.NewLean(t0, agent.LeanConfig{Shared: prof, Usage: []license.Usage{{Tag: "", Count: 1}}})
	require.Error(t, err)

	l, err := agent.NewLean(t0, agent.LeanConfig{Shared: prof, Seed: 1, Usage: allUsage})
	require.NoError(t, err)
	var out []agent.Request
	now := t0.UnixNano()
	require.NoError(t, l.Register(now, testToken, false, &out))
	l.NextDeadline() // finds the earliest deadline and keeps it: a cache, not state
	before := l
	require.ErrorIs(t, l.Advance(now-1, &out), agent.ErrTimeWentBack)
	require.ErrorIs(t, l.Handle(now-1, agent.LeanAnswer{ID: out[0].ID, Kind: agent.ReqRegister, At: now}, &out), agent.ErrTimeWentBack)
	require.ErrorIs(t, l.Handle(now, agent.LeanAnswer{ID: 99, Kind: agent.ReqRegister, At: now}, &out), agent.ErrUnexpectedAnswer)
	require.ErrorIs(t, l.Handle(now, agent.LeanAnswer{ID: out[0].ID, Kind: agent.ReqAuthorize, At: now}, &out), agent.ErrBadAnswer, "wrong kind")
	require.ErrorIs(t, l.Handle(now, agent.LeanAnswer{ID: out[0].ID, Kind: agent.ReqRegister, At: now - int64(400*agent.Day)}, &out), agent.ErrBadAnswer, "expired")
	require.ErrorIs(t, l.Handle(now, agent.LeanAnswer{ID: out[0].ID, Kind: agent.ReqRegister}, &out), agent.ErrBadAnswer, "no time")
	require.ErrorIs(t, l.Handle(now, agent.LeanAnswer{ID: out[0].ID, Class: 42}, &out), agent.ErrBadAnswer, "unknown class")
	require.ErrorIs(t, l.Register(now, "bad token!", false, &out), agent.ErrBadToken)
	require.Equal(t, before, l)
	require.Len(t, out, 1)
	// A certificate starting in the far future is not expired (no overflow).
	require.NoError(t, l.Handle(now, agent.LeanAnswer{ID: out[0].ID, Kind: agent.ReqRegister, At: math.MaxInt64 - 1}, &out))
	assert.Equal(t, agent.ModeRegistered, l.Mode())
}

// accept answers every request at once, with success in compliance.
type accept struct{}

func (accept) Answer(now int64, _ *agent.Lean, r agent.Request) agent.LeanAnswer {
	return agent.LeanAnswer{ID: r.ID, Kind: r.Kind, At: now, InCompliance: true}
}

// BenchmarkLeanRenewalCycle: a healthy Lean's turn at its deadline — the
// authorization renewal, answered at once — through Advance and Handle,
// and through Step (its path for renewals).
func BenchmarkLeanRenewalCycle(b *testing.B) {
	prof, err := agent.Prepare(nil)
	require.NoError(b, err)
	l, err := agent.NewLean(t0, agent.LeanConfig{Shared: prof, Seed: 1, Usage: allUsage})
	require.NoError(b, err)
	var out []agent.Request
	require.NoError(b, l.Register(t0.UnixNano(), testToken, false, &out))
	require.NoError(b, l.Handle(t0.UnixNano(), agent.LeanAnswer{ID: out[0].ID, Kind: agent.ReqRegister, At: t0.UnixNano()}, &out))
	fresh := l // a Lean is a value: a copy starts over (int64 nanoseconds end in 2262)
	b.Run("advance-handle", func(b *testing.B) {
		l := fresh
		b.ReportAllocs()
		for i := range b.N {
			if i%1000 == 0 {
				l = fresh
			}
			out = out[:0]
			next := l.NextDeadline()
			if err := l.Advance(next, &out); err != nil {
				b.Fatal(err)
			}
			for _, r := range out {
				if err := l.Handle(next, agent.LeanAnswer{ID: r.ID, Kind: r.Kind, At: next, InCompliance: true}, &out); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("step", func(b *testing.B) {
		l := fresh
		b.ReportAllocs()
		for i := range b.N {
			if i%1000 == 0 {
				l = fresh
			}
			if err := l.Step(l.NextDeadline(), accept{}, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Tokens hold letters, digits and +/=%-_. only; the error names the first
// other character, as a rune.
func TestCheckTokenCharacters(t *testing.T) {
	ok := strings.Repeat("aZ09+/=%-_.", 6)
	require.NoError(t, agent.CheckToken(ok))
	for bad, char := range map[string]string{"!": `'!'`, " ": `' '`, "é": `'é'`, "\xff": `'�'`, "\x00": `'\x00'`} {
		err := agent.CheckToken(ok + bad + "x")
		require.ErrorIs(t, err, agent.ErrBadToken, "%q", bad)
		require.Contains(t, err.Error(), "character "+char, "%q", bad)
	}
}

// scripted answers requests from a script, in turn, and logs them.
type scripted struct {
	hows []string
	ages []time.Duration
	k    int
	log  []agent.Request
}

func (s *scripted) Answer(now int64, l *agent.Lean, r agent.Request) agent.LeanAnswer {
	how, age := s.hows[s.k%len(s.hows)], s.ages[s.k%len(s.ages)]
	s.k++
	s.log = append(s.log, r)
	_, la := answers(r, how, time.Unix(0, now).Add(-age))
	if how == "drop" { // Step answers every request: a stale ID stands for no answer
		la.ID += 1 << 40
	}
	return la
}

// advanceAndHandle is what Step stands for: Advance, then Handle of each
// request's answer in turn.
func advanceAndHandle(l *agent.Lean, now int64, a agent.Answerer, out *[]agent.Request) error {
	if err := l.Advance(now, out); err != nil {
		return err
	}
	for k := 0; k < len(*out); k++ {
		_ = l.Handle(now, a.Answer(now, l, (*out)[k]), out)
	}
	*out = (*out)[:0]
	return nil
}

// TestLeanStepIsAdvanceAndHandle holds Step, and its path for renewals,
// to Advance and Handle: two Leans get the same inputs and answers, one
// through Step, one through Advance and Handle, and must stay equal field
// for field and send the same requests — on the default profile and on
// one whose short periods make deadlines meet.
func TestLeanStepIsAdvanceAndHandle(t *testing.T) {
	short := agent.DefaultProfile()
	short.AuthRenewAfter, short.AuthValidity, short.OutOfComplianceRetry = time.Hour, 3*time.Hour, 30*time.Minute
	short.IDRenewAfter, short.IDCertValidity, short.ReplyWaitJitter = 2*time.Hour, 5*time.Hour, 0
	profs := []*agent.Profile{nil, &short}
	usages := [][]license.Usage{nil, allUsage[:1], allUsage}
	rapid.Check(t, func(t *rapid.T) {
		prof, err := agent.Prepare(profs[rapid.IntRange(0, 1).Draw(t, "profile")])
		require.NoError(t, err)
		seed := rapid.Uint64().Draw(t, "seed")
		step, err := agent.NewLean(t0, agent.LeanConfig{Shared: prof, Seed: seed, Usage: usages[rapid.IntRange(0, 2).Draw(t, "usage0")]})
		require.NoError(t, err)
		ref := step
		var outStep, outRef []agent.Request
		hows := []string{"ok", "ok", "ok", "ok-out", "drop", "send", "busy", "rejected", "transport-unavailable", "invalid-data", "wrong-kind"}
		for n := rapid.IntRange(1, 150).Draw(t, "inputs"); n > 0; n-- {
			now := ref.NowUnixNano()
			a := scripted{hows: rapid.SliceOfN(rapid.SampledFrom(hows), 1, 4).Draw(t, "hows"),
				ages: rapid.SliceOfN(rapid.SampledFrom([]time.Duration{0, 5 * time.Minute, 89 * agent.Day, 400 * agent.Day, prof.Profile().AuthValidity}), 1, 3).Draw(t, "ages")}
			b := a
			var errStep, errRef error
			switch rapid.SampledFrom([]string{"deadline", "deadline", "deadline", "later", "register", "usage", "back"}).Draw(t, "input") {
			case "deadline": // a fleet's turn: at the next deadline exactly
				if d := ref.NextDeadline(); d != 0 {
					errStep, errRef = step.Step(d, &a, &outStep), advanceAndHandle(&ref, d, &b, &outRef)
				}
			case "later":
				d := now + int64(rapid.IntRange(0, 100).Draw(t, "minutes"))*int64(time.Minute)
				errStep, errRef = step.Step(d, &a, &outStep), advanceAndHandle(&ref, d, &b, &outRef)
			case "back":
				errStep, errRef = step.Step(now-1, &a, &outStep), advanceAndHandle(&ref, now-1, &b, &outRef)
			case "register": // requests sent outside a turn are answered later, at a deadline: dropped here
				force := rapid.Bool().Draw(t, "force")
				errStep, errRef = step.Register(now, testToken, force, &outStep), ref.Register(now, testToken, force, &outRef)
				outStep, outRef = outStep[:0], outRef[:0]
			case "usage":
				u := usages[rapid.IntRange(0, 2).Draw(t, "usage")]
				errStep, errRef = step.SetUsage(now, u, &outStep), ref.SetUsage(now, u, &outRef)
				outStep, outRef = outStep[:0], outRef[:0]
			}
			if (errStep == nil) != (errRef == nil) {
				t.Fatalf("refusals differ: Step %v, Advance and Handle %v", errStep, errRef)
			}
			require.Equal(t, b.log, a.log, "requests")
			step.NextDeadline() // the earliest deadline, cached, found on both
			ref.NextDeadline()
			if !reflect.DeepEqual(step, ref) {
				t.Fatalf("Step left %+v,\nAdvance and Handle %+v", step, ref)
			}
		}
	})
}
