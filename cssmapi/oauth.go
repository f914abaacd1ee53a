package cssmapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Settings of the OAuth2 server. [model] where no source fixed a value.
const (
	// DefaultTokenLifetime is how long a bearer token is valid (the
	// expires_in of the answer).
	DefaultTokenLifetime = time.Hour
	// MaxBearers bounds the bearer tokens kept at once; the oldest are
	// dropped first.
	MaxBearers = 10000
	// MaxBody bounds a request body.
	MaxBody = 1 << 20
	// DefaultAuthDelay is waited before refusing credentials.
	DefaultAuthDelay = time.Second
)

// grant is what a bearer token was issued for.
type grant struct {
	accounts []string // the smart accounts it may see
	user     string   // who the event log names
	expires  time.Time
	issued   int64 // order of issue, to drop the oldest
}

// bearers holds the issued tokens, in memory: a restart signs every
// client out.
type bearers struct {
	mu   sync.Mutex
	m    map[string]grant
	next int64
}

func (b *bearers) issue(g grant, now time.Time) string {
	raw := make([]byte, 24)
	rand.Read(raw)
	tok := hex.EncodeToString(raw)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string]grant{}
	}
	if len(b.m) >= MaxBearers {
		b.dropOldest(now)
	}
	b.next++
	g.issued = b.next
	b.m[tok] = g
	return tok
}

// dropOldest drops expired tokens, then the oldest until there is room.
func (b *bearers) dropOldest(now time.Time) {
	type kv struct {
		k string
		g grant
	}
	var all []kv
	for k, g := range b.m {
		if !g.expires.After(now) {
			delete(b.m, k)
			continue
		}
		all = append(all, kv{k, g})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].g.issued < all[j].g.issued })
	for i := 0; len(b.m) >= MaxBearers && i < len(all); i++ {
		delete(b.m, all[i].k)
	}
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
// and from a form or JSON body: clients send them either way.
func oauthParams(r *http.Request) (url.Values, error) {
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
