package cssm

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// A user signs in to the portal and to the API's password grant; an API
// client is an application registered for a smart account (client_id and
// client_secret). Both live in the registry, so a served world keeps them.

type user struct {
	Name     string   `json:"name"`
	Salt     string   `json:"salt"`
	Hash     string   `json:"hash"` // hex SHA-256 of salt and password
	Accounts []string `json:"accounts"`
}

// APIClient is an application registered for the API of a smart account:
// it gets bearer tokens with its ID and secret (client-credentials grant),
// alone or with a user's name and password (password grant).
type APIClient struct {
	ID      string `json:"clientId"`
	Secret  string `json:"clientSecret"`
	SA      string `json:"smartAccount"`
	Created string `json:"created"` // 2006-01-02
}

func (r *registry) hash(salt, password string) string {
	sum := sha256.Sum256([]byte(salt + "\x00" + password))
	return hex.EncodeToString(sum[:])
}

func checkSecret(kind, s string) error {
	if len(s) < 4 || len(s) > 128 || strings.ContainsAny(s, "\x00\r\n") {
		return fmt.Errorf("%w %s: 4 to 128 characters on one line", ErrInvalid, kind)
	}
	return nil
}

// AddUser gives a user access to a smart account, creating the user with
// password if new (a known user's password is checked, not changed).
func (c *CSSM) AddUser(now time.Time, sa, name, password string) error {
	return c.op(now, func() error {
		r := c.r
		if _, err := r.account(sa); err != nil {
			return err
		}
		if err := checkName("user", name); err != nil {
			return err
		}
		if err := checkSecret("password", password); err != nil {
			return err
		}
		u, ok := r.users[name]
		if ok {
			if subtle.ConstantTimeCompare([]byte(r.hash(u.Salt, password)), []byte(u.Hash)) != 1 {
				return fmt.Errorf("%w: user %s exists with another password", ErrInvalid, name)
			}
			if !slices.Contains(u.Accounts, sa) {
				u.Accounts = append(u.Accounts, sa)
				slices.Sort(u.Accounts)
			}
			return nil
		}
		salt := fmt.Sprintf("%016x", r.rng.Uint64())
		r.users[name] = &user{Name: name, Salt: salt, Hash: r.hash(salt, password), Accounts: []string{sa}}
		return nil
	})
}

// SignIn checks a user's password and returns the smart accounts the user
// may see.
func (c *CSSM) SignIn(name, password string) ([]string, bool) {
	u, ok := c.r.users[name]
	if !ok {
		c.r.hash("", password) // as slow as a known user
		return nil, false
	}
	if subtle.ConstantTimeCompare([]byte(c.r.hash(u.Salt, password)), []byte(u.Hash)) != 1 {
		return nil, false
	}
	return slices.Clone(u.Accounts), true
}

// CreateAPIClient registers an application for a smart account's API.
func (c *CSSM) CreateAPIClient(now time.Time, sa string) (APIClient, error) {
	return c.createAPIClient(now, sa, func() (string, string, error) {
		r := c.r
		return fmt.Sprintf("%016x%08x", r.rng.Uint64(), r.rng.Uint32()), fmt.Sprintf("%016x%016x", r.rng.Uint64(), r.rng.Uint64()), nil
	})
}

// CreateAPIClientFrom is CreateAPIClient with the ID and secret drawn from
// src (crypto/rand.Reader for credentials nobody can guess from a seed)
// instead of the CSSM's seeded source, which it leaves untouched.
func (c *CSSM) CreateAPIClientFrom(now time.Time, sa string, src io.Reader) (APIClient, error) {
	return c.createAPIClient(now, sa, func() (string, string, error) {
		b := make([]byte, 12+16)
		if _, err := io.ReadFull(src, b); err != nil {
			return "", "", fmt.Errorf("API client credentials: %w", err)
		}
		return hex.EncodeToString(b[:12]), hex.EncodeToString(b[12:]), nil
	})
}

func (c *CSSM) createAPIClient(now time.Time, sa string, draw func() (id, secret string, err error)) (APIClient, error) {
	var out APIClient
	err := c.op(now, func() error {
		r := c.r
		if _, err := r.account(sa); err != nil {
			return err
		}
		id, secret, err := draw()
		if err != nil {
			return err
		}
		if _, dup := r.clients[id]; dup {
			return fmt.Errorf("%w: API client %s exists", ErrInvalid, id)
		}
		out = APIClient{ID: id, Secret: secret, SA: sa, Created: r.now.Format(time.DateOnly)}
		r.clients[out.ID] = &out
		r.log(sa, "", "An API client was created (%s).", out.ID) // the ID, never the secret
		return nil
	})
	return out, err
}

// CheckAPIClient checks an application's credentials.
func (c *CSSM) CheckAPIClient(id, secret string) (APIClient, bool) {
	cl, ok := c.r.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(cl.Secret), []byte(secret)) != 1 {
		return APIClient{}, false
	}
	return *cl, true
}

// APIClients lists a smart account's API clients, by ID.
func (c *CSSM) APIClients(sa string) []APIClient {
	var out []APIClient
	for _, cl := range c.r.clients {
		if cl.SA == sa {
			out = append(out, *cl)
		}
	}
	slices.SortFunc(out, func(a, b APIClient) int { return strings.Compare(a.ID, b.ID) })
	return out
}
