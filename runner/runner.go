// Package runner drives a world in real time with github.com/benbjohnson/clock:
// given clock.New() it runs live (optionally scaled, e.g. one virtual day
// per second); given a *clock.Mock it follows the mock. It arms one timer
// at the world's next deadline and advances the world to the time received
// on the timer's channel. It is the only package that waits on a clock.
package runner

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/benbjohnson/clock"
)

// World is what the runner drives; *sim.World is one. RunSome runs at
// most max events due by t and reports whether it reached t.
type World interface {
	Now() time.Time
	NextDeadline() time.Time
	RunUntil(t time.Time) error
	RunSome(t time.Time, max int) (bool, error)
}

// Batch is how many events the runner processes before it lets a waiting
// caller (a session's command, an API call) in. [model]
const Batch = 256

// Runner runs a world against a clock. Use Do for anything else that
// touches the world while it runs.
type Runner struct {
	clk       clock.Clock
	w         World
	scale     float64
	realStart time.Time
	virtStart time.Time
	mu        sync.Mutex
	wake      chan struct{}
}

// New prepares a runner. scale is virtual time per real time (0 means 1:
// real time); virtual time starts at the world's time, real time at the
// clock's.
func New(clk clock.Clock, w World, scale float64) (*Runner, error) {
	if clk == nil || w == nil {
		return nil, errors.New("runner: nil clock or world")
	}
	if scale < 0 {
		return nil, errors.New("runner: negative scale")
	}
	if scale == 0 {
		scale = 1
	}
	return &Runner{clk: clk, w: w, scale: scale, realStart: clk.Now(), virtStart: w.Now(), wake: make(chan struct{}, 1)}, nil
}

// Virtual converts a real instant to virtual time.
func (r *Runner) Virtual(real time.Time) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.virtual(real)
}

func (r *Runner) virtual(real time.Time) time.Time {
	return r.virtStart.Add(time.Duration(float64(real.Sub(r.realStart)) * r.scale))
}

// real is the real instant of a virtual one.
func (r *Runner) real(virt time.Time) time.Time {
	return r.realStart.Add(time.Duration(float64(virt.Sub(r.virtStart)) / r.scale))
}

// Do runs f with the world brought up to the present, while the run loop
// waits; the loop then re-arms its timer (f may have changed the next
// deadline). If f moves the world ahead of the present (a lab's "advance
// 30d"), virtual time jumps with it: the world goes on from there. When
// more than a Batch of events is due (a world behind its speed), f runs
// after one batch, on the world as far as it got: a caller never waits
// for the whole backlog, and the run loop works it off (Lag says how far
// behind the world is).
func (r *Runner) Do(f func(now time.Time) error) error {
	r.mu.Lock()
	real := r.clk.Now()
	now := r.virtual(real)
	if now.Before(r.w.Now()) {
		now = r.w.Now()
	}
	_, err := r.w.RunSome(now, Batch)
	if err == nil {
		err = f(r.w.Now())
	}
	if ahead := r.w.Now().Sub(r.virtual(real)); ahead > 0 {
		r.virtStart = r.virtStart.Add(ahead)
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return err
}

// Lag is how far the world's virtual time is behind the present at the
// runner's speed: zero while it keeps up. A world with more to do than its
// speed allows falls behind rather than skip timers.
func (r *Runner) Lag() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return max(0, r.virtual(r.clk.Now()).Sub(r.w.Now()))
}

// View runs f on the world as it is, without advancing it, while the run
// loop waits.
func (r *Runner) View(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f()
}

// Run runs the world until ctx is done or the world fails. It arms one
// timer at a time, at the world's next deadline.
func (r *Runner) Run(ctx context.Context) error {
	for {
		r.mu.Lock()
		next := r.w.NextDeadline()
		at := r.real(next)
		r.mu.Unlock()
		var c <-chan time.Time
		var t *clock.Timer
		if !next.IsZero() {
			d := at.Sub(r.clk.Now())
			if d < 0 {
				d = 0
			}
			t = r.clk.Timer(d)
			c = t.C
		}
		select {
		case <-ctx.Done():
			if t != nil {
				t.Stop()
			}
			return ctx.Err()
		case <-r.wake:
			if t != nil {
				t.Stop()
			}
		case ts := <-c:
			// Work off what is due in batches, letting callers in between.
			for {
				r.mu.Lock()
				v := r.virtual(ts)
				if v.Before(next) {
					v = next // rounding between real and virtual durations
				}
				if v.Before(r.w.Now()) {
					v = r.w.Now()
				}
				done, err := r.w.RunSome(v, Batch)
				r.mu.Unlock()
				if err != nil {
					return err
				}
				if done || ctx.Err() != nil {
					break
				}
				runtime.Gosched()
			}
		}
	}
}

// Replace runs f, which replaces the world's state (sim.World.Reset: a
// pod started over), while the run loop waits, then anchors virtual time
// at the world's new time: the new state goes on from its own present,
// not from the old world's.
func (r *Runner) Replace(f func() error) error {
	r.mu.Lock()
	err := f()
	r.realStart, r.virtStart = r.clk.Now(), r.w.Now()
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return err
}
