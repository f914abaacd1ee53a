package cssmapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slsim/slsim/internal/ring"
)

// Settings of the OAuth2 server. [model] where no source fixed a value.
const (
	// DefaultTokenLifetime is how long a bearer token is valid (the
	// expires_in of the answer).
	DefaultTokenLifetime = time.Hour
	// MaxBearers bounds the bearer tokens kept at once; the oldest are
	// dropped first.
	MaxBearers = 10000
	// MaxBearersPerClient bounds one client's (one API client's, or one
	// user's) tokens: its own oldest is dropped for a new one, so a client
	// cannot push out the others'.
	MaxBearersPerClient = 100
	// MaxBody bounds a request body.
	MaxBody = 1 << 20
	// DefaultAuthDelay is waited before refusing credentials the first
	// time; each further refusal for the same client or from the same
	// address doubles it, up to MaxAuthDelay. A success waits for nothing.
	DefaultAuthDelay = time.Second
	// MaxAuthDelay bounds the wait before a refusal.
	MaxAuthDelay = 64 * time.Second
	// MaxThrottled bounds the clients and addresses whose refusals are
	// counted; the oldest counts are forgotten first.
	MaxThrottled = 10000
)

// grant is what a bearer token was issued for.
type grant struct {
	accounts []string // the smart accounts it may see
	user     string   // who the event log names, and whose tokens are counted together
	expires  time.Time
}

// bearers holds the issued tokens, in memory: a restart signs every
// client out. Each client's tokens and all tokens are kept in the order
// of issue, so that making room drops the oldest in O(1).
type bearers struct {
	mu     sync.Mutex
	m      map[string]grant
	all    ring.Ring[string]
	client map[string]*ring.Ring[string]
}

func (b *bearers) issue(g grant, now time.Time) string {
	raw := make([]byte, 24)
	rand.Read(raw)
	tok := hex.EncodeToString(raw)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m, b.client = map[string]grant{}, map[string]*ring.Ring[string]{}
	}
	mine := b.client[g.user]
	if mine == nil {
		mine = &ring.Ring[string]{}
		b.client[g.user] = mine
	}
	// Both queues may hold tokens already gone (expired, or dropped by
	// the other queue): dropping one of those just frees its place.
	for mine.Len() >= MaxBearersPerClient {
		old, _ := mine.DropFront()
		delete(b.m, old)
	}
	for b.all.Len() >= MaxBearers {
		old, _ := b.all.DropFront()
		delete(b.m, old)
	}
	mine.Push(tok)
	b.all.Push(tok)
	b.m[tok] = g
	return tok
}

func (b *bearers) check(tok string, now time.Time) (grant, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	g, ok := b.m[tok]
	if !ok {
		return grant{}, false
	}
	if !now.Before(g.expires) {
		delete(b.m, tok)
		return grant{}, false
	}
	return g, true
}

// throttle counts refused credentials per client and per source address:
// the wait before the next refusal doubles with each.
type throttle struct {
	mu    sync.Mutex
	fails map[string]int
	order ring.Ring[string] // keys in the order first counted, to forget the oldest
}

// refused counts a refusal for each key and returns how long to wait
// before answering it: base doubled for each refusal the most refused key
// already had, at most MaxAuthDelay.
func (t *throttle) refused(base time.Duration, keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fails == nil {
		t.fails = map[string]int{}
	}
	n := 0
	for _, k := range keys {
		if _, seen := t.fails[k]; !seen {
			for t.order.Len() >= MaxThrottled {
				old, _ := t.order.DropFront()
				delete(t.fails, old)
			}
			t.order.Push(k)
		}
		t.fails[k]++
		n = max(n, t.fails[k])
	}
	d := base
	for i := 1; i < n && d < MaxAuthDelay; i++ {
		d *= 2
	}
	return min(d, MaxAuthDelay)
}

// forgive forgets a client's refusals once it has shown its credentials.
func (t *throttle) forgive(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, key) // its place in order is dropped in its turn
}

// bearerToken reads "Authorization: Bearer <token>".
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// oauthParams reads the token request's fields from the query string
// and from a form or JSON body: clients send them either way. A client
// may authenticate with HTTP Basic instead (RFC 6749 §2.3.1: the id and
// secret form-encoded, then Basic-encoded), but not both ways at once.
func oauthParams(r *http.Request) (url.Values, error) {
	v, err := bodyParams(r)
	if err != nil {
		return nil, err
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		return v, nil
	}
	if v.Get("client_secret") != "" {
		return nil, errors.New("the client authenticates with HTTP Basic or in the request, not both")
	}
	if id, err = url.QueryUnescape(id); err != nil {
		return nil, fmt.Errorf("HTTP Basic client id: %w", err)
	}
	if secret, err = url.QueryUnescape(secret); err != nil {
		return nil, fmt.Errorf("HTTP Basic client secret: %w", err)
	}
	v.Set("client_id", id)
	v.Set("client_secret", secret)
	return v, nil
}

func bodyParams(r *http.Request) (url.Values, error) {
	v := r.URL.Query()
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBody {
		return nil, errTooBig
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return v, nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		for k, x := range m {
			if s, ok := x.(string); ok {
				v.Set(k, s)
			}
		}
		return v, nil
	}
	form, err := url.ParseQuery(string(data))
	if err != nil {
		return nil, err
	}
	for k, xs := range form {
		for _, x := range xs {
			v.Set(k, x)
		}
	}
	return v, nil
}
