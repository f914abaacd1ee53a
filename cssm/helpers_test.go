package cssm_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

var t0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

const (
	sa     = "ACME Corporation"
	campus = "Campus"
	na24   = "C9300-24 Network Advantage"
	da24   = "C9300-24 DNA Advantage"
)

func newCSSM(t testing.TB) *cssm.CSSM {
	t.Helper()
	c, err := cssm.New(t0, cssm.Config{Catalog: stackwise.Catalog(), Seed: 7})
	require.NoError(t, err)
	require.NoError(t, c.CreateSmartAccount(t0, sa, "acme.com"))
	require.NoError(t, c.CreateVirtualAccount(t0, sa, campus, "Campus switches"))
	return c
}

func token(t testing.TB, c *cssm.CSSM, va string) string {
	t.Helper()
	tok, err := c.CreateToken(c.Now(), sa, va, cssm.TokenOptions{Description: "lab", ExpiresAfterDays: 365, ExportControlled: true})
	require.NoError(t, err)
	return tok.Value
}

func udi(sn string) license.UDI { return license.UDI{PID: "C9300-24P", SN: sn} }

var nextID uint64

func id() uint64 { nextID++; return nextID }

func handle(t testing.TB, c *cssm.CSSM, now time.Time, m license.Message) license.Answer {
	t.Helper()
	a, err := c.Handle(now, m)
	require.NoError(t, err)
	require.Equal(t, m.RequestID(), a.RequestID())
	return a
}

// registerDevice registers a switch and authorizes its usage.
func registerDevice(t testing.TB, c *cssm.CSSM, now time.Time, tok, sn string, usage ...license.Usage) license.AuthorizeReply {
	t.Helper()
	ans := handle(t, c, now, license.Register{ID: id(), UDI: udi(sn), Hostname: "sw-" + sn, Token: tok})
	_, ok := ans.(license.RegisterReply)
	require.True(t, ok, "register: %+v", ans)
	return authorize(t, c, now, sn, usage...)
}

func authorize(t testing.TB, c *cssm.CSSM, now time.Time, sn string, usage ...license.Usage) license.AuthorizeReply {
	t.Helper()
	ans := handle(t, c, now, license.Authorize{ID: id(), UDI: udi(sn), Usage: usage})
	r, ok := ans.(license.AuthorizeReply)
	require.True(t, ok, "authorize: %+v", ans)
	return r
}

func snap(t require.TestingT, c *cssm.CSSM) string {
	b, err := c.Snapshot()
	require.NoError(t, err)
	return string(b)
}
