package cssm_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

func supply(t *testing.T, c *cssm.CSSM, va, tag string) int64 {
	t.Helper()
	bs, err := c.Balances(sa, va)
	require.NoError(t, err)
	for _, b := range bs {
		if b.Tag == tag {
			return b.Supply
		}
	}
	return 0
}

func TestConvertPAK(t *testing.T) {
	c := newCSSM(t)
	pak := cssm.PAK{ID: "3850PAK0001", OrderNumber: "801234567", OrderDate: t0.AddDate(-2, 0, 0), VA: campus,
		Lines: []cssm.PAKLine{{SKU: "C3850-24-L-S", Tag: "C3850-24 IP Base", Quantity: 4}, {SKU: "C3850-48-S-E", Tag: "C3850-48 IP Services", Quantity: 2}}}
	require.NoError(t, c.AddPAK(t0, sa, pak))
	require.ErrorIs(t, c.AddPAK(t0, sa, pak), cssm.ErrInvalid, "the same PAK twice")
	bad := pak
	bad.ID, bad.Lines = "BAD", []cssm.PAKLine{{SKU: "X", Tag: "No Such Tag", Quantity: 1}}
	require.Error(t, c.AddPAK(t0, sa, bad))
	assert.Equal(t, "Available", c.PAKs(sa)[0].Status())

	// Part of one SKU, then the rest of the PAK.
	require.NoError(t, c.ConvertPAK(t0, sa, pak.ID, campus, map[string]int{"C3850-24-L-S": 3}))
	assert.Equal(t, int64(3), supply(t, c, campus, "C3850-24 IP Base"))
	assert.Equal(t, "Partially Converted", c.PAKs(sa)[0].Status())
	require.ErrorIs(t, c.ConvertPAK(t0, sa, pak.ID, campus, map[string]int{"C3850-24-L-S": 2}), cssm.ErrInvalid, "only 1 left")
	require.NoError(t, c.ConvertPAK(t0, sa, pak.ID, "DEFAULT", nil))
	assert.Equal(t, int64(1), supply(t, c, "DEFAULT", "C3850-24 IP Base"))
	assert.Equal(t, int64(2), supply(t, c, "DEFAULT", "C3850-48 IP Services"))
	assert.Equal(t, "Converted", c.PAKs(sa)[0].Status())

	// A second conversion of the same quantities is refused and changes nothing.
	before := snap(t, c)
	require.ErrorIs(t, c.ConvertPAK(t0, sa, pak.ID, campus, nil), cssm.ErrAlreadyConverted)
	require.ErrorIs(t, c.ConvertPAK(t0, sa, pak.ID, campus, map[string]int{"C3850-48-S-E": 1}), cssm.ErrAlreadyConverted)
	require.ErrorIs(t, c.ConvertPAK(t0, sa, "NOPAK", campus, nil), cssm.ErrNotFound)
	assert.Equal(t, before, snap(t, c))

	h := c.Conversions(sa)
	require.Len(t, h, 2)
	assert.Equal(t, cssm.Conversion{Time: t0, SA: sa, Method: cssm.MethodPAK, Source: "PAK 3850PAK0001", VA: "DEFAULT",
		Licenses: []string{"1 C3850 24P IP Base", "2 C3850 48P IP Services"}, Status: "Converted"}, h[0])
	evs, _ := c.Events(sa)
	assert.Equal(t, "PAK 3850PAK0001 was converted to Smart Licensing: 1 C3850 24P IP Base, 2 C3850 48P IP Services.", evs[0].Message)

	r, err := cssm.Restore([]byte(snap(t, c)), stackwise.Catalog())
	require.NoError(t, err)
	assert.Equal(t, c.PAKs(sa), r.PAKs(sa))
	assert.Equal(t, c.Conversions(sa), r.Conversions(sa))
}

func TestConvertDevice(t *testing.T) {
	c := newCSSM(t)
	udi := license.UDI{PID: "WS-C3850-24P", SN: "FOC1920X0AA"}
	lines := []cssm.ConversionLine{{Tag: "C3850-24 IP Services", Count: 2}}
	require.Error(t, c.ConvertDevice(t0, sa, campus, cssm.MethodDLC, udi, nil), "nothing to convert")
	// Only a registered product instance converts, and only what it
	// reported using.
	require.ErrorIs(t, c.ConvertDevice(t0, sa, campus, cssm.MethodDevice, udi, lines), cssm.ErrNotFound, "never seen")
	tok := token(t, c, campus)
	ans := handle(t, c, t0, license.Register{ID: id(), UDI: udi, Hostname: "c3850", Token: tok})
	require.IsType(t, license.RegisterReply{}, ans)
	handle(t, c, t0, license.Authorize{ID: id(), UDI: udi, Usage: []license.Usage{{Tag: "C3850-24 IP Services", Count: 2}}})
	before := supply(t, c, campus, "C3850-24 IP Services")
	for _, bad := range [][]cssm.ConversionLine{{{Tag: "C3850-24 IP Services", Count: 500}}, {{Tag: "C3850-48 IP Services", Count: 1}}} {
		require.ErrorIs(t, c.ConvertDevice(t0, sa, campus, cssm.MethodDevice, udi, bad), cssm.ErrInvalid, "%v: not what it reported", bad)
	}
	assert.Equal(t, before, supply(t, c, campus, "C3850-24 IP Services"), "refusals add nothing")
	require.NoError(t, c.ConvertDevice(t0.Add(time.Hour), sa, campus, cssm.MethodDLC, udi, lines))
	assert.True(t, c.Converted(udi))
	assert.Equal(t, before+2, supply(t, c, campus, "C3850-24 IP Services"))
	require.ErrorIs(t, c.ConvertDevice(t0.Add(time.Hour), sa, campus, cssm.MethodDevice, udi, lines), cssm.ErrAlreadyConverted)
	assert.Equal(t, before+2, supply(t, c, campus, "C3850-24 IP Services"))
	h := c.Conversions(sa)
	require.Len(t, h, 1)
	assert.Equal(t, "Device Led Conversion", h[0].Method)
	assert.Equal(t, "PID:WS-C3850-24P,SN:FOC1920X0AA", h[0].Source)
}
