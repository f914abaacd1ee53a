package agent

import (
	"fmt"
	"time"

	"github.com/slsim/slsim/license"
)

// LogEvent is one line the agent logs: a syslog message (facility, severity,
// mnemonic, text) or, with EventLog set, an entry of `show license eventlog`.
type LogEvent struct {
	Time     time.Time `json:"time"`
	Facility string    `json:"facility"`
	Severity int       `json:"severity"`
	Mnemonic string    `json:"mnemonic"`
	Text     string    `json:"text"`
	EventLog bool      `json:"eventLog,omitempty"`
}

// Message formats the event without its timestamp, as IOS prints it after
// the time: "%SMART_LIC-5-EVAL_START: Entering evaluation period". Event-log
// entries print as "SAEVT_… text".
func (e LogEvent) Message() string {
	if e.EventLog {
		return e.Mnemonic + " " + e.Text
	}
	return fmt.Sprintf("%%%s-%d-%s: %s", e.Facility, e.Severity, e.Mnemonic, e.Text)
}

// The IOS mnemonics the agent logs. Texts and sources are in logText and
// docs/agent.md.
const (
	MnEvalStart         = "EVAL_START"
	MnEvalWillExpire    = "EVAL_WILL_EXPIRE_WARNING"
	MnEvalExpired       = "EVAL_EXPIRED"
	MnExportControlled  = "EXPORT_CONTROLLED"
	MnRegSuccess        = "AGENT_REG_SUCCESS"
	MnRegFailed         = "AGENT_REG_FAILED"
	MnCommFailed        = "COMM_FAILED"
	MnCommRestored      = "COMM_RESTORED"
	MnInCompliance      = "IN_COMPLIANCE"
	MnOutOfCompliance   = "OUT_OF_COMPLIANCE"
	MnAuthRenewSuccess  = "AUTH_RENEW_SUCCESS"
	MnAuthRenewFailed   = "AUTH_RENEW_FAILED"
	MnAuthExpired       = "AUTH_EXPIRED"
	MnIDCertRenewOK     = "ID_CERT_RENEW_SUCCESS"
	MnIDCertRenewFailed = "ID_CERT_RENEW_FAILED"
	MnIDCertExpired     = "ID_CERT_EXPIRED"
	MnDeregisterStatus  = "SAEVT_DEREGISTER_STATUS"
)

const smartLic = "SMART_LIC"

// MaxPendingLogs bounds the log events an agent keeps until TakeLogs:
// a caller that never takes them loses the oldest, as a logging buffer
// does, instead of memory. [model]
const MaxPendingLogs = 4096

func (a *Agent) log(sev int, mn, text string) {
	a.keep(LogEvent{Time: a.at, Facility: smartLic, Severity: sev, Mnemonic: mn, Text: text})
}

func (a *Agent) eventLog(mn, text string) {
	a.keep(LogEvent{Time: a.at, Facility: smartLic, Mnemonic: mn, Text: text, EventLog: true})
}

func (a *Agent) keep(e LogEvent) {
	if len(a.logs) >= MaxPendingLogs+MaxPendingLogs/4 { // dropped in batches: amortised O(1)
		a.logs = append(a.logs[:0], a.logs[len(a.logs)-MaxPendingLogs+1:]...)
	}
	a.logs = append(a.logs, e)
}

const cssmOrSat = "the Cisco Smart Software Manager or satellite"

// The texts, as docs/agent.md (Log texts) lists them with their sources;
// [model] where no source fixes one.
func (a *Agent) logEvalStart() { a.log(5, MnEvalStart, "Entering evaluation period") }

// [model] text.
func (a *Agent) logEvalWarning(left time.Duration) {
	a.log(4, MnEvalWillExpire, "Evaluation period will expire in "+FormatRemaining(left)+".")
}

// [model] text; the mnemonic is [seed].
func (a *Agent) logEvalExpired() { a.log(3, MnEvalExpired, "Evaluation period expired") }

func (a *Agent) logExportControlled(allowed bool) {
	if allowed {
		a.log(6, MnExportControlled, "Usage of export controlled features is allowed")
		return
	}
	a.log(6, MnExportControlled, "Usage of export controlled features is not allowed")
}

func (a *Agent) logRegSuccess() {
	a.log(6, MnRegSuccess, "Smart Agent for Licensing Registration with "+cssmOrSat+" for udi "+a.udi.String())
}

func (a *Agent) logRegFailed(reason string) {
	a.log(3, MnRegFailed, "Smart Agent for Licensing Registration with "+cssmOrSat+" failed: "+reason)
}

func (a *Agent) logCommFailed(reason string) {
	a.log(3, MnCommFailed, "Communications failure with "+cssmOrSat+": "+reason)
}

// [model] text; the mnemonic is [spec].
func (a *Agent) logCommRestored() {
	a.log(5, MnCommRestored, "Communications with "+cssmOrSat+" restored")
}

func (a *Agent) logInCompliance() {
	a.log(5, MnInCompliance, "All entitlements and licenses in use on this device are authorized")
}

func (a *Agent) logOutOfCompliance() {
	a.log(3, MnOutOfCompliance, "One or more entitlements are out of compliance.")
}

func (a *Agent) logAuthRenewSuccess() {
	a.log(6, MnAuthRenewSuccess, "Authorization renewal with "+cssmOrSat+". State=Authorized for udi "+a.udi.String())
}

// logAuthRenewFailed follows the seed: a transport failure reads "…or
// satellite: Communication message send error for udi …" (scenario 5), an
// error from the back end "… (CSSM) : Error received from Smart Software
// Manager: <reason> for udi …" (scenario 9).
func (a *Agent) logAuthRenewFailed(f license.Failure) {
	if f.Class.FromTransport() {
		a.log(3, MnAuthRenewFailed, "Authorization renewal with "+cssmOrSat+": Communication message send error for udi "+a.udi.String())
		return
	}
	a.log(3, MnAuthRenewFailed, "Authorization renewal with the Cisco Smart Software Manager (CSSM) : Error received from Smart Software Manager: "+f.Reason+" for udi "+a.udi.String())
}

// [model] mnemonic and text.
func (a *Agent) logAuthExpired() {
	a.log(3, MnAuthExpired, "Authorization expired for all entitlements in use on udi "+a.udi.String())
}

// [model] text.
func (a *Agent) logIDRenewOK() {
	a.log(6, MnIDCertRenewOK, "Identity certificate renewal with "+cssmOrSat+" succeeded for udi "+a.udi.String())
}

// [model] text.
func (a *Agent) logIDRenewFailed(reason string) {
	a.log(3, MnIDCertRenewFailed, "Identity certificate renewal with "+cssmOrSat+" failed: "+reason)
}

func (a *Agent) logIDCertExpired() {
	a.log(3, MnIDCertExpired, "Identity certificate expired. Agent will transition to the unidentified (not registered) state.")
}

// [seed scenario 6] event-log entry.
func (a *Agent) logInvalidData(reason string) {
	a.eventLog(MnDeregisterStatus, `msgStatus="LS_INVALID_DATA" error="`+reason+`"`)
}

// FormatRemaining prints a duration the way `show license` prints the eval
// period remaining: "71 days, 22 hours, 1 minutes, 59 seconds" (no singular
// forms; seconds truncated).
func FormatRemaining(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	return fmt.Sprintf("%d days, %d hours, %d minutes, %d seconds", s/86400, s/3600%24, s/60%60, s%60)
}
