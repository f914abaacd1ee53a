package cssm_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/stackwise"
)

func TestUsersAndAPIClients(t *testing.T) {
	c := newCSSM(t)
	require.NoError(t, c.CreateSmartAccount(t0, "Other", "other.org"))
	require.NoError(t, c.AddUser(t0, sa, "jdoe", "s3cret!"))
	require.NoError(t, c.AddUser(t0, "Other", "jdoe", "s3cret!"))
	require.ErrorIs(t, c.AddUser(t0, sa, "jdoe", "another"), cssm.ErrInvalid, "a known user's password is not changed")
	require.Error(t, c.AddUser(t0, "Nobody", "ann", "s3cret!"))
	require.ErrorIs(t, c.AddUser(t0, sa, "ann", "abc"), cssm.ErrInvalid, "too short")

	accs, ok := c.SignIn("jdoe", "s3cret!")
	require.True(t, ok)
	assert.Equal(t, []string{sa, "Other"}, accs)
	_, ok = c.SignIn("jdoe", "wrong")
	assert.False(t, ok)
	_, ok = c.SignIn("ann", "abc")
	assert.False(t, ok, "refused users were not created")

	cl, err := c.CreateAPIClient(t0, sa)
	require.NoError(t, err)
	assert.Len(t, cl.ID, 24)
	assert.Len(t, cl.Secret, 32)
	got, ok := c.CheckAPIClient(cl.ID, cl.Secret)
	require.True(t, ok)
	assert.Equal(t, sa, got.SA)
	_, ok = c.CheckAPIClient(cl.ID, "x")
	assert.False(t, ok)
	assert.Equal(t, []cssm.APIClient{cl}, c.APIClients(sa))
	assert.Empty(t, c.APIClients("Other"))

	data, err := c.Snapshot()
	require.NoError(t, err)
	assert.NotContains(t, string(data), "s3cret!", "passwords are kept hashed")
	r, err := cssm.Restore(data, stackwise.Catalog())
	require.NoError(t, err)
	_, ok = r.SignIn("jdoe", "s3cret!")
	assert.True(t, ok)
	_, ok = r.CheckAPIClient(cl.ID, cl.Secret)
	assert.True(t, ok)
}
