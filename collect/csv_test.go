package collect_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/collect"
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
