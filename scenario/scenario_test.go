package scenario_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/scenario"
)

var update = flag.Bool("update", false, "rewrite testdata/*.txt")

// run runs a scenario, checks its transcript against testdata and that it
// ends healthy, and returns the result.
func run(t *testing.T, id string) scenario.Result {
	t.Helper()
	s, ok := scenario.Find(id)
	require.True(t, ok, id)
	r, err := s.Run(1)
	require.NoError(t, err)
	path := filepath.Join("testdata", "scenario"+id+".txt")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(r.Text), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), r.Text, "transcript %s", path)
	assert.Equal(t, agent.RegRegistered, r.Healthy.Registration, "cured")
	assert.Equal(t, agent.AuthAuthorized, r.Healthy.Authorization, "cured")
	return r
}

// symptoms is the transcript between the cause and the fix.
func symptoms(r scenario.Result) string {
	_, after, _ := strings.Cut(r.Text, "## cause: ")
	before, _, _ := strings.Cut(after, "## fix: ")
	return before
}

func TestScenario1ProductAlreadyRegistered(t *testing.T) {
	r := run(t, "1")
	s := r.Symptom
	assert.Equal(t, agent.RegRegistrationFailed, s.Registration)
	assert.Equal(t, agent.ResultFailed, s.InitialRegistration.Result)
	assert.Equal(t, "Product Already Registered", s.InitialRegistration.Reason)
	gap := s.NextRegistrationAttempt.Sub(s.InitialRegistration.At)
	assert.True(t, gap >= 15*time.Minute && gap <= 20*time.Minute, "next attempt after %v", gap)
	out := symptoms(r)
	assert.Contains(t, out, "%SMART_LIC-3-AGENT_REG_FAILED: Smart Agent for Licensing Registration with the Cisco Smart Software Manager or satellite failed: Product Already Registered")
	assert.Contains(t, out, "  Initial Registration: FAILED on ")
	assert.Contains(t, out, "    Failure reason: Product Already Registered\n  Next Registration Attempt: ")
	assert.Contains(t, out, "sw1 action reload\n", "the unsaved reload is the cause")
}

func TestScenario1bStaleInstance(t *testing.T) {
	r := run(t, "1b")
	assert.Equal(t, "Product Already Registered", r.Symptom.InitialRegistration.Reason)
	assert.Contains(t, symptoms(r), "%SMART_LIC-3-COMM_FAILED: Communications failure with the Cisco Smart Software Manager or satellite: Fail to send out Call Home HTTP message.")
}

func TestScenario2TryAgain(t *testing.T) {
	r := run(t, "2")
	s := r.Symptom
	assert.Equal(t, agent.RegRegistering, s.Registration)
	assert.Equal(t, "Your request could not be processed right now. Please try again", s.InitialRegistration.Reason)
	gap := s.NextRegistrationAttempt.Sub(s.InitialRegistration.At)
	assert.True(t, gap >= 15*time.Minute && gap <= 20*time.Minute, "next attempt after %v", gap)
	assert.Contains(t, symptoms(r), "AGENT_REG_FAILED")
}

func TestScenario3ClockOffset(t *testing.T) {
	r := run(t, "3")
	s := r.Symptom
	assert.Equal(t, agent.RegRegistering, s.Registration)
	assert.Regexp(t, `^\{"timestamp": \["The device date '15261352\d{5}' is offset beyond the allowed tolerance limit\."\]\}$`, s.InitialRegistration.Reason)
	out := symptoms(r)
	assert.Contains(t, out, "%PKI-3-CERTIFICATE_INVALID_NOT_YET_VALID: Certificate chain validation has failed. The certificate (SN: ")
	assert.Contains(t, out, "Initial Registration: FAILED on May 12 14:27:49 2018 UTC", "dates on the device's clock")
}

func TestScenario4TransportNotAvailable(t *testing.T) {
	r := run(t, "4")
	s := r.Symptom
	assert.Equal(t, agent.RegRegistrationFailed, s.Registration)
	assert.Equal(t, "Communication transport not available.", s.InitialRegistration.Reason)
	assert.True(t, s.NextRegistrationAttempt.IsZero(), "no next attempt")
	out := symptoms(r)
	assert.Contains(t, out, "%CALL_HOME-3-CALL_HOME_FAILED_TO_ENABLE: Failed to enable call-home from Smart Agent for Licensing: The command failed to enable smart call home due to an existing active user profile.")
	assert.Contains(t, out, "%SMART_LIC-3-AGENT_REG_FAILED: Smart Agent for Licensing Registration with the Cisco Smart Software Manager or satellite failed: Communication transport not available.")
	assert.Contains(t, out, "%SMART_LIC-3-COMM_FAILED: Communications failure with the Cisco Smart Software Manager or satellite: Communication transport not available.")
	assert.NotContains(t, out, "Next Registration Attempt")
}

func TestScenario5FailToSend(t *testing.T) {
	r := run(t, "5")
	s := r.Symptom
	assert.Equal(t, agent.AuthAuthorized, s.Authorization, "the status is kept")
	assert.Equal(t, agent.ResultFailed, s.LastCommunication.Result)
	assert.Equal(t, "Fail to send out Call Home HTTP message.", s.LastCommunication.Reason)
	assert.Equal(t, s.LastCommunication.At.Add(30*time.Second), s.NextCommunicationAttempt)
	assert.Equal(t, r.Healthy.AuthorizationSince, s.AuthorizationSince)
	out := symptoms(r)
	assert.Contains(t, out, "%CALL_HOME-5-SL_MESSAGE_FAILED: Fail to send out Smart Licensing message to: https://tools.cisco.com/its/service/oddce/services/DDCEService (ERR 205 : Request Aborted)")
	assert.Contains(t, out, "%SMART_LIC-3-COMM_FAILED: Communications failure with the Cisco Smart Software Manager or satellite: Fail to send out Call Home HTTP message.")
	assert.Contains(t, out, "%SMART_LIC-3-AUTH_RENEW_FAILED: Authorization renewal with the Cisco Smart Software Manager or satellite: Communication message send error for udi PID:C9300-24P,SN:FOC2133Z0AB")
	assert.Contains(t, out, "  Last Communication Attempt: FAILED on Apr 03 10:00:06 2024 UTC\n    Failure reason: Fail to send out Call Home HTTP message.\n  Next Communication Attempt: Apr 03 10:00:36 2024 UTC\n  Communication Deadline: Jun 02 09:55:06 2024 UTC\n")
}

func TestScenario6SatelliteInvalidData(t *testing.T) {
	r := run(t, "6")
	s := r.Symptom
	assert.Equal(t, agent.RegUnregistered, s.Registration)
	assert.Equal(t, "ACME Corporation", s.SmartAccount, "the smart account is still shown")
	assert.Equal(t, agent.AuthEvalMode, s.Authorization)
	out := symptoms(r)
	assert.Contains(t, out, `SAEVT_DEREGISTER_STATUS msgStatus="LS_INVALID_DATA" error="Missing Id cert serial number field; Missing signing cert serial number field; Signed data and certificate does not match"`)
	assert.Contains(t, out, "Registration:\n  Status: UNREGISTERED\n  Smart Account: ACME Corporation\n")
	assert.Contains(t, out, "  Evaluation Period Remaining: ")
}

func TestScenario7WaitingForReply(t *testing.T) {
	r := run(t, "7")
	s := r.Symptom
	assert.Equal(t, agent.ResultPending, s.LastCommunication.Result)
	assert.Equal(t, "Waiting for reply", s.LastCommunication.Reason)
	gap := s.NextCommunicationAttempt.Sub(s.LastCommunication.At)
	assert.True(t, gap >= 15*time.Minute && gap <= 20*time.Minute, "next attempt after %v", gap)
	out := symptoms(r)
	assert.Contains(t, out, "%PKI-3-CRL_FETCH_FAIL: CRL fetch for trustpoint SLA-TrustPoint failed Reason : Failed to select socket.Timeout : 5 (Connection timed out)")
	assert.Contains(t, out, "  Last Communication Attempt: PENDING on ")
}

func TestScenario8OutOfCompliance(t *testing.T) {
	r := run(t, "8")
	s := r.Symptom
	assert.Equal(t, agent.RegRegistered, s.Registration)
	assert.Equal(t, agent.AuthOutOfComp, s.Authorization)
	assert.Equal(t, s.LastCommunication.At.Add(12*time.Hour), s.NextCommunicationAttempt)
	out := symptoms(r)
	assert.Contains(t, out, "%SMART_LIC-3-OUT_OF_COMPLIANCE: One or more entitlements are out of compliance.")
	assert.Contains(t, out, "cssm alert Major Insufficient Licenses")
	assert.Contains(t, out, "  Status: OUT OF COMPLIANCE on ")
	_, fix, _ := strings.Cut(r.Text, "## fix: ")
	assert.Contains(t, fix, "cssm action transfer 2 C9300-24 DNA Advantage from Campus to DEFAULT\n2024-03-04T10:01:00Z cssm alert cleared Insufficient Licenses\n",
		"the operator's transfer is shown, its alert cleared after it")
}

// Every section of every transcript reads in time order.
func TestTranscriptsAreInTimeOrder(t *testing.T) {
	for _, s := range scenario.All() {
		r, err := s.Run(1)
		require.NoError(t, err)
		var prev string
		for _, line := range strings.Split(r.Text, "\n") {
			if strings.HasPrefix(line, "## ") {
				prev = ""
				continue
			}
			stamp, _, ok := strings.Cut(line, " ")
			if _, err := time.Parse(time.RFC3339, stamp); !ok || err != nil {
				continue
			}
			assert.GreaterOrEqual(t, stamp, prev, "scenario %s: %s", s.ID, line)
			prev = stamp
		}
	}
}

func TestScenario9SignatureMismatch(t *testing.T) {
	r := run(t, "9")
	s := r.Symptom
	assert.Equal(t, agent.AuthAuthorized, s.Authorization, "AUTHORIZED is kept")
	assert.Equal(t, "Data and signature do not match", s.LastCommunication.Reason)
	assert.Equal(t, s.LastCommunication.At.Add(30*time.Second), s.NextCommunicationAttempt)
	assert.Contains(t, symptoms(r), "%SMART_LIC-3-AUTH_RENEW_FAILED: Authorization renewal with the Cisco Smart Software Manager (CSSM) : Error received from Smart Software Manager: Data and signature do not match for udi PID:C9300-24P,SN:FOC2133Z0AB")
}

func TestScenariosAreDeterministic(t *testing.T) {
	for _, s := range scenario.All() {
		a, err := s.Run(9)
		require.NoError(t, err)
		b, err := s.Run(9)
		require.NoError(t, err)
		assert.Equal(t, a.Text, b.Text, s.ID)
	}
}

func TestAllScenariosListed(t *testing.T) {
	var ids []string
	for _, s := range scenario.All() {
		ids = append(ids, s.ID)
		assert.NotEmpty(t, s.Cause)
		assert.NotEmpty(t, s.Symptoms)
		assert.NotEmpty(t, s.Fix)
	}
	assert.Equal(t, []string{"1", "1b", "2", "3", "4", "5", "6", "7", "8", "9", "tg"}, ids)
	_, ok := scenario.Find("10")
	assert.False(t, ok)
}

// Through a Transport Gateway whose certificate a new enterprise CA
// re-issued, the renewals fail with the PKI line naming that CA, the
// authorization is kept meanwhile, and a trustpoint holding the new CA
// cures it at the next retry.
func TestScenarioTransportGatewayCertificate(t *testing.T) {
	r := run(t, "tg")
	s := r.Symptom
	assert.Equal(t, agent.AuthAuthorized, s.Authorization, "AUTHORIZED is kept")
	assert.Equal(t, agent.ResultFailed, s.LastCommunication.Result)
	assert.Equal(t, "Fail to send out Call Home HTTP message.", s.LastCommunication.Reason)
	out := symptoms(r)
	assert.Contains(t, out, "%PKI-3-CERTIFICATE_INVALID_UNAUTHORIZED: Certificate chain validation has failed. Unauthorized (issuer ACME Issuing CA G2 is not trusted)")
	assert.Contains(t, out, "%CALL_HOME-5-SL_MESSAGE_FAILED: Fail to send out Smart Licensing message to: https://tg1.acme.com/Transportgateway/services/DeviceRequestHandler (ERR 205 : Request Aborted)")
	_, fix, _ := strings.Cut(r.Text, "## fix: ")
	assert.Contains(t, fix, "AUTH_RENEW_SUCCESS")
	assert.Equal(t, agent.ResultSucceeded, r.Healthy.LastCommunication.Result)
}

// An estate with a pool per virtual account makes each account in the
// lab's CSSM with its own licenses.
func TestEstatePoolsPerAccount(t *testing.T) {
	l, err := scenario.NewEstate(1, strings.NewReader(`device b1 version 17.3.1 level network-advantage va Branch
  switch C9300-24P FOC2
pool
  1 C9300-24 DNA Advantage
pool va Branch
  2 C9300-24 Network Advantage
`))
	require.NoError(t, err)
	c := l.World.CSSM()
	branch, err := c.Licenses(scenario.Account, "Branch")
	require.NoError(t, err)
	require.Len(t, branch, 1)
	assert.Equal(t, int64(2), branch[0].Quantity)
	campus, err := c.Licenses(scenario.Account, scenario.VA)
	require.NoError(t, err)
	require.NotEmpty(t, campus)
	assert.Equal(t, "C9300-24 DNA Advantage", campus[0].Tag, "the plain pool in Campus")
}

// A device an estate records as registered starts registered in its
// virtual account, a product instance of the twin's CSSM; the others
// start unregistered.
func TestEstateRegisteredDevices(t *testing.T) {
	l, err := scenario.NewEstate(1, strings.NewReader(`device b1 version 17.3.1 level network-advantage va Branch state registered
  switch C9300-24P FOC2
device u1 version 17.3.1 level network-advantage state unregistered
  switch C9300-24P FOC3
pool va Branch
  1 C9300-24 Network Advantage
`))
	require.NoError(t, err)
	d, _ := l.World.Device("b1")
	st := d.Agent().Status()
	assert.Equal(t, agent.RegRegistered, st.Registration)
	assert.Equal(t, "Branch", st.VirtualAccount)
	assert.Equal(t, agent.AuthAuthorized, st.Authorization)
	assert.True(t, d.Saved(), "the registration survives a reload")
	rows, err := l.World.CSSM().Instances(scenario.Account, "Branch")
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, "FOC2", rows[0].SN)
	u, _ := l.World.Device("u1")
	assert.NotEqual(t, agent.RegRegistered, u.Agent().Status().Registration)
}
