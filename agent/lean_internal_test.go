package agent

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"pgregory.net/rapid"

	"github.com/slsim/slsim/license"
)

// Lean keeps its earliest deadline across setDeadline calls where it can;
// after any sequence of sets and clears it is what a scan of every slot
// finds: the earliest instant, and of slots tied on it the lowest. The
// instants are drawn from a handful so that ties are common.
func TestLeanEarliestFollowsDeadlines(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var l Lean
		l.first = -1
		steps := rapid.IntRange(1, 40).Draw(t, "steps")
		for range steps {
			s := slot(rapid.IntRange(0, int(nSlots)-1).Draw(t, "slot"))
			at := int64(rapid.IntRange(0, 4).Draw(t, "at")) // 0 clears
			l.setDeadline(s, at)
			if rapid.Bool().Draw(t, "ask") {
				gotSlot, gotAt := l.earliest()
				wantSlot, wantAt := slot(-1), int64(0)
				for k, d := range l.deadlines {
					if d != 0 && (wantAt == 0 || d < wantAt) {
						wantSlot, wantAt = slot(k), d
					}
				}
				if gotSlot != wantSlot || gotAt != wantAt {
					t.Fatalf("deadlines %v: earliest slot %d at %d, want slot %d at %d", l.deadlines, gotSlot, gotAt, wantSlot, wantAt)
				}
			}
		}
	})
}

// The scan orders every instant a Lean can hold, the far ends included,
// and ranks "none" after them all.
func TestLeanScanExtremes(t *testing.T) {
	var l Lean
	check := func(want slot, at int64) {
		t.Helper()
		l.fresh = false
		if s, got := l.earliest(); s != want || got != at {
			t.Fatalf("earliest = %d, %d; want %d, %d", s, got, want, at)
		}
	}
	check(-1, 0)
	l.deadlines[slotComm] = math.MaxInt64
	check(slotComm, math.MaxInt64)
	l.deadlines[slotRegRetry] = -1
	check(slotRegRetry, -1)
	l.deadlines[slotEval] = math.MinInt64 + 1
	check(slotEval, math.MinInt64+1)
	l.deadlines[slotIDExpire] = math.MinInt64 + 1 // a tie: the lower slot
	check(slotIDExpire, math.MinInt64+1)
}

// Lean's jitter draws what jitter with a rand.Rand over the same generator
// draws, value for value, whatever the width (powers of two and 0, which
// take the library's own paths, included).
func TestLeanJitterIsRandInt64N(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		var l Lean
		l.pcg = *rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)
		ref := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		for range 20 {
			j := time.Duration(rapid.OneOf(rapid.Int64Range(0, 1<<40), rapid.Just[int64](1<<20-1), rapid.Just[int64](0), rapid.Just[int64](math.MaxInt64-1)).Draw(t, "j"))
			if got, want := l.jitter(j), jitter(ref, j); got != want {
				t.Fatalf("jitter(%d) = %d, want %d", j, got, want)
			}
		}
	})
}

// A renewal reads and writes Lean's fields up to renotify, 152 bytes that
// a fleet node fits in three cache lines with its own (fleet checks its
// side).
func TestLeanHotFieldsFirst(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout is planned for 64-bit platforms")
	}
	var l Lean
	if end := unsafe.Offsetof(l.renotify) + unsafe.Sizeof(l.renotify); end != LeanHotBytes {
		t.Fatalf("hot fields end at %d, want %d", end, LeanHotBytes)
	}
	if unsafe.Offsetof(l.evalLeft) < LeanHotBytes || unsafe.Offsetof(l.token) < LeanHotBytes {
		t.Fatal("a cold field among the hot ones")
	}
}

// okAnswers answers every request with success, in compliance, at once.
type okAnswers struct{}

func (okAnswers) Answer(now int64, _ *Lean, r Request) LeanAnswer {
	return LeanAnswer{ID: r.ID, Kind: r.Kind, At: now, InCompliance: true}
}

// authorizedLean is a Lean registered and authorized, answered at once.
func authorizedLean(t *testing.T) Lean {
	t.Helper()
	prof, err := Prepare(nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l, err := NewLean(start, LeanConfig{Shared: prof, Seed: 3, Usage: []license.Usage{{Tag: "t", Count: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	var out []Request
	if err := l.Register(start.UnixNano(), "NjBmYzQ4ZjgtNTg3ZS00Y2I5", false, &out); err != nil {
		t.Fatal(err)
	}
	for _, r := range out {
		_ = l.Handle(start.UnixNano(), okAnswers{}.Answer(start.UnixNano(), &l, r), &out)
	}
	for l.Mode() != ModeAuthorized {
		if err := l.Step(l.NextDeadline(), okAnswers{}, &out); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// Step's path for renewals is taken only where Advance and Handle would
// do nothing but the renewal: states that an authorized Lean never holds
// (an eval deadline or countdown, a pending re-notification, an earliest
// deadline not looked for again, the registered mode with its countdown
// not started) are set by hand here, and
// Step must still end where Advance and Handle do.
func TestLeanRenewalNeedsItsConditions(t *testing.T) {
	base := authorizedLean(t)
	now := base.NextDeadline()
	if s, _ := base.earliest(); s != slotComm {
		t.Fatalf("earliest slot %d, want the comm slot", s)
	}
	for name, spoil := range map[string]func(l *Lean){
		"none":           func(*Lean) {},
		"eval deadline":  func(l *Lean) { l.setDeadline(slotEval, now+int64(time.Hour)) },
		"eval countdown": func(l *Lean) { l.running, l.evalMark, l.evalLeft = true, now-int64(time.Hour), 10*Day },
		"renotify":       func(l *Lean) { l.renotify = now + int64(time.Hour) },
		"out of compl.":  func(l *Lean) { l.mode = leanOutOfComp },
		"not fresh":      func(l *Lean) { l.fresh = false },
		"stale earliest": func(l *Lean) { l.deadlines[slotIDRenew], l.fresh = now, false }, // due with comm, and first
		// Registered, not yet authorized, its countdown not started:
		// settle would start it.
		"registered":      func(l *Lean) { l.mode, l.evalLeft = uint8(modeIndex[ModeRegistered]), 10*Day },
		"comm not at now": func(l *Lean) { l.setDeadline(slotComm, now+1) },
	} {
		step, ref := base, base
		spoil(&step)
		spoil(&ref)
		var out []Request
		if err := step.Step(now, okAnswers{}, &out); err != nil {
			t.Fatal(err)
		}
		if err := ref.Advance(now, &out); err != nil {
			t.Fatal(err)
		}
		for k := 0; k < len(out); k++ {
			_ = ref.Handle(now, okAnswers{}.Answer(now, &ref, out[k]), &out)
		}
		step.scan()
		ref.scan()
		if !reflect.DeepEqual(step, ref) {
			t.Errorf("%s: Step left %+v,\nAdvance and Handle %+v", name, step, ref)
		}
	}
}
