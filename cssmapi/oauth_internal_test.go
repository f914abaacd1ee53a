package cssmapi

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The bearer store is bounded twice: each client keeps its newest
// MaxBearersPerClient tokens, and all clients together MaxBearers; the
// oldest make room, the newest is always kept, and a busy client drops
// its own tokens, not the others'.
func TestBearersAreBounded(t *testing.T) {
	var b bearers
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g := func(user string) grant { return grant{user: user, expires: now.Add(time.Hour)} }
	others := b.issue(g("jdoe"), now)
	first := b.issue(g("api:flood"), now)
	var last string
	for range 5 * MaxBearersPerClient {
		last = b.issue(g("api:flood"), now)
	}
	_, ok := b.check(first, now)
	assert.False(t, ok, "the flooding client's oldest token is dropped")
	_, ok = b.check(last, now)
	assert.True(t, ok)
	_, ok = b.check(others, now)
	assert.True(t, ok, "another client's token is untouched")
	assert.Equal(t, MaxBearersPerClient, b.client["api:flood"].Len())

	// Across many clients the total stays bounded, the oldest dropped.
	for i := range MaxBearers + 10 {
		last = b.issue(g(fmt.Sprintf("user%d", i)), now)
	}
	assert.LessOrEqual(t, len(b.m), MaxBearers)
	_, ok = b.check(others, now)
	assert.False(t, ok, "the oldest overall made room")
	_, ok = b.check(last, now)
	require.True(t, ok)

	// An expired token is refused and forgotten.
	exp := b.issue(grant{user: "late", expires: now.Add(time.Minute)}, now)
	_, ok = b.check(exp, now.Add(time.Hour))
	assert.False(t, ok)
}

// Refusals double the wait for the client and the address, up to the
// bound; a client that shows its credentials is forgiven.
func TestThrottleDoubles(t *testing.T) {
	var th throttle
	var got []time.Duration
	for range 9 {
		got = append(got, th.refused(time.Second, "client:a", "addr:127.0.0.1"))
	}
	assert.Equal(t, []time.Duration{1, 2, 4, 8, 16, 32, 64, 64, 64}, func() []time.Duration {
		out := make([]time.Duration, len(got))
		for i, d := range got {
			out[i] = d / time.Second
		}
		return out
	}())
	// Another client from the same address still waits the address's.
	assert.Equal(t, MaxAuthDelay, th.refused(time.Second, "client:b", "addr:127.0.0.1"))
	// From elsewhere, the first refusal of a client that was forgiven
	// waits the base again.
	th.forgive("client:a")
	assert.Equal(t, time.Second, th.refused(time.Second, "client:a", "addr:192.0.2.1"))
	// The counts are bounded.
	for i := range MaxThrottled + 5 {
		th.refused(time.Second, fmt.Sprintf("client:%d", i))
	}
	assert.LessOrEqual(t, len(th.fails), MaxThrottled)
}
