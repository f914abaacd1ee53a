package agent_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
)

// The ntc-templates capture (ios/testdata/ntc-templates/…status1.raw):
// registration succeeded Aug 22 18:58:03 2022 with a certificate starting
// 18:52:49; OUT OF COMPLIANCE at 18:58:17 with CSSM's time 18:53:16.
func TestCaptureOutOfComplianceDates(t *testing.T) {
	boot := at(t, "Aug 22 18:00:00 2022")
	a := newAgent(t, boot, usage24)
	req := register(t, a, at(t, "Aug 22 18:58:03 2022"), at(t, "Aug 22 18:52:49 2022"))
	assert.Equal(t, "Aug 22 18:58:07 2022 UTC", ios(a.Now()), "first authorization 4 s after registration")
	require.NoError(t, a.Handle(at(t, "Aug 22 18:58:17 2022"), reply(req, at(t, "Aug 22 18:53:16 2022"), false)))

	s := a.Status()
	assert.Equal(t, agent.RegRegistered, s.Registration)
	assert.Equal(t, "ACME Corporation", s.SmartAccount)
	assert.Equal(t, "Wile E. Coyote", s.VirtualAccount)
	assert.Equal(t, agent.ResultSucceeded, s.InitialRegistration.Result)
	assert.Equal(t, "Aug 22 18:58:03 2022 UTC", ios(s.InitialRegistration.At))
	assert.Equal(t, agent.ResultNone, s.LastRenewal.Result)
	assert.Equal(t, "Feb 18 18:58:03 2023 UTC", ios(s.NextRenewalAttempt))
	assert.Equal(t, "Aug 22 18:52:49 2023 UTC", ios(s.RegistrationExpires))
	assert.Equal(t, agent.AuthOutOfComp, s.Authorization)
	assert.Equal(t, "Aug 22 18:58:17 2022 UTC", ios(s.AuthorizationSince))
	assert.Equal(t, agent.ResultSucceeded, s.LastCommunication.Result)
	assert.Equal(t, "Aug 22 18:58:17 2022 UTC", ios(s.LastCommunication.At))
	assert.Equal(t, "Aug 23 06:58:17 2022 UTC", ios(s.NextCommunicationAttempt))
	assert.Equal(t, "Nov 20 18:53:16 2022 UTC", ios(s.CommunicationDeadline))
}

// The genieparser capture (classic-status-authorized.txt / classic-all-csr.txt):
// registered Mar 13 08:09:24 2024, certificate from 08:04:57, AUTHORIZED at
// 08:09:28 with CSSM's time 08:05:02.
func TestCaptureAuthorizedDates(t *testing.T) {
	a := newAgent(t, at(t, "Mar 13 08:00:00 2024"), nil)
	req := register(t, a, at(t, "Mar 13 08:09:24 2024"), at(t, "Mar 13 08:04:57 2024"))
	require.NoError(t, a.Handle(at(t, "Mar 13 08:09:28 2024"), reply(req, at(t, "Mar 13 08:05:02 2024"), true)))
	s := a.Status()
	assert.Equal(t, agent.AuthAuthorized, s.Authorization)
	assert.Equal(t, "Mar 13 08:09:28 2024 UTC", ios(s.AuthorizationSince))
	assert.Equal(t, "Sep 09 08:09:24 2024 UTC", ios(s.NextRenewalAttempt))
	assert.Equal(t, "Mar 13 08:04:57 2025 UTC", ios(s.RegistrationExpires))
	assert.Equal(t, "Apr 12 08:09:28 2024 UTC", ios(s.NextCommunicationAttempt))
	assert.Equal(t, "Jun 11 08:05:02 2024 UTC", ios(s.CommunicationDeadline))
	assert.Empty(t, s.Entitlements, "the CSR capture has no licenses in use")
}

// Registration Expires crosses a leap day: 365 days of 24 hours.
func TestRegistrationExpiresCrossesLeapDay(t *testing.T) {
	a := newAgent(t, at(t, "May 10 09:00:00 2023"), usage24)
	register(t, a, at(t, "May 10 10:00:00 2023"), at(t, "May 10 09:55:00 2023"))
	assert.Equal(t, "May 09 09:55:00 2024 UTC", ios(a.Status().RegistrationExpires))
}

// A deadline of back-end time + 90 days that moves on every success.
func TestDeadlineMovesOnEverySuccess(t *testing.T) {
	a := newAgent(t, at(t, "Jan 01 00:00:00 2025"), usage24)
	req := register(t, a, at(t, "Jan 01 01:00:00 2025"), at(t, "Jan 01 00:55:00 2025"))
	require.NoError(t, a.Handle(at(t, "Jan 01 01:00:10 2025"), reply(req, at(t, "Jan 01 00:55:10 2025"), true)))
	assert.Equal(t, "Apr 01 00:55:10 2025 UTC", ios(a.Status().CommunicationDeadline))

	// 30 days later the agent renews on its own.
	next := a.Status().NextCommunicationAttempt
	assert.Equal(t, "Jan 31 01:00:10 2025 UTC", ios(next))
	require.NoError(t, a.Advance(next))
	req = one[license.Authorize](t, a)
	require.NoError(t, a.Handle(next.Add(3*time.Second), reply(req, next.Add(-4*time.Minute), true)))
	s := a.Status()
	assert.Equal(t, "May 01 00:56:10 2025 UTC", ios(s.CommunicationDeadline))
	assert.Equal(t, "Jan 01 01:00:10 2025 UTC", ios(s.AuthorizationSince), "the status date is when AUTHORIZED was entered")
	assert.Equal(t, "Jan 31 01:00:13 2025 UTC", ios(s.LastCommunication.At))
}
