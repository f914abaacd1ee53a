package agent_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
)

var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func TestBootWithLicensesStartsEval(t *testing.T) {
	a := newAgent(t, t0, usage24)
	s := a.Status()
	assert.Equal(t, agent.RegUnregistered, s.Registration)
	assert.Equal(t, agent.AuthEvalMode, s.Authorization)
	assert.Equal(t, 90*agent.Day, s.EvalRemaining)
	assert.True(t, s.EvalRunning)
	logs := a.TakeLogs()
	require.Len(t, logs, 1)
	assert.Equal(t, "%SMART_LIC-5-EVAL_START: Entering evaluation period", logs[0].Message())
	assert.Equal(t, []agent.EntitlementStatus{{Tag: "C9300-24 Network Advantage", Count: 1, Status: agent.AuthEvalMode}}, s.Entitlements)
}

func TestBootWithoutLicenses(t *testing.T) {
	a := newAgent(t, t0, nil)
	s := a.Status()
	assert.Equal(t, agent.AuthNoLicenses, s.Authorization)
	assert.False(t, s.EvalRunning)
	assert.Empty(t, a.TakeLogs())
	assert.True(t, a.NextDeadline().IsZero(), "nothing to do")
}

func TestRegisterSendsRequest(t *testing.T) {
	a := newAgent(t, t0, usage24)
	out, err := a.Register(t0, testToken, false)
	require.NoError(t, err)
	assert.Equal(t, "Registration process is in progress. Use the 'show license status' command to check the progress and result", out)
	assert.Equal(t, agent.RegRegistering, a.Status().Registration)
	reg := one[license.Register](t, a)
	assert.Equal(t, license.Register{ID: reg.ID, UDI: testUDI, Hostname: "sw1", Token: testToken}, reg)
}

func TestRegistrationSuccessLogsAndWaits(t *testing.T) {
	a := newAgent(t, t0, usage24)
	a.TakeLogs()
	_, err := a.Register(t0, testToken, false)
	require.NoError(t, err)
	reg := one[license.Register](t, a)
	require.NoError(t, a.Handle(t0.Add(2*time.Second), license.RegisterReply{ID: reg.ID, SmartAccount: "SA", VirtualAccount: "VA", ExportControlled: false, CertStart: t0.Add(-5 * time.Minute)}))
	s := a.Status()
	assert.Equal(t, agent.RegRegistered, s.Registration)
	assert.Equal(t, agent.AuthEvalMode, s.Authorization, "not authorized until CSSM answers")
	assert.Equal(t, agent.AuthWaiting, s.Entitlements[0].Status)
	logs := a.TakeLogs()
	require.Len(t, logs, 2)
	assert.Equal(t, "%SMART_LIC-6-EXPORT_CONTROLLED: Usage of export controlled features is not allowed", logs[0].Message())
	assert.Equal(t, "%SMART_LIC-6-AGENT_REG_SUCCESS: Smart Agent for Licensing Registration with the Cisco Smart Software Manager or satellite for udi PID:C9300-24P,SN:FOC2133Z0AB", logs[1].Message())
	assert.Equal(t, t0.Add(6*time.Second), a.NextDeadline(), "authorization request 4 s after success")
}

func TestInCompliance(t *testing.T) {
	a := newAgent(t, t0, usage24)
	req := register(t, a, t0.Add(time.Minute), t0)
	a.TakeLogs()
	require.NoError(t, a.Handle(a.Now().Add(time.Second), reply(req, t0, true)))
	s := a.Status()
	assert.Equal(t, agent.AuthAuthorized, s.Authorization)
	assert.Equal(t, agent.AuthAuthorized, s.Entitlements[0].Status)
	assert.False(t, s.EvalRunning)
	assert.Equal(t, []string{agent.MnInCompliance, agent.MnAuthRenewSuccess}, mnemonics(a.TakeLogs()))
}

func TestOutOfComplianceLogsOnceAndRetries12h(t *testing.T) {
	a := newAgent(t, t0, usage24)
	req := register(t, a, t0.Add(time.Minute), t0)
	a.TakeLogs()
	ans := a.Now().Add(time.Second)
	require.NoError(t, a.Handle(ans, reply(req, t0, false)))
	logs := a.TakeLogs()
	require.Len(t, logs, 1)
	assert.Equal(t, "%SMART_LIC-3-OUT_OF_COMPLIANCE: One or more entitlements are out of compliance.", logs[0].Message())
	assert.Equal(t, ans.Add(12*time.Hour), a.NextDeadline())
	require.NoError(t, a.Advance(a.NextDeadline()))
	req = one[license.Authorize](t, a)
	require.NoError(t, a.Handle(a.Now(), reply(req, a.Now(), false)))
	assert.Empty(t, a.TakeLogs(), "still out of compliance: no new OUT_OF_COMPLIANCE")
	assert.Equal(t, ans, a.Status().AuthorizationSince)
	assert.Equal(t, agent.AuthOutOfComp, a.Status().Entitlements[0].Status)
}

func TestRegistrationTransientFailureRetries(t *testing.T) {
	for _, tc := range []struct {
		class  license.FailureClass
		reason string
		logs   []string
	}{
		{license.FailBusy, license.ReasonBusy, []string{agent.MnRegFailed}},
		{license.FailSend, license.ReasonSendFailed, []string{agent.MnRegFailed, agent.MnCommFailed}},
	} {
		t.Run(tc.class.String(), func(t *testing.T) {
			a := newAgent(t, t0, usage24)
			a.TakeLogs()
			_, err := a.Register(t0, testToken, false)
			require.NoError(t, err)
			reg := one[license.Register](t, a)
			failAt := t0.Add(3 * time.Second)
			require.NoError(t, a.Handle(failAt, license.Failure{ID: reg.ID, Class: tc.class, Reason: tc.reason}))
			s := a.Status()
			assert.Equal(t, agent.RegRegistering, s.Registration)
			assert.Equal(t, agent.Attempt{Result: agent.ResultFailed, At: failAt, Reason: tc.reason}, s.InitialRegistration)
			wait := s.NextRegistrationAttempt.Sub(failAt)
			assert.True(t, wait >= 15*time.Minute && wait <= 20*time.Minute, "next attempt after %v", wait)
			assert.Equal(t, tc.logs, mnemonics(a.TakeLogs()))
			require.NoError(t, a.Advance(s.NextRegistrationAttempt))
			again := one[license.Register](t, a)
			assert.Equal(t, testToken, again.Token)
			assert.NotEqual(t, reg.ID, again.ID)
		})
	}
}

func TestRegistrationRejectedProductAlreadyRegistered(t *testing.T) {
	a := newAgent(t, t0, usage24)
	a.TakeLogs()
	_, err := a.Register(t0, testToken, false)
	require.NoError(t, err)
	reg := one[license.Register](t, a)
	require.NoError(t, a.Handle(t0, license.Failure{ID: reg.ID, Class: license.FailRejected, Reason: license.ReasonAlreadyRegistered}))
	s := a.Status()
	assert.Equal(t, agent.RegRegistrationFailed, s.Registration)
	assert.Equal(t, "Product Already Registered", s.InitialRegistration.Reason)
	assert.False(t, s.NextRegistrationAttempt.IsZero(), "seed scenario 1 shows a next attempt")
	logs := a.TakeLogs()
	require.Len(t, logs, 1)
	assert.Equal(t, "%SMART_LIC-3-AGENT_REG_FAILED: Smart Agent for Licensing Registration with the Cisco Smart Software Manager or satellite failed: Product Already Registered", logs[0].Message())
	require.NoError(t, a.Advance(s.NextRegistrationAttempt))
	assert.Equal(t, agent.RegRegistering, a.Status().Registration)
	one[license.Register](t, a)
}

func TestRegistrationTransportUnavailableNoRetry(t *testing.T) {
	a := newAgent(t, t0, usage24)
	a.TakeLogs()
	_, err := a.Register(t0, testToken, false)
	require.NoError(t, err)
	reg := one[license.Register](t, a)
	require.NoError(t, a.Handle(t0, license.Failure{ID: reg.ID, Class: license.FailTransportUnavailable, Reason: license.ReasonTransportUnavailable}))
	s := a.Status()
	assert.Equal(t, agent.RegRegistrationFailed, s.Registration)
	assert.True(t, s.NextRegistrationAttempt.IsZero(), "seed scenario 4 shows no next attempt")
	msgs := []string{}
	for _, l := range a.TakeLogs() {
		msgs = append(msgs, l.Message())
	}
	assert.Equal(t, []string{
		"%SMART_LIC-3-AGENT_REG_FAILED: Smart Agent for Licensing Registration with the Cisco Smart Software Manager or satellite failed: Communication transport not available.",
		"%SMART_LIC-3-COMM_FAILED: Communications failure with the Cisco Smart Software Manager or satellite: Communication transport not available.",
	}, msgs)
	// Only the eval countdown remains scheduled.
	require.NoError(t, a.Advance(t0.Add(89*agent.Day)))
	assert.Empty(t, a.TakeMessages())
}

func authorized(t *testing.T) (*agent.Agent, time.Time) {
	a := newAgent(t, t0, usage24)
	req := register(t, a, t0.Add(time.Minute), t0)
	ans := a.Now().Add(time.Second)
	require.NoError(t, a.Handle(ans, reply(req, ans.Add(-5*time.Minute), true)))
	a.TakeLogs()
	return a, ans
}

// Seed scenario 5: a send failure keeps the status, shows FAILED with the
// reason, retries 30 s later and leaves the deadline alone; the back-off then
// doubles up to one hour.
func TestCommunicationFailureBackoff(t *testing.T) {
	a, _ := authorized(t)
	deadline := a.Status().CommunicationDeadline
	next := a.Status().NextCommunicationAttempt
	require.NoError(t, a.Advance(next))
	req := one[license.Authorize](t, a)
	require.NoError(t, a.Handle(next, license.Failure{ID: req.ID, Class: license.FailSend, Reason: license.ReasonSendFailed}))
	s := a.Status()
	assert.Equal(t, agent.AuthAuthorized, s.Authorization)
	assert.Equal(t, agent.Attempt{Result: agent.ResultFailed, At: next, Reason: "Fail to send out Call Home HTTP message."}, s.LastCommunication)
	assert.Equal(t, next.Add(30*time.Second), s.NextCommunicationAttempt)
	assert.Equal(t, deadline, s.CommunicationDeadline)
	var msgs []string
	for _, l := range a.TakeLogs() {
		msgs = append(msgs, l.Message())
	}
	assert.Equal(t, []string{
		"%SMART_LIC-3-COMM_FAILED: Communications failure with the Cisco Smart Software Manager or satellite: Fail to send out Call Home HTTP message.",
		"%SMART_LIC-3-AUTH_RENEW_FAILED: Authorization renewal with the Cisco Smart Software Manager or satellite: Communication message send error for udi PID:C9300-24P,SN:FOC2133Z0AB",
	}, msgs)

	var gaps []time.Duration
	prev := next
	for range 9 {
		n := a.NextDeadline()
		gaps = append(gaps, n.Sub(prev))
		require.NoError(t, a.Advance(n))
		req = one[license.Authorize](t, a)
		require.NoError(t, a.Handle(n, license.Failure{ID: req.ID, Class: license.FailSend, Reason: license.ReasonSendFailed}))
		prev = n
	}
	s2 := time.Second
	assert.Equal(t, []time.Duration{30 * s2, 60 * s2, 120 * s2, 240 * s2, 480 * s2, 960 * s2, 1920 * s2, time.Hour, time.Hour}, gaps)

	// Success restores communications and resets the back-off.
	n := a.NextDeadline()
	require.NoError(t, a.Advance(n))
	req = one[license.Authorize](t, a)
	a.TakeLogs()
	require.NoError(t, a.Handle(n, reply(req, n, true)))
	assert.Equal(t, []string{agent.MnCommRestored, agent.MnAuthRenewSuccess}, mnemonics(a.TakeLogs()))
	assert.Equal(t, n.Add(30*agent.Day), a.NextDeadline())
}

// Seed scenario 9: CSSM rejects the signature; AUTHORIZED is kept.
func TestSignatureMismatchKeepsAuthorized(t *testing.T) {
	a, since := authorized(t)
	require.NoError(t, a.RenewAuth(since.Add(time.Hour)))
	req := one[license.Authorize](t, a)
	failAt := since.Add(time.Hour + time.Second)
	require.NoError(t, a.Handle(failAt, license.Failure{ID: req.ID, Class: license.FailRejected, Reason: license.ReasonSignatureMismatch}))
	s := a.Status()
	assert.Equal(t, agent.AuthAuthorized, s.Authorization)
	assert.Equal(t, since, s.AuthorizationSince)
	assert.Equal(t, "Data and signature do not match", s.LastCommunication.Reason)
	assert.Equal(t, failAt.Add(30*time.Second), s.NextCommunicationAttempt)
	logs := a.TakeLogs()
	require.Len(t, logs, 1)
	assert.Equal(t, "%SMART_LIC-3-AUTH_RENEW_FAILED: Authorization renewal with the Cisco Smart Software Manager (CSSM) : Error received from Smart Software Manager: Data and signature do not match for udi PID:C9300-24P,SN:FOC2133Z0AB", logs[0].Message())
}

// Seed scenario 7: no answer. The attempt shows PENDING / Waiting for reply,
// and the request is sent again 15–20 minutes later; the old answer is
// then refused.
func TestPendingWaitingForReply(t *testing.T) {
	a, _ := authorized(t)
	next := a.Status().NextCommunicationAttempt
	require.NoError(t, a.Advance(next))
	old := one[license.Authorize](t, a)
	s := a.Status()
	assert.Equal(t, agent.Attempt{Result: agent.ResultPending, At: next, Reason: "Waiting for reply"}, s.LastCommunication)
	wait := s.NextCommunicationAttempt.Sub(next)
	assert.True(t, wait >= 15*time.Minute && wait <= 20*time.Minute, "resend after %v", wait)
	require.NoError(t, a.Advance(s.NextCommunicationAttempt))
	fresh := one[license.Authorize](t, a)
	assert.NotEqual(t, old.ID, fresh.ID)
	err := a.Handle(a.Now(), reply(old, a.Now(), true))
	require.ErrorIs(t, err, agent.ErrUnexpectedAnswer)
	require.NoError(t, a.Handle(a.Now(), reply(fresh, a.Now(), true)))
}

func TestRenewCommandsNeedRegistration(t *testing.T) {
	a := newAgent(t, t0, usage24)
	require.ErrorIs(t, a.RenewAuth(t0), agent.ErrNotRegistered)
	require.ErrorIs(t, a.RenewID(t0), agent.ErrNotRegistered)
	require.ErrorIs(t, a.Deregister(t0), agent.ErrNotRegistered)
	assert.Empty(t, a.TakeMessages())
}

func TestIDCertificateRenewal(t *testing.T) {
	a, _ := authorized(t)
	regAt := a.Status().InitialRegistration.At
	nra := a.Status().NextRenewalAttempt
	assert.Equal(t, regAt.Add(180*agent.Day), nra)
	// Keep authorization fresh with answers while advancing to the renewal.
	for {
		n := a.NextDeadline()
		require.NoError(t, a.Advance(n))
		msgs := a.TakeMessages()
		require.Len(t, msgs, 1)
		if ren, ok := msgs[0].(license.RenewID); ok {
			assert.Equal(t, nra, n)
			// First try fails, the retry 30 s later succeeds.
			require.NoError(t, a.Handle(n, license.Failure{ID: ren.ID, Class: license.FailBusy, Reason: license.ReasonBusy}))
			s := a.Status()
			assert.Equal(t, agent.Attempt{Result: agent.ResultFailed, At: n, Reason: license.ReasonBusy}, s.LastRenewal)
			assert.Equal(t, n.Add(30*time.Second), s.NextRenewalAttempt)
			require.NoError(t, a.Advance(s.NextRenewalAttempt))
			done := a.Now()
			for _, m := range a.TakeMessages() { // the 30-day authorization falls in between
				switch x := m.(type) {
				case license.RenewID:
					ren = x
				case license.Authorize:
					require.NoError(t, a.Handle(done, reply(x, done, true)))
				}
			}
			require.Equal(t, done, s.NextRenewalAttempt)
			newStart := done.Add(-5 * time.Minute)
			require.NoError(t, a.Handle(done, license.RenewIDReply{ID: ren.ID, CertStart: newStart}))
			s = a.Status()
			assert.Equal(t, agent.Attempt{Result: agent.ResultSucceeded, At: done}, s.LastRenewal)
			assert.Equal(t, done.Add(180*agent.Day), s.NextRenewalAttempt)
			assert.Equal(t, newStart.Add(365*agent.Day), s.RegistrationExpires)
			return
		}
		req := msgs[0].(license.Authorize)
		require.NoError(t, a.Handle(n, reply(req, n, true)))
	}
}

func TestManualRenewID(t *testing.T) {
	a, since := authorized(t)
	require.NoError(t, a.RenewID(since.Add(time.Hour)))
	one[license.RenewID](t, a)
}

func TestDeregisterReachable(t *testing.T) {
	a := newAgent(t, t0, usage24)
	req := register(t, a, t0.Add(10*agent.Day), t0.Add(10*agent.Day-5*time.Minute))
	left := a.Status().EvalRemaining
	require.NoError(t, a.Handle(a.Now(), reply(req, a.Now(), true)))
	a.TakeLogs()
	when := a.Now().Add(20 * agent.Day)
	require.NoError(t, a.Deregister(when))
	dereg := one[license.Deregister](t, a)
	s := a.Status()
	assert.Equal(t, agent.RegUnregistered, s.Registration)
	assert.Equal(t, agent.AuthEvalMode, s.Authorization)
	assert.Empty(t, s.SmartAccount)
	assert.Equal(t, left, s.EvalRemaining, "eval resumes with what was left")
	assert.Equal(t, []string{agent.MnEvalStart}, mnemonics(a.TakeLogs()))
	require.NoError(t, a.Handle(when.Add(time.Second), license.DeregisterReply{ID: dereg.ID}))
}

func TestDeregisterUnreachableStillCleansUp(t *testing.T) {
	a, since := authorized(t)
	require.NoError(t, a.Deregister(since.Add(time.Hour)))
	dereg := one[license.Deregister](t, a)
	a.TakeLogs()
	require.NoError(t, a.Handle(since.Add(time.Hour), license.Failure{ID: dereg.ID, Class: license.FailSend, Reason: license.ReasonSendFailed}))
	assert.Equal(t, agent.RegUnregistered, a.Status().Registration)
	assert.Equal(t, []string{agent.MnCommFailed}, mnemonics(a.TakeLogs()))
}

func TestAuthorizationExpiresAtDeadline(t *testing.T) {
	a, since := authorized(t)
	deadline := a.Status().CommunicationDeadline
	// Every request from now on fails to send.
	for {
		n := a.NextDeadline()
		if n.After(deadline) {
			break
		}
		require.NoError(t, a.Advance(n))
		for _, m := range a.TakeMessages() {
			require.NoError(t, a.Handle(n, license.Failure{ID: m.RequestID(), Class: license.FailSend, Reason: license.ReasonSendFailed}))
		}
		if a.Mode() == agent.ModeAuthorizationExpired {
			break
		}
	}
	s := a.Status()
	assert.Equal(t, agent.AuthExpired, s.Authorization)
	assert.Equal(t, deadline, s.AuthorizationSince)
	assert.Equal(t, agent.AuthExpired, s.Entitlements[0].Status)
	assert.Equal(t, agent.RegRegistered, s.Registration)
	assert.False(t, s.EvalRunning, "eval does not count once authorized")
	assert.Contains(t, mnemonics(a.TakeLogs()), agent.MnAuthExpired)
	// Hourly retries; a success returns to AUTHORIZED.
	n := a.NextDeadline()
	assert.LessOrEqual(t, n.Sub(deadline), time.Hour)
	require.NoError(t, a.Advance(n))
	req := one[license.Authorize](t, a)
	require.NoError(t, a.Handle(n, reply(req, n, true)))
	assert.Equal(t, agent.AuthAuthorized, a.Status().Authorization)
	_ = since
}

func TestIDCertExpiryReturnsToEval(t *testing.T) {
	a := newAgent(t, t0, usage24)
	req := register(t, a, t0.Add(30*agent.Day), t0.Add(30*agent.Day-5*time.Minute))
	left := a.Status().EvalRemaining
	assert.Equal(t, 60*agent.Day-4*time.Second, left)
	require.NoError(t, a.Handle(a.Now(), reply(req, a.Now(), true)))
	expires := a.Status().RegistrationExpires
	// The back end is gone for good: nothing answers.
	require.NoError(t, a.Advance(expires))
	s := a.Status()
	assert.Equal(t, agent.RegUnregistered, s.Registration)
	assert.Equal(t, agent.AuthEvalMode, s.Authorization)
	assert.Equal(t, left, s.EvalRemaining)
	assert.Equal(t, expires, s.AuthorizationSince)
	var found bool
	for _, l := range a.TakeLogs() {
		if l.Mnemonic == agent.MnIDCertExpired {
			found = true
			assert.Equal(t, expires, l.Time)
			assert.Equal(t, "%SMART_LIC-3-ID_CERT_EXPIRED: Identity certificate expired. Agent will transition to the unidentified (not registered) state.", l.Message())
		}
	}
	assert.True(t, found)
}

func TestIDCertExpiryWithEvalUsedUp(t *testing.T) {
	a := newAgent(t, t0, usage24)
	require.NoError(t, a.Advance(t0.Add(100*agent.Day)))
	assert.Equal(t, agent.AuthEvalExpired, a.Status().Authorization)
	req := register(t, a, t0.Add(101*agent.Day), t0.Add(101*agent.Day-time.Minute))
	require.NoError(t, a.Handle(a.Now(), reply(req, a.Now(), true)))
	require.NoError(t, a.Advance(a.Status().RegistrationExpires))
	assert.Equal(t, agent.AuthEvalExpired, a.Status().Authorization)
	assert.Equal(t, agent.AuthEvalExpired, a.Status().Entitlements[0].Status)
}

func TestEvalCountsUseTimeOnly(t *testing.T) {
	a := newAgent(t, t0, usage24)
	require.NoError(t, a.Advance(t0.Add(10*agent.Day)))
	require.NoError(t, a.SetUsage(t0.Add(10*agent.Day), nil))
	assert.Equal(t, agent.AuthNoLicenses, a.Status().Authorization)
	require.NoError(t, a.Advance(t0.Add(200*agent.Day)))
	assert.Equal(t, 80*agent.Day, a.Status().EvalRemaining, "paused while nothing is in use")
	require.NoError(t, a.SetUsage(t0.Add(200*agent.Day), usage24))
	a.TakeLogs()
	expiry := t0.Add(280 * agent.Day)
	require.NoError(t, a.Advance(expiry.Add(-time.Nanosecond)))
	assert.Equal(t, agent.AuthEvalMode, a.Status().Authorization)
	require.NoError(t, a.Advance(expiry))
	assert.Equal(t, agent.AuthEvalExpired, a.Status().Authorization)
	assert.Equal(t, expiry, a.Status().AuthorizationSince)
	logs := a.TakeLogs()
	last := logs[len(logs)-1]
	assert.Equal(t, agent.MnEvalExpired, last.Mnemonic)
	assert.Equal(t, expiry, last.Time)
	// Warnings: 60, 30, 21, 14, 7 days; daily 6..1; hourly 23..1 = 34.
	var warn []time.Duration
	for _, l := range logs {
		if l.Mnemonic == agent.MnEvalWillExpire {
			warn = append(warn, expiry.Sub(l.Time))
		}
	}
	assert.Len(t, warn, 34)
	assert.Equal(t, 60*agent.Day, warn[0])
	assert.Equal(t, time.Hour, warn[33])
	// Re-notified hourly while still in use.
	require.NoError(t, a.Advance(expiry.Add(3*time.Hour)))
	assert.Equal(t, []string{agent.MnEvalExpired, agent.MnEvalExpired, agent.MnEvalExpired}, mnemonics(a.TakeLogs()))
}

func TestUsageChangeWhileRegisteredReauthorizes(t *testing.T) {
	a, since := authorized(t)
	more := append([]license.Usage{{Tag: "C9300-24 DNA Advantage", Count: 1}}, usage24...)
	require.NoError(t, a.SetUsage(since.Add(time.Hour), more))
	req := one[license.Authorize](t, a)
	assert.Equal(t, "C9300-24 DNA Advantage", req.Usage[0].Tag, "in the platform's order")
	st := a.Status().Entitlements
	assert.Equal(t, agent.AuthWaiting, st[0].Status)
	assert.Equal(t, agent.AuthAuthorized, st[1].Status)
	require.NoError(t, a.Handle(since.Add(time.Hour), reply(req, since, true)))
	assert.Equal(t, agent.AuthAuthorized, a.Status().Entitlements[0].Status)
	// Same usage again: nothing to send.
	require.NoError(t, a.SetUsage(since.Add(2*time.Hour), more))
	assert.Empty(t, a.TakeMessages())
}

func TestReloadSavedKeepsRegistration(t *testing.T) {
	a, since := authorized(t)
	require.NoError(t, a.RenewAuth(since.Add(time.Hour)))
	req := one[license.Authorize](t, a)
	require.NoError(t, a.Reload(since.Add(time.Hour+time.Minute), true))
	s := a.Status()
	assert.Equal(t, agent.RegRegistered, s.Registration)
	assert.Equal(t, agent.AuthAuthorized, s.Authorization)
	require.ErrorIs(t, a.Handle(a.Now(), reply(req, a.Now(), true)), agent.ErrUnexpectedAnswer, "lost in the reload")
}

func TestReloadUnsavedLosesRegistration(t *testing.T) {
	a, since := authorized(t)
	a.TakeLogs()
	left := a.Status().EvalRemaining
	require.NoError(t, a.Reload(since.Add(time.Hour), false))
	s := a.Status()
	assert.Equal(t, agent.RegUnregistered, s.Registration)
	assert.Equal(t, agent.AuthEvalMode, s.Authorization)
	assert.Equal(t, left, s.EvalRemaining)
	assert.Equal(t, []string{agent.MnEvalStart}, mnemonics(a.TakeLogs()))
}

func TestReloadWhileInEvalKeepsCounting(t *testing.T) {
	a := newAgent(t, t0, usage24)
	require.NoError(t, a.Reload(t0.Add(5*agent.Day), true))
	require.NoError(t, a.Advance(t0.Add(6*agent.Day)))
	assert.Equal(t, 84*agent.Day, a.Status().EvalRemaining)
	assert.Equal(t, []string{agent.MnEvalStart, agent.MnEvalStart}, mnemonics(a.TakeLogs()))
}

func TestRegisterWhileRegistered(t *testing.T) {
	a, since := authorized(t)
	before, err := a.Snapshot()
	require.NoError(t, err)
	_, err = a.Register(since, testToken, false)
	require.ErrorIs(t, err, agent.ErrAlreadyRegistered)
	after, err := a.Snapshot()
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "refused: nothing changed")

	_, err = a.Register(since.Add(time.Minute), testToken, true)
	require.NoError(t, err)
	reg := one[license.Register](t, a)
	assert.True(t, reg.Force)
	assert.Equal(t, agent.RegRegistering, a.Status().Registration)
	require.NoError(t, a.Handle(since.Add(2*time.Minute), license.RegisterReply{ID: reg.ID, SmartAccount: "SA2", VirtualAccount: "VA2", CertStart: since}))
	assert.Equal(t, "VA2", a.Status().VirtualAccount)
}

// Seed scenario 6: the satellite drops the identity; UNREGISTERED with the
// smart account still shown, eval resumes, event-log entry.
func TestInvalidDataDeregisters(t *testing.T) {
	a, since := authorized(t)
	require.NoError(t, a.RenewAuth(since.Add(time.Hour)))
	req := one[license.Authorize](t, a)
	a.TakeLogs()
	require.NoError(t, a.Handle(since.Add(time.Hour), license.Failure{ID: req.ID, Class: license.FailInvalidData, Reason: license.ReasonInvalidData}))
	s := a.Status()
	assert.Equal(t, agent.RegUnregistered, s.Registration)
	assert.Equal(t, "ACME Corporation", s.SmartAccount)
	assert.Equal(t, agent.AuthEvalMode, s.Authorization)
	logs := a.TakeLogs()
	require.Len(t, logs, 2)
	assert.True(t, logs[0].EventLog)
	assert.Equal(t, `SAEVT_DEREGISTER_STATUS msgStatus="LS_INVALID_DATA" error="Missing Id cert serial number field; Missing signing cert serial number field; Signed data and certificate does not match"`, logs[0].Message())
	assert.Equal(t, agent.MnEvalStart, logs[1].Mnemonic)
}

func TestDeregisterAbandonsRegistrationInProgress(t *testing.T) {
	a := newAgent(t, t0, usage24)
	_, err := a.Register(t0, testToken, false)
	require.NoError(t, err)
	reg := one[license.Register](t, a)
	require.NoError(t, a.Deregister(t0.Add(time.Second)))
	assert.Empty(t, a.TakeMessages(), "nothing registered, nothing to tell CSSM")
	assert.Equal(t, agent.RegUnregistered, a.Status().Registration)
	require.ErrorIs(t, a.Handle(t0.Add(2*time.Second), license.RegisterReply{ID: reg.ID, CertStart: t0}), agent.ErrUnexpectedAnswer)
}
