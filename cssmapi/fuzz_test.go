package cssmapi_test

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/cssmapi"
	"github.com/slsim/slsim/scenario"
)

// FuzzAPI sends arbitrary methods, paths and bodies with a valid bearer
// token, and arbitrary token requests: the server never panics and every
// answer is JSON.
func FuzzAPI(f *testing.F) {
	l, err := scenario.NewLab(1)
	if err != nil {
		f.Fatal(err)
	}
	c := l.World.CSSM()
	cl, err := c.CreateAPIClient(l.World.Now(), scenario.Account)
	if err != nil {
		f.Fatal(err)
	}
	srv := &cssmapi.Server{AuthDelay: -1, Access: func(fn func(c *cssm.CSSM, now time.Time) error) error { return fn(c, l.World.Now()) }}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("POST", cssmapi.TokenPath+"?grant_type=client_credentials&client_id="+cl.ID+"&client_secret="+cl.Secret, nil))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		f.Fatal("no bearer token:", rec.Body.String())
	}
	f.Add("POST", "v1/accounts/acme.com/licenses", `{"virtualAccounts":["Campus"],"limit":1,"offset":0}`)
	f.Add("POST", "v1/accounts/acme.com/virtual-accounts/Campus/tokens", `{"description":"x","expiresAfterDays":"30","exportControlled":"Allowed"}`)
	f.Add("GET", "v1/accounts/search", "domain=acme&limit=5")
	f.Add("TOKEN", "", "grant_type=password&client_id=x&username=a&password=b")
	f.Fuzz(func(t *testing.T, method, path, body string) {
		target := cssmapi.BasePath + path
		if method == "TOKEN" {
			method, target = "POST", cssmapi.TokenPath
		}
		if _, err := url.ParseRequestURI(target); err != nil || strings.ContainsAny(target, " \t\r\n#") || !validMethod(method) {
			return
		}
		req := httptest.NewRequest(method, "https://apx"+target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: %d %q is not JSON", method, target, rec.Code, rec.Body.String())
		}
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		return true
	}
	return false
}
