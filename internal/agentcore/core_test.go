package agentcore

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/slsim/slsim/license"
)

const (
	day       = 24 * time.Hour
	testToken = "NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgtNmE3ZjZjNDYxYzA0LTE2NDk2NTU4%0ANjA0MzJ8"
)

var (
	t0       = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano()
	allUsage = []license.Usage{{Tag: "C9300-24 DNA Advantage", Count: 2}, {Tag: "C9300-24 Network Advantage", Count: 2}}
)

// defaults is the documented profile (agent.DefaultProfile's values).
func defaults() Profile {
	w := []time.Duration{60 * day, 30 * day, 21 * day, 14 * day, 7 * day}
	for d := 6; d >= 1; d-- {
		w = append(w, time.Duration(d)*day)
	}
	for h := 23; h >= 1; h-- {
		w = append(w, time.Duration(h)*time.Hour)
	}
	return Profile{
		EvalPeriod: 90 * day, EvalWarnings: w, EvalExpiredRenotify: time.Hour,
		IDCertValidity: 365 * day, IDRenewAfter: 180 * day, AuthRenewAfter: 30 * day, AuthValidity: 90 * day,
		OutOfComplianceRetry: 12 * time.Hour, AuthExpiredRetry: time.Hour, CommRetryFirst: 30 * time.Second,
		CommRetryMax: time.Hour, RegRetry: 15 * time.Minute, RegRetryJitter: 5 * time.Minute,
		ReplyWait: 15 * time.Minute, ReplyWaitJitter: 5 * time.Minute, FirstAuthDelay: 4 * time.Second,
	}
}

func prepared(t testing.TB, p Profile) *Prepared {
	t.Helper()
	prep, err := Prepare(p)
	require.NoError(t, err)
	return prep
}

// The agent keeps its earliest deadline across setDeadline calls where it
// can; after any sequence of sets and clears it is what a scan of every
// slot finds: the earliest instant, and of slots tied on it the lowest.
// The instants are drawn from a handful so that ties are common.
func TestEarliestFollowsDeadlines(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var a Agent
		a.first = -1
		for range rapid.IntRange(1, 40).Draw(t, "steps") {
			s := Slot(rapid.IntRange(0, int(NSlots)-1).Draw(t, "slot"))
			at := int64(rapid.IntRange(0, 4).Draw(t, "at")) // 0 clears
			a.setDeadline(s, at)
			if rapid.Bool().Draw(t, "ask") {
				gotSlot, gotAt := a.earliest()
				wantSlot, wantAt := Slot(-1), int64(0)
				for k, d := range a.deadlines {
					if d != 0 && (wantAt == 0 || d < wantAt) {
						wantSlot, wantAt = Slot(k), d
					}
				}
				if gotSlot != wantSlot || gotAt != wantAt {
					t.Fatalf("deadlines %v: earliest slot %d at %d, want slot %d at %d", a.deadlines, gotSlot, gotAt, wantSlot, wantAt)
				}
			}
		}
	})
}

// The scan orders every instant an agent can hold, the far ends included,
// and ranks "none" after them all.
func TestScanExtremes(t *testing.T) {
	var a Agent
	check := func(want Slot, at int64) {
		t.Helper()
		a.fresh = false
		if s, got := a.earliest(); s != want || got != at {
			t.Fatalf("earliest = %d, %d; want %d, %d", s, got, want, at)
		}
	}
	check(-1, 0)
	a.deadlines[SlotComm] = math.MaxInt64
	check(SlotComm, math.MaxInt64)
	a.deadlines[SlotRegRetry] = -1
	check(SlotRegRetry, -1)
	a.deadlines[SlotEval] = math.MinInt64 + 1
	check(SlotEval, math.MinInt64+1)
	a.deadlines[SlotIDExpire] = math.MinInt64 + 1 // a tie: the lower slot
	check(SlotIDExpire, math.MinInt64+1)
}

// The jitter draws what rand.Rand's Int64N over the same generator draws,
// value for value, whatever the width (powers of two and 0, which take
// the library's own paths, included).
func TestJitterIsRandInt64N(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		a := Agent{pcg: Seeded(seed)}
		ref := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		for range 20 {
			j := time.Duration(rapid.OneOf(rapid.Int64Range(0, 1<<40), rapid.Just[int64](1<<20-1), rapid.Just[int64](0), rapid.Just[int64](math.MaxInt64-1)).Draw(t, "j"))
			want := time.Duration(0)
			if j > 0 {
				want = time.Duration(ref.Int64N(int64(j) + 1))
			}
			if got := a.jitter(j); got != want {
				t.Fatalf("jitter(%d) = %d, want %d", j, got, want)
			}
		}
	})
}

// A renewal reads and writes the fields up to renotify, HotBytes that a
// fleet node fits in three cache lines with its own (fleet checks its
// side).
func TestHotFieldsFirst(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout is planned for 64-bit platforms")
	}
	var a Agent
	if end := unsafe.Offsetof(a.renotify) + unsafe.Sizeof(a.renotify); end != HotBytes {
		t.Fatalf("hot fields end at %d, want %d", end, HotBytes)
	}
	if unsafe.Offsetof(a.evalLeft) < HotBytes || unsafe.Offsetof(a.token) < HotBytes || unsafe.Offsetof(a.pendingDereg) < HotBytes {
		t.Fatal("a cold field among the hot ones")
	}
}

// okAnswers answers every request with success, in compliance, at once.
type okAnswers struct{}

func (okAnswers) Answer(now int64, _ *Agent, r Request) Answer {
	return Answer{ID: r.ID, Kind: r.Kind, At: now, InCompliance: true}
}

// authorized is an agent registered and authorized, answered at once.
func authorized(t *testing.T) Agent {
	t.Helper()
	var fx Effects
	a, err := New(t0, prepared(t, defaults()), 3, []license.Usage{{Tag: "t", Count: 1}}, &fx)
	require.NoError(t, err)
	require.NoError(t, a.Register(t0, testToken, false, &fx))
	for _, r := range fx.Requests {
		_ = a.Handle(t0, okAnswers{}.Answer(t0, &a, r), &fx)
	}
	fx.Requests = fx.Requests[:0]
	for a.Mode() != Authorized {
		require.NoError(t, a.Step(a.NextDeadline(), okAnswers{}, &fx))
	}
	return a
}

// Step's path for renewals is taken only where Advance and Handle would
// do nothing but the renewal: states that an authorized agent never holds
// (an eval deadline or countdown, a pending re-notification, an earliest
// deadline not looked for again, the registered mode with its countdown
// not started) are set by hand here, and Step must still end where
// Advance and Handle do.
func TestRenewalNeedsItsConditions(t *testing.T) {
	base := authorized(t)
	now := base.NextDeadline()
	if s, _ := base.earliest(); s != SlotComm {
		t.Fatalf("earliest slot %d, want the comm slot", s)
	}
	for name, spoil := range map[string]func(a *Agent){
		"none":           func(*Agent) {},
		"eval deadline":  func(a *Agent) { a.setDeadline(SlotEval, now+int64(time.Hour)) },
		"eval countdown": func(a *Agent) { a.running, a.evalMark, a.evalLeft = true, now-int64(time.Hour), 10*day },
		"renotify":       func(a *Agent) { a.renotify = now + int64(time.Hour) },
		"out of compl.":  func(a *Agent) { a.mode = OutOfCompliance },
		"not fresh":      func(a *Agent) { a.fresh = false },
		"stale earliest": func(a *Agent) { a.deadlines[SlotIDRenew], a.fresh = now, false }, // due with comm, and first
		// Registered, not yet authorized, its countdown not started:
		// settle would start it.
		"registered":      func(a *Agent) { a.mode, a.evalLeft = Registered, 10*day },
		"comm not at now": func(a *Agent) { a.setDeadline(SlotComm, now+1) },
	} {
		step, ref := base, base
		spoil(&step)
		spoil(&ref)
		var fx Effects
		require.NoError(t, step.Step(now, okAnswers{}, &fx))
		require.NoError(t, ref.Advance(now, &fx))
		for k := 0; k < len(fx.Requests); k++ {
			_ = ref.Handle(now, okAnswers{}.Answer(now, &ref, fx.Requests[k]), &fx)
		}
		step.scan()
		ref.scan()
		if !reflect.DeepEqual(step, ref) {
			t.Errorf("%s: Step left %+v,\nAdvance and Handle %+v", name, step, ref)
		}
	}
}

// The core refuses what it cannot hold (a missing profile, bad usage)
// and answers it was not waiting for, changing nothing.
func TestRefusals(t *testing.T) {
	prof := prepared(t, defaults())
	var fx Effects
	_, err := New(t0, nil, 0, nil, &fx)
	require.ErrorContains(t, err, "no prepared profile")
	_, err = New(t0, prof, 0, []license.Usage{{Tag: "", Count: 1}}, &fx)
	require.Error(t, err)
	_, err = Instant(time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC))
	require.ErrorIs(t, err, ErrBadTime)

	a, err := New(t0, prof, 1, allUsage, &fx)
	require.NoError(t, err)
	now := t0
	require.NoError(t, a.Register(now, testToken, false, &fx))
	a.NextDeadline() // finds the earliest deadline and keeps it: a cache, not state
	before := a
	id := fx.Requests[0].ID
	require.ErrorIs(t, a.Advance(now-1, &fx), ErrTimeWentBack)
	require.ErrorIs(t, a.Handle(now-1, Answer{ID: id, Kind: ReqRegister, At: now}, &fx), ErrTimeWentBack)
	require.ErrorIs(t, a.Handle(now, Answer{ID: 99, Kind: ReqRegister, At: now}, &fx), ErrUnexpectedAnswer)
	require.ErrorIs(t, a.Handle(now, Answer{ID: id, Kind: ReqAuthorize, At: now}, &fx), ErrBadAnswer, "wrong kind")
	require.ErrorIs(t, a.Handle(now, Answer{ID: id, Kind: ReqRegister, At: now - int64(400*day)}, &fx), ErrBadAnswer, "expired")
	require.ErrorIs(t, a.Handle(now, Answer{ID: id, Kind: ReqRegister}, &fx), ErrBadAnswer, "no time")
	require.ErrorIs(t, a.Handle(now, Answer{ID: id, Class: 42}, &fx), ErrBadAnswer, "unknown class")
	require.ErrorIs(t, a.Register(now, "bad token!", false, &fx), ErrBadToken)
	require.ErrorIs(t, a.RenewAuth(now, &fx), ErrNotRegistered)
	require.Equal(t, before, a)
	require.Len(t, fx.Requests, 1)
	// An answer's time the agent could not hold is refused; a certificate
	// starting at the far end of what it holds is not expired (no overflow).
	require.ErrorIs(t, a.Handle(now, Answer{ID: id, Kind: ReqRegister, At: math.MaxInt64 - 1}, &fx), ErrBadAnswer)
	require.Equal(t, before, a)
	far := prof.maxNow
	require.NoError(t, a.Handle(now, Answer{ID: id, Kind: ReqRegister, At: far}, &fx))
	assert.Equal(t, Registered, a.Mode())
	assert.Equal(t, far+int64(prof.IDCertValidity), a.Deadline(SlotIDExpire))
}

// At the ends of what it holds an agent refuses to go further, and every
// deadline it sets stays inside int64: an agent whose evaluation expired,
// re-notifying every hour, advanced to its last instant returns (an
// overflowing deadline would be due again and again).
func TestFarEnds(t *testing.T) {
	prof := prepared(t, defaults())
	var fx Effects
	_, err := New(prof.minNow-1, prof, 1, allUsage, &fx)
	require.ErrorIs(t, err, ErrBadTime)
	a, err := New(prof.maxNow-int64(100*day), prof, 1, allUsage, &fx)
	require.NoError(t, err)
	require.NoError(t, a.Advance(prof.maxNow, &fx))
	left, _ := a.Eval()
	assert.Zero(t, left)
	assert.Greater(t, a.NextDeadline(), prof.maxNow, "the next re-notification, beyond the last instant")
	require.ErrorIs(t, a.Advance(prof.maxNow+1, &fx), ErrBadTime)
	require.ErrorIs(t, a.Advance(math.MaxInt64, &fx), ErrBadTime)
	require.ErrorIs(t, a.RenewAuth(prof.maxNow+1, &fx), ErrBadTime)
	require.ErrorIs(t, a.Step(prof.maxNow+1, okAnswers{}, &fx), ErrBadTime)
	_, err = Restore(prof, State{Now: prof.maxNow + 1, NextID: 1})
	require.ErrorIs(t, err, ErrBadTime)
	// A profile's timers are bounded, so the margin is too.
	long := defaults()
	long.IDCertValidity = MaxPeriod + 1
	_, err = Prepare(long)
	require.ErrorContains(t, err, "IDCertValidity must be at most 3650 days")
}

// Tokens hold letters, digits and +/=%-_. only; the error names the first
// other character, as a rune.
func TestCheckTokenCharacters(t *testing.T) {
	ok := strings.Repeat("aZ09+/=%-_.", 6)
	require.NoError(t, CheckToken(ok))
	for bad, char := range map[string]string{"!": `'!'`, " ": `' '`, "é": `'é'`, "\xff": `'�'`, "\x00": `'\x00'`} {
		err := CheckToken(ok + bad + "x")
		require.ErrorIs(t, err, ErrBadToken, "%q", bad)
		require.Contains(t, err.Error(), "character "+char, "%q", bad)
	}
}

// answerFor builds an answer to req: success ("ok", "ok-out"), a failure
// of a class, an answer of the wrong kind, or one that answers nothing
// ("drop": a stale ID).
func answerFor(req Request, how string, at int64) Answer {
	ans := Answer{ID: req.ID, Kind: req.Kind, At: at, InCompliance: how != "ok-out"}
	classes := map[string]license.FailureClass{"send": license.FailSend, "busy": license.FailBusy, "rejected": license.FailRejected,
		"transport-unavailable": license.FailTransportUnavailable, "invalid-data": license.FailInvalidData}
	switch {
	case classes[how] != 0:
		return Answer{ID: req.ID, Class: classes[how]}
	case how == "wrong-kind":
		ans.Kind = (ans.Kind + 1) % NReqKinds
	case how == "drop":
		ans.ID += 1 << 40
	}
	return ans
}

// scripted answers requests from a script, in turn, and logs them.
type scripted struct {
	hows []string
	ages []time.Duration
	k    int
	log  []Request
}

func (s *scripted) Answer(now int64, _ *Agent, r Request) Answer {
	how, age := s.hows[s.k%len(s.hows)], s.ages[s.k%len(s.ages)]
	s.k++
	s.log = append(s.log, r)
	return answerFor(r, how, now-int64(age))
}

// advanceAndHandle is what Step stands for: Advance, then Handle of each
// request's answer in turn.
func advanceAndHandle(a *Agent, now int64, an Answerer, fx *Effects) error {
	if err := a.Advance(now, fx); err != nil {
		return err
	}
	for k := 0; k < len(fx.Requests); k++ {
		_ = a.Handle(now, an.Answer(now, a, fx.Requests[k]), fx)
	}
	fx.Requests = fx.Requests[:0]
	return nil
}

// TestStepIsAdvanceAndHandle holds Step, and its path for renewals, to
// Advance and Handle: two agents get the same inputs and answers, one
// through Step, one through Advance and Handle, and must stay equal field
// for field and send the same requests — on the default profile and on
// one whose short periods make deadlines meet.
func TestStepIsAdvanceAndHandle(t *testing.T) {
	short := defaults()
	short.AuthRenewAfter, short.AuthValidity, short.OutOfComplianceRetry = time.Hour, 3*time.Hour, 30*time.Minute
	short.IDRenewAfter, short.IDCertValidity, short.ReplyWaitJitter = 2*time.Hour, 5*time.Hour, 0
	profs := []*Prepared{prepared(t, defaults()), prepared(t, short)}
	usages := [][]license.Usage{nil, allUsage[:1], allUsage}
	rapid.Check(t, func(t *rapid.T) {
		prof := profs[rapid.IntRange(0, 1).Draw(t, "profile")]
		var fxStep, fxRef Effects
		step, err := New(t0, prof, rapid.Uint64().Draw(t, "seed"), usages[rapid.IntRange(0, 2).Draw(t, "usage0")], &fxStep)
		require.NoError(t, err)
		ref := step
		hows := []string{"ok", "ok", "ok", "ok-out", "drop", "send", "busy", "rejected", "transport-unavailable", "invalid-data", "wrong-kind"}
		for n := rapid.IntRange(1, 150).Draw(t, "inputs"); n > 0; n-- {
			now := ref.Now()
			a := scripted{hows: rapid.SliceOfN(rapid.SampledFrom(hows), 1, 4).Draw(t, "hows"),
				ages: rapid.SliceOfN(rapid.SampledFrom([]time.Duration{0, 5 * time.Minute, 89 * day, 400 * day, prof.AuthValidity}), 1, 3).Draw(t, "ages")}
			b := a
			var errStep, errRef error
			switch rapid.SampledFrom([]string{"deadline", "deadline", "deadline", "later", "register", "usage", "back"}).Draw(t, "input") {
			case "deadline": // a fleet's turn: at the next deadline exactly
				if d := ref.NextDeadline(); d != 0 {
					errStep, errRef = step.Step(d, &a, &fxStep), advanceAndHandle(&ref, d, &b, &fxRef)
				}
			case "later":
				d := now + int64(rapid.IntRange(0, 100).Draw(t, "minutes"))*int64(time.Minute)
				errStep, errRef = step.Step(d, &a, &fxStep), advanceAndHandle(&ref, d, &b, &fxRef)
			case "back":
				errStep, errRef = step.Step(now-1, &a, &fxStep), advanceAndHandle(&ref, now-1, &b, &fxRef)
			case "register": // requests sent outside a turn are answered later, at a deadline: dropped here
				force := rapid.Bool().Draw(t, "force")
				errStep, errRef = step.Register(now, testToken, force, &fxStep), ref.Register(now, testToken, force, &fxRef)
				fxStep.Requests, fxRef.Requests = fxStep.Requests[:0], fxRef.Requests[:0]
			case "usage":
				u := usages[rapid.IntRange(0, 2).Draw(t, "usage")]
				errStep, errRef = step.SetUsage(now, u, &fxStep), ref.SetUsage(now, u, &fxRef)
				fxStep.Requests, fxRef.Requests = fxStep.Requests[:0], fxRef.Requests[:0]
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

// Restore(State()) is the same agent; a State that could not have come
// from an agent is refused.
func TestStateRoundTripAndRefusals(t *testing.T) {
	a := authorized(t)
	prof := a.Profile()
	b, err := Restore(prof, a.State())
	require.NoError(t, err)
	a.scan()
	b.scan()
	require.Equal(t, a, b)
	for name, spoil := range map[string]func(s *State){
		"zero time":    func(s *State) { s.Now = 0 },
		"mode":         func(s *State) { s.Mode = NModes },
		"usage":        func(s *State) { s.Usage = []license.Usage{{Tag: "", Count: 1}} },
		"eval":         func(s *State) { s.EvalLeft = prof.EvalPeriod + 1 },
		"next ID":      func(s *State) { s.NextID = 0 },
		"future ID":    func(s *State) { s.Pending[ReqDeregister] = s.NextID },
		"past":         func(s *State) { s.Deadlines[SlotComm] = s.Now - 1 },
		"eval mark":    func(s *State) { s.EvalMark = s.Now + 1 },
		"negative":     func(s *State) { s.CommFailures = -1 },
		"renotify old": func(s *State) { s.Renotify = s.Now - 1 },
	} {
		s := a.State()
		spoil(&s)
		_, err := Restore(prof, s)
		require.Error(t, err, name)
	}
	_, err = Restore(nil, a.State())
	require.Error(t, err)
}

// The compiled table answers exactly the rows of Graph.
func TestMoveIsTheGraph(t *testing.T) {
	want := map[[2]int]Mode{}
	for _, r := range Graph {
		for _, src := range r.Src {
			want[[2]int{int(src), int(r.Ev)}] = r.Dst
		}
	}
	for m := Mode(0); m <= NModes; m++ {
		for ev := Event(0); ev <= NEvents; ev++ {
			to, ok := Move(m, ev)
			dst, allowed := want[[2]int{int(m), int(ev)}]
			require.Equal(t, allowed, ok, "mode %d event %d", m, ev)
			if ok {
				require.Equal(t, dst, to)
			}
		}
	}
}

// accept answers every request at once, with success in compliance.
type accept struct{}

func (accept) Answer(now int64, _ *Agent, r Request) Answer {
	return Answer{ID: r.ID, Kind: r.Kind, At: now, InCompliance: true}
}

// BenchmarkRenewalCycle: a healthy agent's turn at its deadline — the
// authorization renewal, answered at once — through Advance and Handle,
// and through Step (its path for renewals).
func BenchmarkRenewalCycle(b *testing.B) {
	var fx Effects
	a, err := New(t0, prepared(b, defaults()), 1, allUsage, &fx)
	require.NoError(b, err)
	require.NoError(b, a.Register(t0, testToken, false, &fx))
	require.NoError(b, a.Handle(t0, Answer{ID: fx.Requests[0].ID, Kind: ReqRegister, At: t0}, &fx))
	fresh := a // a value: a copy starts over (int64 nanoseconds end in 2262)
	b.Run("advance-handle", func(b *testing.B) {
		a := fresh
		b.ReportAllocs()
		for i := range b.N {
			if i%1000 == 0 {
				a = fresh
			}
			fx.Requests = fx.Requests[:0]
			next := a.NextDeadline()
			if err := a.Advance(next, &fx); err != nil {
				b.Fatal(err)
			}
			for _, r := range fx.Requests {
				if err := a.Handle(next, Answer{ID: r.ID, Kind: r.Kind, At: next, InCompliance: true}, &fx); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("step", func(b *testing.B) {
		a := fresh
		b.ReportAllocs()
		for i := range b.N {
			if i%1000 == 0 {
				a = fresh
			}
			if err := a.Step(a.NextDeadline(), accept{}, &fx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
