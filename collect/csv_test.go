package collect_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/collect"
)

// A licenses export is read by its header's names, CSSM names or tags,
// with or without a byte order mark; the pool sums the virtual accounts.
func TestLicensesCSV(t *testing.T) {
	lines, err := collect.ReadLicensesCSV("l.csv", []byte("\ufeffLicense,Virtual Account,Purchased,In Use\n"+
		"C9300 24P DNA Advantage,Campus,2,2\nC9300-24 DNA Advantage,Branch,3,0\n,,,\n"))
	require.NoError(t, err)
	assert.Equal(t, []collect.PoolLine{{VA: "Campus", Tag: "C9300-24 DNA Advantage", Quantity: 2}, {VA: "Branch", Tag: "C9300-24 DNA Advantage", Quantity: 3}}, lines)
	p, err := collect.Pool(lines)
	require.NoError(t, err)
	assert.Equal(t, int64(5), p.Get("C9300-24 DNA Advantage"))

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
