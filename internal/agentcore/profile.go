package agentcore

import (
	"errors"
	"fmt"
	"math"
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
	positive := []namedPeriod{
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
	for _, f := range append(positive, nonNegative(p)...) {
		if f.v > MaxPeriod {
			return fmt.Errorf("profile: %s must be at most 3650 days, got %v", f.name, f.v)
		}
	}
	for _, f := range nonNegative(p) {
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

type namedPeriod struct {
	name string
	v    time.Duration
}

func nonNegative(p Profile) []namedPeriod {
	return []namedPeriod{
		{"EvalExpiredRenotify", p.EvalExpiredRenotify}, {"RegRetryJitter", p.RegRetryJitter},
		{"ReplyWaitJitter", p.ReplyWaitJitter}, {"FirstAuthDelay", p.FirstAuthDelay},
	}
}

// Prepared is a validated profile, ready to be shared by many agents (it
// must not change afterwards).
type Prepared struct {
	Profile
	warnings []time.Duration // EvalWarnings sorted, longest first, without repeats
	// The instants an agent on this profile holds: a deadline is at most
	// the longest period ahead of its clock, and an answer's time is
	// compared with its clock less a period, so neither may leave int64.
	minNow, maxNow int64
}

// MaxPeriod bounds every timer of a profile (ten years of 365 days).
const MaxPeriod = 3650 * 24 * time.Hour

// Longest is the profile's longest period: how far ahead of its clock an
// agent may set a deadline (a period plus its jitter).
func (p *Prepared) Longest() time.Duration {
	return max(p.EvalPeriod, p.EvalExpiredRenotify, p.IDCertValidity, p.IDRenewAfter, p.AuthRenewAfter,
		p.AuthValidity, p.OutOfComplianceRetry, p.AuthExpiredRetry, p.CommRetryMax, p.RegRetry+p.RegRetryJitter,
		p.ReplyWait+p.ReplyWaitJitter, p.FirstAuthDelay)
}

// Holds reports whether an agent on this profile can be at instant t.
func (p *Prepared) Holds(t int64) bool { return t >= p.minNow && t <= p.maxNow }

// checkTime refuses an instant an agent on this profile cannot be at.
func (p *Prepared) checkTime(t int64) error {
	if p.Holds(t) {
		return nil
	}
	return fmt.Errorf("%w: %s (on this profile: %s to %s)", ErrBadTime, rfc3339(t), rfc3339(p.minNow), rfc3339(p.maxNow))
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
	prep := &Prepared{Profile: p, warnings: slices.Compact(w)}
	margin := int64(prep.Longest()) + 1
	prep.minNow, prep.maxNow = math.MinInt64+margin, math.MaxInt64-margin
	return prep, nil
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
