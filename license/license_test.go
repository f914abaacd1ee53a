package license_test

import (
	"fmt"
	"strings"
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
	assert.Equal(t, "x:PID:C9300-24P,SN:FOC2133Z0AB", string(license.UDI{PID: "C9300-24P", SN: "FOC2133Z0AB"}.AppendString([]byte("x:"))))
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
		assert.Error(t, license.ValidateUsage(bad), name)
	}
	// Long lists find duplicates too, however far apart.
	var long []license.Usage
	for i := range 40 {
		long = append(long, license.Usage{Tag: fmt.Sprintf("t%02d", i), Count: 1})
	}
	require.NoError(t, license.ValidateUsage(long))
	long = append(long, license.Usage{Tag: "t03", Count: 2})
	assert.EqualError(t, license.ValidateUsage(long), `usage tag "t03" appears twice`)
	assert.EqualError(t, license.ValidateUsage([]license.Usage{{Tag: "a", Count: 0}, {Tag: "", Count: 1}}),
		`usage "a": count 0 is outside 1..1048576`, "the first error in list order")
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

// FuzzValidateUsageTag: the byte-wise tag checks agree with the plain
// definition — blank after trimming Unicode space, or a control rune.
func FuzzValidateUsageTag(f *testing.F) {
	for _, s := range []string{"C9300-24 Network Advantage", " ", "\u00a0", "\u00a0x", "a\tb", "a\x7f", "\xff", " \t\n", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		var want error
		if strings.TrimSpace(tag) == "" {
			want = license.ErrNoUsage
		} else if strings.ContainsFunc(tag, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			want = fmt.Errorf("usage tag %q has a control character", tag)
		}
		got := license.ValidateUsage([]license.Usage{{Tag: tag, Count: 1}})
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%q: got %v, want %v", tag, got, want)
		}
	})
}
