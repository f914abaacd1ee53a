package ios

import (
	"fmt"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/device"
)

// Clock is how a device shows time: its offset from true time and its
// zone (`clock timezone`).
type Clock struct {
	Offset time.Duration  // device clock − true time
	Zone   *time.Location // nil: UTC
}

// Local is a true instant as the device's clock reads it.
func (c Clock) Local(t time.Time) time.Time {
	z := c.Zone
	if z == nil {
		z = time.UTC
	}
	return t.Add(c.Offset).In(z)
}

// Format prints a true instant on the device's clock: "Sep 09 08:09:23 2024 UTC".
func (c Clock) Format(t time.Time) string {
	return c.Local(t).Format("Jan 02 15:04:05 2006 MST")
}

// StatusInfo is what `show license status` prints besides the agent's
// status: the transport and the device clock.
type StatusInfo struct {
	Clock Clock
	// Transport is the "Type:" of the Transport block; "Callhome" when empty.
	Transport string
	// Blank is the content of empty lines ("" or " ", see View.Blank).
	Blank string
	// Conversion, on a 3650/3850, adds the License Conversion block.
	Conversion *device.Conversion
}

func attempt(c Clock, a agent.Attempt) string {
	if a.Result == agent.ResultNone {
		return "None"
	}
	return a.Result.String() + " on " + c.Format(a.At)
}

// ShowLicenseStatus renders `show license status` for classic Smart
// Licensing, as the ntc-templates capture prints it.
func ShowLicenseStatus(s agent.Status, info StatusInfo) string {
	var b strings.Builder
	line := func(format string, a ...any) {
		if format == "" {
			format = info.Blank
		}
		fmt.Fprintf(&b, format+"\n", a...)
	}
	transport := info.Transport
	if transport == "" {
		transport = "Callhome"
	}
	line("Smart Licensing is ENABLED")
	line("")
	line("Utility:")
	line("  Status: DISABLED")
	line("")
	if c := info.Conversion; c != nil {
		line("License Conversion:")
		line("  Automatic Conversion Enabled: False")
		switch {
		case c.At.IsZero():
			line("  Status: %s", c.Status)
		default:
			line("  Status: %s on %s", c.Status, info.Clock.Format(c.At))
		}
		if c.Reason != "" {
			line("    Failure reason: %s", c.Reason)
		}
		line("")
	}
	line("Data Privacy:")
	line("  Sending Hostname: yes")
	line("    Callhome hostname privacy: DISABLED")
	line("    Smart Licensing hostname privacy: DISABLED")
	line("  Version privacy: DISABLED")
	line("")
	line("Transport:")
	line("  Type: %s", transport)
	line("")
	writeRegistration(&b, s, info.Clock, true)
	line("")
	writeAuthorization(&b, s, info.Clock, true)
	line("")
	line("Export Authorization Key:")
	line("  Features Authorized:")
	line("    <none>")
	return b.String()
}

func exportWord(s agent.Status) string {
	if s.ExportControlled {
		return "ALLOWED"
	}
	return "NOT ALLOWED"
}

// writeRegistration writes the Registration block; full adds the dates
// that `show license summary` leaves out.
func writeRegistration(b *strings.Builder, s agent.Status, c Clock, full bool) {
	line := func(format string, a ...any) { fmt.Fprintf(b, format+"\n", a...) }
	line("Registration:")
	line("  Status: %s", s.Registration)
	if s.SmartAccount != "" {
		line("  Smart Account: %s", s.SmartAccount)
	}
	if s.VirtualAccount != "" && s.Registered() {
		line("  Virtual Account: %s", s.VirtualAccount)
	}
	line("  Export-Controlled Functionality: %s", exportWord(s))
	if full && s.InitialRegistration.Result != agent.ResultNone {
		line("  Initial Registration: %s", attempt(c, s.InitialRegistration))
		if s.InitialRegistration.Result == agent.ResultFailed {
			line("    Failure reason: %s", s.InitialRegistration.Reason)
		}
	}
	if full && !s.NextRegistrationAttempt.IsZero() {
		line("  Next Registration Attempt: %s", c.Format(s.NextRegistrationAttempt))
	}
	if s.Registered() {
		line("  Last Renewal Attempt: %s", attempt(c, s.LastRenewal))
		if s.LastRenewal.Result == agent.ResultFailed {
			line("    Failure reason: %s", s.LastRenewal.Reason)
		}
		line("  Next Renewal Attempt: %s", c.Format(s.NextRenewalAttempt))
		if full {
			line("  Registration Expires: %s", c.Format(s.RegistrationExpires))
		}
	}
}

// writeAuthorization writes the License Authorization block (with its
// trailing space); full adds the dates.
func writeAuthorization(b *strings.Builder, s agent.Status, c Clock, full bool) {
	line := func(format string, a ...any) { fmt.Fprintf(b, format+"\n", a...) }
	line("License Authorization: ")
	switch s.Authorization {
	case agent.AuthEvalMode, agent.AuthEvalExpired, agent.AuthNoLicenses:
		line("  Status: %s", s.Authorization)
		if s.Authorization == agent.AuthEvalMode {
			line("  Evaluation Period Remaining: %s", agent.FormatRemaining(s.EvalRemaining))
		}
		return
	}
	if full {
		line("  Status: %s on %s", s.Authorization, c.Format(s.AuthorizationSince))
	} else {
		line("  Status: %s", s.Authorization)
	}
	comm := s.LastCommunication
	if full {
		line("  Last Communication Attempt: %s", attempt(c, comm))
	} else {
		line("  Last Communication Attempt: %s", comm.Result)
	}
	if comm.Result == agent.ResultFailed || comm.Result == agent.ResultPending {
		line("    Failure reason: %s", comm.Reason)
	}
	line("  Next Communication Attempt: %s", c.Format(s.NextCommunicationAttempt))
	if full && !s.CommunicationDeadline.IsZero() {
		line("  Communication Deadline: %s", c.Format(s.CommunicationDeadline))
	}
}
