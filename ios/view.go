package ios

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/sim"
	"github.com/slsim/slsim/stackwise"
)

// AgentVersion is what `show license all` prints as the Smart Agent's
// version on the simulated IOS-XE 17.3.1. [model]
const AgentVersion = "4.13.11_rel/45"

// View is everything the show commands print about one device at one time.
type View struct {
	Now           time.Time
	Status        agent.Status
	Clock         Clock
	Authoritative bool
	Topology      stackwise.Device
	Running       device.Config
	Startup       device.Config
	// Logs is the device's logging buffer, oldest first (filled by the
	// console for the commands that print it), and LogBuffer its size in
	// bytes.
	Logs      []sim.LogLine
	LogBuffer int
	// Blank is what an empty line of `show license` holds: "" on the
	// switches the captures come from, " " in the genieparser captures.
	Blank string
	// AgentVersion is printed by `show license all` (AgentVersion when empty).
	AgentVersion string
	// Conversion is the device's license conversion (3650/3850).
	Conversion device.Conversion
	// ConversionLines are the traditional licenses the device would
	// convert (device.ConversionLines; none on a Catalyst 9000).
	ConversionLines []license.Usage
}

// ViewOf builds the view of a device of a world at the world's time.
func ViewOf(w *sim.World, name string) (View, error) {
	d, ok := w.Device(name)
	if !ok {
		return View{}, fmt.Errorf("no device %q", name)
	}
	off, auth := d.Clock()
	run := d.Running()
	v := View{Now: w.Now(), Status: d.Agent().Status(), Clock: Clock{Offset: off, Zone: run.Zone()}, Authoritative: auth,
		Topology: d.Topology(), Running: run, Startup: d.Startup(), Conversion: d.Conversion(),
		ConversionLines: d.ConversionLines(), LogBuffer: w.LogBufferSize(name)}
	return v, nil
}

// ViewWithLogs is ViewOf with the device's logging buffer, for the
// commands that print it.
func ViewWithLogs(w *sim.World, name string) (View, error) {
	v, err := ViewOf(w, name)
	if err == nil {
		v.Logs = w.Logs(name)
	}
	return v, err
}

// Syslog formats a line of the console's own (not from the buffer) as the
// console prints it now: "*Mar  4 10:00:00.000: text", with '*' while the
// clock is not authoritative.
func (v View) Syslog(t time.Time, text string) string {
	return device.FormatStamp(v.Clock.Local(t), v.Authoritative) + ": " + text
}

// unsynced is the '*' IOS puts before times while its clock is not
// authoritative.
func (v View) unsynced() string {
	if v.Authoritative {
		return ""
	}
	return "*"
}

// ShowClock renders `show clock`: "*10:00:00.000 UTC Mon Mar 4 2024".
func (v View) ShowClock() string {
	return v.unsynced() + v.Clock.Local(v.Now).Format("15:04:05.000 MST Mon Jan 2 2006") + "\n"
}

// ShowClockDetail renders `show clock detail`: the time, then where it
// comes from — "Time source is NTP" once NTP has set the clock, "Time
// source is hardware calendar" with `clock calendar-valid`, "No time
// source" otherwise. [model: IOS's wordings, as the Cisco configuration
// guides show them]
func (v View) ShowClockDetail() string {
	source := "No time source"
	switch {
	case v.Authoritative && !v.Running.CalendarValid:
		source = "Time source is NTP"
	case v.Running.CalendarValid:
		source = "Time source is hardware calendar"
	}
	return v.ShowClock() + source + "\n"
}

// ShowLogging renders the device's syslog lines (`show logging`, the buffer part).
func (v View) ShowLogging() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited, 0 flushes, 0 overruns, xml disabled, filtering disabled)\n\n")
	if v.LogBuffer < 0 { // no logging buffered
		return b.String()
	}
	fmt.Fprintf(&b, "Log Buffer (%d bytes):\n\n", v.LogBuffer)
	for _, l := range v.Logs {
		b.WriteString(l.Text() + "\n")
	}
	return b.String()
}

func (v View) status() StatusInfo {
	info := StatusInfo{Clock: v.Clock, Blank: v.Blank}
	if v.Topology.Platform().Legacy() {
		c := v.Conversion
		info.Conversion = &c
	}
	return info
}

// ShowLicenseDataConversion renders `show license data conversion`: the
// device's traditional licenses as the JSON line that conversion tools
// read (the first element: sudi, software_tag_identifier,
// conversion_lines). A platform with nothing to convert prints nothing.
func (v View) ShowLicenseDataConversion() string {
	if len(v.ConversionLines) == 0 {
		return ""
	}
	type sudi struct {
		PID string `json:"udi_pid"`
		SN  string `json:"udi_serial_number"`
	}
	type line struct {
		Type     string `json:"conversion_type"`
		Encoding string `json:"conversion_encoding_type"`
		String   string `json:"conversion_string"`
		Count    int    `json:"conversion_count"`
	}
	type entry struct {
		SUDI  sudi   `json:"sudi"`
		Tag   string `json:"software_tag_identifier"`
		Lines []line `json:"conversion_lines"`
	}
	u := v.Status.UDI
	e := entry{SUDI: sudi{u.PID, u.SN}, Lines: []line{}}
	for _, x := range v.ConversionLines {
		ent, _ := stackwise.LookupEntitlement(x.Tag)
		if e.Tag == "" {
			e.Tag = ent.FullTag
		}
		e.Lines = append(e.Lines, line{Type: "RTU", Encoding: "plain", String: x.Tag, Count: x.Count})
	}
	data, _ := json.Marshal([]entry{e})
	return string(data) + "\n"
}
