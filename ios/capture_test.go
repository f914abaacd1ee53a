package ios_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

func capture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/captures/" + name) // sources: testdata/captures/README.md
	require.NoError(t, err)
	return string(b)
}

// registered drives an agent through a registration and its first
// authorization at the given instants.
func registered(t *testing.T, udi license.UDI, usage []license.Usage, regAt, certStart, authAt, backend time.Time, names map[string]string, sa, va string) *agent.Agent {
	t.Helper()
	a, err := agent.New(regAt.Add(-time.Hour), agent.Config{UDI: udi, Usage: usage})
	require.NoError(t, err)
	_, err = a.Register(regAt.Add(-2*time.Second), "NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgt", false)
	require.NoError(t, err)
	reg := a.TakeMessages()[0]
	require.NoError(t, a.Handle(regAt, license.RegisterReply{ID: reg.RequestID(), SmartAccount: sa, VirtualAccount: va, ExportControlled: true, CertStart: certStart}))
	require.NoError(t, a.Advance(a.NextDeadline()))
	auth := a.TakeMessages()[0].(license.Authorize)
	ans := license.AuthorizeReply{ID: auth.ID, Time: backend}
	for _, u := range auth.Usage {
		ans.Entitlements = append(ans.Entitlements, license.Entitlement{Tag: u.Tag, Name: names[u.Tag], Count: u.Count, InCompliance: true})
	}
	require.NoError(t, a.Handle(authAt, ans))
	return a
}

var c9200lStack = stackwise.Device{Name: "sw", Switches: []stackwise.Unit{{PID: "C9200L-48P-4G", SN: "JPG1"}, {PID: "C9200L-24P-4G", SN: "JPG2"}},
	Level: stackwise.Level{Base: stackwise.NetworkEssentials}, Version: stackwise.MustVersion("16.9.1")}

// The 16.9.1 playbook captures: a 2-member C9200L stack in EVAL MODE, then
// 45 s after registration. The catalogue's counting gives the captured
// requests, active unit first.
func TestSummaryCapturesColumnForColumn(t *testing.T) {
	usage, err := c9200lStack.Usage()
	require.NoError(t, err)
	require.Equal(t, []license.Usage{{Tag: "C9200L-NW-E-48", Count: 1}, {Tag: "C9200L-NW-E-24", Count: 1}}, usage)
	udi, err := c9200lStack.UDI()
	require.NoError(t, err)

	boot := at(t, "Sep 12 16:00:00 2018")
	ev, err := agent.New(boot, agent.Config{UDI: udi, Usage: usage})
	require.NoError(t, err)
	require.NoError(t, ev.Advance(boot.Add(18*agent.Day+time.Hour+58*time.Minute+time.Second)))
	v := ios.View{Now: ev.Now(), Status: ev.Status(), Topology: c9200lStack}
	assert.Equal(t, capture(t, "classic-summary-c9200l-eval.txt"), v.ShowLicenseSummary())

	names := map[string]string{"C9200L-NW-E-48": "C9200L Network Essentials", "C9200L-NW-E-24": "C9200L Network Essentials"}
	a := registered(t, udi, usage, at(t, "Sep 12 16:41:39 2018"), at(t, "Sep 12 16:36:39 2018"), at(t, "Sep 12 16:41:43 2018"), at(t, "Sep 12 16:36:43 2018"),
		names, "BU Production Test", "DNAC-Licensing")
	v = ios.View{Now: a.Now(), Status: a.Status(), Topology: c9200lStack}
	assert.Equal(t, capture(t, "classic-summary-c9200l-authorized.txt"), v.ShowLicenseSummary())
	// The same from the agent's status alone, as ShowLicenseStatus takes it.
	assert.Equal(t, capture(t, "classic-summary-c9200l-authorized.txt"), ios.ShowLicenseSummary(a.Status(), ios.StatusInfo{}))
	assert.Equal(t, capture(t, "classic-summary-c9200l-eval.txt"), ios.ShowLicenseSummary(ev.Status(), ios.StatusInfo{}))
}

// The genieparser CSR capture of `show license all`: no licenses in use,
// blank lines holding one space. The capture prints "Virtual Account:"
// without its indent (trimmed in its source); that one line is compared
// with the indent real switches print.
func TestShowLicenseAllCapture(t *testing.T) {
	want := capture(t, "classic-all-csr.txt")
	want = strings.Replace(want, "\nVirtual Account: RADKit-LMM-NA\n", "\n  Virtual Account: RADKit-LMM-NA\n", 1)
	a := registered(t, license.UDI{PID: "CSR1000V", SN: "9NZ7O74FICQ"}, nil, at(t, "Mar 13 08:09:24 2024"), at(t, "Mar 13 08:04:57 2024"),
		at(t, "Mar 13 08:09:28 2024"), at(t, "Mar 13 08:05:02 2024"), nil, "Cisco Systems, TAC", "RADKit-LMM-NA")
	v := ios.View{Now: a.Now(), Status: a.Status(), Blank: " ", AgentVersion: "4.8.5.4_rel/22",
		Topology: stackwise.Device{Name: "c1000v-5", Switches: []stackwise.Unit{{PID: "CSR1000V", SN: "9NZ7O74FICQ"}}}}
	assert.Equal(t, want, v.ShowLicenseAll())
}

// The genieparser capture of `show license status` (the prompt lines and
// the blank lines before the next prompt removed, as the ntc capture ends).
// It prints Next Renewal Attempt and Registration Expires one second
// earlier than the `show license all` capture of the same registration;
// the simulator computes both from whole seconds, so those two lines are
// compared with the other capture's values.
func TestShowLicenseStatusGenieCapture(t *testing.T) {
	want := capture(t, "classic-status-authorized.txt")
	want = strings.TrimPrefix(want, "c1000v-5#show license status\n")
	want = strings.TrimSuffix(want, "c1000v-5#\n")
	for strings.HasSuffix(want, " \n") {
		want = strings.TrimSuffix(want, " \n")
	}
	want = strings.Replace(want, "Next Renewal Attempt: Sep 09 08:09:23 2024 UTC", "Next Renewal Attempt: Sep 09 08:09:24 2024 UTC", 1)
	want = strings.Replace(want, "Registration Expires: Mar 13 08:04:56 2025 UTC", "Registration Expires: Mar 13 08:04:57 2025 UTC", 1)
	a := registered(t, license.UDI{PID: "CSR1000V", SN: "9NZ7O74FICQ"}, nil, at(t, "Mar 13 08:09:24 2024"), at(t, "Mar 13 08:04:57 2024"),
		at(t, "Mar 13 08:09:28 2024"), at(t, "Mar 13 08:05:02 2024"), nil, "Cisco Systems, TAC", "RADKit-LMM-NA")
	v := ios.View{Now: a.Now(), Status: a.Status(), Blank: " "}
	assert.Equal(t, want, v.ShowLicenseStatus())
}
