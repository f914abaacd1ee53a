package license_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/license"
)

func TestParseUDI(t *testing.T) {
	for in, want := range map[string]license.UDI{
		"PID:C9300-24P,SN:FOC2133Z0AB":  {PID: "C9300-24P", SN: "FOC2133Z0AB"},
		"PID:CSR1000V,SN:9NZ7O74FICQ":   {PID: "CSR1000V", SN: "9NZ7O74FICQ"},
		"PID:C9500-32QC, SN: CAT2248L1": {PID: "C9500-32QC", SN: "CAT2248L1"}, // the seed's log form has a space
	} {
		got, err := license.ParseUDI(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	assert.Equal(t, "PID:C9300-24P,SN:FOC2133Z0AB", license.UDI{PID: "C9300-24P", SN: "FOC2133Z0AB"}.String())
	for _, bad := range []string{"", "C9300", "PID:C9300-24P", "PID:,SN:X", "PID:X,SN:", "SN:X,PID:Y", "PID:A B,SN:X", "PID:X,SN:A-B", "PID:X,SN:" + string(make([]byte, 41))} {
		_, err := license.ParseUDI(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func FuzzParseUDI(f *testing.F) {
	f.Add("PID:C9300-24P,SN:FOC2133Z0AB")
	f.Add("PID:,SN:")
	f.Fuzz(func(t *testing.T, s string) {
		u, err := license.ParseUDI(s)
		if err != nil {
			return
		}
		again, err := license.ParseUDI(u.String())
		if err != nil || again != u {
			t.Fatalf("%q → %+v does not round-trip: %+v, %v", s, u, again, err)
		}
	})
}

func TestCheckUsage(t *testing.T) {
	in := []license.Usage{{Tag: "b", Count: 2}, {Tag: "a", Count: 1}}
	out, err := license.CheckUsage(in)
	require.NoError(t, err)
	assert.Equal(t, in, out, "the platform's order is kept")
	out[0].Tag = "z"
	assert.Equal(t, "b", in[0].Tag, "a copy")
	empty, err := license.CheckUsage(nil)
	require.NoError(t, err)
	assert.Empty(t, empty)
	for name, bad := range map[string][]license.Usage{
		"empty tag": {{Tag: " ", Count: 1}},
		"zero":      {{Tag: "a", Count: 0}},
		"huge":      {{Tag: "a", Count: license.MaxUsageCount + 1}},
		"control":   {{Tag: "a\nb", Count: 1}},
		"duplicate": {{Tag: "a", Count: 1}, {Tag: "a", Count: 1}},
	} {
		_, err := license.CheckUsage(bad)
		assert.Error(t, err, name)
	}
}

func TestFailureClasses(t *testing.T) {
	assert.True(t, license.FailSend.FromTransport())
	assert.True(t, license.FailTransportUnavailable.FromTransport())
	assert.False(t, license.FailRejected.FromTransport())
	assert.False(t, license.FailureClass(0).Valid())
	assert.Equal(t, "FailureClass(42)", license.FailureClass(42).String())
	assert.Equal(t, "failure:busy", license.Failure{Class: license.FailBusy}.Kind())
}

func TestAllInCompliance(t *testing.T) {
	r := license.AuthorizeReply{Time: time.Unix(0, 0), Entitlements: []license.Entitlement{{Tag: "a", InCompliance: true}}}
	assert.True(t, r.AllInCompliance())
	r.Entitlements = append(r.Entitlements, license.Entitlement{Tag: "b"})
	assert.False(t, r.AllInCompliance())
}

func TestEnvelopesRoundTrip(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	u := license.UDI{PID: "C9300-24P", SN: "FOC1"}
	for _, m := range []license.Message{
		license.Register{ID: 1, UDI: u, Token: "abc", Force: true, DeviceTime: now, KeyID: "k"},
		license.Authorize{ID: 2, UDI: u, Usage: []license.Usage{{Tag: "x", Count: 2}}, KeyID: "k"},
		license.RenewID{ID: 3, UDI: u}, license.Deregister{ID: 4, UDI: u},
	} {
		e, err := license.WrapMessage(m)
		require.NoError(t, err)
		back, err := e.Message()
		require.NoError(t, err)
		assert.Equal(t, m, back)
	}
	for _, a := range []license.Answer{
		license.RegisterReply{ID: 1, SmartAccount: "s", CertStart: now}, license.AuthorizeReply{ID: 2, Time: now, Entitlements: []license.Entitlement{{Tag: "x"}}},
		license.RenewIDReply{ID: 3, CertStart: now}, license.DeregisterReply{ID: 4}, license.Failure{ID: 5, Class: license.FailBusy, Reason: "r"},
	} {
		e, err := license.WrapAnswer(a)
		require.NoError(t, err)
		back, err := e.Answer()
		require.NoError(t, err)
		assert.Equal(t, a, back)
	}
	_, err := license.Envelope{Kind: "nope"}.Message()
	assert.Error(t, err)
	_, err = license.Envelope{Kind: "failure", Data: []byte("{")}.Answer()
	assert.Error(t, err)
	_, err = license.WrapMessage(nil)
	assert.Error(t, err)
}
