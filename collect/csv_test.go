package collect_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/collect"
	sw "github.com/slsim/slsim/stackwise"
)

// A licenses export is read by its header's names, CSSM names or tags,
// with or without a byte order mark; the exports of several virtual
// accounts make a pool each, of one account a plain pool.
func TestLicensesCSV(t *testing.T) {
	lines, err := collect.ReadLicensesCSV("l.csv", []byte("\ufeffLicense,Virtual Account,Purchased,In Use\n"+
		"C9300 24P DNA Advantage,Campus,2,2\nC9300-24 DNA Advantage,Branch,3,0\n,,,\n"))
	require.NoError(t, err)
	assert.Equal(t, []collect.PoolLine{{VA: "Campus", Tag: "C9300-24 DNA Advantage", Quantity: 2}, {VA: "Branch", Tag: "C9300-24 DNA Advantage", Quantity: 3}}, lines)
	pools, err := collect.Pools(lines)
	require.NoError(t, err)
	require.Len(t, pools, 2)
	assert.Equal(t, int64(2), pools["Campus"].Get("C9300-24 DNA Advantage"))
	assert.Equal(t, int64(3), pools["Branch"].Get("C9300-24 DNA Advantage"))
	var b strings.Builder
	require.NoError(t, collect.Write(&b, nil, pools))
	assert.Equal(t, "# the licenses exports, a pool per virtual account\npool va Branch\n  3 C9300-24 DNA Advantage\npool va Campus\n  2 C9300-24 DNA Advantage\n", b.String())

	one, err := collect.Pools([]collect.PoolLine{lines[0], {VA: "Campus", Tag: "C9300-24 DNA Advantage", Quantity: 1}})
	require.NoError(t, err)
	require.Len(t, one, 1)
	assert.Equal(t, int64(3), one[""].Get("C9300-24 DNA Advantage"), "one account's exports: a plain pool, summed")

	for name, bad := range map[string]string{
		"no columns":      "Name,Count\nx,1\n",
		"bad quantity":    "License,Quantity\nC9300 24P DNA Advantage,many\n",
		"negative":        "License,Quantity\nC9300 24P DNA Advantage,-1\n",
		"unknown license": "License,Quantity\nC9999 Nothing,1\n",
		"short row":       "License,Virtual Account,Quantity\nC9300 24P DNA Advantage\n",
		"no licenses":     "License,Quantity\n",
		"not csv at all":  "License,\"Quantity\n",
	} {
		_, err := collect.ReadLicensesCSV("l.csv", []byte(bad))
		assert.Error(t, err, name)
	}
	_, err = collect.ReadLicensesCSV("l.csv", []byte("License,Quantity\nC9999 Nothing,1\n"))
	assert.ErrorContains(t, err, "l.csv: row 2")
}

// A product instances export is told from a licenses export by its
// header; its rows give the devices CSSM holds their virtual account, and
// a registered state where their outputs said none.
func TestInstancesCSV(t *testing.T) {
	data := []byte("Name,Product Type,PID,Serial Number,Virtual Account,Registered,Last Contact,Status,Licenses\n" +
		"sw1,C9300,C9300-24P,FOC1,Campus,2024-03-04T10:00:01Z,2024-03-04T10:00:06Z,Active,\n" +
		"gone,C9300,C9300-24P,FOC9,Branch,,,Active,\n")
	assert.True(t, collect.IsInstancesCSV(data))
	assert.False(t, collect.IsInstancesCSV([]byte("License,Virtual Account,Purchased\n")))
	in, err := collect.ReadInstancesCSV("i.csv", data)
	require.NoError(t, err)
	require.Len(t, in, 2)
	assert.Equal(t, collect.Instance{Name: "sw1", PID: "C9300-24P", SN: "FOC1", VA: "Campus"}, in[0])
	devs := []collect.Device{
		{Device: sw.Device{Name: "sw1", Switches: []sw.Unit{{PID: "C9300-24P", SN: "FOC1"}}}},
		{Device: sw.Device{Name: "sw2", Switches: []sw.Unit{{PID: "C9300-24P", SN: "FOC2"}}}, Account: sw.Account{State: "unregistered"}},
	}
	unmatched := collect.MarkRegistered(devs, in)
	assert.Equal(t, sw.Account{VA: "Campus", State: "registered"}, devs[0].Account)
	assert.Equal(t, sw.Account{State: "unregistered"}, devs[1].Account, "not listed: unchanged")
	assert.Equal(t, []collect.Instance{in[1]}, unmatched)

	for name, bad := range map[string]string{
		"no virtual account": "Name,Serial Number\nsw1,FOC1\n",
		"no serial in a row": "Name,Serial Number,Virtual Account\nsw1,,Campus\n",
		"two-word account":   "Name,Serial Number,Virtual Account\nsw1,FOC1,Two Words\n",
		"no rows":            "Name,Serial Number,Virtual Account\n",
	} {
		_, err := collect.ReadInstancesCSV("i.csv", []byte(bad))
		assert.Error(t, err, name)
	}
}
