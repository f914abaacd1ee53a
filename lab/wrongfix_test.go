package lab_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/lab"
)

// wrongFix is a fix a trainee might try for a scenario that does not work
// on a switch, and so must not work in the lab: after it and the time
// given, show license status still shows the symptom.
type wrongFix struct {
	scenario string
	what     string   // the trainee's idea
	lines    []string // typed after `lab scenario`
	symptom  string   // still in show license status
}

// Two wrong fixes for each scenario of the field guide (docs/scenarios.md
// lists them with the reason each fails).
var wrongFixes = []wrongFix{
	{"1", "register again, without force", []string{"enable", "license smart register idtoken $TOKEN", "lab advance 1m"},
		"Failure reason: Product Already Registered"},
	{"1", "save and reload, then register without force", []string{"enable", "write memory", "reload", "", "enable", "license smart register idtoken $TOKEN", "lab advance 1m"},
		"Failure reason: Product Already Registered"},
	{"2", "renew the authorization", []string{"enable", "license smart renew auth", "lab advance 1m"},
		"Status: REGISTERING - REGISTRATION IN PROGRESS"},
	{"2", "deregister to start over", []string{"enable", "license smart deregister", "lab advance 30m"},
		"Status: UNREGISTERED\n"},
	{"3", "set the time zone instead of the clock", []string{"enable", "configure terminal", "clock timezone JST 9", "end", "license smart register idtoken $TOKEN force", "lab advance 1m"},
		"is offset beyond the allowed tolerance limit."},
	{"3", "declare the wrong clock authoritative", []string{"enable", "configure terminal", "clock calendar-valid", "end", "license smart register idtoken $TOKEN force", "lab advance 1m"},
		"is offset beyond the allowed tolerance limit."},
	{"4", "register again without fixing Call Home", []string{"enable", "license smart register idtoken $TOKEN", "lab advance 1m"},
		"Failure reason: Communication transport not available."},
	{"4", "point the user profile at CSSM without reporting smart-licensing-data", []string{"enable", "configure terminal", "call-home", "profile MyProfile",
		"destination address http https://tools.cisco.com/its/service/oddce/services/DDCEService", "end", "license smart register idtoken $TOKEN", "lab advance 1m"},
		"Failure reason: Communication transport not available."},
	{"5", "an ip host entry (DNS is not the problem)", []string{"enable", "configure terminal", "ip host tools.cisco.com 203.0.113.10", "end", "license smart renew auth", "lab advance 1m"},
		"Failure reason: Fail to send out Call Home HTTP message."},
	{"5", "the source interface in the global table", []string{"enable", "configure terminal", "ip http client source-interface Vlan1", "end", "license smart renew auth", "lab advance 1m"},
		"Failure reason: Fail to send out Call Home HTTP message."},
	{"6", "register again without renewing the satellite's certificate", []string{"enable", "license smart register idtoken $TOKEN force", "lab advance 1m"},
		"Failure reason: Missing Id cert serial number field"},
	{"6", "turn off the server identity check", []string{"enable", "configure terminal", "no http secure server-identity-check", "end", "license smart register idtoken $TOKEN force", "lab advance 1m"},
		"Failure reason: Missing Id cert serial number field"},
	{"7", "renew the authorization by hand", []string{"enable", "license smart renew auth", "lab advance 1m"},
		"Failure reason: Waiting for reply"},
	{"7", "save and reload", []string{"enable", "write memory", "reload", "", "lab advance 1m", "enable", "license smart renew auth", "lab advance 1m"},
		"Failure reason: Waiting for reply"},
	{"8", "renew the authorization by hand", []string{"enable", "license smart renew auth", "lab advance 1m"},
		"Status: OUT OF COMPLIANCE"},
	{"8", "add licenses to the other virtual account (Campus)", []string{"lab cssm license add Campus 10 C9300-24 Network Advantage", "enable", "license smart renew auth", "lab advance 1m"},
		"Status: OUT OF COMPLIANCE"},
	{"9", "renew the authorization again", []string{"enable", "license smart renew auth", "lab advance 1m"},
		"Failure reason: Data and signature do not match"},
	{"9", "save and reload", []string{"enable", "write memory", "reload", "", "lab advance 1m", "enable", "license smart renew auth", "lab advance 1m"},
		"Failure reason: Data and signature do not match"},
	{"tg", "turn off the revocation check of the gateway's trustpoint", []string{"enable", "configure terminal", "crypto pki trustpoint TG-CA", "revocation-check none", "end", "license smart renew auth", "lab advance 1m"},
		"Failure reason: Fail to send out Call Home HTTP message."},
	{"tg", "turn off the server identity check", []string{"enable", "configure terminal", "no http secure server-identity-check", "end", "license smart renew auth", "lab advance 1m"},
		"Failure reason: Fail to send out Call Home HTTP message."},
	{"tg", "plain HTTP to the gateway, around its certificate", []string{"enable", "configure terminal", "call-home", "profile CiscoTAC-1",
		"no destination address http https://tg1.acme.com/Transportgateway/services/DeviceRequestHandler",
		"destination address http http://tg1.acme.com/Transportgateway/services/DeviceRequestHandler", "end", "license smart renew auth", "lab advance 1m"},
		"Failure reason: Fail to send out Call Home HTTP message."},
}

// The guide's fix for scenario "tg", typed in the lab: the new CA's
// certificate (lab transport-gateway ca) authenticated in a trustpoint of
// its own; the renewal then succeeds.
func TestTransportGatewayScenarioFix(t *testing.T) {
	s, err := lab.New(1)
	require.NoError(t, err)
	require.Contains(t, s.Exec("lab scenario tg"), "loaded")
	pem := s.Exec("lab transport-gateway ca tg1")
	require.Contains(t, pem, "-----BEGIN CERTIFICATE-----")
	lines := []string{"enable", "configure terminal", "crypto pki trustpoint TG-CA-G2", "enrollment terminal", "exit", "crypto pki authenticate TG-CA-G2"}
	lines = append(lines, strings.Split(strings.TrimSuffix(pem, "\n"), "\n")...)
	lines = append(lines, "", "yes", "end", "write memory", "license smart renew auth", "lab advance 1m")
	var out strings.Builder
	for _, l := range lines {
		out.WriteString(s.Prompt() + l + "\n" + s.Exec(l))
	}
	status := s.Exec("show license status")
	assert.Contains(t, status, "Last Communication Attempt: SUCCEEDED", "after:\n%s\nstatus:\n%s", out.String(), status)
	assert.Contains(t, out.String(), "% Certificate successfully imported")
}

func TestWrongFixesFail(t *testing.T) {
	per := map[string]int{}
	for _, w := range wrongFixes {
		per[w.scenario]++
		t.Run(w.scenario+" "+w.what, func(t *testing.T) {
			s, err := lab.New(1)
			require.NoError(t, err)
			require.Contains(t, s.Exec("lab scenario "+w.scenario), "loaded")
			var out strings.Builder
			for _, l := range w.lines {
				out.WriteString(s.Prompt() + l + "\n" + s.Exec(l))
			}
			status := s.Exec("show license status")
			assert.Contains(t, status, w.symptom, "after:\n%s\nstatus:\n%s", out.String(), status)
		})
	}
	for _, id := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "tg"} {
		assert.GreaterOrEqual(t, per[id], 2, "scenario %s: two wrong fixes", id)
	}
}
