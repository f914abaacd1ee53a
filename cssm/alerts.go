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

// Alert types, as docs/cssm.md (Clean-up and alerts) lists them.
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
	Due      time.Time `json:"due,omitzero"` // zero (left out) when the alert has no due date
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
	r.alertVer++
	al := a
	r.alerts = append(r.alerts, &al)
	r.active[key] = &al
}

// MaxClearedAlerts is how many cleared alerts CSSM keeps (the newest);
// open alerts are always kept. [model]
const MaxClearedAlerts = 1000

func (r *registry) clear(key string) {
	if open, ok := r.active[key]; ok {
		open.Cleared = r.now
		delete(r.active, key)
		r.alertVer++
		if !r.prof.KeepAllAlerts && len(r.alerts)-len(r.active) > MaxClearedAlerts+MaxClearedAlerts/8 { // in batches: amortised O(1)
			r.pruneAlerts()
		}
	}
}

// pruneAlerts drops the oldest cleared alerts beyond MaxClearedAlerts.
func (r *registry) pruneAlerts() {
	drop := len(r.alerts) - len(r.active) - MaxClearedAlerts
	kept := r.alerts[:0]
	for _, a := range r.alerts {
		if drop > 0 && !a.Active() {
			drop--
			continue
		}
		kept = append(kept, a)
	}
	clear(r.alerts[len(kept):])
	r.alerts = kept
}

// alertsFrom returns copies of the alerts (open or cleared) whose ID is
// id or more, by ID.
func (r *registry) alertsFrom(id int) []Alert {
	i, _ := slices.BinarySearchFunc(r.alerts, id, func(a *Alert, id int) int { return a.ID - id })
	out := make([]Alert, 0, len(r.alerts)-i)
	for _, a := range r.alerts[i:] {
		out = append(out, *a)
	}
	return out
}

// alert returns a copy of the alert with an ID, if CSSM still keeps it.
func (r *registry) alert(id int) (Alert, bool) {
	i, ok := slices.BinarySearchFunc(r.alerts, id, func(a *Alert, id int) int { return a.ID - id })
	if !ok {
		return Alert{}, false
	}
	return *r.alerts[i], true
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
