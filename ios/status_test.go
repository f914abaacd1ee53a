package ios_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/license"
)

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse("Jan 02 15:04:05 2006", s)
	require.NoError(t, err)
	return v
}

// The ntc-templates capture, reproduced from an agent set to its dates and
// names, byte for byte.
func TestShowLicenseStatusMatchesCapture(t *testing.T) {
	want, err := os.ReadFile("testdata/ntc-templates/cisco_ios_show_license_status1.raw")
	require.NoError(t, err)
	a, err := agent.New(at(t, "Aug 22 18:00:00 2022"), agent.Config{UDI: license.UDI{PID: "C9300-24P", SN: "FOC1"}, Usage: []license.Usage{{Tag: "C9300-24 Network Advantage", Count: 1}}})
	require.NoError(t, err)
	_, err = a.Register(at(t, "Aug 22 18:58:00 2022"), "NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgt", false)
	require.NoError(t, err)
	reg := a.TakeMessages()[0]
	require.NoError(t, a.Handle(at(t, "Aug 22 18:58:03 2022"), license.RegisterReply{ID: reg.RequestID(), SmartAccount: "ACME Corporation", VirtualAccount: "Wile E. Coyote", ExportControlled: true, CertStart: at(t, "Aug 22 18:52:49 2022")}))
	require.NoError(t, a.Advance(a.NextDeadline()))
	auth := a.TakeMessages()[0].(license.Authorize)
	require.NoError(t, a.Handle(at(t, "Aug 22 18:58:17 2022"), license.AuthorizeReply{ID: auth.ID, Time: at(t, "Aug 22 18:53:16 2022"),
		Entitlements: []license.Entitlement{{Tag: auth.Usage[0].Tag, Count: 1, InCompliance: false}}}))
	assert.Equal(t, string(want), ios.ShowLicenseStatus(a.Status(), ios.StatusInfo{}))
}

func TestShowLicenseStatusFailureForms(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	c := ios.Clock{Zone: est}
	a, err := agent.New(at(t, "Oct 24 20:00:00 2018"), agent.Config{UDI: license.UDI{PID: "C9300-24P", SN: "FOC1"}, Usage: []license.Usage{{Tag: "C9300-24 Network Advantage", Count: 1}}})
	require.NoError(t, err)
	_, err = a.Register(at(t, "Oct 24 20:55:20 2018"), "NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgt", false)
	require.NoError(t, err)
	reg := a.TakeMessages()[0]
	require.NoError(t, a.Handle(at(t, "Oct 24 20:55:26 2018"), license.Failure{ID: reg.RequestID(), Class: license.FailBusy, Reason: license.ReasonBusy}))
	out := ios.ShowLicenseStatus(a.Status(), ios.StatusInfo{Clock: c})
	assert.Contains(t, out, `Registration:
  Status: REGISTERING - REGISTRATION IN PROGRESS
  Export-Controlled Functionality: NOT ALLOWED
  Initial Registration: FAILED on Oct 24 15:55:26 2018 EST
    Failure reason: Your request could not be processed right now. Please try again
  Next Registration Attempt: Oct 24 16:`)
	assert.Contains(t, out, "License Authorization: \n  Status: EVAL MODE\n  Evaluation Period Remaining: 89 days, 23 hours, 4 minutes, 34 seconds\n")
}
