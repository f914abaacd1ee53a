package cssm_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/cssm"
	"github.com/slsim/slsim/license"
	"github.com/slsim/slsim/stackwise"
)

func newSatellite(t *testing.T, c *cssm.CSSM, mode cssm.SyncMode) *cssm.Satellite {
	t.Helper()
	s, err := c.AddSatellite(c.Now(), cssm.SatelliteConfig{Name: "onprem-1", Hostname: "ssm-onprem.acme.com", SA: sa, VAs: []string{campus},
		Mode: mode, CertValidity: 2 * 365 * cssm.Day, Seed: 3})
	require.NoError(t, err)
	return s
}

func satHandle(t *testing.T, s *cssm.Satellite, now time.Time, m license.Message) license.Answer {
	t.Helper()
	a, err := s.Handle(now, m)
	require.NoError(t, err)
	return a
}

// Devices registered to a satellite talk only to it; it learns licenses
// only when it synchronises, and CSSM learns its usage only then.
func TestSatelliteLearnsAtSync(t *testing.T) {
	c := newCSSM(t)
	_, err := c.AddLicenses(t0, sa, campus, na24, 1, time.Time{}, time.Time{})
	require.NoError(t, err)
	s := newSatellite(t, c, cssm.SyncNetwork)
	tok, err := s.CreateToken(t0, campus, cssm.TokenOptions{ExpiresAfterDays: 30})
	require.NoError(t, err)
	_, err = c.Tokens(sa, campus)
	require.NoError(t, err)

	// The CSSM does not know the satellite's token, nor the reverse.
	ans, err := c.Handle(t0, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok.Value})
	require.NoError(t, err)
	assert.Equal(t, cssm.ReasonTokenUnknown, ans.(license.Failure).Reason)

	reg := satHandle(t, s, t0, license.Register{ID: id(), UDI: udi("FOC1"), Hostname: "sw1", Token: tok.Value}).(license.RegisterReply)
	assert.Equal(t, campus, reg.VirtualAccount)
	two := license.Usage{Tag: na24, Count: 2}
	auth := satHandle(t, s, t0, license.Authorize{ID: id(), UDI: udi("FOC1"), Usage: []license.Usage{two}}).(license.AuthorizeReply)
	assert.False(t, auth.AllInCompliance(), "the satellite knows of 1 license")

	// CSSM gets a license more; the satellite does not know until it syncs.
	_, err = c.AddLicenses(t0.Add(cssm.Day), sa, campus, na24, 1, time.Time{}, time.Time{})
	require.NoError(t, err)
	auth = satHandle(t, s, t0.Add(2*cssm.Day), license.Authorize{ID: id(), UDI: udi("FOC1"), Usage: []license.Usage{two}}).(license.AuthorizeReply)
	assert.False(t, auth.AllInCompliance())
	rows, _ := c.Licenses(sa, campus)
	assert.Equal(t, int64(0), rows[0].InUse, "CSSM has not heard of the usage yet")

	assert.Equal(t, t0.Add(30*cssm.Day), s.NextSync())
	require.NoError(t, s.Sync(t0.Add(3*cssm.Day), c))
	auth = satHandle(t, s, t0.Add(3*cssm.Day), license.Authorize{ID: id(), UDI: udi("FOC1"), Usage: []license.Usage{two}}).(license.AuthorizeReply)
	assert.True(t, auth.AllInCompliance())
	rows, _ = c.Licenses(sa, campus)
	assert.Equal(t, int64(2), rows[0].InUse, "the satellite reported its usage")
	srows, err := s.Licenses(campus)
	require.NoError(t, err)
	assert.Equal(t, int64(2), srows[0].Quantity)

	// The satellite's usage counts against direct devices in the same VA.
	ctok := token(t, c, campus)
	assert.False(t, registerDevice(t, c, t0.Add(3*cssm.Day), ctok, "FOC2", license.Usage{Tag: na24, Count: 1}).AllInCompliance())
}

func TestSatelliteManualSyncByFile(t *testing.T) {
	c := newCSSM(t)
	s := newSatellite(t, c, cssm.SyncManual)
	assert.True(t, s.NextSync().IsZero())
	require.ErrorIs(t, s.Sync(t0, c), cssm.ErrInvalid)
	_, err := c.AddLicenses(t0, sa, campus, na24, 4, time.Time{}, time.Time{})
	require.NoError(t, err)
	file, err := s.ExportSyncFile(t0.Add(time.Hour))
	require.NoError(t, err)
	req, err := cssm.ParseSyncRequest(file)
	require.NoError(t, err)
	resp, err := c.ImportSync(t0.Add(2*time.Hour), req)
	require.NoError(t, err)
	require.NoError(t, s.ImportSyncResponse(t0.Add(3*time.Hour), resp))
	rows, _ := s.Licenses(campus)
	assert.Equal(t, int64(4), rows[0].Quantity)
	assert.Equal(t, t0.Add(3*time.Hour), s.LastSync())

	_, err = cssm.ParseSyncRequest([]byte("{"))
	assert.Error(t, err)
	_, err = cssm.ParseSyncRequest([]byte(`{"satellite":""}`))
	assert.ErrorIs(t, err, cssm.ErrInvalid)
	resp.Satellite = "someone-else"
	assert.ErrorIs(t, s.ImportSyncResponse(t0.Add(4*time.Hour), resp), cssm.ErrInvalid)
	bad := req
	bad.Usage = map[string]map[string]int64{"DEFAULT": {na24: 1}}
	_, err = c.ImportSync(t0.Add(4*time.Hour), bad)
	assert.ErrorIs(t, err, cssm.ErrInvalid, "a VA the satellite does not serve")
}

// CSSM raises the sync-deadline alert once 30 days have passed (at 30
// days the synchronisation is only due) and removes the satellite at 90;
// its devices keep working meanwhile.
func TestSatelliteSyncDeadline(t *testing.T) {
	c := newCSSM(t)
	_, err := c.AddLicenses(t0, sa, campus, na24, 5, time.Time{}, time.Time{})
	require.NoError(t, err)
	s := newSatellite(t, c, cssm.SyncNetwork)
	tok, err := s.CreateToken(t0, campus, cssm.TokenOptions{ExpiresAfterDays: 365})
	require.NoError(t, err)
	satHandle(t, s, t0, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok.Value})
	satHandle(t, s, t0, license.Authorize{ID: id(), UDI: udi("FOC1"), Usage: []license.Usage{{Tag: na24, Count: 3}}})
	require.NoError(t, s.Sync(t0.Add(time.Hour), c))

	require.NoError(t, c.Advance(t0.Add(time.Hour+30*cssm.Day)))
	require.Empty(t, c.Alerts(sa, false), "due, not overdue")
	require.NoError(t, c.Advance(t0.Add(time.Hour+30*cssm.Day+time.Second)))
	alerts := c.Alerts(sa, false)
	require.Len(t, alerts, 1)
	assert.Equal(t, cssm.AlertSatelliteSync, alerts[0].Type)
	assert.Equal(t, t0.Add(time.Hour+90*cssm.Day), alerts[0].Due)
	assert.Equal(t, "Sync Overdue", c.Satellites(sa)[0].Status)

	// Devices keep working with the satellite meanwhile.
	auth := satHandle(t, s, t0.Add(60*cssm.Day), license.Authorize{ID: id(), UDI: udi("FOC1"), Usage: []license.Usage{{Tag: na24, Count: 3}}})
	assert.True(t, auth.(license.AuthorizeReply).AllInCompliance())

	rows, _ := c.Licenses(sa, campus)
	assert.Equal(t, int64(3), rows[0].InUse)
	require.NoError(t, c.Advance(t0.Add(time.Hour+90*cssm.Day)))
	assert.Equal(t, "Removed", c.Satellites(sa)[0].Status)
	rows, _ = c.Licenses(sa, campus)
	assert.Equal(t, int64(0), rows[0].InUse, "a removed satellite's usage is forgotten")
	require.ErrorIs(t, s.Sync(t0.Add(91*cssm.Day), c), cssm.ErrInvalid)
	var types []string
	for _, a := range c.Alerts(sa, false) {
		types = append(types, a.Type)
	}
	assert.Equal(t, []string{cssm.AlertSatelliteRemoved}, types)
}

// Seed scenario 6: the satellite's certificate expires. The devices check
// it in TLS (package device); the satellite itself keeps answering, and
// its certificate is renewed.
func TestSatelliteCertificateExpiry(t *testing.T) {
	c := newCSSM(t)
	s, err := c.AddSatellite(t0, cssm.SatelliteConfig{Name: "onprem-1", Hostname: "ssm.acme.com", SA: sa, VAs: []string{campus}, Mode: cssm.SyncManual, CertValidity: 10 * cssm.Day})
	require.NoError(t, err)
	tok, err := s.CreateToken(t0, campus, cssm.TokenOptions{ExpiresAfterDays: 365})
	require.NoError(t, err)
	satHandle(t, s, t0, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok.Value})
	assert.Equal(t, t0.Add(10*cssm.Day), s.CertificateExpires())
	assert.IsType(t, license.AuthorizeReply{}, satHandle(t, s, t0.Add(10*cssm.Day), license.Authorize{ID: id(), UDI: udi("FOC1")}))
	require.NoError(t, s.RenewCertificate(t0.Add(11*cssm.Day), 365*cssm.Day))
	assert.Equal(t, t0.Add(376*cssm.Day), s.CertificateExpires())
	assert.IsType(t, license.AuthorizeReply{}, satHandle(t, s, t0.Add(11*cssm.Day), license.Authorize{ID: id(), UDI: udi("FOC1")}))
}

func TestAddSatelliteRefusals(t *testing.T) {
	c := newCSSM(t)
	before := snap(t, c)
	for name, cfg := range map[string]cssm.SatelliteConfig{
		"no name":      {Hostname: "h", SA: sa, VAs: []string{campus}, Mode: cssm.SyncManual, CertValidity: cssm.Day},
		"bad mode":     {Name: "s", Hostname: "h", SA: sa, VAs: []string{campus}, Mode: "pigeon", CertValidity: cssm.Day},
		"no cert":      {Name: "s", Hostname: "h", SA: sa, VAs: []string{campus}, Mode: cssm.SyncManual},
		"no VAs":       {Name: "s", Hostname: "h", SA: sa, Mode: cssm.SyncManual, CertValidity: cssm.Day},
		"unknown VA":   {Name: "s", Hostname: "h", SA: sa, VAs: []string{"Nowhere"}, Mode: cssm.SyncManual, CertValidity: cssm.Day},
		"unknown SA":   {Name: "s", Hostname: "h", SA: "Nobody", VAs: []string{campus}, Mode: cssm.SyncManual, CertValidity: cssm.Day},
		"VA twice":     {Name: "s", Hostname: "h", SA: sa, VAs: []string{campus, campus}, Mode: cssm.SyncManual, CertValidity: cssm.Day},
		"no host name": {Name: "s", SA: sa, VAs: []string{campus}, Mode: cssm.SyncManual, CertValidity: cssm.Day},
	} {
		_, err := c.AddSatellite(t0, cfg)
		assert.Error(t, err, name)
	}
	assert.Equal(t, before, snap(t, c))
	newSatellite(t, c, cssm.SyncManual)
	_, err := c.AddSatellite(t0, cssm.SatelliteConfig{Name: "onprem-1", Hostname: "h", SA: sa, VAs: []string{campus}, Mode: cssm.SyncManual, CertValidity: cssm.Day})
	assert.ErrorIs(t, err, cssm.ErrExists)
	require.ErrorIs(t, c.RenameVirtualAccount(t0, sa, campus, "X"), cssm.ErrInvalid, "a satellite serves it")
}

func TestSatelliteSnapshotRoundTrip(t *testing.T) {
	c := newCSSM(t)
	s := newSatellite(t, c, cssm.SyncNetwork)
	tok, err := s.CreateToken(t0, campus, cssm.TokenOptions{ExpiresAfterDays: 365})
	require.NoError(t, err)
	satHandle(t, s, t0, license.Register{ID: id(), UDI: udi("FOC1"), Token: tok.Value})
	a, err := s.Snapshot()
	require.NoError(t, err)
	r, err := cssm.RestoreSatellite(a, stackwise.Catalog())
	require.NoError(t, err)
	b, err := r.Snapshot()
	require.NoError(t, err)
	assert.Equal(t, string(a), string(b))
	x := satHandle(t, s, t0.Add(time.Hour), license.Authorize{ID: 99, UDI: udi("FOC1"), Usage: []license.Usage{{Tag: na24, Count: 1}}})
	y, err := r.Handle(t0.Add(time.Hour), license.Authorize{ID: 99, UDI: udi("FOC1"), Usage: []license.Usage{{Tag: na24, Count: 1}}})
	require.NoError(t, err)
	assert.Equal(t, x, y)
	_, err = cssm.RestoreSatellite([]byte(`{"version":1,"mode":"pigeon"}`), nil)
	assert.Error(t, err)
}
