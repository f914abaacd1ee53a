package cssm_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

func TestAccountsAndVirtualAccounts(t *testing.T) {
	c := newCSSM(t)
	vas, err := c.VirtualAccounts(sa)
	require.NoError(t, err)
	assert.Equal(t, []cssm.VAInfo{{Name: campus, Description: "Campus switches"}, {Name: "DEFAULT", Description: "Default virtual account", Default: true}}, vas)
	require.ErrorIs(t, c.CreateVirtualAccount(t0, sa, campus, ""), cssm.ErrExists)
	require.ErrorIs(t, c.CreateSmartAccount(t0, sa, ""), cssm.ErrExists)
	require.ErrorIs(t, c.CreateVirtualAccount(t0, "Nobody", "x", ""), cssm.ErrNotFound)
	require.ErrorIs(t, c.DeleteVirtualAccount(t0, sa, "DEFAULT"), cssm.ErrInvalid, "the default cannot go")

	tok := token(t, c, campus)
	registerDevice(t, c, t0, tok, "FOC1")
	require.ErrorIs(t, c.DeleteVirtualAccount(t0, sa, campus), cssm.ErrInvalid, "not empty")
	require.NoError(t, c.RenameVirtualAccount(t0, sa, campus, "Campus-East"))
	rows, err := c.Instances(sa, "Campus-East")
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, "Campus-East", rows[0].VirtualAccount)
	toks, err := c.Tokens(sa, "Campus-East")
	require.NoError(t, err)
	assert.Len(t, toks, 1, "tokens follow the rename")

	require.NoError(t, c.CreateVirtualAccount(t0, sa, "Lab", ""))
	require.NoError(t, c.SetDefaultVirtualAccount(t0, sa, "Lab"))
	require.NoError(t, c.DeleteVirtualAccount(t0, sa, "DEFAULT"))
	assert.Equal(t, []string{sa}, c.SmartAccounts())
}

func TestLicensePools(t *testing.T) {
	c := newCSSM(t)
	_, err := c.AddLicenses(t0, sa, campus, na24, 10, time.Time{}, time.Time{})
	require.NoError(t, err)
	_, err = c.AddLicenses(t0, sa, campus, da24, 5, t0, t0.AddDate(3, 0, 0))
	require.NoError(t, err)
	_, err = c.AddLicenses(t0, sa, campus, da24, 2, t0, t0.AddDate(1, 0, 0))
	require.NoError(t, err)
	future, err := c.AddLicenses(t0, sa, campus, da24, 4, t0.AddDate(0, 6, 0), t0.AddDate(3, 6, 0))
	require.NoError(t, err)
	assert.Positive(t, future)

	rows, err := c.Licenses(sa, campus)
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, "C9300 24P DNA Advantage", rows[0].License)
	assert.Equal(t, int64(7), rows[0].Quantity, "the lot that starts later is not in the pool yet")
	assert.Equal(t, []cssm.LicenseDetail{
		{LicenseType: "Term", Quantity: 5, StartDate: "2024-03-01", EndDate: "2027-03-01"},
		{LicenseType: "Term", Quantity: 2, StartDate: "2024-03-01", EndDate: "2025-03-01"},
	}, rows[0].Details)

	// Removal takes from the lot that ends soonest.
	require.NoError(t, c.RemoveLicenses(t0, sa, campus, da24, 3))
	rows, _ = c.Licenses(sa, campus)
	assert.Equal(t, []cssm.LicenseDetail{{LicenseType: "Term", Quantity: 4, StartDate: "2024-03-01", EndDate: "2027-03-01"}}, rows[0].Details)

	// Six months on, the later lot joins the pool.
	require.NoError(t, c.Advance(t0.AddDate(0, 6, 0)))
	rows, _ = c.Licenses(sa, campus)
	assert.Equal(t, int64(8), rows[0].Quantity)

	// Refusals change nothing.
	before := snap(t, c)
	now := c.Now()
	for name, err := range map[string]error{
		"zero":     func() error { _, err := c.AddLicenses(now, sa, campus, na24, 0, time.Time{}, time.Time{}); return err }(),
		"negative": func() error { _, err := c.AddLicenses(now, sa, campus, na24, -5, time.Time{}, time.Time{}); return err }(),
		"oversized": func() error {
			_, err := c.AddLicenses(now, sa, campus, na24, cssm.MaxQuantity+1, time.Time{}, time.Time{})
			return err
		}(),
		"unknown tag": func() error {
			_, err := c.AddLicenses(now, sa, campus, "C9999 Turbo", 1, time.Time{}, time.Time{})
			return err
		}(),
		"unknown VA": func() error {
			_, err := c.AddLicenses(now, sa, "Nowhere", na24, 1, time.Time{}, time.Time{})
			return err
		}(),
		"ended term": func() error { _, err := c.AddLicenses(now, sa, campus, da24, 1, t0, t0.AddDate(0, 1, 0)); return err }(),
		"inverted term": func() error {
			_, err := c.AddLicenses(now, sa, campus, da24, 1, now.AddDate(1, 0, 0), now.AddDate(0, 11, 0))
			return err
		}(),
		"remove too many": c.RemoveLicenses(now, sa, campus, na24, 11),
		"transfer self":   c.TransferLicenses(now, sa, campus, campus, na24, 1),
		"transfer many":   c.TransferLicenses(now, sa, campus, "DEFAULT", na24, 11),
		"time backwards":  c.RemoveLicenses(t0, sa, campus, na24, 1),
	} {
		assert.Error(t, err, name)
	}
	assert.Equal(t, before, snap(t, c))
}

func TestTransferOnlyWhatIsNotInUse(t *testing.T) {
	c := newCSSM(t)
	_, err := c.AddLicenses(t0, sa, campus, na24, 3, time.Time{}, time.Time{})
	require.NoError(t, err)
	tok := token(t, c, campus)
	registerDevice(t, c, t0, tok, "FOC1", license.Usage{Tag: na24, Count: 2})
	require.ErrorIs(t, c.TransferLicenses(t0, sa, campus, "DEFAULT", na24, 2), cssm.ErrInvalid)
	require.NoError(t, c.TransferLicenses(t0, sa, campus, "DEFAULT", na24, 1))
	rows, _ := c.Licenses(sa, "DEFAULT")
	require.Len(t, rows, 1)
	assert.Equal(t, int64(1), rows[0].Quantity)
	rows, _ = c.Licenses(sa, campus)
	assert.Equal(t, int64(0), rows[0].Available)
}

func TestTokens(t *testing.T) {
	c := newCSSM(t)
	tok, err := c.CreateToken(t0, sa, campus, cssm.TokenOptions{Description: "stack 1", ExpiresAfterDays: 7, MaxUses: 1})
	require.NoError(t, err)
	assert.Equal(t, "Not Allowed", tok.ExportControlled)
	assert.Equal(t, "Active", tok.Status)
	assert.Equal(t, t0.Add(7*cssm.Day), tok.Expires)
	require.NoError(t, agent.CheckToken(tok.Value), "an agent accepts the token's shape")
	assert.Contains(t, tok.Value, "%0A")

	reg := func(value, sn string) license.Answer {
		return handle(t, c, c.Now(), license.Register{ID: id(), UDI: udi(sn), Token: value})
	}
	_, ok := reg(tok.Value, "FOC1").(license.RegisterReply)
	require.True(t, ok)
	used := reg(tok.Value, "FOC2").(license.Failure)
	assert.Equal(t, license.FailRejected, used.Class)
	assert.Equal(t, cssm.ReasonTokenUsedUp, used.Reason)
	assert.Equal(t, cssm.ReasonTokenUnknown, reg("Tm90QVRva2VuQXRBbGw%3D", "FOC2").(license.Failure).Reason)

	other, err := c.CreateToken(t0, sa, campus, cssm.TokenOptions{ExpiresAfterDays: 1})
	require.NoError(t, err)
	require.NoError(t, c.RevokeToken(t0, other.Value))
	require.Error(t, c.RevokeToken(t0, other.Value), "twice")
	assert.Equal(t, cssm.ReasonTokenRevoked, reg(other.Value, "FOC3").(license.Failure).Reason)

	third, err := c.CreateToken(t0, sa, campus, cssm.TokenOptions{ExpiresAfterDays: 1})
	require.NoError(t, err)
	require.NoError(t, c.Advance(t0.Add(cssm.Day)))
	assert.Equal(t, cssm.ReasonTokenExpired, reg(third.Value, "FOC4").(license.Failure).Reason)

	toks, err := c.Tokens(sa, campus)
	require.NoError(t, err)
	var st []string
	for _, x := range toks {
		st = append(st, x.Status)
	}
	assert.ElementsMatch(t, []string{"Used", "Revoked", "Expired"}, st)

	for _, bad := range []cssm.TokenOptions{{ExpiresAfterDays: -1}, {ExpiresAfterDays: 366}, {ExpiresAfterDays: 1, MaxUses: -1}, {ExpiresAfterDays: 1, Description: "two\nlines"}} {
		_, err := c.CreateToken(c.Now(), sa, campus, bad)
		assert.ErrorIs(t, err, cssm.ErrInvalid, "%+v", bad)
	}
	_, err = c.CreateToken(c.Now(), sa, "Nowhere", cssm.TokenOptions{ExpiresAfterDays: 1})
	assert.ErrorIs(t, err, cssm.ErrNotFound)

	// The zero options are CSSM's defaults: 30 days, unlimited uses.
	zero, err := c.CreateToken(c.Now(), sa, campus, cssm.TokenOptions{})
	require.NoError(t, err)
	assert.Equal(t, c.Now().Add(cssm.DefaultTokenDays*cssm.Day), zero.Expires)
	assert.Zero(t, zero.MaxUses)
	assert.Equal(t, "Not Allowed", zero.ExportControlled)
}

func TestRegisterBackdatesAndAlreadyRegistered(t *testing.T) {
	prof := cssm.DefaultProfile()
	prof.AlreadyRegisteredVariants = true
	c, err := cssm.New(t0, cssm.Config{Profile: &prof, Catalog: stackwise.Catalog(), Seed: 7})
	require.NoError(t, err)
	require.NoError(t, c.CreateSmartAccount(t0, sa, "acme.com"))
	require.NoError(t, c.CreateVirtualAccount(t0, sa, campus, ""))
	tok := token(t, c, campus)
	now := t0.Add(time.Hour)
	ans := handle(t, c, now, license.Register{ID: id(), UDI: udi("FOC1"), Hostname: "sw1", Token: tok})
	reg := ans.(license.RegisterReply)
	assert.Equal(t, sa, reg.SmartAccount)
	assert.Equal(t, campus, reg.VirtualAccount)
	assert.True(t, reg.ExportControlled)
	assert.Equal(t, now.Add(-5*time.Minute), reg.CertStart)
	assert.NotEmpty(t, reg.CertSerial)

	// Known UDI without force: the plain text, then with consumption the
	// consumption text (seed scenario 1's variants).
	again := handle(t, c, now, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok})
	assert.Equal(t, license.Failure{ID: nextID, Class: license.FailRejected, Reason: "Product Already Registered"}, again)
	authorize(t, c, now, "FOC1", license.Usage{Tag: na24, Count: 1})
	again = handle(t, c, now, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok})
	assert.Equal(t, "Existing Product Instance has Consumption and Force Flag is False", again.(license.Failure).Reason)

	// Another smart account's token: the sudi text.
	require.NoError(t, c.CreateSmartAccount(now, "Other Inc", ""))
	otherTok, err2 := c.CreateToken(now, "Other Inc", "DEFAULT", cssm.TokenOptions{ExpiresAfterDays: 5})
	require.NoError(t, err2)
	handle(t, c, now, license.Deregister{ID: id(), UDI: udi("FOC1")})
	handle(t, c, now, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok})
	again = handle(t, c, now, license.Register{ID: id(), UDI: udi("FOC1"), Token: otherTok.Value})
	assert.Equal(t, "The product C9300-24P and sudi containing udiSerialNumber:FOC1,udiPid:C9300-24P has already been registered.", again.(license.Failure).Reason)

	// Force replaces the instance, in the token's account.
	forced := handle(t, c, now, license.Register{ID: id(), UDI: udi("FOC1"), Token: otherTok.Value, Force: true})
	assert.Equal(t, "Other Inc", forced.(license.RegisterReply).SmartAccount)
	rows, _ := c.Instances(sa, campus)
	assert.Empty(t, rows)
}

// Seed scenario 3: a device clock beyond the tolerance.
func TestInstanceKeepsTheStacksUDIList(t *testing.T) {
	c := newCSSM(t)
	tok := token(t, c, campus)
	members := []license.UDI{udi("FOC1"), {PID: "C9300-48P", SN: "FOC2"}}
	handle(t, c, t0, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok, Members: members})
	rows, err := c.Instances(sa, campus)
	require.NoError(t, err)
	assert.Equal(t, []string{"PID:C9300-24P,SN:FOC1", "PID:C9300-48P,SN:FOC2"}, rows[0].Members)
	_, err = c.Handle(t0, license.Register{ID: id(), UDI: udi("FOC3"), Token: tok, Members: []license.UDI{{PID: "X"}}})
	assert.ErrorIs(t, err, cssm.ErrInvalid, "a member without a serial")
}

func TestHeadlineAlreadyRegisteredByDefault(t *testing.T) {
	c := newCSSM(t)
	tok := token(t, c, campus)
	registerDevice(t, c, t0, tok, "FOC1", license.Usage{Tag: na24, Count: 1})
	again := handle(t, c, t0, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok})
	assert.Equal(t, "Product Already Registered", again.(license.Failure).Reason)
}

// Seed scenario 2: CSSM cannot process requests for a while.
func TestBusy(t *testing.T) {
	c := newCSSM(t)
	tok := token(t, c, campus)
	require.NoError(t, c.SetBusy(t0, true))
	ans := handle(t, c, t0, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok})
	assert.Equal(t, license.Failure{ID: nextID, Class: license.FailBusy, Reason: "Your request could not be processed right now. Please try again"}, ans)
	require.NoError(t, c.SetBusy(t0.Add(time.Minute), false))
	assert.IsType(t, license.RegisterReply{}, handle(t, c, t0.Add(time.Minute), license.Register{ID: id(), UDI: udi("FOC1"), Token: tok}))
}

func TestRegisterClockOffset(t *testing.T) {
	c := newCSSM(t)
	tok := token(t, c, campus)
	device := time.Date(2018, 5, 12, 14, 27, 48, 653e6, time.UTC)
	ans := handle(t, c, t0, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok, DeviceTime: device})
	assert.Equal(t, license.Failure{ID: nextID, Class: license.FailBusy,
		Reason: `{"timestamp": ["The device date '1526135268653' is offset beyond the allowed tolerance limit."]}`}, ans)
	ok := handle(t, c, t0, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok, DeviceTime: t0.Add(59 * time.Minute)})
	assert.IsType(t, license.RegisterReply{}, ok)
}

// campusOfTwo is a CSSM whose Campus VA holds two perpetual C9300 24P
// Network Advantage licenses, a token of Campus, and a usage of one such.
func campusOfTwo(t *testing.T) (*cssm.CSSM, string, license.Usage) {
	t.Helper()
	c := newCSSM(t)
	_, err := c.AddLicenses(t0, sa, campus, na24, 2, time.Time{}, time.Time{})
	require.NoError(t, err)
	return c, token(t, c, campus), license.Usage{Tag: na24, Count: 1}
}

// Compliance is per virtual account; every instance that requests a short
// entitlement is answered OUT OF COMPLIANCE.
func TestCompliancePerVirtualAccount(t *testing.T) {
	c, tok, one := campusOfTwo(t)
	assert.True(t, registerDevice(t, c, t0, tok, "FOC1", one).AllInCompliance())
	assert.True(t, registerDevice(t, c, t0, tok, "FOC2", one).AllInCompliance())
	third := registerDevice(t, c, t0, tok, "FOC3", one)
	assert.False(t, third.AllInCompliance())
	assert.False(t, authorize(t, c, t0, "FOC1", one).AllInCompliance(), "every requester of the short tag")
	assert.Equal(t, "C9300 24P Network Advantage", third.Entitlements[0].Name)
	assert.Equal(t, "C9300-24 Network Advantage", third.Entitlements[0].Description)
	assert.Equal(t, t0.Add(-5*time.Minute), third.Time)

	alerts := c.Alerts(sa, false)
	require.Len(t, alerts, 1)
	assert.Equal(t, cssm.AlertInsufficient, alerts[0].Type)
	assert.Equal(t, "The virtual account Campus needs 1 more C9300 24P Network Advantage license(s)", alerts[0].Message)
	rows, _ := c.Licenses(sa, campus)
	assert.Equal(t, int64(-1), rows[0].Balance)
	assert.Equal(t, "Insufficient Licenses", rows[0].Status)

	// Another VA's licenses do not help; adding one to Campus does.
	_, err := c.AddLicenses(t0, sa, "DEFAULT", na24, 5, time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.False(t, authorize(t, c, t0, "FOC3", one).AllInCompliance())
	require.NoError(t, c.TransferLicenses(t0, sa, "DEFAULT", campus, na24, 1))
	assert.True(t, authorize(t, c, t0, "FOC3", one).AllInCompliance())
	assert.Empty(t, c.Alerts(sa, false), "the alert is cleared")
	assert.Len(t, c.Alerts(sa, true), 1)
}

// BalanceVersion stays while nothing changes the balances, and moves when
// demand or supply does.
func TestBalanceVersion(t *testing.T) {
	c, tok, one := campusOfTwo(t)
	registerDevice(t, c, t0, tok, "FOC1", one)
	v1, err := c.FleetLink().BalanceVersion(sa, campus)
	require.NoError(t, err)
	b1, _ := c.Balances(sa, campus)
	authorize(t, c, t0.Add(time.Hour), "FOC1", one) // the same usage again: nothing changes
	v2, _ := c.FleetLink().BalanceVersion(sa, campus)
	assert.Equal(t, v1, v2)
	b2, _ := c.Balances(sa, campus)
	assert.Equal(t, b1, b2)

	registerDevice(t, c, t0.Add(time.Hour), tok, "FOC2", one) // demand
	v3, _ := c.FleetLink().BalanceVersion(sa, campus)
	assert.NotEqual(t, v2, v3)
	b3, _ := c.Balances(sa, campus)
	assert.Equal(t, int64(2), b3[0].Demand)
	_, err = c.AddLicenses(t0.Add(time.Hour), sa, campus, na24, 1, time.Time{}, time.Time{}) // supply
	require.NoError(t, err)
	v4, _ := c.FleetLink().BalanceVersion(sa, campus)
	assert.NotEqual(t, v3, v4)
	other, _ := c.FleetLink().BalanceVersion(sa, "DEFAULT")
	assert.NotEqual(t, v4, other, "another VA's number")

	_, err = c.FleetLink().BalanceVersion(sa, "Nowhere")
	assert.ErrorIs(t, err, cssm.ErrNotFound)
}

// Pre-16.12.3 C9500 high-performance images request model-specific network
// tags, fulfilled from the generic pool (seed).
func TestHierarchy(t *testing.T) {
	c := newCSSM(t)
	_, err := c.AddLicenses(t0, sa, campus, "C9500 Network Advantage", 2, time.Time{}, time.Time{})
	require.NoError(t, err)
	tok := token(t, c, campus)
	ans := handle(t, c, t0, license.Register{ID: id(), UDI: license.UDI{PID: "C9500-32QC", SN: "CAT1"}, Token: tok})
	require.IsType(t, license.RegisterReply{}, ans)
	auth := handle(t, c, t0, license.Authorize{ID: id(), UDI: license.UDI{PID: "C9500-32QC", SN: "CAT1"}, Usage: []license.Usage{{Tag: "C9500-32QC Network Advantage", Count: 2}}}).(license.AuthorizeReply)
	assert.True(t, auth.AllInCompliance())
	assert.Equal(t, "C9500 32QC NW Advantage", auth.Entitlements[0].Name)
	rows, _ := c.Licenses(sa, campus)
	require.Len(t, rows, 2)
	assert.Equal(t, "C9500 32QC NW Advantage", rows[0].License)
	assert.Equal(t, int64(2), rows[0].FromParent)
	assert.Equal(t, int64(0), rows[0].Balance)
	assert.Equal(t, "C9500 Network Advantage", rows[1].License)
	assert.Equal(t, int64(2), rows[1].Substitution)
	assert.Equal(t, int64(0), rows[1].Available)
	var buf bytes.Buffer
	require.NoError(t, cssm.WriteLicenses(&buf, rows))
	assert.Equal(t, `License                  Billing  Purchased  In Use  Substitution  Balance  Alerts
C9500 32QC NW Advantage  Prepaid          0       2             0        0  
C9500 Network Advantage  Prepaid          2       0             2        0  
`, buf.String())
}

// Clean-up: 30 days without contact → alert; 90 → usage released; a year → removed.
func TestCleanUpOnTime(t *testing.T) {
	c := newCSSM(t)
	_, ok := c.FleetLink().NextDeadline()
	assert.False(t, ok, "nothing scheduled")
	_, err := c.AddLicenses(t0, sa, campus, na24, 1, time.Time{}, time.Time{})
	require.NoError(t, err)
	tok := token(t, c, campus)
	one := license.Usage{Tag: na24, Count: 1}
	registerDevice(t, c, t0, tok, "FOC1", one)
	// 30 days, plus a day's grace so that a switch renewing every 30 days
	// never raises it [model].
	assert.Equal(t, t0.Add(31*cssm.Day), c.NextDeadline())
	ns, ok := c.FleetLink().NextDeadline()
	assert.True(t, ok)
	assert.Equal(t, t0.Add(31*cssm.Day).UnixNano(), ns)
	a := failsToConnect(t, c, t0)
	assert.Equal(t, "sw-FOC1 (PID:C9300-24P,SN:FOC1)", a.Source)
	rows, _ := c.Instances(sa, campus)
	assert.Equal(t, "Failed to Connect", rows[0].Status)

	// A second switch is short while the first holds the license...
	registerDevice(t, c, t0.Add(40*cssm.Day), tok, "FOC2")
	assert.False(t, authorize(t, c, t0.Add(40*cssm.Day), "FOC2", one).AllInCompliance())
	// ...until day 90 releases it.
	require.NoError(t, c.Advance(t0.Add(90*cssm.Day)))
	rows, _ = c.Instances(sa, campus)
	assert.Equal(t, "Usage Released", rows[0].Status)
	assert.True(t, authorize(t, c, t0.Add(90*cssm.Day), "FOC2", one).AllInCompliance())
	types := []string{}
	for _, a := range c.Alerts(sa, false) {
		types = append(types, a.Type)
	}
	assert.Contains(t, types, cssm.AlertFailedToRenew)

	// A snapshot taken now restores the open alerts with what clears them.
	snap, err := c.Snapshot()
	require.NoError(t, err)
	restored, err := cssm.Restore(snap, stackwise.Catalog())
	require.NoError(t, err)

	// The first switch comes back: it consumes again (and is now short).
	for _, c := range []*cssm.CSSM{c, restored} {
		assert.False(t, authorize(t, c, t0.Add(100*cssm.Day), "FOC1", one).AllInCompliance())
		rows, _ = c.Instances(sa, campus)
		assert.Equal(t, "Active", rows[0].Status)
		for _, a := range c.Alerts(sa, false) {
			assert.NotEqual(t, cssm.AlertFailedToConnect, a.Type, "contact clears it")
			assert.NotEqual(t, cssm.AlertFailedToRenew, a.Type, "contact clears it")
		}
	}

	// Silent for a year: removed, a year after each one's last contact.
	require.NoError(t, c.Advance(t0.Add(455*cssm.Day-time.Second)))
	rows, _ = c.Instances(sa, campus)
	assert.Len(t, rows, 2)
	require.NoError(t, c.Advance(t0.Add(455*cssm.Day)))
	rows, _ = c.Instances(sa, campus)
	require.Len(t, rows, 1)
	assert.Equal(t, "sw-FOC1", rows[0].Name)
	assert.Equal(t, "Usage Released", rows[0].Status)
	require.NoError(t, c.Advance(t0.Add(465*cssm.Day)))
	rows, _ = c.Instances(sa, campus)
	assert.Empty(t, rows)
	removed := 0
	for _, a := range c.Alerts(sa, false) {
		if a.Type == cssm.AlertInstanceRemoved {
			removed++
		}
	}
	assert.Equal(t, 2, removed)
	ans := handle(t, c, c.Now(), license.Authorize{ID: id(), UDI: udi("FOC1"), Usage: []license.Usage{one}})
	assert.Equal(t, cssm.ReasonInstanceNotFound, ans.(license.Failure).Reason)
}

// failsToConnect advances c to a second before the connect check of a
// switch last heard from at contact (31 days), requires no alert, then to
// the check, and returns the one "Failed to Connect" alert it requires:
// raised then, due at the release (90 days after contact).
func failsToConnect(t *testing.T, c *cssm.CSSM, contact time.Time) cssm.Alert {
	t.Helper()
	require.NoError(t, c.Advance(contact.Add(31*cssm.Day-time.Second)))
	assert.Empty(t, c.Alerts(sa, false))
	require.NoError(t, c.Advance(contact.Add(31*cssm.Day)))
	alerts := c.Alerts(sa, false)
	require.Len(t, alerts, 1)
	assert.Equal(t, cssm.AlertFailedToConnect, alerts[0].Type)
	assert.Equal(t, contact.Add(31*cssm.Day), alerts[0].Raised)
	assert.Equal(t, contact.Add(90*cssm.Day), alerts[0].Due)
	return alerts[0]
}

// A switch that comes back after "Failed to Connect" and then goes silent
// again is checked from its new last contact: alerted 31 days and released
// 90 days after it, not at the deadlines of its first silence.
func TestCleanUpAfterReturn(t *testing.T) {
	c := newCSSM(t)
	_, err := c.AddLicenses(t0, sa, campus, na24, 1, time.Time{}, time.Time{})
	require.NoError(t, err)
	one := license.Usage{Tag: na24, Count: 1}
	registerDevice(t, c, t0, token(t, c, campus), "FOC1", one)
	require.NoError(t, c.Advance(t0.Add(31*cssm.Day)))
	require.Len(t, c.Alerts(sa, false), 1, "Failed to Connect")
	assert.Equal(t, t0.Add(90*cssm.Day), c.NextDeadline(), "then the release")

	back := t0.Add(35 * cssm.Day)
	authorize(t, c, back, "FOC1", one)
	assert.Empty(t, c.Alerts(sa, false), "contact clears it")
	assert.Equal(t, back.Add(31*cssm.Day), c.NextDeadline(), "the connect check again, from the new contact")
	failsToConnect(t, c, back)
	require.NoError(t, c.Advance(back.Add(90*cssm.Day)))
	rows, _ := c.Instances(sa, campus)
	assert.Equal(t, "Usage Released", rows[0].Status)
}

// A snapshot whose instance is due a check before its connect check (as
// snapshots of earlier versions could be) restores to the same checks.
func TestRestoreEarlyCheck(t *testing.T) {
	c := newCSSM(t)
	registerDevice(t, c, t0, token(t, c, campus), "FOC1")
	later := t0.Add(20 * cssm.Day)
	authorize(t, c, later, "FOC1")
	s := snap(t, c)
	due := later.Add(31 * cssm.Day).Format(time.RFC3339)
	require.Contains(t, s, `"nextCheck": "`+due+`"`)
	early := strings.Replace(s, `"nextCheck": "`+due+`"`, `"nextCheck": "`+t0.Add(31*cssm.Day).Format(time.RFC3339)+`"`, 1)
	r, err := cssm.Restore([]byte(early), stackwise.Catalog())
	require.NoError(t, err)
	assert.Equal(t, later.Add(31*cssm.Day), r.NextDeadline())
	assert.Equal(t, s, snap(t, r), "restored, it is the CSSM it was")
	require.NoError(t, r.Advance(later.Add(31*cssm.Day-time.Second)))
	assert.Empty(t, r.Alerts(sa, false))
	require.NoError(t, r.Advance(later.Add(31*cssm.Day)))
	assert.Len(t, r.Alerts(sa, false), 1)
}

// Requests at the instant of the last one skip the schedule, unless
// something fell due meanwhile: licenses added at that instant whose expiry
// notice is already past are noticed before the next request is answered.
func TestSameInstantStillDue(t *testing.T) {
	c := newCSSM(t)
	registerDevice(t, c, t0, token(t, c, campus), "FOC1")
	authorize(t, c, t0, "FOC1")
	_, err := c.AddLicenses(t0, sa, campus, na24, 1, t0.Add(-100*cssm.Day), t0.Add(30*cssm.Day))
	require.NoError(t, err)
	assert.Empty(t, c.Alerts(sa, false), "not yet processed")
	authorize(t, c, t0, "FOC1")
	alerts := c.Alerts(sa, false)
	require.Len(t, alerts, 1)
	assert.Equal(t, cssm.AlertLicensesExpiring, alerts[0].Type)
}

func TestTermLicensesExpire(t *testing.T) {
	c := newCSSM(t)
	end := t0.AddDate(1, 0, 0)
	_, err := c.AddLicenses(t0, sa, campus, da24, 1, t0, end)
	require.NoError(t, err)
	tok := token(t, c, campus)
	dna := license.Usage{Tag: da24, Count: 1}
	assert.True(t, registerDevice(t, c, t0, tok, "FOC1", dna).AllInCompliance())
	licenseAlerts := func() []cssm.Alert {
		var out []cssm.Alert
		for _, a := range c.Alerts(sa, false) {
			if a.Type != cssm.AlertFailedToConnect && a.Type != cssm.AlertFailedToRenew {
				out = append(out, a)
			}
		}
		return out
	}
	require.NoError(t, c.Advance(end.Add(-90*cssm.Day-time.Second)))
	assert.Empty(t, licenseAlerts())
	require.NoError(t, c.Advance(end.Add(-90*cssm.Day)))
	alerts := licenseAlerts()
	require.Len(t, alerts, 1)
	assert.Equal(t, cssm.AlertLicensesExpiring, alerts[0].Type)
	assert.Equal(t, end, alerts[0].Due)
	assert.Equal(t, "1 C9300 24P DNA Advantage license(s) in Campus expire on 2025-03-01", alerts[0].Message)
	// Keep the switch talking so that only the term matters.
	authorize(t, c, end.Add(-time.Hour), "FOC1", dna)
	require.NoError(t, c.Advance(end))
	var types []string
	for _, a := range licenseAlerts() {
		types = append(types, a.Type)
	}
	assert.ElementsMatch(t, []string{cssm.AlertLicensesExpired, cssm.AlertInsufficient}, types)
	assert.False(t, authorize(t, c, end, "FOC1", dna).AllInCompliance())
}

func TestRenewIDAndDeregister(t *testing.T) {
	c := newCSSM(t)
	tok := token(t, c, campus)
	registerDevice(t, c, t0, tok, "FOC1", license.Usage{Tag: na24, Count: 1})
	later := t0.Add(180 * cssm.Day)
	ren := handle(t, c, later, license.RenewID{ID: id(), UDI: udi("FOC1")}).(license.RenewIDReply)
	assert.Equal(t, later.Add(-5*time.Minute), ren.CertStart)
	rows, _ := c.Instances(sa, campus)
	assert.Equal(t, later, rows[0].LastContact)
	assert.IsType(t, license.DeregisterReply{}, handle(t, c, later, license.Deregister{ID: id(), UDI: udi("FOC1")}))
	rows, _ = c.Instances(sa, campus)
	assert.Empty(t, rows)
	lic, _ := c.Licenses(sa, campus)
	assert.Empty(t, lic, "usage released")
	assert.Equal(t, cssm.ReasonInstanceNotFound, handle(t, c, later, license.Deregister{ID: id(), UDI: udi("FOC1")}).(license.Failure).Reason)
}

func TestTransferInstance(t *testing.T) {
	c := newCSSM(t)
	_, err := c.AddLicenses(t0, sa, "DEFAULT", na24, 1, time.Time{}, time.Time{})
	require.NoError(t, err)
	tok := token(t, c, campus)
	one := license.Usage{Tag: na24, Count: 1}
	assert.False(t, registerDevice(t, c, t0, tok, "FOC1", one).AllInCompliance(), "wrong VA's token (seed scenario 8)")
	require.NoError(t, c.TransferInstance(t0, udi("FOC1"), "DEFAULT"))
	assert.True(t, authorize(t, c, t0, "FOC1", one).AllInCompliance())
	require.ErrorIs(t, c.TransferInstance(t0, udi("FOC9"), "DEFAULT"), cssm.ErrNotFound)
	require.ErrorIs(t, c.TransferInstance(t0, udi("FOC1"), "DEFAULT"), cssm.ErrInvalid)
	require.ErrorIs(t, c.TransferInstance(t0, udi("FOC1"), "Nowhere"), cssm.ErrNotFound)
}

func TestHandleRefusesBadMessages(t *testing.T) {
	c := newCSSM(t)
	before := snap(t, c)
	for name, m := range map[string]license.Message{
		"nil":       nil,
		"bad UDI":   license.Register{ID: 1, UDI: license.UDI{PID: "C9300", SN: ""}},
		"bad usage": license.Authorize{ID: 1, UDI: udi("FOC1"), Usage: []license.Usage{{Tag: na24, Count: 0}}},
	} {
		_, err := c.Handle(t0, m)
		assert.ErrorIs(t, err, cssm.ErrInvalid, name)
	}
	_, err := c.Handle(t0.Add(-time.Second), license.RenewID{ID: 1, UDI: udi("FOC1")})
	assert.ErrorIs(t, err, cssm.ErrTimeWentBack)
	assert.Equal(t, before, snap(t, c))
}

func TestReportsJSON(t *testing.T) {
	c := newCSSM(t)
	_, err := c.AddLicenses(t0, sa, campus, da24, 3, t0, t0.AddDate(3, 0, 0))
	require.NoError(t, err)
	tok := token(t, c, campus)
	registerDevice(t, c, t0, tok, "FOC1", license.Usage{Tag: da24, Count: 2})
	resp, err := c.LicensesPayload(sa, nil)
	require.NoError(t, err)
	b, err := json.Marshal(resp)
	require.NoError(t, err)
	assert.JSONEq(t, `{"status":"SUCCESS","totalRecords":1,"licenses":[{"license":"C9300 24P DNA Advantage","entitlementTag":"C9300-24 DNA Advantage",
		"virtualAccount":"Campus","quantity":3,"inUse":2,"substitution":0,"fromParent":0,"available":1,"balance":1,"status":"In Compliance",
		"licenseDetails":[{"licenseType":"Term","quantity":3,"startDate":"2024-03-01","endDate":"2027-03-01"}]}]}`, string(b))
	rows, err := c.Instances(sa, campus)
	require.NoError(t, err)
	b, err = json.Marshal(rows)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"name":"sw-FOC1","productType":"C9300","productId":"C9300-24P","serialNumber":"FOC1","virtualAccount":"Campus",
		"registrationDate":"2024-03-01T09:00:00Z","lastContactDate":"2024-03-01T09:00:00Z","status":"Active","licenses":["2 C9300 24P DNA Advantage"]}]`, string(b))
	_, err = c.LicensesPayload("Nobody", nil)
	assert.ErrorIs(t, err, cssm.ErrNotFound)
}

func TestRenameKeepsShortageAlert(t *testing.T) {
	c := newCSSM(t)
	tok := token(t, c, campus)
	registerDevice(t, c, t0, tok, "FOC1", license.Usage{Tag: na24, Count: 1})
	require.Len(t, c.Alerts(sa, false), 1)
	require.NoError(t, c.RenameVirtualAccount(t0, sa, campus, "Campus-2"))
	alerts := c.Alerts(sa, false)
	require.Len(t, alerts, 1)
	assert.Equal(t, "Campus-2", alerts[0].VA)
	_, err := c.AddLicenses(t0, sa, "Campus-2", na24, 1, time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Empty(t, c.Alerts(sa, false), "the renamed VA's alert clears")
}

// An agent against the CSSM: the dates of the captures follow from CSSM's
// back-dating, a short VA gives OUT OF COMPLIANCE, a license added in CSSM
// is picked up at the 12-hour retry, and deregistration releases the usage.
func TestAgentAgainstCSSM(t *testing.T) {
	c := newCSSM(t)
	tok := token(t, c, campus)
	usage := []license.Usage{{Tag: na24, Count: 2}}
	a, err := agent.New(t0, agent.Config{UDI: udi("FOC2133Z0AB"), Hostname: "sw1", Usage: usage, Seed: 1})
	require.NoError(t, err)
	deliver := func() {
		for _, m := range a.TakeMessages() {
			ans, err := c.Handle(a.Now(), m)
			require.NoError(t, err)
			require.NoError(t, a.Handle(a.Now(), ans))
		}
	}
	run := func(until time.Time) {
		for {
			deliver()
			n := a.NextDeadline()
			if n.IsZero() || n.After(until) {
				require.NoError(t, a.Advance(until))
				require.NoError(t, c.Advance(until))
				deliver()
				return
			}
			require.NoError(t, c.Advance(n))
			require.NoError(t, a.Advance(n))
		}
	}
	regAt := t0.Add(time.Hour)
	run(regAt)
	_, err = a.Register(regAt, tok, false)
	require.NoError(t, err)
	run(regAt.Add(time.Minute))
	s := a.Status()
	assert.Equal(t, agent.RegRegistered, s.Registration)
	assert.Equal(t, campus, s.VirtualAccount)
	assert.Equal(t, regAt.Add(-5*time.Minute).Add(365*agent.Day), s.RegistrationExpires)
	assert.Equal(t, agent.AuthOutOfComp, s.Authorization)
	assert.Equal(t, regAt.Add(4*time.Second-5*time.Minute+90*agent.Day), s.CommunicationDeadline)

	_, err = c.AddLicenses(regAt.Add(time.Hour), sa, campus, na24, 2, time.Time{}, time.Time{})
	require.NoError(t, err)
	run(regAt.Add(12*time.Hour + 4*time.Second))
	s = a.Status()
	assert.Equal(t, agent.AuthAuthorized, s.Authorization)
	assert.Equal(t, regAt.Add(12*time.Hour+4*time.Second), s.AuthorizationSince)

	// A year of healthy renewals: never out of step.
	run(regAt.Add(400 * agent.Day))
	s = a.Status()
	assert.Equal(t, agent.AuthAuthorized, s.Authorization)
	assert.Equal(t, agent.ResultSucceeded, s.LastRenewal.Result, "the ID certificate was renewed")
	for _, al := range c.Alerts(sa, true) {
		assert.Equal(t, cssm.AlertInsufficient, al.Type, "a healthy switch raises nothing but the first shortage: %+v", al)
	}

	require.NoError(t, a.Deregister(a.Now()))
	deliver()
	rows, err := c.Instances(sa, campus)
	require.NoError(t, err)
	assert.Empty(t, rows)
	lic, _ := c.Licenses(sa, campus)
	assert.Equal(t, int64(0), lic[0].InUse)
}

// Seed scenario 9: a request signed with another key than the one the
// instance registered with is refused; a forced re-registration with the
// new key cures it.
func TestSignatureMismatch(t *testing.T) {
	c := newCSSM(t)
	tok := token(t, c, campus)
	handle(t, c, t0, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok, KeyID: "key-1"})
	ok := handle(t, c, t0, license.Authorize{ID: id(), UDI: udi("FOC1"), KeyID: "key-1"})
	assert.IsType(t, license.AuthorizeReply{}, ok)
	bad := handle(t, c, t0, license.Authorize{ID: id(), UDI: udi("FOC1"), KeyID: "key-2"})
	assert.Equal(t, license.Failure{ID: nextID, Class: license.FailRejected, Reason: "Data and signature do not match"}, bad)
	bad = handle(t, c, t0, license.RenewID{ID: id(), UDI: udi("FOC1"), KeyID: "key-2"})
	assert.Equal(t, "Data and signature do not match", bad.(license.Failure).Reason)
	handle(t, c, t0, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok, KeyID: "key-2", Force: true})
	assert.IsType(t, license.AuthorizeReply{}, handle(t, c, t0, license.Authorize{ID: id(), UDI: udi("FOC1"), KeyID: "key-2"}))
}

// A CSSM holds its instants as int64 nanoseconds: times outside them are
// refused, wherever they come in, and leave it as it was; and a CSSM whose
// deadlines lie beyond the last instant (clamped to it) advances up to it
// and stops, instead of finding them due again and again.
func TestTimesOutsideInt64NanosecondsRefused(t *testing.T) {
	last := time.Unix(0, math.MaxInt64).UTC() // 2262-04-11T23:47:16.854775807Z
	first := time.Unix(0, math.MinInt64).UTC()
	for _, at := range []time.Time{last, last.Add(time.Hour), first, first.Add(-time.Hour)} {
		_, err := cssm.New(at, cssm.Config{Catalog: stackwise.Catalog()})
		require.ErrorIs(t, err, cssm.ErrInvalid, at)
	}
	start := last.AddDate(0, -6, 0)
	c, err := cssm.New(start, cssm.Config{Catalog: stackwise.Catalog(), Seed: 7})
	require.NoError(t, err)
	require.NoError(t, c.CreateSmartAccount(start, sa, ""))
	_, err = c.AddLicenses(start, sa, cssm.DefaultVAName, na24, 1, start, start.AddDate(1, 0, 0)) // ends beyond the last instant
	require.NoError(t, err)
	tok := token(t, c, cssm.DefaultVAName)
	registerDevice(t, c, start, tok, "FOC1", license.Usage{Tag: na24, Count: 1})
	before := snap(t, c)
	require.ErrorIs(t, c.Advance(last), cssm.ErrInvalid)
	_, err = c.Handle(last.Add(time.Hour), license.RenewID{ID: 1, UDI: udi("FOC1")})
	require.ErrorIs(t, err, cssm.ErrInvalid)
	fast := c.FleetLink()
	l, err := fast.Link(udi("FOC1"))
	require.NoError(t, err)
	_, err = fast.Authorize(l, last, []license.Usage{{Tag: na24, Count: 1}})
	require.ErrorIs(t, err, cssm.ErrInvalid)
	require.Equal(t, before, snap(t, c))

	done := make(chan error, 1)
	go func() { done <- c.Advance(last.Add(-time.Nanosecond)) }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Advance to the last instant does not return")
	}
	require.Equal(t, last.Add(-time.Nanosecond), c.Now().UTC())

	b, err := c.Snapshot()
	require.NoError(t, err)
	now := []byte(`"now": "2262-04-11T23:47:16.854775806Z"`)
	require.True(t, bytes.Contains(b, now))
	_, err = cssm.Restore(bytes.Replace(b, now, []byte(`"now": "2262-04-11T23:47:16.854775807Z"`), 1), stackwise.Catalog())
	require.ErrorIs(t, err, cssm.ErrInvalid)
}

func TestClearedAlertsAreBounded(t *testing.T) {
	// A switch asks for one license more than the pool has (an alert is
	// raised), then the pool gets it (the alert is cleared), again and
	// again. CSSM keeps the open alerts and the newest MaxClearedAlerts
	// cleared ones; a profile may keep them all.
	for _, keepAll := range []bool{false, true} {
		prof := cssm.DefaultProfile()
		prof.KeepAllAlerts = keepAll
		c, err := cssm.New(t0, cssm.Config{Profile: &prof, Catalog: stackwise.Catalog(), Seed: 7})
		require.NoError(t, err)
		require.NoError(t, c.CreateSmartAccount(t0, sa, "acme.com"))
		tok := token(t, c, "DEFAULT")
		n := cssm.MaxClearedAlerts * 2
		now := t0
		registerDevice(t, c, now, tok, "FOC1", license.Usage{Tag: na24, Count: 1})
		for i := range n {
			now = now.Add(time.Hour)
			authorize(t, c, now, "FOC1", license.Usage{Tag: na24, Count: i + 1})
			_, err := c.AddLicenses(now, sa, "DEFAULT", na24, 1, time.Time{}, time.Time{})
			require.NoError(t, err)
			authorize(t, c, now, "FOC1", license.Usage{Tag: na24, Count: i + 1})
		}
		all := c.Alerts("", true)
		require.NotEmpty(t, all)
		last := all[len(all)-1].ID
		if keepAll {
			assert.Len(t, all, last, "every alert is kept")
			continue
		}
		assert.LessOrEqual(t, len(all), cssm.MaxClearedAlerts+cssm.MaxClearedAlerts/8, "pruned in batches")
		assert.GreaterOrEqual(t, len(all), cssm.MaxClearedAlerts)
		assert.Greater(t, last, len(all), "older alerts were dropped")
		got, ok := c.Alert(last)
		assert.True(t, ok)
		assert.Equal(t, last, got.ID)
		_, ok = c.Alert(1)
		assert.False(t, ok, "the oldest are gone")
		from := c.AlertsFrom(last - 1)
		require.Len(t, from, 2)
		assert.Equal(t, []int{last - 1, last}, []int{from[0].ID, from[1].ID})
	}
}

// An alert without a due date leaves the field out of its JSON rather
// than printing the zero time.
func TestAlertWithoutDueOmitsIt(t *testing.T) {
	b, err := json.Marshal(cssm.Alert{ID: 1, Type: cssm.AlertInstanceRemoved, Raised: t0})
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"due"`)
	b, err = json.Marshal(cssm.Alert{ID: 1, Type: cssm.AlertFailedToConnect, Raised: t0, Due: t0.Add(90 * cssm.Day)})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"due":"2024-05-30T09:00:00Z"`)
}

// API credentials drawn from a source of their own: as given, and the
// CSSM's seeded randomness is left as it was.
func TestCreateAPIClientFrom(t *testing.T) {
	a, b := newCSSM(t), newCSSM(t)
	src := bytes.NewReader(bytes.Repeat([]byte{0xab}, 28))
	cl, err := a.CreateAPIClientFrom(t0, sa, src)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("ab", 12), cl.ID)
	assert.Equal(t, strings.Repeat("ab", 16), cl.Secret)
	_, ok := a.CheckAPIClient(cl.ID, cl.Secret)
	assert.True(t, ok)
	assert.Equal(t, token(t, b, campus), token(t, a, campus), "the seeded source did not move")
	_, err = a.CreateAPIClientFrom(t0, sa, bytes.NewReader(nil))
	assert.Error(t, err, "a source that runs dry")
	_, err = a.CreateAPIClientFrom(t0, sa, bytes.NewReader(bytes.Repeat([]byte{0xab}, 28)))
	assert.ErrorIs(t, err, cssm.ErrInvalid, "the same ID twice")
	events, err := a.Events(sa)
	require.NoError(t, err)
	for _, e := range events {
		assert.NotContains(t, e.Message, cl.Secret, "the secret never reaches the event log")
	}
}
