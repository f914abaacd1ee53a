package agent

import (
	"time"

	"github.com/slsim/slsim/internal/agentcore"
)

// Day is 24 hours. Smart Licensing timers count days of 24 hours: the captures
// show "Registration Expires" crossing a leap day (May 10 2023 → May 09 2024).
const Day = 24 * time.Hour

// Source tags say where a profile value comes from (docs/agent.md, Timers,
// gives each value with its tag).
const (
	SourceSeed    = "seed"    // the field guide: a Cisco TAC troubleshooting guide to smart licensing on Catalyst switches (its scenarios: docs/scenarios.md)
	SourceCapture = "capture" // real device output (ios/testdata/captures)
	SourceDoc     = "doc"     // Cisco documentation, MIBs, YANG
	SourceModel   = "model"   // no public source fixes it: slsim's choice
)

// Profile holds every timer and retry setting of the agent. DefaultProfile
// gives the documented values; a user may override any of them (Validate
// says whether the result is coherent). The table of values with their
// sources is ProfileFields, rendered in docs/agent.md.
type Profile struct {
	// EvalPeriod is the evaluation period: time of use, not calendar time.
	EvalPeriod time.Duration `json:"evalPeriod"`
	// EvalWarnings are the remaining-eval thresholds at which
	// EVAL_WILL_EXPIRE_WARNING is logged, in any order.
	EvalWarnings []time.Duration `json:"evalWarnings"`
	// EvalExpiredRenotify is how often EVAL_EXPIRED is logged again while
	// the device stays in EVAL EXPIRED with licenses in use; 0 disables it.
	EvalExpiredRenotify time.Duration `json:"evalExpiredRenotify"`
	// IDCertValidity is the ID certificate's lifetime from its start time.
	IDCertValidity time.Duration `json:"idCertValidity"`
	// IDRenewAfter is how long after a successful registration or ID renewal
	// the agent first tries to renew the ID certificate.
	IDRenewAfter time.Duration `json:"idRenewAfter"`
	// AuthRenewAfter is how long after a successful AUTHORIZED answer the
	// agent asks again (Next Communication Attempt).
	AuthRenewAfter time.Duration `json:"authRenewAfter"`
	// AuthValidity is added to the back end's authorization time to give the
	// Communication Deadline.
	AuthValidity time.Duration `json:"authValidity"`
	// OutOfComplianceRetry is the next attempt after an OUT OF COMPLIANCE answer.
	OutOfComplianceRetry time.Duration `json:"outOfComplianceRetry"`
	// AuthExpiredRetry is the cadence of requests while AUTHORIZATION EXPIRED.
	AuthExpiredRetry time.Duration `json:"authExpiredRetry"`
	// CommRetryFirst is the first retry after a failed communication; each
	// further failure doubles it up to CommRetryMax, and never past the
	// state's normal schedule.
	CommRetryFirst time.Duration `json:"commRetryFirst"`
	// CommRetryMax caps the communication back-off.
	CommRetryMax time.Duration `json:"commRetryMax"`
	// RegRetry and RegRetryJitter give the next registration attempt after a
	// failure that is retried: RegRetry plus a seeded draw in [0, RegRetryJitter].
	RegRetry       time.Duration `json:"regRetry"`
	RegRetryJitter time.Duration `json:"regRetryJitter"`
	// ReplyWait and ReplyWaitJitter give how long a request stays PENDING
	// ("Waiting for reply") before the agent sends it again.
	ReplyWait       time.Duration `json:"replyWait"`
	ReplyWaitJitter time.Duration `json:"replyWaitJitter"`
	// FirstAuthDelay is the gap between a successful registration and the
	// first authorization request.
	FirstAuthDelay time.Duration `json:"firstAuthDelay"`
}

// DefaultEvalWarnings are the thresholds of the YANG model's eval-expiry
// notifications: 60, 30, 21, 14 and 7 days before expiry, daily in the last
// week, hourly in the last day.
func DefaultEvalWarnings() []time.Duration {
	w := []time.Duration{60 * Day, 30 * Day, 21 * Day, 14 * Day, 7 * Day}
	for d := 6; d >= 1; d-- {
		w = append(w, time.Duration(d)*Day)
	}
	for h := 23; h >= 1; h-- {
		w = append(w, time.Duration(h)*time.Hour)
	}
	return w
}

// DefaultProfile returns the documented defaults.
func DefaultProfile() Profile {
	return Profile{
		EvalPeriod:           90 * Day,
		EvalWarnings:         DefaultEvalWarnings(),
		EvalExpiredRenotify:  time.Hour,
		IDCertValidity:       365 * Day,
		IDRenewAfter:         180 * Day,
		AuthRenewAfter:       30 * Day,
		AuthValidity:         90 * Day,
		OutOfComplianceRetry: 12 * time.Hour,
		AuthExpiredRetry:     time.Hour,
		CommRetryFirst:       30 * time.Second,
		CommRetryMax:         time.Hour,
		RegRetry:             15 * time.Minute,
		RegRetryJitter:       5 * time.Minute,
		ReplyWait:            15 * time.Minute,
		ReplyWaitJitter:      5 * time.Minute,
		FirstAuthDelay:       4 * time.Second,
	}
}

// ProfileField describes one profile value for documentation.
type ProfileField struct {
	Name    string        // Go field name
	Default time.Duration // value in DefaultProfile (0 for lists)
	Source  string        // SourceSeed, SourceCapture, SourceDoc or SourceModel
	Note    string        // what it is and what the source shows
}

// ProfileFields lists every timer with its default and source, in the
// order of docs/agent.md's timer table.
func ProfileFields() []ProfileField {
	p := DefaultProfile()
	return []ProfileField{
		{"EvalPeriod", p.EvalPeriod, SourceSeed, "evaluation period, counted only while licenses are in use and the device is not authorized"},
		{"EvalWarnings", 0, SourceDoc, "EVAL_WILL_EXPIRE_WARNING at 60, 30, 21, 14, 7 days left, daily in the last week, hourly in the last day (YANG)"},
		{"EvalExpiredRenotify", p.EvalExpiredRenotify, SourceDoc, "EVAL_EXPIRED logged again while still in use and unregistered"},
		{"IDCertValidity", p.IDCertValidity, SourceSeed, "Registration Expires = certificate start + this (captures: crosses leap days)"},
		{"IDRenewAfter", p.IDRenewAfter, SourceSeed, "Next Renewal Attempt = registration (or renewal) + this"},
		{"AuthRenewAfter", p.AuthRenewAfter, SourceSeed, "Next Communication Attempt after AUTHORIZED"},
		{"AuthValidity", p.AuthValidity, SourceSeed, "Communication Deadline = back-end authorization time + this"},
		{"OutOfComplianceRetry", p.OutOfComplianceRetry, SourceCapture, "Next Communication Attempt after OUT OF COMPLIANCE (seed says daily; two captures show +12 h)"},
		{"AuthExpiredRetry", p.AuthExpiredRetry, SourceSeed, "request cadence while AUTHORIZATION EXPIRED"},
		{"CommRetryFirst", p.CommRetryFirst, SourceSeed, "first retry after a failed communication (scenarios 5 and 9: +30 s)"},
		{"CommRetryMax", p.CommRetryMax, SourceModel, "cap of the doubling back-off after repeated failures"},
		{"RegRetry", p.RegRetry, SourceModel, "base of the next registration attempt after a retried failure (seed shows 16m31s, 16m49s, 20m03s)"},
		{"RegRetryJitter", p.RegRetryJitter, SourceModel, "seeded jitter added to RegRetry"},
		{"ReplyWait", p.ReplyWait, SourceModel, "base of how long a request stays PENDING before it is sent again (seed: +19m07s)"},
		{"ReplyWaitJitter", p.ReplyWaitJitter, SourceModel, "seeded jitter added to ReplyWait"},
		{"FirstAuthDelay", p.FirstAuthDelay, SourceCapture, "registration success → first authorization request (captures: +4 s)"},
	}
}

// Validate reports the first incoherent value: a timer that is not
// positive, a renewal scheduled after its own expiry, a retry cap below the
// first retry, or an eval warning outside the eval period.
func (p Profile) Validate() error { return agentcore.Profile(p).Validate() }
