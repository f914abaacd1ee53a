package cssmapi

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The bearer store is bounded: past MaxBearers the expired tokens, then
// the oldest, make room; the newest is always kept.
func TestBearersAreBounded(t *testing.T) {
	var b bearers
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	expired := b.issue(grant{expires: now.Add(time.Minute)}, now)
	now = now.Add(time.Hour)
	oldest := b.issue(grant{expires: now.Add(time.Hour)}, now)
	var last string
	for range MaxBearers {
		last = b.issue(grant{expires: now.Add(time.Hour)}, now)
	}
	assert.LessOrEqual(t, len(b.m), MaxBearers)
	_, ok := b.check(expired, now)
	assert.False(t, ok, "expired: dropped first")
	_, ok = b.check(oldest, now)
	assert.False(t, ok, "then the oldest")
	_, ok = b.check(last, now)
	require.True(t, ok)
}
