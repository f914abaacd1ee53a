// Package cssmapi is the REST face of a world's CSSM: the OAuth2 token
// endpoint of Cisco's single sign-on and the Smart Accounts and Licensing
// API (accounts, virtual accounts, license usage with paging, tokens,
// product instances, transfers, alerts, the event log, license
// reservation and device-led conversion), and the token API of an
// on-prem satellite. Shapes, field names and status strings follow what
// real clients read; answers come from the same CSSM the switches talk to.
package cssmapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/internal/httpmux"
)

// Paths of the two faces.
const (
	// TokenPath is the OAuth2 token endpoint (cloudsso.cisco.com).
	TokenPath = "/as/token.oauth2"
	// BasePath is the API's base (apx.cisco.com, swapi.cisco.com).
	BasePath = "/services/api/smart-accounts-and-licensing/"
)

// Status strings of every answer.
const (
	StatusSuccess = "SUCCESS"
	StatusError   = "ERROR"
)

// CSSMAccess runs f on the world's CSSM, with the world to itself and
// brought up to the present (serve passes its runner's Do).
type CSSMAccess func(f func(c *cssm.CSSM, now time.Time) error) error

// Server serves the API of one CSSM.
type Server struct {
	// Access reaches the CSSM.
	Access CSSMAccess
	// Clock reads real time for bearer expiry (nil: time.Now).
	Clock func() time.Time
	// TokenLifetime (DefaultTokenLifetime when 0).
	TokenLifetime time.Duration
	// AuthDelay is waited before refusing credentials (DefaultAuthDelay
	// when 0, none when negative).
	AuthDelay time.Duration

	tokens bearers
	fails  throttle
	once   sync.Once
	mux    *http.ServeMux
}

var errTooBig = errors.New("request body too large")

func (s *Server) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// refuse waits before a refusal of credentials: AuthDelay (by default
// DefaultAuthDelay), doubled for each refusal the client id or the source
// address already had.
func (s *Server) refuse(r *http.Request, client string) {
	base := s.AuthDelay
	if base == 0 {
		base = DefaultAuthDelay
	}
	if base < 0 {
		return
	}
	addr, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		addr = r.RemoteAddr
	}
	time.Sleep(s.fails.refused(base, "client:"+client, "addr:"+addr))
}

// apiError is an error answer: the HTTP status and the message.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func failf(status int, format string, a ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, a...)}
}

// writeJSON writes an answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"status":"ERROR","statusMessage":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(data)
}

// writeError writes an error in the shape clients read: code, message and
// severity, with status and statusMessage as on every answer.
func writeError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = &apiError{status: http.StatusBadRequest, msg: err.Error()}
		if errors.Is(err, cssm.ErrNotFound) {
			e.status = http.StatusNotFound
		}
	}
	writeJSON(w, e.status, map[string]any{"code": e.status, "message": e.msg, "severity": "ERROR", "status": StatusError, "statusMessage": e.msg})
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.once.Do(func() { s.mux = s.routes() })
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	httpmux.Serve(s.mux, w, r, notRouted)
}

// routes is the API: each endpoint's method and path pattern.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+TokenPath, s.token)
	acct := BasePath + "v1/accounts/{domain}/"
	va := acct + "virtual-accounts/{va}/"
	for pattern, h := range map[string]func(*call) (any, error){
		"GET " + BasePath + "v2/accounts":           s.accounts,
		"GET " + BasePath + "v1/accounts/search":    s.search,
		"GET " + acct + "customer/virtual-accounts": s.inAccount(s.virtualAccounts),
		"POST " + acct + "licenses":                 s.inAccount(s.licenses),
		"POST " + acct + "dlc_convert":              s.inAccount(s.dlcConvert),
		"GET " + acct + "alerts":                    s.inAccount(s.alerts),
		"GET " + acct + "events":                    s.inAccount(s.events),
		"GET " + acct + "satellites":                s.inAccount(s.satellites),
		"GET " + va + "tokens":                      s.inVA(s.listTokens),
		"POST " + va + "tokens":                     s.inVA(s.createToken),
		"POST " + va + "tokens/revoke":              s.inVA(s.revokeToken),
		"POST " + va + "reserve-licenses":           s.inVA(s.reserve),
		"GET " + va + "devices":                     s.inVA(s.devices),
		"POST " + va + "devices/remove":             s.inVA(s.removeDevice),
		"POST " + va + "devices/transfer":           s.inVA(s.transferDevice),
		"POST " + va + "licenses/transfer":          s.inVA(s.transferLicenses),
	} {
		mux.Handle(pattern, s.endpoint(h))
	}
	return mux
}

// notRouted answers a path no endpoint has (404) or a method the path's
// endpoints do not take (405, with Allow) in the API's error shape.
func notRouted(w http.ResponseWriter, r *http.Request, status int) {
	if status == http.StatusMethodNotAllowed {
		writeError(w, failf(status, "%s is not allowed here (allowed: %s)", r.Method, w.Header().Get("Allow")))
		return
	}
	writeError(w, failf(status, "no such resource %s", r.URL.Path))
}

// token is the OAuth2 token endpoint: the password grant (client and
// user) and the client-credentials grant, fields in the body or the
// query string.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.issue(w, r, &s.tokens, []string{"password", "client_credentials"}, "Bearer", func(p url.Values) (g grant, ok bool) {
		s.Access(func(c *cssm.CSSM, _ time.Time) error {
			cl, good := c.CheckAPIClient(p.Get("client_id"), p.Get("client_secret"))
			if !good {
				return nil
			}
			if p.Get("grant_type") == "client_credentials" {
				g, ok = grant{accounts: []string{cl.SA}, user: "api:" + cl.ID}, true
				return nil
			}
			if accs, good := c.SignIn(p.Get("username"), p.Get("password")); good {
				g, ok = grant{accounts: accs, user: p.Get("username")}, true
			}
			return nil
		})
		return g, ok
	})
}

// issue answers a token request: the grant types allowed, the lookup of
// the credentials, and where the issued tokens are kept.
func (s *Server) issue(w http.ResponseWriter, r *http.Request, b *bearers, grants []string, tokenType string, lookup func(url.Values) (grant, bool)) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "invalid_request", "error_description": "POST the token request"})
		return
	}
	p, err := oauthParams(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": err.Error()})
		return
	}
	if !slices.Contains(grants, p.Get("grant_type")) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "grant_type must be " + strings.Join(grants, " or ")})
		return
	}
	g, ok := lookup(p)
	client := p.Get("client_id") + "/" + p.Get("username")
	if !ok {
		s.refuse(r, client)
		if _, _, basic := r.BasicAuth(); basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="cssm"`)
		}
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "bad client or user credentials"})
		return
	}
	s.fails.forgive("client:" + client)
	life := s.TokenLifetime
	if life <= 0 {
		life = DefaultTokenLifetime
	}
	now := s.now()
	g.expires = now.Add(life)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": b.issue(g, now), "token_type": tokenType, "expires_in": int(life / time.Second)})
}

// call is one authorised API request.
type call struct {
	w http.ResponseWriter
	r *http.Request
	g grant
}

// endpoint serves one endpoint for a valid bearer token: its answer as
// JSON, or its error.
func (s *Server) endpoint(h func(*call) (any, error)) http.Handler {
	return serveBearer(&s.tokens, s.now, func(w http.ResponseWriter) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cssm"`)
		writeError(w, failf(http.StatusUnauthorized, "a bearer token is required"))
	}, h)
}

// serveBearer serves h to a request with a valid bearer token of tokens:
// its answer as JSON, or its error. A request without a token gets what
// missing writes; one with a bad token, 401.
func serveBearer(tokens *bearers, now func() time.Time, missing func(http.ResponseWriter), h func(*call) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearerToken(r)
		if !ok {
			missing(w)
			return
		}
		g, ok := tokens.check(tok, now())
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="cssm", error="invalid_token"`)
			writeError(w, failf(http.StatusUnauthorized, "the bearer token is invalid or expired"))
			return
		}
		out, err := h(&call{w: w, r: r, g: g})
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// body decodes a JSON request body strictly.
func (c *call) body(v any) error {
	dec := json.NewDecoder(c.r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return failf(http.StatusBadRequest, "a JSON body is required")
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return failf(http.StatusRequestEntityTooLarge, "the body is larger than %d bytes", MaxBody)
		}
		return failf(http.StatusBadRequest, "bad JSON body: %v", err)
	}
	return nil
}

// account resolves {domain} (a domain, or an account's name for accounts
// without one) to a smart account the token may see: 403 otherwise.
func (s *Server) account(c *call, cc *cssm.CSSM, domain string) (string, error) {
	sa, ok := cc.AccountByDomain(domain)
	if !ok {
		for _, a := range cc.Accounts() {
			if a.Name == domain {
				sa, ok = a.Name, true
			}
		}
	}
	if !ok {
		return "", failf(http.StatusNotFound, "no smart account %s", domain)
	}
	if !slices.Contains(c.g.accounts, sa) {
		return "", failf(http.StatusForbidden, "this token has no access to %s", domain)
	}
	return sa, nil
}

// do runs f on the CSSM with the token's user as the acting user.
func (s *Server) do(c *call, f func(cc *cssm.CSSM, now time.Time) error) error {
	return s.Access(func(cc *cssm.CSSM, now time.Time) error {
		return cc.Acting(c.g.user, func() error { return f(cc, now) })
	})
}

func success(m map[string]any) map[string]any {
	m["status"] = StatusSuccess
	m["statusMessage"] = ""
	return m
}

// accounts is GET v2/accounts: the accounts the token may see.
func (s *Server) accounts(c *call) (any, error) {
	type role struct {
		Role string `json:"role"`
	}
	type acc struct {
		Status string `json:"accountStatus"`
		Domain string `json:"accountDomain"`
		Name   string `json:"accountName"`
		Type   string `json:"accountType"`
		Roles  []role `json:"roles"`
	}
	out := []acc{}
	err := s.do(c, func(cc *cssm.CSSM, _ time.Time) error {
		for _, a := range cc.Accounts() {
			if slices.Contains(c.g.accounts, a.Name) {
				out = append(out, acc{Status: "Active", Domain: a.Domain, Name: a.Name, Type: "CUSTOMER", Roles: []role{{"SMART_ACCOUNT_ADMIN"}}})
			}
		}
		return nil
	})
	return success(map[string]any{"accounts": out}), err
}

// paging reads limit and offset.
func paging(limitS, offsetS string, def, maxLimit int) (int, int, error) {
	limit, offset := def, 0
	var err error
	if limitS != "" {
		if limit, err = strconv.Atoi(limitS); err != nil || limit < 1 || limit > maxLimit {
			return 0, 0, failf(http.StatusBadRequest, "limit must be 1 to %d", maxLimit)
		}
	}
	if offsetS != "" {
		if offset, err = strconv.Atoi(offsetS); err != nil || offset < 0 {
			return 0, 0, failf(http.StatusBadRequest, "offset must be 0 or more")
		}
	}
	return limit, offset, nil
}

func page[T any](rows []T, limit, offset int) []T {
	if offset >= len(rows) {
		return []T{}
	}
	return rows[offset:min(len(rows), offset+limit)]
}

// search is GET v1/accounts/search: accounts whose domain contains the
// query, at most 1000 a page.
func (s *Server) search(c *call) (any, error) {
	q := c.r.URL.Query()
	if t := q.Get("type"); t != "" && !strings.EqualFold(t, "CUSTOMER") {
		return nil, failf(http.StatusBadRequest, "type must be CUSTOMER")
	}
	limit, offset, err := paging(q.Get("limit"), q.Get("offset"), 1000, 1000)
	if err != nil {
		return nil, err
	}
	type acc struct {
		Domain string `json:"domain"`
		Name   string `json:"name"`
		ID     int    `json:"id"`
		Type   string `json:"type"`
		Status string `json:"status"`
	}
	var rows []acc
	err = s.do(c, func(cc *cssm.CSSM, _ time.Time) error {
		for i, a := range cc.Accounts() {
			if slices.Contains(c.g.accounts, a.Name) && strings.Contains(strings.ToLower(a.Domain), strings.ToLower(q.Get("domain"))) {
				rows = append(rows, acc{Domain: a.Domain, Name: a.Name, ID: 1000 + i, Type: "CUSTOMER", Status: "ACTIVE"})
			}
		}
		return nil
	})
	return success(map[string]any{"totalRecords": len(rows), "accounts": page(rows, limit, offset)}), err
}
