package agentcore

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slsim/slsim/license"
)

// Errors for refused inputs (package agent exports the same values). A
// refused input changes nothing.
var (
	ErrTimeWentBack      = errors.New("time went backwards")
	ErrNotRegistered     = errors.New("device is not registered")
	ErrAlreadyRegistered = errors.New("device is already registered; use the force option to register it again")
	ErrBadToken          = errors.New("invalid ID token")
	ErrUnexpectedAnswer  = errors.New("no request is waiting for this answer")
	ErrBadAnswer         = errors.New("malformed answer")
	ErrBadTime           = errors.New("time is outside what the agent keeps")
)

// Slot is one of the agent's deadlines. When two fall at the same instant
// they are processed in slot order.
type Slot int8

// The slots.
const (
	SlotIDExpire   Slot = iota // Registration Expires
	SlotAuthExpire             // Communication Deadline
	SlotEval                   // eval expiry, warning or re-notification
	SlotIDRenew                // Next Renewal Attempt
	SlotComm                   // Next Communication Attempt
	SlotRegRetry               // Next Registration Attempt
	NSlots
)

// Agent is one device's Smart Agent rules on a compact value (about 200
// bytes): every instant in Unix nanoseconds (0: none), the deadlines in
// fixed slots, the jitter's PCG by value. Copying it copies the agent. Its
// zero value is not usable; make one with New.
type Agent struct {
	// What a renewal reads and writes, together at the start (HotBytes:
	// a fleet node puts them in three cache lines with its own).
	now       int64
	deadlines [NSlots]int64
	mode      Mode
	running   bool // eval countdown running
	first     int8 // the slot of the earliest deadline (-1: none), when fresh
	fresh     bool // first is up to date: no deadline was set since it was found
	commFails int32
	pending   [ReqDeregister]uint64 // register, authorize, renew ID
	nextID    uint64
	usage     []license.Usage
	prof      *Prepared
	pcg       rand.PCG
	renotify  int64 // when EVAL_EXPIRED is logged again (settle clears it)
	// Read only while registering, deregistering, failing ID renewals or
	// in evaluation.
	evalLeft     time.Duration
	force        bool
	idFails      int32
	evalMark     int64
	token        string
	pendingDereg uint64
}

// HotBytes is how many bytes at the start of an Agent a renewal (a
// deadline fired, a request sent, its answer handled) reads and writes, on
// 64-bit platforms.
const HotBytes = 152

// Instant is t in Unix nanoseconds, or ErrBadTime outside what int64
// nanoseconds hold (1678–2262). An agent holds a little less: its
// profile's longest period less at either end (Prepared.Holds).
func Instant(t time.Time) (int64, error) {
	if t.Before(minTime) || t.After(maxTime) {
		return 0, fmt.Errorf("%w: %s (1678–2262)", ErrBadTime, t.Format(time.RFC3339))
	}
	return t.UnixNano(), nil
}

var minTime, maxTime = time.Unix(0, math.MinInt64+1), time.Unix(0, math.MaxInt64)

// Time is the instant ns as a UTC time; 0 is the zero time (none).
func Time(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

func rfc3339(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

// Seeded is the PCG an agent with this seed draws its jitter from.
func Seeded(seed uint64) rand.PCG { return *rand.NewPCG(seed, seed^0x9e3779b97f4a7c15) }

// New boots an agent at now: UNREGISTERED, in EVAL MODE if usage is not
// empty, else with no licenses in use. usage is kept as given, not copied:
// devices with the same usage may share one slice, which no one may
// modify; it must be normalised (license.CheckUsage).
func New(now int64, p *Prepared, seed uint64, usage []license.Usage, fx *Effects) (Agent, error) {
	if p == nil {
		return Agent{}, errors.New("new agent: no prepared profile")
	}
	if err := license.ValidateUsage(usage); err != nil {
		return Agent{}, fmt.Errorf("new agent: %w", err)
	}
	if now == 0 {
		return Agent{}, errors.New("new agent: boot time is zero")
	}
	if err := p.checkTime(now); err != nil {
		return Agent{}, fmt.Errorf("new agent: %w", err)
	}
	a := Agent{prof: p, now: now, usage: usage, evalLeft: p.EvalPeriod, nextID: 1, mode: Unidentified, pcg: Seeded(seed)}
	a.settle(now, fx)
	return a, nil
}

// Mode is the agent's node in the mode graph.
func (a *Agent) Mode() Mode { return a.mode }

// Now is the agent's current time (Unix nanoseconds).
func (a *Agent) Now() int64 { return a.now }

// Usage is the entitlements in use (shared: do not modify).
func (a *Agent) Usage() []license.Usage { return a.usage }

// Token is the ID token of the registration in progress or held, and
// whether it was forced.
func (a *Agent) Token() (token string, force bool) { return a.token, a.force }

// Profile is the agent's prepared profile.
func (a *Agent) Profile() *Prepared { return a.prof }

// Deadline is slot s's instant (0: none).
func (a *Agent) Deadline(s Slot) int64 { return a.deadlines[s] }

// Eval is the evaluation time left (as of now) and whether it is counting
// down.
func (a *Agent) Eval() (left time.Duration, running bool) { return a.evalLeft, a.running }

// States is the registration and authorization lines as indices.
func (a *Agent) States() (RegState, AuthState) { return a.mode.RegState(), a.authState() }

func (a *Agent) authState() AuthState {
	switch a.mode {
	case Authorized:
		return AuthAuthorized
	case OutOfCompliance:
		return AuthOutOfCompliance
	case AuthorizationExpired:
		return AuthExpired
	}
	switch {
	case len(a.usage) == 0:
		return AuthNoLicenses
	case a.evalLeft == 0:
		return AuthEvalExpired
	}
	return AuthEvalMode
}

// NextDeadline is the earliest instant at which the agent has something
// to do, or 0.
func (a *Agent) NextDeadline() int64 {
	_, t := a.earliest()
	return t
}

// earliest is the earliest deadline and its slot (ties: the lower slot),
// found again only after a deadline was set.
func (a *Agent) earliest() (Slot, int64) {
	if !a.fresh {
		a.scan()
	}
	if a.first < 0 {
		return -1, 0
	}
	return Slot(a.first), a.deadlines[a.first]
}

// scan finds the earliest deadline.
func (a *Agent) scan() {
	// Branch-free and unrolled (six slots): instants as unsigned keys
	// in the same order (for every instant an agent holds: MinInt64 is
	// not one), none (0) after them all; the first of equal keys wins.
	d := &a.deadlines
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
	a.first, a.fresh = int8(best), true
}

// scan is written for six slots.
var _ = [1]struct{}{}[NSlots-6]

// deadlineKey is a deadline as an unsigned key in the same order, none
// (0) the largest.
func deadlineKey(t int64) uint64 {
	if t == 0 {
		return math.MaxUint64
	}
	return uint64(t) ^ 1<<63 - 1
}

// setDeadline sets (or clears, with 0) one deadline, keeping the earliest
// known where it can: a deadline set earlier than it becomes it, one set
// or cleared elsewhere leaves it, and only the earliest's own moving makes
// earliest look again.
func (a *Agent) setDeadline(s Slot, t int64) {
	if a.deadlines[s] == t {
		return
	}
	a.deadlines[s] = t
	if !a.fresh {
		return
	}
	f := Slot(a.first)
	switch {
	case f == s:
		a.fresh = false
	case t != 0 && (f < 0 || t < a.deadlines[f] || t == a.deadlines[f] && s < f):
		a.first = int8(s)
	}
}

// note records n at the agent's time when fx records notes.
func (a *Agent) note(fx *Effects, n Note) {
	if fx.Record {
		n.At = a.now
		fx.Notes = append(fx.Notes, n)
	}
}

// move follows ev in the compiled graph; the callers check the mode first,
// so a refused move is a bug in the core itself.
func (a *Agent) move(ev Event, fx *Effects) {
	to, ok := Move(a.mode, ev)
	if !ok {
		panic(fmt.Sprintf("core: mode %d does not allow event %d", a.mode, ev))
	}
	if fx.Record {
		a.note(fx, Note{Kind: NoteMove, Ev: ev, From: a.mode, To: to})
	}
	a.mode = to
}

// Advance processes every deadline at or before now, each at its own time
// (ties in slot order), then moves the agent's clock to now.
func (a *Agent) Advance(now int64, fx *Effects) error {
	if now < a.now {
		return fmt.Errorf("advance to %s: %w (agent is at %s)", rfc3339(now), ErrTimeWentBack, rfc3339(a.now))
	}
	if err := a.prof.checkTime(now); err != nil {
		return fmt.Errorf("advance: %w", err)
	}
	a.advance(now, fx)
	return nil
}

func (a *Agent) advance(now int64, fx *Effects) {
	for {
		s, at := a.earliest()
		if at == 0 || at > now {
			break
		}
		a.setDeadline(s, 0)
		a.now = at
		a.fireSlot(s, fx)
		a.settle(at, fx)
	}
	// settle changes nothing at the instant it last ran, with nothing
	// changed since: every input ends settled at a.now, and so does the
	// last deadline fired.
	if now != a.now {
		a.now = now
		a.settle(now, fx)
	}
}

// settle brings the derived state up to date at t (the agent's time): eval
// accounting and its deadline.
func (a *Agent) settle(t int64, fx *Effects) {
	if a.running {
		a.evalLeft -= time.Duration(t - a.evalMark)
		if a.evalLeft < 0 {
			a.evalLeft = 0
		}
		a.evalMark = t
	}
	answered := a.mode.Answered()
	run := !answered && len(a.usage) > 0 && a.evalLeft > 0 // (an authorized agent reads no eval fields)
	switch {
	case run && !a.running:
		a.running, a.evalMark = true, t
		a.note(fx, Note{Kind: NoteEvalStart})
	case !run && a.running:
		a.running = false
	}
	switch {
	case a.running:
		a.renotify = 0
		next := a.evalMark + int64(a.evalLeft)
		for _, w := range a.prof.warnings {
			if w < a.evalLeft {
				next = a.evalMark + int64(a.evalLeft-w)
				break
			}
		}
		a.setDeadline(SlotEval, next)
	case !answered && a.evalLeft == 0 && len(a.usage) > 0 && a.prof.EvalExpiredRenotify > 0:
		if a.renotify == 0 {
			a.renotify = t + int64(a.prof.EvalExpiredRenotify)
		}
		a.setDeadline(SlotEval, a.renotify)
	default:
		a.renotify = 0
		a.setDeadline(SlotEval, 0)
	}
	if fx.Record {
		a.note(fx, Note{Kind: NoteSettled, Auth: a.authState()})
	}
}

// fireSlot handles one due deadline at a.now.
func (a *Agent) fireSlot(s Slot, fx *Effects) {
	switch s {
	case SlotIDExpire:
		a.note(fx, Note{Kind: NoteIDCertExpired})
		a.move(EvIDCertExpired, fx)
		a.dropRegistration(false, fx)
	case SlotAuthExpire:
		if a.mode == Authorized || a.mode == OutOfCompliance {
			a.move(EvAuthExpired, fx)
			a.note(fx, Note{Kind: NoteAuthExpired})
			retry := a.now + int64(a.prof.AuthExpiredRetry)
			if c := a.deadlines[SlotComm]; c == 0 || retry < c {
				a.setDeadline(SlotComm, retry)
			}
		}
	case SlotEval:
		wasRunning := a.running
		a.settle(a.now, fx) // stops the countdown if it reached zero
		switch {
		case wasRunning && a.running:
			a.note(fx, Note{Kind: NoteEvalWarning, Left: a.evalLeft})
		case wasRunning:
			a.note(fx, Note{Kind: NoteEvalExpired}) // the expiry itself
		default:
			a.note(fx, Note{Kind: NoteEvalExpired}) // the re-notification
			a.renotify = a.now + int64(a.prof.EvalExpiredRenotify)
		}
	case SlotIDRenew:
		a.send(ReqRenewID, fx)
		a.setDeadline(SlotIDRenew, a.now+int64(a.replyWait()))
	case SlotComm:
		a.sendAuthorize(fx)
	case SlotRegRetry:
		a.move(EvRetryRegistration, fx)
		a.sendRegister(fx)
	}
}

func (a *Agent) replyWait() time.Duration {
	return a.prof.ReplyWait + a.jitter(a.prof.ReplyWaitJitter)
}

func (a *Agent) regRetry() time.Duration {
	return a.prof.RegRetry + a.jitter(a.prof.RegRetryJitter)
}

// jitter draws a delay in [0, j] (none when j ≤ 0): Rand.Int64N's
// algorithm and draws on 64-bit platforms, without the Rand and its
// interface call (every request an agent sends draws one); the library's
// own call elsewhere and for its other paths.
func (a *Agent) jitter(j time.Duration) time.Duration {
	if j <= 0 {
		return 0
	}
	n := uint64(j) + 1
	if bits.UintSize == 32 || n&(n-1) == 0 {
		return time.Duration(rand.New(&a.pcg).Int64N(int64(n)))
	}
	hi, lo := bits.Mul64(a.pcg.Uint64(), n)
	if lo < n {
		for thresh := -n % n; lo < thresh; {
			hi, lo = bits.Mul64(a.pcg.Uint64(), n)
		}
	}
	return time.Duration(hi)
}

func (a *Agent) send(k ReqKind, fx *Effects) {
	id := a.nextID
	a.nextID++
	if k == ReqDeregister {
		a.pendingDereg = id
	} else {
		a.pending[k] = id
	}
	fx.Requests = append(fx.Requests, Request{Kind: k, ID: id})
	if fx.Record {
		a.note(fx, Note{Kind: NoteSent, Req: k, ID: id, Token: a.token, Force: a.force, Usage: a.usage})
	}
}

func (a *Agent) sendRegister(fx *Effects) {
	a.send(ReqRegister, fx)
	a.setDeadline(SlotRegRetry, a.now+int64(a.replyWait()))
}

// sendAuthorize sends an authorization request now; it is sent again if
// no answer comes.
func (a *Agent) sendAuthorize(fx *Effects) {
	a.send(ReqAuthorize, fx)
	a.setDeadline(SlotComm, a.now+int64(a.replyWait()))
}

// dropRegistration forgets the ID certificate and everything that came
// with it; keepAccount is for the observer (the satellite's invalid-data
// de-registration keeps the accounts on show, seed scenario 6).
func (a *Agent) dropRegistration(keepAccount bool, fx *Effects) {
	a.commFails, a.idFails = 0, 0
	a.token, a.force = "", false
	for _, s := range []Slot{SlotIDExpire, SlotAuthExpire, SlotIDRenew, SlotComm, SlotRegRetry} {
		a.setDeadline(s, 0)
	}
	a.pending = [ReqDeregister]uint64{}
	a.note(fx, Note{Kind: NoteDropped, KeepAccount: keepAccount})
}

// input applies one input at now atomically: deadlines due by now are
// processed first, then check may refuse the input, in which case the
// agent and fx are left exactly as they were. do must not fail.
func (a *Agent) input(now int64, fx *Effects, check func(*Agent) error, do func(*Agent)) error {
	if now < a.now {
		return fmt.Errorf("%w (input at %s, agent is at %s)", ErrTimeWentBack, rfc3339(now), rfc3339(a.now))
	}
	if err := a.prof.checkTime(now); err != nil {
		return err
	}
	b := *a
	r, n := fx.mark()
	b.advance(now, fx) // the check sees what is due
	if check != nil {
		if err := check(&b); err != nil {
			fx.reset(r, n)
			return err
		}
	}
	do(&b)
	b.settle(now, fx)
	*a = b
	return nil
}

// Token limits: real ID tokens are about 150 characters of base64 with
// URL escapes (%0A). [model]
const (
	MinTokenLen = 8
	MaxTokenLen = 512
)

// CheckToken reports whether s looks like an ID token: 8 to 512 characters
// of base64 and URL-escape characters.
func CheckToken(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty", ErrBadToken)
	}
	if len(s) < MinTokenLen || len(s) > MaxTokenLen {
		return fmt.Errorf("%w: length %d is outside %d..%d", ErrBadToken, len(s), MinTokenLen, MaxTokenLen)
	}
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] { // (every allowed character is ASCII)
			r, _ := utf8.DecodeRuneInString(s[i:])
			return fmt.Errorf("%w: character %q", ErrBadToken, r)
		}
	}
	return nil
}

// tokenChars are the bytes a token may hold: letters, digits and +/=%-_.
var tokenChars = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("+/=%-_.", rune(c))
	}
	return t
}()

// Register is `license smart register idtoken <token> [force]`: it starts
// a registration (REGISTERING, a Register request). An agent that holds an
// ID certificate refuses it without force; with force it drops its
// registration and registers anew.
func (a *Agent) Register(now int64, token string, force bool, fx *Effects) error {
	if err := CheckToken(token); err != nil {
		return fmt.Errorf("register: %w", err)
	}
	return a.input(now, fx, func(b *Agent) error {
		if b.mode.HasIDCert() && !force {
			return fmt.Errorf("register: %w", ErrAlreadyRegistered)
		}
		return nil
	}, func(b *Agent) {
		if b.mode.HasIDCert() {
			b.move(EvForceRegister, fx)
			b.dropRegistration(false, fx)
		} else {
			b.move(EvRegister, fx)
		}
		b.token, b.force = token, force
		b.sendRegister(fx)
	})
}

// Deregister is `license smart deregister`: the agent drops its
// certificate and authorization at once and returns to eval with what is
// left; one that holds a certificate also sends a Deregister request,
// whose fate does not matter to it. A registration in progress is
// abandoned.
func (a *Agent) Deregister(now int64, fx *Effects) error {
	return a.input(now, fx, func(b *Agent) error {
		if b.mode == Unidentified {
			return fmt.Errorf("deregister: %w", ErrNotRegistered)
		}
		return nil
	}, func(b *Agent) {
		if b.mode.HasIDCert() {
			b.send(ReqDeregister, fx)
		}
		b.move(EvDeregister, fx)
		b.dropRegistration(false, fx)
	})
}

func requireCert(what string) func(*Agent) error {
	return func(b *Agent) error {
		if !b.mode.HasIDCert() {
			return fmt.Errorf("%s: %w", what, ErrNotRegistered)
		}
		return nil
	}
}

// RenewAuth is `license smart renew auth`: an authorization request now,
// starting a new retry sequence — if it fails, the next attempt comes
// CommRetryFirst later, however long the path has been failing. [model]:
// the seed's scenarios 5 and 9 both show +30 s after a failure on a path
// broken for days, which the back-off alone would have grown to an hour.
func (a *Agent) RenewAuth(now int64, fx *Effects) error {
	return a.input(now, fx, requireCert("renew auth"), func(b *Agent) {
		b.commFails = 0
		b.sendAuthorize(fx)
	})
}

// RenewID is `license smart renew id`: an ID certificate renewal request
// now, starting a new retry sequence as RenewAuth does.
func (a *Agent) RenewID(now int64, fx *Effects) error {
	return a.input(now, fx, requireCert("renew id"), func(b *Agent) {
		b.idFails = 0
		b.send(ReqRenewID, fx)
		b.setDeadline(SlotIDRenew, b.now+int64(b.replyWait()))
	})
}

// SetUsage replaces the entitlements in use (a level change after reload,
// a member joining or leaving a stack). Eval starts or pauses accordingly;
// a registered agent asks for authorization of the new usage at once.
func (a *Agent) SetUsage(now int64, usage []license.Usage, fx *Effects) error {
	norm, err := license.CheckUsage(usage)
	if err != nil {
		return fmt.Errorf("set usage: %w", err)
	}
	return a.input(now, fx, nil, func(b *Agent) {
		if slices.Equal(norm, b.usage) {
			return
		}
		b.usage = norm
		if b.mode.HasIDCert() {
			b.sendAuthorize(fx)
		}
	})
}

// Reload is a reload (or a failover to a standby that did not have the
// configuration): requests in flight and unsent are lost; without
// keepRegistration (no `write memory` after registering) the agent comes
// back UNREGISTERED. Eval time left survives either way, and the countdown
// starts again with the new image.
func (a *Agent) Reload(now int64, keepRegistration bool, fx *Effects) error {
	return a.input(now, fx, nil, func(b *Agent) {
		b.note(fx, Note{Kind: NoteReload})
		b.pending, b.pendingDereg = [ReqDeregister]uint64{}, 0
		if !keepRegistration && b.mode != Unidentified {
			b.move(EvRegistrationLost, fx)
			b.dropRegistration(false, fx)
		}
		b.running = false
	})
}

// Handle gives the agent an answer to one of its requests. An answer to a
// request it is not waiting for (unknown, superseded, lost in a reload),
// of the wrong kind, or already expired, is refused and changes nothing;
// requests it sends in turn go to fx.
func (a *Agent) Handle(now int64, ans Answer, fx *Effects) error {
	if ans.Class != 0 && !ans.Class.Valid() {
		return fmt.Errorf("%w: unknown failure class %d", ErrBadAnswer, int(ans.Class))
	}
	if ans.Class == 0 && ans.At == 0 {
		return fmt.Errorf("%w: time is zero", ErrBadAnswer)
	}
	if ans.Class == 0 && !a.prof.Holds(ans.At) {
		return fmt.Errorf("%w: time %s is outside what the agent keeps", ErrBadAnswer, rfc3339(ans.At))
	}
	if now < a.now {
		return fmt.Errorf("%w (answer at %s, agent is at %s)", ErrTimeWentBack, rfc3339(now), rfc3339(a.now))
	}
	if err := a.prof.checkTime(now); err != nil {
		return err
	}
	if d := a.NextDeadline(); d != 0 && d <= now {
		// As input: what is due comes first, on a copy, so that a refusal
		// leaves the agent as it was. (Fleets never get here: their
		// deadlines are always after the answers.)
		b := *a
		r, n := fx.mark()
		b.advance(now, fx)
		if err := b.answer(now, ans, fx); err != nil {
			fx.reset(r, n)
			return err
		}
		*a = b
		return nil
	}
	return a.answer(now, ans, fx)
}

// Waiting is the kind of request that answer ID would answer, if the agent
// waits for one.
func (a *Agent) Waiting(id uint64) (ReqKind, bool) {
	if id == 0 {
		return 0, false
	}
	for k, p := range a.pending {
		if p == id {
			return ReqKind(k), true
		}
	}
	if a.pendingDereg == id {
		return ReqDeregister, true
	}
	return 0, false
}

// answer checks ans against the request it names, changing nothing if it
// refuses it, then applies it at now; nothing may be due by now.
func (a *Agent) answer(now int64, ans Answer, fx *Effects) error {
	kind, ok := a.Waiting(ans.ID)
	if !ok {
		return ErrUnexpectedAnswer
	}
	at := ans.At
	if ans.Class == 0 {
		if kind != ans.Kind {
			return fmt.Errorf("%w: request %d wants a %s", ErrBadAnswer, ans.ID, kind.Reply())
		}
		switch kind {
		case ReqAuthorize:
			if at <= a.now-int64(a.prof.AuthValidity) { // (not at+valid: no overflow for far instants)
				return fmt.Errorf("%w: authorization of %s has already expired", ErrBadAnswer, rfc3339(at))
			}
		case ReqRegister, ReqRenewID:
			if at <= a.now-int64(a.prof.IDCertValidity) {
				return fmt.Errorf("%w: certificate started %s and has already expired", ErrBadAnswer, rfc3339(at))
			}
		}
	}
	if now != a.now { // nothing is due by now (Handle saw to it): the agent just moves on
		a.now = now
		a.settle(now, fx)
	}
	if kind == ReqDeregister {
		a.pendingDereg = 0
	} else {
		a.pending[kind] = 0
	}
	switch {
	case ans.Class != 0:
		a.onFailure(kind, ans.Class, fx)
	case kind == ReqRegister:
		a.move(EvRegSucceeded, fx)
		a.commFails, a.idFails = 0, 0
		a.setDeadline(SlotRegRetry, 0)
		a.setDeadline(SlotIDRenew, a.now+int64(a.prof.IDRenewAfter))
		a.setDeadline(SlotIDExpire, at+int64(a.prof.IDCertValidity))
		a.setDeadline(SlotAuthExpire, 0)
		a.setDeadline(SlotComm, a.now+int64(a.prof.FirstAuthDelay))
		a.note(fx, Note{Kind: NoteRegistered})
	case kind == ReqAuthorize:
		prev, restored := a.mode, a.commFails > 0
		a.commFails = 0
		a.setDeadline(SlotAuthExpire, at+int64(a.prof.AuthValidity))
		if ans.InCompliance {
			a.move(EvAuthorized, fx)
			a.setDeadline(SlotComm, a.now+int64(a.prof.AuthRenewAfter))
		} else {
			a.move(EvOutOfCompliance, fx)
			a.setDeadline(SlotComm, a.now+int64(a.prof.OutOfComplianceRetry))
		}
		a.note(fx, Note{Kind: NoteAuthorized, From: prev, To: a.mode, Restored: restored})
	case kind == ReqRenewID:
		a.idFails = 0
		a.setDeadline(SlotIDRenew, a.now+int64(a.prof.IDRenewAfter))
		a.setDeadline(SlotIDExpire, at+int64(a.prof.IDCertValidity))
		a.note(fx, Note{Kind: NoteIDRenewed})
	case kind == ReqDeregister:
		a.note(fx, Note{Kind: NoteDeregistered})
	}
	a.settle(now, fx)
	return nil
}

func (a *Agent) onFailure(k ReqKind, class license.FailureClass, fx *Effects) {
	if class == license.FailInvalidData && a.mode.HasIDCert() {
		a.note(fx, Note{Kind: NoteInvalidData, Req: k, Class: class})
		a.move(EvInvalidData, fx)
		a.dropRegistration(true, fx)
		return
	}
	a.note(fx, Note{Kind: NoteFailed, Req: k, Class: class})
	switch k {
	case ReqRegister:
		switch class {
		case license.FailTransportUnavailable:
			a.move(EvRegRejected, fx)
			a.setDeadline(SlotRegRetry, 0)
		case license.FailSend, license.FailBusy:
			a.move(EvRegDeferred, fx)
			a.setDeadline(SlotRegRetry, a.now+int64(a.regRetry()))
		default:
			a.move(EvRegRejected, fx)
			a.setDeadline(SlotRegRetry, a.now+int64(a.regRetry()))
		}
	case ReqAuthorize:
		a.commFails++
		a.setDeadline(SlotComm, a.now+int64(a.prof.backoff(int(a.commFails), a.prof.normalPeriod(a.mode))))
	case ReqRenewID:
		a.idFails++
		a.setDeadline(SlotIDRenew, a.now+int64(a.prof.backoff(int(a.idFails), 0)))
	}
}

// Answerer answers the requests an agent sends during Step, at once.
type Answerer interface {
	// Answer is the answer to r, sent by a at now (Unix nanoseconds);
	// a.Token and a.Usage are the request's.
	Answer(now int64, a *Agent, r Request) Answer
}

// Step is Advance(now, fx) followed by Handle(now, ·) of the answer an
// answerer gives to each request sent, in the order sent (requests sent
// while answers are handled included): a fleet's turn of a device at its
// deadline, in one call. Answers Handle would refuse change nothing, as
// with Handle. The requests are answered, not left in fx.
//
// Its most frequent turn — an authorization renewal, answered — takes a
// path of its own that skips what Advance and Handle would find has
// nothing to do; a property test holds Step to Advance and Handle.
func (a *Agent) Step(now int64, an Answerer, fx *Effects) error {
	if now < a.now {
		return fmt.Errorf("step to %s: %w", rfc3339(now), ErrTimeWentBack)
	}
	if now > a.prof.maxNow {
		return fmt.Errorf("step: %w", a.prof.checkTime(now))
	}
	mark := len(fx.Requests)
	if !fx.Record && a.renewal(now) {
		// The comm slot fires (sendAuthorize) and nothing else is due by
		// now, neither before nor after: what advance would do.
		id := a.nextID
		a.nextID++
		a.pending[ReqAuthorize] = id
		a.now = now
		a.deadlines[SlotComm] = now + int64(a.replyWait()) // later than now: the earliest is not known
		a.fresh = false
		ans := an.Answer(now, a, Request{Kind: ReqAuthorize, ID: id})
		if ans.ID == id && ans.Kind == ReqAuthorize && ans.Class == 0 && ans.At != 0 && ans.At > now-int64(a.prof.AuthValidity) {
			// What answer does with a reply to it; settle changes nothing
			// for an authorized agent with no eval deadline.
			a.pending[ReqAuthorize] = 0
			a.commFails = 0
			a.deadlines[SlotAuthExpire] = ans.At + int64(a.prof.AuthValidity)
			if ans.InCompliance {
				a.mode = Authorized // move(EvAuthorized): both modes allow it (init)
				a.deadlines[SlotComm] = now + int64(a.prof.AuthRenewAfter)
			} else {
				a.mode = OutOfCompliance
				a.deadlines[SlotComm] = now + int64(a.prof.OutOfComplianceRetry)
			}
			return nil
		}
		_ = a.Handle(now, ans, fx) // any other answer, as Handle takes it
	} else {
		a.advance(now, fx)
	}
	for k := mark; k < len(fx.Requests); k++ {
		_ = a.Handle(now, an.Answer(now, a, fx.Requests[k]), fx)
	}
	fx.Requests = fx.Requests[:mark]
	return nil
}

// renewal tells whether Advance(now) would fire the comm slot of an
// authorized (or out of compliance) agent and nothing else, and leave
// nothing due by now: the comm deadline is the earliest, at now (of slots
// due together the lower fires first, and the one after comm, the
// registration retry, is never set in these modes); the new comm deadline
// is later (a profile's reply wait is positive); and there is no eval
// deadline or countdown for settle to look after.
func (a *Agent) renewal(now int64) bool {
	return a.fresh && a.first == int8(SlotComm) && a.deadlines[SlotComm] == now &&
		(a.mode == Authorized || a.mode == OutOfCompliance) &&
		!a.running && a.renotify == 0 && a.deadlines[SlotEval] == 0
}

// renewal counts on the slots' order.
var _ = [1]struct{}{}[NSlots-SlotComm-2]
