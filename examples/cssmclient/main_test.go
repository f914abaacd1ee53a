package main

import (
	"bytes"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/cssmapi"
	"github.com/slsim/slsim/scenario"
)

// The client, written to the API's shapes, reads the lab's CSSM served
// by slsim: accounts, virtual accounts and usage.
func TestReportsTheLabCSSM(t *testing.T) {
	l, err := scenario.NewLab(1)
	require.NoError(t, err)
	require.NoError(t, l.RegisterHealthy())
	c, now := l.World.CSSM(), l.World.Now()
	require.NoError(t, c.AddUser(now, scenario.Account, "jdoe", "s3cret!"))
	cl, err := c.CreateAPIClient(now, scenario.Account)
	require.NoError(t, err)
	var mu sync.Mutex
	srv := httptest.NewTLSServer(&cssmapi.Server{AuthDelay: -1, Access: func(f func(c *cssm.CSSM, now time.Time) error) error {
		mu.Lock()
		defer mu.Unlock()
		return f(l.World.CSSM(), l.World.Now())
	}})
	defer srv.Close()

	client := &Client{Base: srv.URL, HTTP: srv.Client()}
	require.Error(t, client.Login(cl.ID, cl.Secret, "jdoe", "wrong"))
	require.NoError(t, client.Login(cl.ID, cl.Secret, "jdoe", "s3cret!"))
	var out bytes.Buffer
	require.NoError(t, report(&out, client))
	assert.Equal(t, `ACME Corporation (acme.com)
  Campus                         2 licenses
    C9300 24P DNA Advantage      2 in use of 10  In Compliance
    C9300 24P Network Advantage  2 in use of 10  In Compliance
  DEFAULT                        0 licenses
`, out.String())
}
