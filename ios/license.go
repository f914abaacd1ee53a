package ios

import (
	"fmt"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/stackwise"
)

// writer collects lines; an empty line holds the view's Blank.
type writer struct {
	b     strings.Builder
	blank string
}

func (w *writer) line(format string, a ...any) {
	if format == "" {
		w.b.WriteString(w.blank + "\n")
		return
	}
	fmt.Fprintf(&w.b, format+"\n", a...)
}

func (w *writer) String() string { return w.b.String() }

// ShowLicenseStatus renders `show license status` for the view.
func (v View) ShowLicenseStatus() string { return ShowLicenseStatus(v.Status, v.status()) }

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// exportWordSummary: `show license summary` on 16.9 prints "Allowed" / "Not Allowed".
func exportWordSummary(s agent.Status) string {
	if s.ExportControlled {
		return "Allowed"
	}
	return "Not Allowed"
}

// ShowLicenseSummary renders `show license summary` from the view.
func (v View) ShowLicenseSummary() string { return ShowLicenseSummary(v.Status, v.status()) }

// ShowLicenseSummary renders `show license summary` as the 16.9 captures
// print it: the registration without most dates, the authorization status
// without "on <date>", and the usage table — names cut to 20 characters and
// "...", tags to 22, counts right-aligned; no names in EVAL MODE. Like
// ShowLicenseStatus it needs only the agent's status (and, in info, the
// device clock).
func ShowLicenseSummary(s agent.Status, info StatusInfo) string {
	w := &writer{blank: info.Blank}
	w.line("Smart Licensing is ENABLED")
	w.line("")
	w.line("Registration:")
	w.line("  Status: %s", s.Registration)
	if s.SmartAccount != "" {
		w.line("  Smart Account: %s", s.SmartAccount)
	}
	if s.VirtualAccount != "" && s.Registered() {
		w.line("  Virtual Account: %s", s.VirtualAccount)
	}
	w.line("  Export-Controlled Functionality: %s", exportWordSummary(s))
	if s.Registered() {
		w.line("  Last Renewal Attempt: %s", attemptShort(s.LastRenewal))
		w.line("  Next Renewal Attempt: %s", info.Clock.Format(s.NextRenewalAttempt))
	}
	w.line("")
	w.b.WriteString(authorizationBlock(s, info.Clock, false, info.Blank))
	w.line("")
	w.line("License Usage:")
	if len(s.Entitlements) == 0 {
		w.line("  No licenses in use")
		return w.String()
	}
	w.line("  %-23s %-29s %5s %s", "License", "Entitlement tag", "Count", "Status")
	w.line("  %s", strings.Repeat("-", 77))
	for _, e := range s.Entitlements {
		w.line("  %-23s %-29s %5d %s", cut(e.Name, 23), "("+cut(e.Tag, 25)+")", e.Count, e.Status)
	}
	return w.String()
}

func attemptShort(a agent.Attempt) string {
	if a.Result == agent.ResultNone {
		return "None"
	}
	return a.Result.String()
}

func authorizationBlock(s agent.Status, c Clock, full bool, blank string) string {
	var b strings.Builder
	writeAuthorization(&b, s, c, full)
	_ = blank
	return b.String()
}

// ShowLicenseAll renders `show license all` (classic agent).
func (v View) ShowLicenseAll() string {
	s := v.Status
	w := &writer{blank: v.Blank}
	w.line("Smart Licensing Status")
	w.line("======================")
	w.line("")
	w.line("Smart Licensing is ENABLED")
	w.line("")
	var reg strings.Builder
	writeRegistration(&reg, s, v.Clock, true)
	w.b.WriteString(reg.String())
	w.line("")
	w.b.WriteString(authorizationBlock(s, v.Clock, true, v.Blank))
	w.line("")
	w.line("Export Authorization Key:")
	w.line("  Features Authorized:")
	w.line("    <none>")
	w.line("")
	w.line("Utility:")
	w.line("  Status: DISABLED")
	w.line("")
	w.line("Data Privacy:")
	w.line("  Sending Hostname: yes")
	w.line("    Callhome hostname privacy: DISABLED")
	w.line("    Smart Licensing hostname privacy: DISABLED")
	w.line("  Version privacy: DISABLED")
	w.line("")
	w.line("Transport:")
	w.line("  Type: Callhome")
	w.line("")
	w.line("License Usage")
	w.line("==============")
	w.line("")
	v.usageBlocks(w)
	w.line("Product Information")
	w.line("===================")
	w.line("UDI: %s", s.UDI)
	if ha := v.Topology.HAList(); len(ha) > 1 {
		w.line("")
		w.line("HA UDI List:")
		for _, m := range ha {
			w.line("    %s:%s", m.Role, m.UDI)
		}
	}
	w.line("")
	w.line("Agent Version")
	w.line("=============")
	av := v.AgentVersion
	if av == "" {
		av = AgentVersion
	}
	w.line("Smart Agent for Licensing: %s", av)
	w.line("")
	w.line("Reservation Info")
	w.line("================ ")
	w.line("License reservation: DISABLED")
	w.line("")
	w.line("")
	w.line("")
	return w.String()
}

// usageBlocks writes one block per license in use, or "No licenses in use".
func (v View) usageBlocks(w *writer) {
	s := v.Status
	if len(s.Entitlements) == 0 {
		w.line("No licenses in use")
		w.line("")
		return
	}
	for _, e := range s.Entitlements {
		name := e.Name
		if name == "" {
			name = e.Tag
		}
		desc := e.Description
		if desc == "" {
			desc = e.Tag
		}
		w.line("%s (%s):", name, e.Tag)
		w.line("  Description: %s", desc)
		w.line("  Count: %d", e.Count)
		w.line("  Version: 1.0")
		w.line("  Status: %s", e.Status)
		w.line("  Export status: NOT RESTRICTED")
		w.line("")
	}
}

// ShowLicenseUsage renders `show license usage`.
func (v View) ShowLicenseUsage() string {
	w := &writer{blank: v.Blank}
	w.b.WriteString(authorizationBlock(v.Status, v.Clock, true, v.Blank))
	w.line("")
	v.usageBlocks(w)
	return w.String()
}

// ShowLicenseUDI renders `show license udi`, with the HA list of a stack,
// chassis or StackWise Virtual pair.
func (v View) ShowLicenseUDI() string {
	w := &writer{blank: v.Blank}
	w.line("UDI: %s", v.Status.UDI)
	if ha := v.Topology.HAList(); len(ha) > 1 {
		w.line("")
		w.line("HA UDI List:")
		for _, m := range ha {
			w.line("    %s:%s", m.Role, m.UDI)
		}
	}
	return w.String()
}

// ShowLicenseEventlog renders `show license eventlog`: the smart-licensing
// events, newest last, as "<date> <event> <details>". [model layout]
func (v View) ShowLicenseEventlog() string {
	w := &writer{blank: v.Blank}
	w.line(" **** Event Log ****")
	for _, l := range v.Logs {
		name, detail, ok := eventlogEntry(l.Line)
		if !ok {
			continue
		}
		w.line("%s %s %s", v.Clock.Local(l.Line.Time).Format("2006-01-02 15:04:05.000 MST"), name, detail)
	}
	return w.String()
}

// eventlogEntry turns a log line into an event-log entry: SAEVT lines as
// they are, SMART_LIC syslog lines as SAEVT_<mnemonic> with their text.
func eventlogEntry(l agent.LogEvent) (string, string, bool) {
	switch {
	case l.EventLog:
		return l.Mnemonic, l.Text, true
	case l.Facility == "SMART_LIC":
		return "SAEVT_" + l.Mnemonic, `text="` + l.Text + `"`, true
	}
	return "", "", false
}

// remaining prints a duration as genieparser's tech-support captures do:
// "23 hours, 49 minutes, 45 seconds remaining", leading zero units left out.
func remaining(d time.Duration) string {
	if d < 0 {
		return "Expired"
	}
	s := int64(d / time.Second)
	parts := []struct {
		n    int64
		unit string
	}{{s / 86400, "days"}, {s / 3600 % 24, "hours"}, {s / 60 % 60, "minutes"}, {s % 60, "seconds"}}
	var out []string
	for _, p := range parts {
		if len(out) == 0 && p.n == 0 && p.unit != "seconds" {
			continue
		}
		out = append(out, fmt.Sprintf("%d %s", p.n, p.unit))
	}
	return strings.Join(out, ", ") + " remaining"
}

// ShowLicenseTechSupport renders `show license tech support`: the status
// and the upcoming scheduled jobs of the agent.
func (v View) ShowLicenseTechSupport() string {
	s := v.Status
	w := &writer{blank: v.Blank}
	w.line("Smart Licensing Tech Support info")
	w.line("")
	w.b.WriteString(v.ShowLicenseStatus())
	w.line("")
	w.line("Evaluation Period Remaining: %s", agent.FormatRemaining(s.EvalRemaining))
	w.line("")
	w.line("License Usage")
	w.line("=============")
	for i, e := range s.Entitlements {
		ent, _ := stackwise.LookupEntitlement(e.Tag)
		full := ent.FullTag
		if full == "" {
			full = e.Tag
		}
		w.line("Handle: %d", i+1)
		name, desc := e.Name, e.Description
		if name == "" {
			name = e.Tag
		}
		if desc == "" {
			desc = e.Tag
		}
		w.line("  License: %s", name)
		w.line("  Entitlement tag: %s", full)
		w.line("  Description: %s", desc)
		w.line("  Count: %d", e.Count)
		w.line("  Version: 1.0")
		w.line("  Status: %s", e.Status)
		w.line("  Export status: NOT RESTRICTED")
		w.line("  Feature Name: %s", ent.Feature())
		w.line("  License type: %s", ent.Kind())
		w.line("")
	}
	w.line("Upcoming Scheduled Jobs:")
	w.line("  Current time: %s", v.Clock.Format(v.Now))
	job := func(name string, t time.Time) {
		if t.IsZero() {
			w.line("  %s: Expired Not Rescheduled", name)
			return
		}
		w.line("  %s: %s (%s)", name, v.Clock.Format(t), remaining(t.Sub(v.Now)))
	}
	job("Authorization Renewal", s.NextCommunicationAttempt)
	job("Authorization Expiration", s.CommunicationDeadline)
	job("Register Retry", s.NextRegistrationAttempt)
	job("ID Certificate Renewal", s.NextRenewalAttempt)
	job("ID Certificate Expiration", s.RegistrationExpires)
	var evalEnd time.Time
	if s.EvalRunning {
		evalEnd = v.Now.Add(s.EvalRemaining)
	}
	job("Evaluation Expiration", evalEnd)
	w.line("")
	w.line("Product Information")
	w.line("===================")
	w.line("UDI: %s", s.UDI)
	return w.String()
}
