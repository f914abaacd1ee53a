package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShortOutageIsHarmless(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, run(&buf, 20))
	assert.Equal(t, "outage of 20 days from 2025-02-01 to 2025-02-21\n"+
		"2025-01-01 08:00:00  REGISTERED / EVAL MODE\n"+
		"2025-01-01 08:00:04  REGISTERED / AUTHORIZED\n", buf.String())
}

// Last success Jan 31 08:00:04 (the 30-day renewal), CSSM time 07:55:04:
// AUTHORIZATION EXPIRED 90 days later, May 1 07:55:04. The renewal due
// Mar 2 08:00:04 fails and backs off 30 s, 1, 2, 4, 8, 16, 32 min (3,810 s
// in all), then hourly: retries at hh:03:34, the first after the path
// returns (May 12 00:00) restores AUTHORIZED.
func TestLongOutageExpiresAndRecovers(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, run(&buf, 100))
	assert.Equal(t, "outage of 100 days from 2025-02-01 to 2025-05-12\n"+
		"2025-01-01 08:00:00  REGISTERED / EVAL MODE\n"+
		"2025-01-01 08:00:04  REGISTERED / AUTHORIZED\n"+
		"2025-05-01 07:55:04  REGISTERED / AUTHORIZATION EXPIRED\n"+
		"2025-05-12 00:03:34  REGISTERED / AUTHORIZED\n", buf.String())
}

// Out for more than a year after the certificate started: the registration
// is lost and eval resumes with what it had left (it
// was authorized 4 s after registering).
func TestYearLongOutageUnregisters(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, run(&buf, 400))
	assert.Contains(t, buf.String(), "2026-01-01 07:55:00  UNREGISTERED / EVAL MODE\n")
}

func TestRefusesBadLength(t *testing.T) {
	assert.Error(t, run(&bytes.Buffer{}, -1))
}
