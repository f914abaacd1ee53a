package ios_test

import (
	"os"
	"testing"
	"time"

	"github.com/sirikothe/gotextfsm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/ios"
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

// ntc-templates' `show version` template reads the simulator's output as
// it reads a Catalyst 9300 stack's: release, image, hostname, uptime, and
// each member's model, serial number and MAC address.
func TestNTCTemplateParsesVersion(t *testing.T) {
	tmpl, err := os.ReadFile("testdata/ntc-templates/cisco_ios_show_version.textfsm")
	require.NoError(t, err)
	fsm := gotextfsm.TextFSM{}
	require.NoError(t, fsm.ParseString(string(tmpl)))
	l, err := scenario.NewLab(1)
	require.NoError(t, err)
	require.NoError(t, l.World.RunFor(3*time.Hour+5*time.Minute))
	c, err := ios.NewConsole(l.World, l.Device)
	require.NoError(t, err)
	out := gotextfsm.ParserOutput{}
	require.NoError(t, out.ParseTextString(c.Exec("show version"), fsm, true))
	require.Len(t, out.Dict, 1)
	rec := out.Dict[0]
	assert.Equal(t, "CAT9K_IOSXE", rec["SOFTWARE_IMAGE"])
	assert.Equal(t, "17.3.1", rec["VERSION"])
	assert.Equal(t, "fc2", rec["RELEASE"])
	assert.Equal(t, "IOS-XE", rec["ROMMON"])
	assert.Equal(t, "sw1", rec["HOSTNAME"])
	assert.Equal(t, "3", rec["UPTIME_HOURS"])
	assert.Equal(t, "5", rec["UPTIME_MINUTES"])
	assert.Equal(t, "packages.conf", rec["RUNNING_IMAGE"])
	assert.Equal(t, "Reload Command", rec["RELOAD_REASON"])
	assert.Equal(t, "0x102", rec["CONFIG_REGISTER"])
	assert.Equal(t, []string{"C9300-24P", "C9300-24P"}, rec["HARDWARE"])
	assert.Equal(t, []string{"FOC2133Z0AB", "FOC2133Z0AC"}, rec["SERIAL"])
	macs, _ := rec["MAC_ADDRESS"].([]string)
	assert.Len(t, macs, 2)
}
