package cssmapi

import (
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/internal/httpmux"
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
	once   sync.Once
	mux    *http.ServeMux
	srv    *Server // the token endpoint's settings and its count of refusals
}

func (s *Satellite) server() *Server {
	s.once.Do(s.init)
	return s.srv
}

func (s *Satellite) init() {
	s.srv = &Server{Clock: s.Clock, TokenLifetime: s.TokenLifetime, AuthDelay: s.AuthDelay}
	s.mux = s.routes()
}

func (s *Satellite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.once.Do(s.init)
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	httpmux.Serve(s.mux, w, r, notRouted)
}

// routes is the satellite's API, for its own account (by name):
// virtual-accounts/{va}/tokens (POST), tokens/revoke (POST), devices and
// licenses (GET), and alerts (GET).
func (s *Satellite) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+SatelliteTokenPath, s.token)
	acct := SatelliteAPIPath + "{account}/"
	va := acct + "virtual-accounts/{va}/"
	for pattern, h := range map[string]func(*call) (any, error){
		"GET " + acct + "alerts":       s.alerts,
		"POST " + va + "tokens":        s.createToken,
		"POST " + va + "tokens/revoke": s.revokeToken,
		"GET " + va + "devices":        s.devices,
		"GET " + va + "licenses":       s.licenses,
		"GET " + va + "tokens":         s.tokensProbe,
	} {
		mux.Handle(pattern, s.endpoint(h))
	}
	return mux
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

// endpoint serves one endpoint for a valid bearer token. Without one the
// satellite answers 403, as automation's liveness probe expects.
func (s *Satellite) endpoint(h func(*call) (any, error)) http.Handler {
	return serveBearer(&s.tokens, func() time.Time { return s.server().now() }, func(w http.ResponseWriter) {
		writeError(w, failf(http.StatusForbidden, "access is denied"))
	}, h)
}

// run runs f on the satellite when the token is its account's.
func (s *Satellite) run(c *call, f func(sat *cssm.Satellite, now time.Time) (any, error)) (any, error) {
	account := c.r.PathValue("account")
	var out any
	err := s.Access(func(_ *cssm.CSSM, sat *cssm.Satellite, now time.Time) error {
		if account != sat.SmartAccount() || len(c.g.accounts) != 1 || c.g.accounts[0] != account {
			return failf(http.StatusForbidden, "this token has no access to %s", account)
		}
		var err error
		out, err = f(sat, now)
		return err
	})
	return out, err
}

func (s *Satellite) alerts(c *call) (any, error) {
	return s.run(c, func(sat *cssm.Satellite, _ time.Time) (any, error) {
		a := sat.Alerts(false)
		if a == nil {
			a = []cssm.Alert{}
		}
		return success(map[string]any{"alerts": a}), nil
	})
}

func (s *Satellite) createToken(c *call) (any, error) {
	o, err := c.tokenOptions()
	if err != nil {
		return nil, err
	}
	return s.run(c, func(sat *cssm.Satellite, now time.Time) (any, error) {
		t, err := sat.CreateToken(now, c.r.PathValue("va"), o)
		return success(map[string]any{"tokenInfo": t}), err
	})
}

func (s *Satellite) revokeToken(c *call) (any, error) {
	token, err := c.revokedToken()
	if err != nil {
		return nil, err
	}
	return s.run(c, func(sat *cssm.Satellite, now time.Time) (any, error) {
		return success(map[string]any{}), sat.RevokeToken(now, token)
	})
}

func (s *Satellite) devices(c *call) (any, error) {
	return s.run(c, func(sat *cssm.Satellite, _ time.Time) (any, error) {
		rows, err := sat.Instances(c.r.PathValue("va"))
		if rows == nil {
			rows = []cssm.InstanceRow{}
		}
		return success(map[string]any{"totalRecords": len(rows), "devices": rows}), err
	})
}

func (s *Satellite) licenses(c *call) (any, error) {
	return s.run(c, func(sat *cssm.Satellite, _ time.Time) (any, error) {
		rows, err := sat.Licenses(c.r.PathValue("va"))
		lics := []License{}
		for _, r := range rows {
			lics = append(lics, licenseRow(r))
		}
		return success(map[string]any{"totalRecords": len(lics), "licenses": lics}), err
	})
}

// tokensProbe answers a GET of a tokens URL: 403 without a bearer token
// (the endpoint's own check), and with one, that tokens are POSTed.
func (s *Satellite) tokensProbe(c *call) (any, error) {
	c.w.Header().Set("Allow", http.MethodPost)
	return nil, failf(http.StatusMethodNotAllowed, "POST a token request here")
}
