package cssmapi

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slsim/slsim/cssm"
)

// Paths of a satellite's API (SSM On-Prem).
const (
	SatelliteTokenPath = "/backend/oauth/token"
	SatelliteAPIPath   = "/backend/api/v1/accounts/"
)

// SatelliteAccess runs f on a satellite and the CSSM it belongs to.
type SatelliteAccess func(f func(c *cssm.CSSM, sat *cssm.Satellite, now time.Time) error) error

// Satellite serves the API of an on-prem satellite: OAuth2 client
// credentials in a JSON body, and token creation for the satellite's
// virtual accounts, the account named by its name. The satellite accepts
// the API clients of its smart account. [model] A GET of a tokens URL
// without a bearer token answers 403, the liveness probe of automation
// that waits for the satellite to come up.
type Satellite struct {
	Access        SatelliteAccess
	Clock         func() time.Time
	TokenLifetime time.Duration
	AuthDelay     time.Duration

	tokens bearers
}

func (s *Satellite) server() *Server {
	return &Server{Clock: s.Clock, TokenLifetime: s.TokenLifetime, AuthDelay: s.AuthDelay}
}

func (s *Satellite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	switch {
	case r.URL.Path == SatelliteTokenPath:
		s.token(w, r)
	case strings.HasPrefix(r.URL.Path, SatelliteAPIPath):
		s.api(w, r, strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, SatelliteAPIPath), "/"), "/"))
	default:
		writeError(w, failf(http.StatusNotFound, "no such resource %s", r.URL.Path))
	}
}

func (s *Satellite) token(w http.ResponseWriter, r *http.Request) {
	s.server().issue(w, r, &s.tokens, []string{"client_credentials"}, "bearer", func(p url.Values) (g grant, ok bool) {
		s.Access(func(c *cssm.CSSM, sat *cssm.Satellite, _ time.Time) error {
			if cl, good := c.CheckAPIClient(p.Get("client_id"), p.Get("client_secret")); good && cl.SA == sat.SmartAccount() {
				g, ok = grant{accounts: []string{cl.SA}, user: "api:" + cl.ID}, true
			}
			return nil
		})
		return g, ok
	})
}

// api serves the satellite's account resources.
func (s *Satellite) api(w http.ResponseWriter, r *http.Request, p []string) {
	tok, hasBearer := bearerToken(r)
	if !hasBearer {
		writeError(w, failf(http.StatusForbidden, "access is denied"))
		return
	}
	g, valid := s.tokens.check(tok, s.server().now())
	if !valid {
		writeError(w, failf(http.StatusUnauthorized, "the bearer token is invalid or expired"))
		return
	}
	c := &call{w: w, r: r, g: g}
	out, err := s.route(c, p)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// route serves, for the satellite's own account (by name):
// virtual-accounts/{va}/tokens (POST), tokens/revoke, devices and
// licenses (GET), and alerts (GET).
func (s *Satellite) route(c *call, p []string) (any, error) {
	if len(p) < 2 {
		return nil, failf(http.StatusNotFound, "no such resource %s", c.r.URL.Path)
	}
	account := p[0]
	var out any
	run := func(f func(sat *cssm.Satellite, now time.Time) (any, error)) error {
		return s.Access(func(cc *cssm.CSSM, sat *cssm.Satellite, now time.Time) error {
			if account != sat.SmartAccount() || len(c.g.accounts) != 1 || c.g.accounts[0] != account {
				return failf(http.StatusForbidden, "this token has no access to %s", account)
			}
			var err error
			out, err = f(sat, now)
			return err
		})
	}
	switch {
	case match(p[1:], "alerts"):
		if err := c.method(http.MethodGet); err != nil {
			return nil, err
		}
		err := run(func(sat *cssm.Satellite, _ time.Time) (any, error) {
			a := sat.Alerts(false)
			if a == nil {
				a = []cssm.Alert{}
			}
			return success(map[string]any{"alerts": a}), nil
		})
		return out, err
	case len(p) >= 4 && p[1] == "virtual-accounts":
		va := p[2]
		switch {
		case match(p[3:], "tokens"):
			o, err := c.tokenOptions()
			if err != nil {
				return nil, err
			}
			err = run(func(sat *cssm.Satellite, now time.Time) (any, error) {
				t, err := sat.CreateToken(now, va, o)
				return success(map[string]any{"tokenInfo": t}), err
			})
			return out, err
		case match(p[3:], "tokens", "revoke"):
			token, err := c.revokedToken()
			if err != nil {
				return nil, err
			}
			err = run(func(sat *cssm.Satellite, now time.Time) (any, error) {
				return success(map[string]any{}), sat.RevokeToken(now, token)
			})
			return out, err
		case match(p[3:], "devices"):
			if err := c.method(http.MethodGet); err != nil {
				return nil, err
			}
			err := run(func(sat *cssm.Satellite, _ time.Time) (any, error) {
				rows, err := sat.Instances(va)
				if rows == nil {
					rows = []cssm.InstanceRow{}
				}
				return success(map[string]any{"totalRecords": len(rows), "devices": rows}), err
			})
			return out, err
		case match(p[3:], "licenses"):
			if err := c.method(http.MethodGet); err != nil {
				return nil, err
			}
			err := run(func(sat *cssm.Satellite, _ time.Time) (any, error) {
				rows, err := sat.Licenses(va)
				lics := []License{}
				for _, r := range rows {
					lics = append(lics, licenseRow(r))
				}
				return success(map[string]any{"totalRecords": len(lics), "licenses": lics}), err
			})
			return out, err
		}
	}
	return nil, failf(http.StatusNotFound, "no such resource %s", c.r.URL.Path)
}
