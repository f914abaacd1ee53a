package cssm_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

func messages(t *testing.T, c *cssm.CSSM) []string {
	t.Helper()
	evs, err := c.Events(sa)
	require.NoError(t, err)
	var out []string
	for _, e := range evs {
		out = append(out, e.User+": "+e.VA+": "+e.Message)
	}
	return out
}

// The event log records what users, devices and timers did, newest
// first, with who did it.
func TestEventLog(t *testing.T) {
	c := newCSSM(t)
	_, err := c.AddLicenses(t0, sa, campus, na24, 2, time.Time{}, time.Time{})
	require.NoError(t, err)
	var tok string
	require.NoError(t, c.Acting("jdoe", func() error {
		tok = token(t, c, campus)
		require.NoError(t, c.CreateVirtualAccount(t0, sa, "Lab", ""))
		return c.TransferLicenses(t0, sa, campus, "Lab", na24, 1)
	}))
	registerDevice(t, c, t0, tok, "FOC1", license.Usage{Tag: na24, Count: 1})
	wantErr := errors.New("the caller's own")
	require.ErrorIs(t, c.Acting("jdoe", func() error {
		require.NoError(t, c.TransferInstance(t0, udi("FOC1"), "Lab"))
		require.NoError(t, c.RemoveInstance(t0, udi("FOC1")))
		require.ErrorIs(t, c.RemoveInstance(t0, udi("FOC1")), cssm.ErrNotFound)
		require.NoError(t, c.RevokeToken(t0, tok))
		return wantErr
	}), wantErr, "Acting returns what f returns")
	assert.Equal(t, []string{
		`jdoe: Campus: A token was revoked ("lab").`,
		"jdoe: Lab: Product instance sw-FOC1 (PID:C9300-24P,SN:FOC1) was removed.",
		"jdoe: Campus: Product instance sw-FOC1 (PID:C9300-24P,SN:FOC1) was transferred from Campus to Lab.",
		"System: Campus: Product instance sw-FOC1 (PID:C9300-24P,SN:FOC1) was registered.",
		"jdoe: Campus: 1 C9300 24P Network Advantage license(s) were transferred from Campus to Lab.",
		"jdoe: Lab: Virtual account Lab was created.",
		`jdoe: Campus: A token was created ("lab", expires 2025-03-01).`,
		"System: Campus: 2 C9300 24P Network Advantage license(s) were added.",
		"System: Campus: Virtual account Campus was created.",
	}, messages(t, c))
	inst, err := c.Instances(sa, "Lab")
	require.NoError(t, err)
	assert.Empty(t, inst, "removed")

	// The log survives a snapshot.
	data, err := c.Snapshot()
	require.NoError(t, err)
	r, err := cssm.Restore(data, stackwise.Catalog())
	require.NoError(t, err)
	assert.Equal(t, messages(t, c), messages(t, r))

	_, err = c.Events("nobody")
	require.Error(t, err)
}

func TestEventLogIsBounded(t *testing.T) {
	c := newCSSM(t)
	for i := 0; i < cssm.MaxEvents+5; i++ {
		_, err := c.AddLicenses(t0, sa, campus, na24, int64(i+1), time.Time{}, time.Time{})
		require.NoError(t, err)
	}
	evs, err := c.Events(sa)
	require.NoError(t, err)
	require.Len(t, evs, cssm.MaxEvents)
	assert.Equal(t, "1005 C9300 24P Network Advantage license(s) were added.", evs[0].Message, "newest first")
}

func TestAccountsByDomain(t *testing.T) {
	c := newCSSM(t)
	require.NoError(t, c.CreateSmartAccount(t0, "Other", "other.org"))
	assert.Equal(t, []cssm.AccountInfo{{Name: sa, Domain: "acme.com"}, {Name: "Other", Domain: "other.org"}}, c.Accounts())
	n, ok := c.AccountByDomain("other.org")
	assert.True(t, ok)
	assert.Equal(t, "Other", n)
	_, ok = c.AccountByDomain("nowhere.net")
	assert.False(t, ok)
}
