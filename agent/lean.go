package agent

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/slsim/slsim/license"
)

// Lean is the fleet twin of Agent: the same timers, jitter, retries and
// mode graph (the dense table) for the inputs a fleet gives — boot,
// registration, deadlines, answers and usage changes — held in ~190 bytes
// with every instant (inputs, deadlines, answers) in Unix nanoseconds,
// requests and answers passed by value, and nothing kept for `show
// license` (no logs, attempts, certificate or entitlement details). A property test drives Lean and Agent with the same
// random inputs and holds them to the same states, deadlines and requests.
//
// A Lean is a value: copying it copies the agent. Its zero value is not
// usable; make one with NewLean.
type Lean struct {
	// What a renewal reads and writes, together at the start (152 bytes:
	// a fleet node puts them in three cache lines with its own).
	now       int64
	deadlines [nSlots]int64 // 0: none
	mode      uint8         // index in Modes
	running   bool          // eval countdown running
	first     int8          // the slot of the earliest deadline (-1: none), when fresh
	fresh     bool          // first is up to date: no deadline was set since it was found
	commFails int32
	pending   [reqDeregister]uint64 // a Lean never deregisters
	nextID    uint64
	usage     []license.Usage
	*Prepared
	pcg      rand.PCG
	renotify int64 // evalRenotifyAt (settle clears it)
	// Read only while registering, failing ID renewals or in evaluation.
	evalLeft time.Duration
	force    bool
	idFails  int32
	evalMark int64
	token    string
}

// LeanHotBytes is how many bytes at the start of a Lean a renewal (a
// deadline fired, a request sent, its answer handled) reads and writes,
// on 64-bit platforms:
// a caller keeping Leans in an array may lay them out so that these share
// as few cache lines as they can.
const LeanHotBytes = 152

// RequestKind is what a Lean asks its back end.
type RequestKind uint8

// The requests a Lean sends.
const (
	ReqRegister  = RequestKind(reqRegister)
	ReqAuthorize = RequestKind(reqAuthorize)
	ReqRenewID   = RequestKind(reqRenewID)
)

// Request is one request a Lean wants sent: what and its ID. The caller
// knows the device's UDI and hostname; the token and usage are Lean.Token
// and Lean.Usage at the time of the request.
type Request struct {
	Kind RequestKind
	ID   uint64
}

// LeanAnswer is an answer by value: a reply to request ID of Kind, or a
// failure of Class when Class is not zero.
type LeanAnswer struct {
	ID    uint64
	Kind  RequestKind
	Class license.FailureClass // 0: success
	// At is the certificate start (register, renew ID) or the
	// authorization time (authorize), in Unix nanoseconds.
	At int64
	// InCompliance: every entitlement of the authorization is in compliance.
	InCompliance bool
}

// LeanConfig is what a fleet gives a Lean at first boot.
type LeanConfig struct {
	Shared *Prepared // required
	Seed   uint64
	// Usage is kept as given, not copied (unlike Config.Usage): devices
	// with the same usage may share one slice, which no one may modify.
	Usage []license.Usage
}

// NewLean boots a Lean at now, as New does an Agent.
func NewLean(now time.Time, cfg LeanConfig) (Lean, error) {
	if cfg.Shared == nil {
		return Lean{}, errors.New("new lean agent: no prepared profile")
	}
	if err := license.ValidateUsage(cfg.Usage); err != nil {
		return Lean{}, fmt.Errorf("new lean agent: %w", err)
	}
	usage := cfg.Usage
	if now.IsZero() {
		return Lean{}, errors.New("new lean agent: boot time is zero")
	}
	ns, err := leanTime(now)
	if err != nil {
		return Lean{}, err
	}
	l := Lean{Prepared: cfg.Shared, now: ns, usage: usage, evalLeft: cfg.Shared.prof.EvalPeriod, nextID: 1,
		mode: leanUnidentified}
	l.pcg = *rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)
	l.settle(l.now)
	return l, nil
}

// Lean keeps time as Unix nanoseconds: it refuses times outside what
// int64 nanoseconds hold (1678–2262).
var leanMin, leanMax = time.Unix(0, math.MinInt64+1), time.Unix(0, math.MaxInt64)

func leanTime(t time.Time) (int64, error) {
	if t.Before(leanMin) || t.After(leanMax) {
		return 0, fmt.Errorf("lean agent: time %s is outside 1678–2262", t.Format(time.RFC3339))
	}
	return t.UnixNano(), nil
}

// Mode indices and event indices of the dense table, for Lean.
var (
	leanUnidentified, leanAuthorized, leanOutOfComp                    uint8
	leanHasCert, leanAuthorizedish                                     [8]bool
	leanAuthorizedTo, leanOutOfCompTo                                  [8]uint8 // by mode: after EvAuthorized, EvOutOfCompliance (Step's renewals)
	leanRegIndex, leanAuthIndex                                        [8]int8
	iRegister, iForceRegister, iRetryReg, iRegOK, iRegDeferred         int
	iRegRejected, iAuthorized, iOutOfComp, iAuthExpired, iIDCertExpire int
	iInvalidData                                                       int
)

// compileLean fills Lean's tables from the dense table (called by init).
func compileLean() {
	leanUnidentified = uint8(modeIndex[ModeUnidentified])
	leanAuthorized, leanOutOfComp = uint8(modeIndex[ModeAuthorized]), uint8(modeIndex[ModeOutOfCompliance])
	for i, m := range Modes {
		// Agent's own functions of the mode, asked once per mode.
		probe := &Agent{mode: m}
		leanHasCert[i] = m.HasIDCert()
		leanAuthorizedish[i] = probe.authorizedish()
		leanRegIndex[i] = int8(slices.Index(RegistrationStates, probe.regString()))
		leanAuthIndex[i] = -1 // depends on usage and eval
		if probe.authorizedish() {
			leanAuthIndex[i] = int8(slices.Index(AuthorizationStates, probe.authString()))
		}
	}
	for i := range Modes {
		leanAuthorizedTo[i], leanOutOfCompTo[i] = uint8(dense[i][eventIndex[EvAuthorized]]), uint8(dense[i][eventIndex[EvOutOfCompliance]])
	}
	for _, m := range []uint8{leanAuthorized, leanOutOfComp} { // Step's renewals count on these moves
		if dense[m][eventIndex[EvAuthorized]] == modeNone || dense[m][eventIndex[EvOutOfCompliance]] == modeNone {
			panic(fmt.Sprintf("lean agent: mode %s must allow both answers to a renewal", Modes[m]))
		}
	}
	for _, p := range []struct {
		i  *int
		ev Event
	}{{&iRegister, EvRegister}, {&iForceRegister, EvForceRegister}, {&iRetryReg, EvRetryRegistration}, {&iRegOK, EvRegSucceeded},
		{&iRegDeferred, EvRegDeferred}, {&iRegRejected, EvRegRejected}, {&iAuthorized, EvAuthorized}, {&iOutOfComp, EvOutOfCompliance},
		{&iAuthExpired, EvAuthExpired}, {&iIDCertExpire, EvIDCertExpired}, {&iInvalidData, EvInvalidData}} {
		*p.i = eventIndex[p.ev]
	}
}

// move follows event index ev in the dense table; the callers check the
// mode first, so a refused move is a bug in Lean itself.
func (l *Lean) move(ev int) {
	dst := dense[l.mode][ev]
	if dst == modeNone {
		panic(fmt.Sprintf("lean agent: mode %s does not allow %s", Modes[l.mode], Events()[ev]))
	}
	l.mode = uint8(dst)
}

// Mode is the Lean's node in the mode graph.
func (l *Lean) Mode() Mode { return Modes[l.mode] }

// Now is the Lean's current time.
func (l *Lean) Now() time.Time { return time.Unix(0, l.now).UTC() }

// NowUnixNano is Now in Unix nanoseconds.
func (l *Lean) NowUnixNano() int64 { return l.now }

// Usage is the entitlements in use (shared: do not modify).
func (l *Lean) Usage() []license.Usage { return l.usage }

// Token is the ID token of the registration in progress or held, and
// whether it was forced.
func (l *Lean) Token() (token string, force bool) { return l.token, l.force }

// Registration and authorization states in the order StateIndex counts
// them (fleet reports use it).
var (
	RegistrationStates  = []string{RegUnregistered, RegRegistering, RegRegistrationFailed, RegRegistered}
	AuthorizationStates = []string{AuthNoLicenses, AuthEvalMode, AuthEvalExpired, AuthAuthorized, AuthOutOfComp, AuthExpired}
)

// StateIndex is States as indices in RegistrationStates and
// AuthorizationStates.
func (l *Lean) StateIndex() (registration, authorization int) {
	reg := int(leanRegIndex[l.mode])
	if a := leanAuthIndex[l.mode]; a >= 0 {
		return reg, int(a)
	}
	switch {
	case len(l.usage) == 0:
		return reg, 0
	case l.evalLeft == 0:
		return reg, 2
	}
	return reg, 1
}

// States returns the registration and authorization lines of `show
// license`, as Agent.States does.
func (l *Lean) States() (registration, authorization string) {
	r, a := l.StateIndex()
	return RegistrationStates[r], AuthorizationStates[a]
}

// NextDeadline is the earliest time at which the Lean has something to do
// (Unix nanoseconds), or 0.
func (l *Lean) NextDeadline() int64 {
	_, t := l.earliest()
	return t
}

// earliest is the earliest deadline and its slot (ties: the lower slot),
// found again only after a deadline was set.
func (l *Lean) earliest() (slot, int64) {
	if !l.fresh {
		l.scan()
	}
	if l.first < 0 {
		return -1, 0
	}
	return slot(l.first), l.deadlines[l.first]
}

// scan finds the earliest deadline.
func (l *Lean) scan() {
	// Branch-free and unrolled (six slots): instants as unsigned keys
	// in the same order (for every instant a Lean holds: MinInt64 is
	// not one), none (0) after them all; the first of equal keys wins.
	d := &l.deadlines
	best, key := 0, deadlineKey(d[0])
	if k := deadlineKey(d[1]); k < key {
		best, key = 1, k
	}
	if k := deadlineKey(d[2]); k < key {
		best, key = 2, k
	}
	if k := deadlineKey(d[3]); k < key {
		best, key = 3, k
	}
	if k := deadlineKey(d[4]); k < key {
		best, key = 4, k
	}
	if k := deadlineKey(d[5]); k < key {
		best, key = 5, k
	}
	if key == math.MaxUint64 {
		best = -1
	}
	l.first, l.fresh = int8(best), true
}

// scan is written for six slots.
var _ = [1]struct{}{}[nSlots-6]

// deadlineKey is a deadline as an unsigned key in the same order, none
// (0) the largest.
func deadlineKey(t int64) uint64 {
	if t == 0 {
		return math.MaxUint64
	}
	return uint64(t) ^ 1<<63 - 1
}

// setDeadline sets (or clears, with 0) one deadline, keeping the
// earliest known where it can: a deadline set earlier than it becomes it,
// one set or cleared elsewhere leaves it, and only the earliest's own
// moving makes earliest look again.
func (l *Lean) setDeadline(s slot, t int64) {
	if l.deadlines[s] == t {
		return
	}
	l.deadlines[s] = t
	if !l.fresh {
		return
	}
	f := slot(l.first)
	switch {
	case f == s:
		l.fresh = false
	case t != 0 && (f < 0 || t < l.deadlines[f] || t == l.deadlines[f] && s < f):
		l.first = int8(s)
	}
}

// Advance processes every deadline at or before now (Unix nanoseconds,
// as are all of a Lean's instants), each at its own time, appending the
// requests to send to out.
func (l *Lean) Advance(now int64, out *[]Request) error {
	if now < l.now {
		return fmt.Errorf("advance to %s: %w", rfc3339(now), ErrTimeWentBack)
	}
	l.advance(now, out)
	return nil
}

func rfc3339(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

func (l *Lean) advance(now int64, out *[]Request) {
	for {
		s, at := l.earliest()
		if at == 0 || at > now {
			break
		}
		l.setDeadline(s, 0)
		l.now = at
		l.fireSlot(s, out)
		l.settle(at)
	}
	// settle changes nothing at the instant it last ran, with nothing
	// changed since: every public method ends settled at l.now, and so
	// does the last deadline fired.
	if now != l.now {
		l.now = now
		l.settle(now)
	}
}

// settle is Agent.settle: eval accounting and its deadline.
func (l *Lean) settle(t int64) {
	if l.running {
		l.evalLeft -= time.Duration(t - l.evalMark)
		if l.evalLeft < 0 {
			l.evalLeft = 0
		}
		l.evalMark = t
	}
	authorizedish := leanAuthorizedish[l.mode]
	run := !authorizedish && len(l.usage) > 0 && l.evalLeft > 0 // (an authorized Lean reads no eval fields)
	switch {
	case run && !l.running:
		l.running, l.evalMark = true, t
	case !run && l.running:
		l.running = false
	}
	switch {
	case l.running:
		l.renotify = 0
		next := l.evalMark + int64(l.evalLeft)
		for _, w := range l.warnings {
			if w < l.evalLeft {
				next = l.evalMark + int64(l.evalLeft-w)
				break
			}
		}
		l.setDeadline(slotEval, next)
	case !authorizedish && l.evalLeft == 0 && len(l.usage) > 0 && l.prof.EvalExpiredRenotify > 0:
		if l.renotify == 0 {
			l.renotify = t + int64(l.prof.EvalExpiredRenotify)
		}
		l.setDeadline(slotEval, l.renotify)
	default:
		l.renotify = 0
		l.setDeadline(slotEval, 0)
	}
}

func (l *Lean) fireSlot(s slot, out *[]Request) {
	switch s {
	case slotIDExpire:
		l.move(iIDCertExpire)
		l.dropRegistration()
	case slotAuthExpire:
		if m := Modes[l.mode]; m == ModeAuthorized || m == ModeOutOfCompliance {
			l.move(iAuthExpired)
			retry := l.now + int64(l.prof.AuthExpiredRetry)
			if c := l.deadlines[slotComm]; c == 0 || retry < c {
				l.setDeadline(slotComm, retry)
			}
		}
	case slotEval:
		wasRunning := l.running
		l.settle(l.now)
		if !wasRunning {
			l.renotify = l.now + int64(l.prof.EvalExpiredRenotify)
		}
	case slotIDRenew:
		l.send(ReqRenewID, out)
		l.setDeadline(slotIDRenew, l.now+int64(l.replyWait()))
	case slotComm:
		l.sendAuthorize(out)
	case slotRegRetry:
		l.move(iRetryReg)
		l.sendRegister(out)
	}
}

func (l *Lean) rng() *rand.Rand { return rand.New(&l.pcg) }

func (l *Lean) replyWait() time.Duration {
	return l.prof.ReplyWait + l.jitter(l.prof.ReplyWaitJitter)
}

// jitter is jitter(l.rng(), j) — the same draws from the same generator,
// Rand.Int64N's on 64-bit platforms (a property test holds Lean to Agent,
// which uses rand.Rand) — without the Rand and its interface call: every
// request a Lean sends draws one.
func (l *Lean) jitter(j time.Duration) time.Duration {
	n := uint64(j) + 1
	if j <= 0 || bits.UintSize == 32 || n&(n-1) == 0 {
		return jitter(l.rng(), j) // none, or the library's other paths
	}
	hi, lo := bits.Mul64(l.pcg.Uint64(), n)
	if lo < n {
		for thresh := -n % n; lo < thresh; {
			hi, lo = bits.Mul64(l.pcg.Uint64(), n)
		}
	}
	return time.Duration(hi)
}

func (l *Lean) send(k RequestKind, out *[]Request) {
	id := l.nextID
	l.nextID++
	l.pending[k] = id
	*out = append(*out, Request{Kind: k, ID: id})
}

func (l *Lean) sendRegister(out *[]Request) {
	l.send(ReqRegister, out)
	l.setDeadline(slotRegRetry, l.now+int64(l.replyWait()))
}

func (l *Lean) sendAuthorize(out *[]Request) {
	l.send(ReqAuthorize, out)
	l.setDeadline(slotComm, l.now+int64(l.replyWait()))
}

func (l *Lean) dropRegistration() {
	l.commFails, l.idFails = 0, 0
	l.token, l.force = "", false
	for _, s := range []slot{slotIDExpire, slotAuthExpire, slotIDRenew, slotComm, slotRegRetry} {
		l.setDeadline(s, 0)
	}
	l.pending[reqRegister], l.pending[reqAuthorize], l.pending[reqRenewID] = 0, 0, 0
}

// input is Agent.input for a value: deadlines due by now are processed
// first; if check refuses, the Lean is left exactly as it was.
func (l *Lean) input(ns int64, out *[]Request, check func(*Lean) error, do func(*Lean)) error {
	if ns < l.now {
		return fmt.Errorf("%w (input at %s)", ErrTimeWentBack, rfc3339(ns))
	}
	b := *l
	mark := len(*out)
	if d := b.NextDeadline(); d != 0 && d <= ns {
		b.advance(ns, out) // as Agent.input: the check sees what is due
	}
	if check != nil {
		if err := check(&b); err != nil {
			*out = (*out)[:mark]
			return err
		}
	}
	b.advance(ns, out)
	do(&b)
	b.settle(ns)
	*l = b
	return nil
}

// Register is Agent.Register.
func (l *Lean) Register(now int64, token string, force bool, out *[]Request) error {
	if err := CheckToken(token); err != nil {
		return fmt.Errorf("register: %w", err)
	}
	return l.input(now, out, func(b *Lean) error {
		if leanHasCert[b.mode] && !force {
			return fmt.Errorf("register: %w", ErrAlreadyRegistered)
		}
		return nil
	}, func(b *Lean) {
		if leanHasCert[b.mode] {
			b.move(iForceRegister)
			b.dropRegistration()
		} else {
			b.move(iRegister)
		}
		b.token, b.force = token, force
		b.sendRegister(out)
	})
}

// SetUsage is Agent.SetUsage.
func (l *Lean) SetUsage(now int64, usage []license.Usage, out *[]Request) error {
	norm, err := license.CheckUsage(usage)
	if err != nil {
		return fmt.Errorf("set usage: %w", err)
	}
	return l.input(now, out, nil, func(b *Lean) {
		if slices.Equal(norm, b.usage) {
			return
		}
		b.usage = norm
		if leanHasCert[b.mode] {
			b.sendAuthorize(out)
		}
	})
}

// Handle is Agent.Handle for an answer by value: an answer to a request
// the Lean is not waiting for, of the wrong kind, or already expired, is
// refused and changes nothing. Requests it sends in turn go to out.
func (l *Lean) Handle(ns int64, ans LeanAnswer, out *[]Request) error {
	if ans.Class != 0 && !ans.Class.Valid() {
		return fmt.Errorf("handle %d: %w: unknown failure class %d", ans.ID, ErrBadAnswer, int(ans.Class))
	}
	if ans.Class == 0 && ans.At == 0 {
		return fmt.Errorf("handle %d: %w: time is zero", ans.ID, ErrBadAnswer)
	}
	if ns < l.now {
		return fmt.Errorf("handle %d: %w (at %s)", ans.ID, ErrTimeWentBack, rfc3339(ns))
	}
	if d := l.NextDeadline(); d != 0 && d <= ns {
		// As Agent.input: what is due comes first, on a copy, so that a
		// refusal leaves the Lean as it was. (Fleets never get here: their
		// deadlines are always after the answers.)
		b := *l
		mark := len(*out)
		b.advance(ns, out)
		if err := b.answer(ns, ans, out); err != nil {
			*out = (*out)[:mark]
			return err
		}
		*l = b
		return nil
	}
	return l.answer(ns, ans, out)
}

// Answerer answers the requests a Lean sends during Step, at once.
type Answerer interface {
	// Answer is the answer to r, sent by l at now (Unix nanoseconds);
	// l.Token and l.Usage are the request's.
	Answer(now int64, l *Lean, r Request) LeanAnswer
}

// Step is Advance(now, out) followed by Handle(now, ·) of the answer a
// gives to each request sent, in the order sent (requests sent while
// answers are handled included): a fleet's turn of a device at its
// deadline, in one call. Answers Handle would refuse change nothing, as
// with Handle. out is scratch space, left as it was given.
//
// Its most frequent turn — an authorization renewal, answered — takes a
// path of its own that skips what Advance and Handle would find has
// nothing to do; a property test holds Step to Advance and Handle.
func (l *Lean) Step(now int64, a Answerer, out *[]Request) error {
	if now < l.now {
		return fmt.Errorf("step to %s: %w", rfc3339(now), ErrTimeWentBack)
	}
	mark := len(*out)
	if l.renewal(now) {
		// The comm slot fires (sendAuthorize) and nothing else is due by
		// now, neither before nor after: what advance would do.
		id := l.nextID
		l.nextID++
		l.pending[reqAuthorize] = id
		l.now = now
		l.deadlines[slotComm] = now + int64(l.replyWait()) // later than now: the earliest is not known
		l.fresh = false
		ans := a.Answer(now, l, Request{Kind: ReqAuthorize, ID: id})
		if ans.ID == id && ans.Kind == ReqAuthorize && ans.Class == 0 && ans.At != 0 && ans.At > now-int64(l.prof.AuthValidity) {
			// What answer does with a reply to it; settle changes nothing
			// for an authorized Lean with no eval deadline.
			l.pending[reqAuthorize] = 0
			l.commFails = 0
			l.deadlines[slotAuthExpire] = ans.At + int64(l.prof.AuthValidity)
			if ans.InCompliance { // move(iAuthorized), which both modes allow
				l.mode = leanAuthorizedTo[l.mode&7]
				l.deadlines[slotComm] = now + int64(l.prof.AuthRenewAfter)
			} else {
				l.mode = leanOutOfCompTo[l.mode&7]
				l.deadlines[slotComm] = now + int64(l.prof.OutOfComplianceRetry)
			}
			return nil
		}
		_ = l.Handle(now, ans, out) // any other answer, as Handle takes it
	} else {
		l.advance(now, out)
	}
	for k := mark; k < len(*out); k++ {
		_ = l.Handle(now, a.Answer(now, l, (*out)[k]), out)
	}
	*out = (*out)[:mark]
	return nil
}

// renewal tells whether Advance(now) would fire the comm slot of an
// authorized (or out of compliance) Lean and nothing else, and leave
// nothing due by now: the comm deadline is the earliest, at now (of slots
// due together the lower fires first, and the one after comm, the
// registration retry, is never set in these modes); the new comm deadline
// is later (a profile's reply wait is positive); and there is no eval
// deadline or countdown for settle to look after.
func (l *Lean) renewal(now int64) bool {
	return l.fresh && l.first == int8(slotComm) && l.deadlines[slotComm] == now &&
		(l.mode == leanAuthorized || l.mode == leanOutOfComp) &&
		!l.running && l.renotify == 0 && l.deadlines[slotEval] == 0
}

// renewal counts on the slots' order.
var _ = [1]struct{}{}[nSlots-slotComm-2]

// answer checks ans against the request it names, changing nothing if it
// refuses it, then applies it at ns; nothing may be due by ns. It is
// Handle without the closures of input: answers are a fleet's most
// frequent input.
func (l *Lean) answer(ns int64, ans LeanAnswer, out *[]Request) error {
	kind, ok := l.waiting(ans.ID)
	if !ok {
		return fmt.Errorf("handle %d: %w", ans.ID, ErrUnexpectedAnswer)
	}
	at := ans.At
	if ans.Class == 0 {
		if RequestKind(kind) != ans.Kind {
			return fmt.Errorf("handle %d: %w: wrong kind of reply", ans.ID, ErrBadAnswer)
		}
		valid := l.prof.IDCertValidity
		if kind == reqAuthorize {
			valid = l.prof.AuthValidity
		}
		if at <= l.now-int64(valid) { // (not at+valid: no overflow for far instants)
			return fmt.Errorf("handle %d: %w: already expired", ans.ID, ErrBadAnswer)
		}
	}
	if ns != l.now { // nothing is due by ns (Handle saw to it): the Lean just moves on
		l.now = ns
		l.settle(ns)
	}
	l.pending[kind] = 0
	switch {
	case ans.Class != 0:
		l.onFailure(kind, ans.Class)
	case kind == reqRegister:
		l.move(iRegOK)
		l.commFails, l.idFails = 0, 0
		l.setDeadline(slotRegRetry, 0)
		l.setDeadline(slotIDRenew, l.now+int64(l.prof.IDRenewAfter))
		l.setDeadline(slotIDExpire, at+int64(l.prof.IDCertValidity))
		l.setDeadline(slotAuthExpire, 0)
		l.setDeadline(slotComm, l.now+int64(l.prof.FirstAuthDelay))
	case kind == reqAuthorize:
		l.commFails = 0
		l.setDeadline(slotAuthExpire, at+int64(l.prof.AuthValidity))
		if ans.InCompliance {
			l.move(iAuthorized)
			l.setDeadline(slotComm, l.now+int64(l.prof.AuthRenewAfter))
		} else {
			l.move(iOutOfComp)
			l.setDeadline(slotComm, l.now+int64(l.prof.OutOfComplianceRetry))
		}
	case kind == reqRenewID:
		l.idFails = 0
		l.setDeadline(slotIDRenew, l.now+int64(l.prof.IDRenewAfter))
		l.setDeadline(slotIDExpire, at+int64(l.prof.IDCertValidity))
	}
	l.settle(ns)
	return nil
}

func (l *Lean) waiting(id uint64) (reqKind, bool) { return waitingIn(l.pending[:], id) }

func (l *Lean) onFailure(k reqKind, class license.FailureClass) {
	if class == license.FailInvalidData && leanHasCert[l.mode] {
		l.move(iInvalidData)
		l.dropRegistration()
		return
	}
	switch k {
	case reqRegister:
		switch class {
		case license.FailTransportUnavailable:
			l.move(iRegRejected)
			l.setDeadline(slotRegRetry, 0)
		case license.FailSend, license.FailBusy:
			l.move(iRegDeferred)
			l.setDeadline(slotRegRetry, l.now+int64(l.prof.RegRetry+l.jitter(l.prof.RegRetryJitter)))
		default:
			l.move(iRegRejected)
			l.setDeadline(slotRegRetry, l.now+int64(l.prof.RegRetry+l.jitter(l.prof.RegRetryJitter)))
		}
	case reqAuthorize:
		l.commFails++
		l.setDeadline(slotComm, l.now+int64(l.backoff(int(l.commFails), l.normalPeriod(Modes[l.mode]))))
	case reqRenewID:
		l.idFails++
		l.setDeadline(slotIDRenew, l.now+int64(l.backoff(int(l.idFails), 0)))
	}
}
