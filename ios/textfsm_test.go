package ios_test

import (
	"os"
	"testing"
	"time"

	"github.com/sirikothe/gotextfsm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/scenario"
)

// The simulator's `show license status`, parsed by ntc-templates' TextFSM
// template, yields the registration status, accounts and authorization
// status. (The template captures the authorization status only with its
// "on <date>", so EVAL MODE parses to an empty value, as on a real switch.)
func TestNTCTemplateParsesStatus(t *testing.T) {
	tmpl, err := os.ReadFile("testdata/ntc-templates/cisco_ios_show_license_status.textfsm")
	require.NoError(t, err)
	fsm := gotextfsm.TextFSM{}
	require.NoError(t, fsm.ParseString(string(tmpl)))
	parse := func(text string) map[string]any {
		t.Helper()
		out := gotextfsm.ParserOutput{}
		require.NoError(t, out.ParseTextString(text, fsm, true))
		require.Len(t, out.Dict, 1)
		return out.Dict[0]
	}

	eval, err := scenario.NewLab(1)
	require.NoError(t, err)
	rec := parse(eval.ShowLicenseStatus())
	assert.Equal(t, "ENABLED", rec["SL_ENABLED"])
	assert.Equal(t, "Callhome", rec["TRANSPORT_TYPE"])
	assert.Equal(t, "UNREGISTERED", rec["REG_STATUS"])
	assert.Equal(t, "", rec["LICENSE_AUTH"])
	assert.Equal(t, "", rec["SMART_ACCT"])

	auth, err := scenario.NewLab(1)
	require.NoError(t, err)
	require.NoError(t, auth.RegisterHealthy())
	rec = parse(auth.ShowLicenseStatus())
	assert.Equal(t, "REGISTERED", rec["REG_STATUS"])
	assert.Equal(t, "ACME Corporation", rec["SMART_ACCT"])
	assert.Equal(t, "Campus", rec["VIRT_ACCT"])
	assert.Equal(t, "AUTHORIZED", rec["LICENSE_AUTH"])

	ooc, err := scenario.NewLab(1)
	require.NoError(t, err)
	w := ooc.World
	require.NoError(t, w.CSSM().RemoveLicenses(w.Now(), scenario.Account, scenario.VA, "C9300-24 DNA Advantage", 9))
	_, err = w.Register(ooc.Device, ooc.Token, false) // the VA is now short of DNA licenses
	require.NoError(t, err)
	require.NoError(t, w.RunFor(time.Minute))
	rec = parse(ooc.ShowLicenseStatus())
	assert.Equal(t, "REGISTERED", rec["REG_STATUS"])
	assert.Equal(t, "OUT OF COMPLIANCE", rec["LICENSE_AUTH"])
	assert.Equal(t, "Campus", rec["VIRT_ACCT"])
}
