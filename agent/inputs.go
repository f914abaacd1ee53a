package agent

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slsim/slsim/license"
)

// RegisterReplyText is what IOS prints when `license smart register idtoken`
// is accepted. [seed]
const RegisterReplyText = "Registration process is in progress. Use the 'show license status' command to check the progress and result"

// Token limits: real ID tokens are about 150 characters of base64 with
// URL escapes (%0A). [model]
const (
	minTokenLen = 8
	maxTokenLen = 512
)

// CheckToken reports whether s looks like an ID token: 8 to 512 characters
// of base64 and URL-escape characters.
func CheckToken(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty", ErrBadToken)
	}
	if len(s) < minTokenLen || len(s) > maxTokenLen {
		return fmt.Errorf("%w: length %d is outside %d..%d", ErrBadToken, len(s), minTokenLen, maxTokenLen)
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

// Register is `license smart register idtoken <token> [force]`. It starts a
// registration: REGISTERING - REGISTRATION IN PROGRESS and a Register
// request to send. A device that holds an ID certificate refuses it
// without force; with force it drops its registration and registers anew
// (the back end replaces the product instance). It returns the text IOS
// prints.
func (a *Agent) Register(now time.Time, token string, force bool) (string, error) {
	if err := CheckToken(token); err != nil {
		return "", fmt.Errorf("register: %w", err)
	}
	err := a.input(now, func(b *Agent) error {
		if b.Mode().HasIDCert() && !force {
			return fmt.Errorf("register: %w", ErrAlreadyRegistered)
		}
		return nil
	}, func(b *Agent) {
		if b.Mode().HasIDCert() {
			b.move(EvForceRegister)
			b.dropRegistration(false)
		} else {
			b.move(EvRegister)
		}
		b.token, b.force = token, force
		b.sendRegister()
	})
	if err != nil {
		return "", err
	}
	return RegisterReplyText, nil
}

// Deregister is `license smart deregister`. The agent removes its
// certificate and authorization at once and returns to eval with what is
// left; a registered agent also sends a Deregister request, whose fate does
// not matter to it. A registration in progress is abandoned.
func (a *Agent) Deregister(now time.Time) error {
	return a.input(now, func(b *Agent) error {
		if b.Mode() == ModeUnidentified {
			return fmt.Errorf("deregister: %w", ErrNotRegistered)
		}
		return nil
	}, func(b *Agent) {
		if b.Mode().HasIDCert() {
			b.send(reqDeregister)
		}
		b.move(EvDeregister)
		b.dropRegistration(false)
	})
}

// RenewAuth is `license smart renew auth`: an authorization request now.
func (a *Agent) RenewAuth(now time.Time) error {
	return a.input(now, requireCert("renew auth"), func(b *Agent) { b.sendAuthorize() })
}

// RenewID is `license smart renew id`: an ID certificate renewal request now.
func (a *Agent) RenewID(now time.Time) error {
	return a.input(now, requireCert("renew id"), func(b *Agent) {
		b.send(reqRenewID)
		b.deadlines[slotIDRenew] = b.now.Add(b.replyWait())
	})
}

func requireCert(what string) func(*Agent) error {
	return func(b *Agent) error {
		if !b.Mode().HasIDCert() {
			return fmt.Errorf("%s: %w", what, ErrNotRegistered)
		}
		return nil
	}
}

// SetUsage replaces the entitlements in use (a level change after reload, a
// member joining or leaving a stack). Eval starts or pauses accordingly; a
// registered agent asks for authorization of the new usage at once.
func (a *Agent) SetUsage(now time.Time, usage []license.Usage) error {
	norm, err := license.CheckUsage(usage)
	if err != nil {
		return fmt.Errorf("set usage: %w", err)
	}
	return a.input(now, nil, func(b *Agent) {
		if slices.Equal(norm, b.usage) {
			return
		}
		b.usage = norm
		if b.Mode().HasIDCert() {
			b.sendAuthorize()
		}
	})
}

// Reload is a reload (or a failover to a standby that did not have the
// configuration). Requests in flight and unsent are lost. keepRegistration
// says whether the registration was saved (`write memory` after it): if not,
// the agent comes back UNREGISTERED while the back end still holds its
// instance. Eval time left survives either way.
func (a *Agent) Reload(now time.Time, keepRegistration bool) error {
	return a.input(now, nil, func(b *Agent) {
		b.outbox = nil
		b.pending = [nReqKinds]uint64{}
		if !keepRegistration && b.Mode() != ModeUnidentified {
			b.move(EvRegistrationLost)
			b.dropRegistration(false)
		}
		// The countdown stops with the old image and starts with the new:
		// EVAL_START is logged again at boot when eval is running.
		b.evalRunning = false
	})
}

// Handle gives the agent an answer to one of its requests: a reply from the
// back end, or a failure from the back end or the transport. An answer to a
// request the agent is not waiting for (unknown, superseded, lost in a
// reload), or one that contradicts itself, is refused and changes nothing.
func (a *Agent) Handle(now time.Time, ans license.Answer) error {
	if ans == nil {
		return fmt.Errorf("handle: %w: nil answer", ErrBadAnswer)
	}
	if err := checkAnswer(ans); err != nil {
		return fmt.Errorf("handle %s %d: %w", ans.Kind(), ans.RequestID(), err)
	}
	var kind reqKind
	err := a.input(now, func(b *Agent) error {
		k, ok := b.waiting(ans.RequestID())
		if !ok {
			return fmt.Errorf("handle %s %d: %w", ans.Kind(), ans.RequestID(), ErrUnexpectedAnswer)
		}
		kind = k
		return b.checkAnswerFor(k, ans)
	}, func(b *Agent) {
		b.pending[kind] = 0
		switch x := ans.(type) {
		case license.RegisterReply:
			b.onRegistered(x)
		case license.AuthorizeReply:
			b.onAuthorized(x)
		case license.RenewIDReply:
			b.onIDRenewed(x)
		case license.DeregisterReply:
			// The back end released the instance; nothing changes locally.
		case license.Failure:
			b.onFailure(kind, x)
		}
	})
	return err
}

func (a *Agent) waiting(id uint64) (reqKind, bool) { return waitingIn(a.pending[:], id) }

// waitingIn finds which kind of request, by the IDs of the requests
// waiting for an answer, id answers.
func waitingIn(pending []uint64, id uint64) (reqKind, bool) {
	if id == 0 {
		return 0, false
	}
	for k, p := range pending {
		if p == id {
			return reqKind(k), true
		}
	}
	return 0, false
}

// checkAnswer refuses answers that are malformed whatever the agent's state.
func checkAnswer(ans license.Answer) error {
	switch x := ans.(type) {
	case license.RegisterReply:
		if x.CertStart.IsZero() {
			return fmt.Errorf("%w: certificate start time is zero", ErrBadAnswer)
		}
	case license.AuthorizeReply:
		if x.Time.IsZero() {
			return fmt.Errorf("%w: authorization time is zero", ErrBadAnswer)
		}
		for i, e := range x.Entitlements {
			repeated := slices.ContainsFunc(x.Entitlements[:i], func(p license.Entitlement) bool { return p.Tag == e.Tag })
			if e.Tag == "" || repeated || e.Count < 0 {
				return fmt.Errorf("%w: entitlement %q is empty, repeated or negative", ErrBadAnswer, e.Tag)
			}
		}
	case license.RenewIDReply:
		if x.CertStart.IsZero() {
			return fmt.Errorf("%w: certificate start time is zero", ErrBadAnswer)
		}
	case license.DeregisterReply:
	case license.Failure:
		if !x.Class.Valid() {
			return fmt.Errorf("%w: unknown failure class %d", ErrBadAnswer, int(x.Class))
		}
		if strings.TrimSpace(x.Reason) == "" {
			return fmt.Errorf("%w: failure without a reason", ErrBadAnswer)
		}
	default:
		return fmt.Errorf("%w: unknown answer type %T", ErrBadAnswer, ans)
	}
	return nil
}

// checkAnswerFor refuses an answer of the wrong type for the request it
// names, or whose dates make it impossible now.
func (a *Agent) checkAnswerFor(k reqKind, ans license.Answer) error {
	want := map[reqKind]string{reqRegister: "register-reply", reqAuthorize: "authorize-reply", reqRenewID: "renew-id-reply", reqDeregister: "deregister-reply"}[k]
	if _, isFailure := ans.(license.Failure); !isFailure && ans.Kind() != want {
		return fmt.Errorf("handle %s %d: %w: request %d wants a %s", ans.Kind(), ans.RequestID(), ErrBadAnswer, ans.RequestID(), want)
	}
	switch x := ans.(type) {
	case license.RegisterReply:
		if !x.CertStart.Add(a.prof.IDCertValidity).After(a.now) {
			return fmt.Errorf("handle register-reply %d: %w: certificate started %s and has already expired", x.ID, ErrBadAnswer, x.CertStart.Format(time.RFC3339))
		}
	case license.RenewIDReply:
		if !x.CertStart.Add(a.prof.IDCertValidity).After(a.now) {
			return fmt.Errorf("handle renew-id-reply %d: %w: certificate started %s and has already expired", x.ID, ErrBadAnswer, x.CertStart.Format(time.RFC3339))
		}
	case license.AuthorizeReply:
		if !x.Time.Add(a.prof.AuthValidity).After(a.now) {
			return fmt.Errorf("handle authorize-reply %d: %w: authorization of %s has already expired", x.ID, ErrBadAnswer, x.Time.Format(time.RFC3339))
		}
	}
	return nil
}

func (a *Agent) onRegistered(x license.RegisterReply) {
	a.move(EvRegSucceeded)
	a.sa, a.va, a.export = x.SmartAccount, x.VirtualAccount, x.ExportControlled
	a.certStart, a.certSerial = x.CertStart, x.CertSerial
	a.initialReg = Attempt{Result: ResultSucceeded, At: a.now}
	a.lastRenewal, a.lastComm = Attempt{}, Attempt{}
	a.renewFailures, a.commFailures = 0, 0
	a.answered = nil
	a.deadlines[slotRegRetry] = time.Time{}
	a.deadlines[slotIDRenew] = a.now.Add(a.prof.IDRenewAfter)
	a.deadlines[slotIDExpire] = x.CertStart.Add(a.prof.IDCertValidity)
	a.deadlines[slotAuthExpire] = time.Time{}
	a.deadlines[slotComm] = a.now.Add(a.prof.FirstAuthDelay)
	a.logExportControlled(x.ExportControlled)
	a.logRegSuccess()
}

func (a *Agent) onAuthorized(x license.AuthorizeReply) {
	prev := a.Mode()
	in := x.AllInCompliance()
	if in {
		a.move(EvAuthorized)
	} else {
		a.move(EvOutOfCompliance)
	}
	a.answered = append(a.answered[:0], x.Entitlements...)
	if !slices.IsSortedFunc(a.answered, byTag) {
		slices.SortFunc(a.answered, byTag)
	}
	if a.commFailures > 0 {
		a.logCommRestored()
	}
	a.commFailures = 0
	a.lastComm = Attempt{Result: ResultSucceeded, At: a.now}
	a.deadlines[slotAuthExpire] = x.Time.Add(a.prof.AuthValidity)
	if in {
		a.deadlines[slotComm] = a.now.Add(a.prof.AuthRenewAfter)
		if prev != ModeAuthorized {
			a.logInCompliance()
		}
		a.logAuthRenewSuccess()
		return
	}
	a.deadlines[slotComm] = a.now.Add(a.prof.OutOfComplianceRetry)
	if prev != ModeOutOfCompliance {
		a.logOutOfCompliance()
	}
}

func byTag(p, q license.Entitlement) int { return strings.Compare(p.Tag, q.Tag) }

func (a *Agent) onIDRenewed(x license.RenewIDReply) {
	a.certStart = x.CertStart
	if x.CertSerial != "" {
		a.certSerial = x.CertSerial
	}
	a.lastRenewal = Attempt{Result: ResultSucceeded, At: a.now}
	a.renewFailures = 0
	a.deadlines[slotIDRenew] = a.now.Add(a.prof.IDRenewAfter)
	a.deadlines[slotIDExpire] = x.CertStart.Add(a.prof.IDCertValidity)
	a.logIDRenewOK()
}

func (a *Agent) onFailure(k reqKind, f license.Failure) {
	if f.Class == license.FailInvalidData && a.Mode().HasIDCert() {
		a.logInvalidData(f.Reason)
		a.move(EvInvalidData)
		a.dropRegistration(true)
		return
	}
	switch k {
	case reqRegister:
		a.logRegFailed(f.Reason)
		if f.Class.FromTransport() {
			a.logCommFailed(f.Reason)
		}
		a.initialReg = Attempt{Result: ResultFailed, At: a.now, Reason: f.Reason}
		switch f.Class {
		case license.FailTransportUnavailable:
			a.move(EvRegRejected)
			a.deadlines[slotRegRetry] = time.Time{}
		case license.FailSend, license.FailBusy:
			a.move(EvRegDeferred)
			a.deadlines[slotRegRetry] = a.now.Add(a.regRetry())
		default:
			a.move(EvRegRejected)
			a.deadlines[slotRegRetry] = a.now.Add(a.regRetry())
		}
	case reqAuthorize:
		if f.Class.FromTransport() {
			a.logCommFailed(f.Reason)
		}
		a.logAuthRenewFailed(f)
		a.commFailures++
		a.lastComm = Attempt{Result: ResultFailed, At: a.now, Reason: f.Reason}
		a.deadlines[slotComm] = a.now.Add(a.backoff(a.commFailures, a.normalPeriod(a.Mode())))
	case reqRenewID:
		if f.Class.FromTransport() {
			a.logCommFailed(f.Reason)
		}
		a.logIDRenewFailed(f.Reason)
		a.renewFailures++
		a.lastRenewal = Attempt{Result: ResultFailed, At: a.now, Reason: f.Reason}
		a.deadlines[slotIDRenew] = a.now.Add(a.backoff(a.renewFailures, 0))
	case reqDeregister:
		if f.Class.FromTransport() {
			a.logCommFailed(f.Reason)
		}
	}
}

// clone makes an independent copy of the agent.
func (a *Agent) clone() *Agent {
	b := *a
	pcg := *a.pcg
	b.pcg = &pcg
	b.rng = rand.New(b.pcg)
	if a.m != nil {
		b.m = newMachine(a.mode)
	}
	b.usage = slices.Clone(a.usage)
	b.answered = slices.Clone(a.answered)
	b.outbox = slices.Clone(a.outbox)
	b.logs = slices.Clone(a.logs)
	return &b
}
