package core

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Profile is agent.Profile's field list (the same names, types and order,
// so that either converts to the other): the timers the rules read.
// agent.Profile documents each value and its source.
type Profile struct {
	EvalPeriod           time.Duration
	EvalWarnings         []time.Duration
	EvalExpiredRenotify  time.Duration
	IDCertValidity       time.Duration
	IDRenewAfter         time.Duration
	AuthRenewAfter       time.Duration
	AuthValidity         time.Duration
	OutOfComplianceRetry time.Duration
	AuthExpiredRetry     time.Duration
	CommRetryFirst       time.Duration
	CommRetryMax         time.Duration
	RegRetry             time.Duration
	RegRetryJitter       time.Duration
	ReplyWait            time.Duration
	ReplyWaitJitter      time.Duration
	FirstAuthDelay       time.Duration
}

// Validate reports the first incoherent value: a timer that is not
// positive, a renewal scheduled after its own expiry, a retry cap below the
// first retry, or an eval warning outside the eval period.
func (p Profile) Validate() error {
	positive := []struct {
		name string
		v    time.Duration
	}{
		{"EvalPeriod", p.EvalPeriod}, {"IDCertValidity", p.IDCertValidity},
		{"IDRenewAfter", p.IDRenewAfter}, {"AuthRenewAfter", p.AuthRenewAfter},
		{"AuthValidity", p.AuthValidity}, {"OutOfComplianceRetry", p.OutOfComplianceRetry},
		{"AuthExpiredRetry", p.AuthExpiredRetry}, {"CommRetryFirst", p.CommRetryFirst},
		{"CommRetryMax", p.CommRetryMax}, {"RegRetry", p.RegRetry}, {"ReplyWait", p.ReplyWait},
	}
	for _, f := range positive {
		if f.v <= 0 {
			return fmt.Errorf("profile: %s must be positive, got %v", f.name, f.v)
		}
	}
	nonNeg := []struct {
		name string
		v    time.Duration
	}{
		{"EvalExpiredRenotify", p.EvalExpiredRenotify}, {"RegRetryJitter", p.RegRetryJitter},
		{"ReplyWaitJitter", p.ReplyWaitJitter}, {"FirstAuthDelay", p.FirstAuthDelay},
	}
	for _, f := range nonNeg {
		if f.v < 0 {
			return fmt.Errorf("profile: %s must not be negative, got %v", f.name, f.v)
		}
	}
	switch {
	case p.IDRenewAfter >= p.IDCertValidity:
		return errors.New("profile: IDRenewAfter must be shorter than IDCertValidity")
	case p.AuthRenewAfter >= p.AuthValidity:
		return errors.New("profile: AuthRenewAfter must be shorter than AuthValidity")
	case p.CommRetryMax < p.CommRetryFirst:
		return errors.New("profile: CommRetryMax must not be below CommRetryFirst")
	}
	for _, w := range p.EvalWarnings {
		if w <= 0 || w >= p.EvalPeriod {
			return fmt.Errorf("profile: eval warning %v is outside (0, EvalPeriod)", w)
		}
	}
	return nil
}

// Prepared is a validated profile, ready to be shared by many agents (it
// must not change afterwards).
type Prepared struct {
	Profile
	warnings []time.Duration // EvalWarnings sorted, longest first, without repeats
}

// Prepare validates a profile and prepares it for sharing; the result
// holds its own copy of the warnings.
func Prepare(p Profile) (*Prepared, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p.EvalWarnings = slices.Clone(p.EvalWarnings)
	w := slices.Clone(p.EvalWarnings)
	slices.Sort(w)
	slices.Reverse(w)
	return &Prepared{Profile: p, warnings: slices.Compact(w)}, nil
}

// backoff is the delay before retry number n (n ≥ 1): CommRetryFirst
// doubled n-1 times, capped by CommRetryMax and by the normal period.
func (p *Prepared) backoff(n int, normal time.Duration) time.Duration {
	d := p.CommRetryFirst
	for i := 1; i < n && d < p.CommRetryMax; i++ {
		d *= 2
	}
	d = min(d, p.CommRetryMax)
	if normal > 0 {
		d = min(d, normal)
	}
	return d
}

// normalPeriod is a mode's normal communication schedule (0: none).
func (p *Prepared) normalPeriod(m Mode) time.Duration {
	switch m {
	case Authorized:
		return p.AuthRenewAfter
	case OutOfCompliance:
		return p.OutOfComplianceRetry
	case AuthorizationExpired:
		return p.AuthExpiredRetry
	}
	return 0
}
