package cssm

import (
	"fmt"
	"time"
)

// Day is 24 hours.
const Day = 24 * time.Hour

// Profile holds the back end's timers and limits. DefaultProfile gives the
// documented values (sources in docs/cssm.md); any may be overridden.
type Profile struct {
	// CertSkew back-dates an ID certificate's start before the registration
	// time; AuthSkew back-dates the authorization timestamp. [model: captures
	// show 3 min – 1 h]
	CertSkew time.Duration `json:"certSkew"`
	AuthSkew time.Duration `json:"authSkew"`
	// ClockTolerance is how far a registering device's clock may be off. [model]
	ClockTolerance time.Duration `json:"clockTolerance"`
	// FailedToConnectAfter raises "Product Instance Failed to Connect". [doc]
	FailedToConnectAfter time.Duration `json:"failedToConnectAfter"`
	// ConnectAlertGrace delays that alert past FailedToConnectAfter, as a
	// daily job would: a healthy device renews every 30 days and must not
	// raise it for the seconds its renewal takes. [model]
	ConnectAlertGrace time.Duration `json:"connectAlertGrace"`
	// ReleaseUsageAfter releases an instance's usage to the pool. [seed, doc]
	ReleaseUsageAfter time.Duration `json:"releaseUsageAfter"`
	// RemoveInstanceAfter removes the instance. [seed, doc]
	RemoveInstanceAfter time.Duration `json:"removeInstanceAfter"`
	// TermExpiringNotice raises "Licenses Expiring" before a term ends. [model]
	TermExpiringNotice time.Duration `json:"termExpiringNotice"`
	// AlreadyRegisteredVariants makes a known UDI registered without force
	// answer with the seed's variant texts according to the instance (see
	// alreadyRegistered) instead of the headline "Product Already
	// Registered". [model]
	AlreadyRegisteredVariants bool `json:"alreadyRegisteredVariants"`
	// TokenMaxDays bounds a token's expiresAfterDays. [model]
	TokenMaxDays int `json:"tokenMaxDays"`
	// SatelliteSyncEvery is the network-mode synchronisation period. [seed: monthly]
	SatelliteSyncEvery time.Duration `json:"satelliteSyncEvery"`
	// SatelliteSyncAlertAfter and SatelliteRemoveAfter: CSSM's alert for an
	// unsynchronised satellite and its removal. [doc]
	SatelliteSyncAlertAfter time.Duration `json:"satelliteSyncAlertAfter"`
	SatelliteRemoveAfter    time.Duration `json:"satelliteRemoveAfter"`
	// NoEventLog keeps no event log (Events lists nothing): fleets of
	// 100,000 switches do without it. [model]
	NoEventLog bool `json:"noEventLog,omitempty"`
	// KeepAllAlerts keeps every cleared alert instead of the newest
	// MaxClearedAlerts: a fleet's report lists every alert of its run.
	KeepAllAlerts bool `json:"keepAllAlerts,omitempty"`
}

// DefaultProfile returns the documented defaults.
func DefaultProfile() Profile {
	return Profile{
		CertSkew:                5 * time.Minute,
		AuthSkew:                5 * time.Minute,
		ClockTolerance:          time.Hour,
		FailedToConnectAfter:    30 * Day,
		ConnectAlertGrace:       Day,
		ReleaseUsageAfter:       90 * Day,
		RemoveInstanceAfter:     365 * Day,
		TermExpiringNotice:      90 * Day,
		TokenMaxDays:            365,
		SatelliteSyncEvery:      30 * Day,
		SatelliteSyncAlertAfter: 30 * Day,
		SatelliteRemoveAfter:    90 * Day,
	}
}

// Validate refuses incoherent profiles.
func (p Profile) Validate() error {
	for _, f := range []struct {
		name string
		v    time.Duration
	}{
		{"ClockTolerance", p.ClockTolerance}, {"FailedToConnectAfter", p.FailedToConnectAfter},
		{"ReleaseUsageAfter", p.ReleaseUsageAfter}, {"RemoveInstanceAfter", p.RemoveInstanceAfter},
		{"TermExpiringNotice", p.TermExpiringNotice}, {"SatelliteSyncEvery", p.SatelliteSyncEvery},
		{"SatelliteSyncAlertAfter", p.SatelliteSyncAlertAfter}, {"SatelliteRemoveAfter", p.SatelliteRemoveAfter},
	} {
		if f.v <= 0 {
			return fmt.Errorf("cssm profile: %s must be positive, got %v", f.name, f.v)
		}
	}
	if p.CertSkew < 0 || p.AuthSkew < 0 || p.ConnectAlertGrace < 0 {
		return fmt.Errorf("cssm profile: skews and grace must not be negative")
	}
	if !(p.FailedToConnectAfter+p.ConnectAlertGrace < p.ReleaseUsageAfter && p.ReleaseUsageAfter < p.RemoveInstanceAfter) {
		return fmt.Errorf("cssm profile: want FailedToConnectAfter + ConnectAlertGrace < ReleaseUsageAfter < RemoveInstanceAfter")
	}
	if p.SatelliteSyncAlertAfter >= p.SatelliteRemoveAfter {
		return fmt.Errorf("cssm profile: SatelliteSyncAlertAfter must be before SatelliteRemoveAfter")
	}
	if p.TokenMaxDays < 1 {
		return fmt.Errorf("cssm profile: TokenMaxDays must be at least 1")
	}
	return nil
}
