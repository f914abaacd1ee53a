package cssm

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultTokenDays is how long a new token lasts when its options do not
// say: the 30 days CSSM's "New Token" form proposes and the REST API takes
// when expiresAfterDays is left out. [doc]
const DefaultTokenDays = 30

// TokenOptions are the fields of CSSM's "New Token" form and of the REST
// call POST virtual-accounts/{va}/tokens.
//
// The zero value is valid: a token without a description that expires
// after DefaultTokenDays, with unlimited uses, not allowing
// export-controlled functionality — CSSM's own defaults.
type TokenOptions struct {
	Description      string `json:"description"`
	ExpiresAfterDays int    `json:"expiresAfterDays"`  // 1 to Profile.TokenMaxDays; 0: DefaultTokenDays
	MaxUses          int    `json:"maxUses,omitempty"` // 0: unlimited
	ExportControlled bool   `json:"exportControlled"`  // "Allow export-controlled functionality"
}

// Token is a registration token as CSSM lists it.
type Token struct {
	Value            string    `json:"token"`
	SmartAccount     string    `json:"smartAccount"`
	VirtualAccount   string    `json:"virtualAccount"`
	Description      string    `json:"description"`
	Created          time.Time `json:"created"`
	Expires          time.Time `json:"expirationDate"`
	MaxUses          int       `json:"maxUses,omitempty"`
	Uses             int       `json:"uses"`
	ExportControlled string    `json:"exportControlled"` // "Allowed" or "Not Allowed"
	Status           string    `json:"status"`           // Active, Expired, Revoked, Used
	// CreatedBy is the user who made the token in the portal, or the API
	// client; "" when the system (a lab, a program) made it.
	CreatedBy string `json:"createdBy,omitempty"`
}

// Token refusal reasons, as the agent shows them after "Failure reason:".
// CSSM answers registration errors as JSON field errors (seed scenario 3);
// the texts are [model].
const (
	ReasonTokenUnknown = `{"token":["The token is not valid."]}`
	ReasonTokenExpired = `{"token":["The token has expired."]}`
	ReasonTokenRevoked = `{"token":["The token has been revoked."]}`
	ReasonTokenUsedUp  = `{"token":["The token has reached its maximum number of uses."]}`
)

func (r *registry) createToken(sa, va string, o TokenOptions) (Token, error) {
	if _, _, err := r.va(sa, va); err != nil {
		return Token{}, err
	}
	if o.ExpiresAfterDays == 0 {
		o.ExpiresAfterDays = DefaultTokenDays
	}
	if o.ExpiresAfterDays < 1 || o.ExpiresAfterDays > r.prof.TokenMaxDays {
		return Token{}, fmt.Errorf("%w expiresAfterDays %d: want 1 to %d", ErrInvalid, o.ExpiresAfterDays, r.prof.TokenMaxDays)
	}
	if o.MaxUses < 0 || o.MaxUses > MaxQuantity {
		return Token{}, fmt.Errorf("%w maxUses %d", ErrInvalid, o.MaxUses)
	}
	if len(o.Description) > 200 || strings.ContainsAny(o.Description, "\n\r\x00") {
		return Token{}, fmt.Errorf("%w description: at most 200 characters on one line", ErrInvalid)
	}
	t := &token{Value: r.newTokenValue(), SA: sa, VA: va, Description: o.Description, Created: r.now,
		Expires: r.now.Add(time.Duration(o.ExpiresAfterDays) * Day), MaxUses: o.MaxUses, ExportControlled: o.ExportControlled, CreatedBy: r.user}
	r.tokens[t.Value] = t
	r.log(sa, va, "A token was created (%q, expires %s).", o.Description, t.Expires.Format(time.DateOnly))
	return r.tokenView(t), nil
}

// newTokenValue makes a token shaped like CSSM's: base64 of
// "<uuid>-<ms>|<signature>", wrapped every 60 characters with URL-escaped
// newlines (%0A) and '=' escaped as %3D.
func (r *registry) newTokenValue() string {
	for {
		var id, sig [16]byte
		for i := range id {
			id[i] = byte(r.rng.UintN(256))
		}
		for i := range sig {
			sig[i] = byte(r.rng.UintN(256))
		}
		raw := fmt.Sprintf("%x-%x-%x-%x-%x-%d|%s", id[0:4], id[4:6], id[6:8], id[8:10], id[10:16], r.now.UnixMilli(), base64.StdEncoding.EncodeToString(sig[:]))
		b := base64.StdEncoding.EncodeToString([]byte(raw))
		var sb strings.Builder
		for len(b) > 60 {
			sb.WriteString(b[:60] + "%0A")
			b = b[60:]
		}
		sb.WriteString(b + "%0A")
		v := strings.ReplaceAll(sb.String(), "=", "%3D")
		if _, dup := r.tokens[v]; !dup {
			return v
		}
	}
}

func (r *registry) tokenStatus(t *token) string {
	switch {
	case t.Revoked:
		return "Revoked"
	case !r.now.Before(t.Expires):
		return "Expired"
	case t.MaxUses > 0 && t.Uses >= t.MaxUses:
		return "Used"
	}
	return "Active"
}

func (r *registry) tokenView(t *token) Token {
	ec := "Not Allowed"
	if t.ExportControlled {
		ec = "Allowed"
	}
	return Token{Value: t.Value, SmartAccount: t.SA, VirtualAccount: t.VA, Description: t.Description, Created: t.Created,
		Expires: t.Expires, MaxUses: t.MaxUses, Uses: t.Uses, ExportControlled: ec, Status: r.tokenStatus(t), CreatedBy: t.CreatedBy}
}

func (r *registry) revokeToken(value string) error {
	t, ok := r.tokens[value]
	if !ok {
		return fmt.Errorf("token: %w", ErrNotFound)
	}
	if t.Revoked {
		return fmt.Errorf("%w: token already revoked", ErrInvalid)
	}
	t.Revoked = true
	r.log(t.SA, t.VA, "A token was revoked (%q).", t.Description)
	return nil
}

func (r *registry) listTokens(sa, va string) ([]Token, error) {
	if _, _, err := r.va(sa, va); err != nil {
		return nil, err
	}
	var out []Token
	for _, t := range r.tokens {
		if t.SA == sa && t.VA == va {
			out = append(out, r.tokenView(t))
		}
	}
	slices.SortFunc(out, func(a, b Token) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out, nil
}

// useToken checks a token for a registration and returns its refusal
// reason, or "" when it may be used.
func (r *registry) tokenRefusal(value string) (*token, string) {
	t, ok := r.tokens[value]
	if !ok {
		return nil, ReasonTokenUnknown
	}
	switch r.tokenStatus(t) {
	case "Revoked":
		return t, ReasonTokenRevoked
	case "Expired":
		return t, ReasonTokenExpired
	case "Used":
		return t, ReasonTokenUsedUp
	}
	return t, ""
}
