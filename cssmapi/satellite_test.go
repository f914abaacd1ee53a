package cssmapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
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

// The satellite's API as the WWT Ansible module drives it: OAuth with a
// JSON body, then a token for a virtual account named under the account's
// name; without a bearer token the tokens URL answers 403.
func TestSatelliteAPI(t *testing.T) {
	l, err := scenario.NewLab(1)
	require.NoError(t, err)
	now := l.World.Now()
	sat, err := l.World.AddSatellite(cssm.SatelliteConfig{Name: "onprem-1", Hostname: "ssm-onprem.acme.com", SA: scenario.Account,
		VAs: []string{scenario.VA}, Mode: cssm.SyncNetwork, CertValidity: 365 * cssm.Day, Seed: 5}, "192.0.2.50")
	require.NoError(t, err)
	cl, err := l.World.CSSM().CreateAPIClient(now, scenario.Account)
	require.NoError(t, err)
	var mu sync.Mutex
	srv := httptest.NewTLSServer(&cssmapi.Satellite{AuthDelay: -1, Access: func(f func(c *cssm.CSSM, s *cssm.Satellite, now time.Time) error) error {
		mu.Lock()
		defer mu.Unlock()
		return f(l.World.CSSM(), sat, l.World.Now())
	}})
	defer srv.Close()
	tokens := srv.URL + "/backend/api/v1/accounts/ACME%20Corporation/virtual-accounts/Campus/tokens"

	req, _ := http.NewRequest("GET", tokens, nil)
	req.SetBasicAuth("admin", "admin")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "the liveness probe")

	body, _ := json.Marshal(map[string]string{"client_id": cl.ID, "client_secret": cl.Secret, "grant_type": "client_credentials"})
	resp, err = srv.Client().Post(srv.URL+"/backend/oauth/token", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	require.NotEmpty(t, tok.AccessToken)

	post := func(url, body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", url, bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
		return resp.StatusCode, m
	}
	code, m := post(tokens, `{"description": "ansible", "expiresAfterDays": "365", "exportControlled": "Allowed"}`)
	require.Equal(t, http.StatusOK, code, "%v", m)
	info := m["tokenInfo"].(map[string]any)
	assert.Equal(t, "Allowed", info["exportControlled"])
	assert.NotEmpty(t, info["token"])

	value := info["token"].(string)

	get := func(url string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
		return resp.StatusCode, m
	}
	acct := srv.URL + "/backend/api/v1/accounts/ACME%20Corporation/"
	code, m = get(acct + "virtual-accounts/Campus/licenses")
	require.Equal(t, http.StatusOK, code, "%v", m)
	assert.Equal(t, float64(2), m["totalRecords"], "the licenses synchronised from CSSM")
	lic := m["licenses"].([]any)[1].(map[string]any)
	assert.Equal(t, "C9300 24P Network Advantage", lic["license"])
	assert.Equal(t, float64(10), lic["quantity"])
	code, m = get(acct + "virtual-accounts/Campus/devices")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, float64(0), m["totalRecords"])
	code, m = get(acct + "alerts")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []any{}, m["alerts"])
	code, _ = post(tokens+"/revoke", `{"token": "`+value+`"}`)
	assert.Equal(t, http.StatusOK, code)
	code, _ = post(tokens+"/revoke", `{"token": "`+value+`"}`)
	assert.Equal(t, http.StatusBadRequest, code, "already revoked")
	code, _ = get(srv.URL + "/backend/api/v1/accounts/Other/alerts")
	assert.Equal(t, http.StatusForbidden, code)

	code, _ = post(srv.URL+"/backend/api/v1/accounts/Other/virtual-accounts/Campus/tokens", `{"description": "x", "expiresAfterDays": "30"}`)
	assert.Equal(t, http.StatusForbidden, code, "another account")
	code, _ = post(srv.URL+"/backend/api/v1/accounts/ACME%20Corporation/virtual-accounts/Nowhere/tokens", `{"description": "x", "expiresAfterDays": "30"}`)
	assert.Equal(t, http.StatusNotFound, code, "a virtual account the satellite does not serve")

	resp, err = srv.Client().Post(srv.URL+"/backend/oauth/token", "application/json", bytes.NewReader([]byte(`{"client_id": "x", "client_secret": "y", "grant_type": "client_credentials"}`)))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
