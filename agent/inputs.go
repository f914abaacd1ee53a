package agent

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slsim/slsim/internal/agentcore"
	"github.com/slsim/slsim/license"
)

// RegisterReplyText is what IOS prints when `license smart register idtoken`
// is accepted. [seed]
const RegisterReplyText = "Registration process is in progress. Use the 'show license status' command to check the progress and result"

// CheckToken reports whether s looks like an ID token: 8 to 512 characters
// of base64 and URL-escape characters ([model] limits: real ID tokens are
// about 150 characters of base64 with URL escapes such as %0A).
func CheckToken(s string) error { return agentcore.CheckToken(s) }

// Register is `license smart register idtoken <token> [force]`. It starts a
// registration: REGISTERING - REGISTRATION IN PROGRESS and a Register
// request to send. A device that holds an ID certificate refuses it
// without force; with force it drops its registration and registers anew
// (the back end replaces the product instance). It returns the text IOS
// prints.
func (a *Agent) Register(now time.Time, token string, force bool) (string, error) {
	ns, err := instant("register", now)
	if err != nil {
		return "", err
	}
	if err := a.done(a.c.Register(ns, token, force, &a.fx)); err != nil {
		return "", err
	}
	return RegisterReplyText, nil
}

// Deregister is `license smart deregister`. The agent removes its
// certificate and authorization at once and returns to eval with what is
// left; a registered agent also sends a Deregister request, whose fate does
// not matter to it. A registration in progress is abandoned.
func (a *Agent) Deregister(now time.Time) error {
	ns, err := instant("deregister", now)
	if err != nil {
		return err
	}
	return a.done(a.c.Deregister(ns, &a.fx))
}

// RenewAuth is `license smart renew auth`: an authorization request now.
func (a *Agent) RenewAuth(now time.Time) error {
	ns, err := instant("renew auth", now)
	if err != nil {
		return err
	}
	return a.done(a.c.RenewAuth(ns, &a.fx))
}

// RenewID is `license smart renew id`: an ID certificate renewal request now.
func (a *Agent) RenewID(now time.Time) error {
	ns, err := instant("renew id", now)
	if err != nil {
		return err
	}
	return a.done(a.c.RenewID(ns, &a.fx))
}

// SetUsage replaces the entitlements in use (a level change after reload, a
// member joining or leaving a stack). Eval starts or pauses accordingly; a
// registered agent asks for authorization of the new usage at once.
func (a *Agent) SetUsage(now time.Time, usage []license.Usage) error {
	ns, err := instant("set usage", now)
	if err != nil {
		return err
	}
	return a.done(a.c.SetUsage(ns, usage, &a.fx))
}

// Reload is a reload (or a failover to a standby that did not have the
// configuration). Requests in flight and unsent are lost. keepRegistration
// says whether the registration was saved (`write memory` after it): if not,
// the agent comes back UNREGISTERED while the back end still holds its
// instance. Eval time left survives either way; EVAL_START is logged again
// at boot when eval is running.
func (a *Agent) Reload(now time.Time, keepRegistration bool) error {
	ns, err := instant("reload", now)
	if err != nil {
		return err
	}
	return a.done(a.c.Reload(ns, keepRegistration, &a.fx))
}

// Handle gives the agent an answer to one of its requests: a reply from the
// back end, or a failure from the back end or the transport. An answer to a
// request the agent is not waiting for (unknown, superseded, lost in a
// reload), or one that contradicts itself, is refused and changes nothing.
func (a *Agent) Handle(now time.Time, ans license.Answer) error {
	if ans == nil {
		return fmt.Errorf("handle: %w: nil answer", ErrBadAnswer)
	}
	wrap := func(err error) error { return fmt.Errorf("handle %s %d: %w", ans.Kind(), ans.RequestID(), err) }
	if err := checkAnswer(ans); err != nil {
		return wrap(err)
	}
	ns, err := agentcore.Instant(now)
	if err != nil {
		return wrap(err)
	}
	c := agentcore.Answer{ID: ans.RequestID()}
	var at time.Time
	switch x := ans.(type) {
	case license.RegisterReply:
		c.Kind, at = agentcore.ReqRegister, x.CertStart
	case license.AuthorizeReply:
		c.Kind, at, c.InCompliance = agentcore.ReqAuthorize, x.Time, x.AllInCompliance()
	case license.RenewIDReply:
		c.Kind, at = agentcore.ReqRenewID, x.CertStart
	case license.DeregisterReply:
		c.Kind, c.At = agentcore.ReqDeregister, ns
	case license.Failure:
		c.Class = x.Class
	}
	if !at.IsZero() {
		if c.At, err = agentcore.Instant(at); err != nil {
			return wrap(fmt.Errorf("%w: %w", ErrBadAnswer, err))
		}
	}
	a.answer = ans
	if err := a.done(a.c.Handle(ns, c, &a.fx)); err != nil {
		a.answer = nil
		return wrap(err)
	}
	return nil
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
