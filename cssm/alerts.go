package cssm

import (
	"slices"
	"time"
)

// Alert severities, as CSSM's Alerts tab shows them.
const (
	SevCritical = "Critical"
	SevMajor    = "Major"
	SevMinor    = "Minor"
	SevInfo     = "Informational"
)

// Alert types of spec §4.
const (
	AlertInsufficient     = "Insufficient Licenses"
	AlertFailedToConnect  = "Product Instance Failed to Connect"
	AlertFailedToRenew    = "Product Instance Failed to Renew"
	AlertInstanceRemoved  = "Product Instance Removed"
	AlertLicensesExpiring = "Licenses Expiring"
	AlertLicensesExpired  = "Licenses Expired"
	AlertSatelliteSync    = "Satellite Synchronization Overdue"
	AlertSatelliteRemoved = "Satellite Removed"
)

// Alert is one alert: what, how bad, where from, when raised, when due
// (the date by which acting avoids the consequence), and when cleared.
type Alert struct {
	ID       int       `json:"id"`
	Severity string    `json:"severity"`
	Type     string    `json:"type"`
	Message  string    `json:"message"`
	SA       string    `json:"smartAccount"`
	VA       string    `json:"virtualAccount,omitempty"`
	Source   string    `json:"source"` // the product instance, license or satellite concerned
	Tag      string    `json:"tag,omitempty"`
	Raised   time.Time `json:"raised"`
	Due      time.Time `json:"due"`
	Cleared  time.Time `json:"cleared"`
	key      string
}

// Active reports whether the alert has not been cleared.
func (a Alert) Active() bool { return a.Cleared.IsZero() }

// raise opens an alert under key, or refreshes the message of the open one.
func (r *registry) raise(key string, a Alert) {
	if open, ok := r.active[key]; ok {
		open.Message, open.Due = a.Message, a.Due
		return
	}
	a.ID, a.Raised, a.key = r.nextAlrt, r.now, key
	if a.Source == "" {
		a.Source = a.VA
	}
	r.nextAlrt++
	al := a
	r.alerts = append(r.alerts, &al)
	r.active[key] = &al
}

func (r *registry) clear(key string) {
	if open, ok := r.active[key]; ok {
		open.Cleared = r.now
		delete(r.active, key)
	}
}

// listAlerts returns copies of the alerts of an account (all accounts for
// ""), oldest first; only open ones unless all is set.
func (r *registry) listAlerts(sa string, all bool) []Alert {
	var out []Alert
	for _, a := range r.alerts {
		if (sa == "" || a.SA == sa) && (all || a.Active()) {
			out = append(out, *a)
		}
	}
	slices.SortStableFunc(out, func(a, b Alert) int { return a.ID - b.ID })
	return out
}
