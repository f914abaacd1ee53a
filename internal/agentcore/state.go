package agentcore

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/slsim/slsim/license"
)

// State is an agent's whole state as plain values, for snapshots. Instants
// are Unix nanoseconds (0: none).
type State struct {
	Now          int64
	Deadlines    [NSlots]int64
	Mode         Mode
	EvalRunning  bool
	EvalLeft     time.Duration
	EvalMark     int64
	Renotify     int64
	CommFailures int32
	IDFailures   int32
	Pending      [NReqKinds]uint64
	NextID       uint64
	Usage        []license.Usage
	PCG          rand.PCG
	Token        string
	Force        bool
}

// State returns the agent's state.
func (a *Agent) State() State {
	s := State{
		Now: a.now, Deadlines: a.deadlines, Mode: a.mode, EvalRunning: a.running,
		EvalLeft: a.evalLeft, EvalMark: a.evalMark, Renotify: a.renotify,
		CommFailures: a.commFails, IDFailures: a.idFails, NextID: a.nextID,
		Usage: a.usage, PCG: a.pcg, Token: a.token, Force: a.force,
	}
	copy(s.Pending[:], a.pending[:])
	s.Pending[ReqDeregister] = a.pendingDereg
	return s
}

// Restore rebuilds an agent from a State, refusing one that could not have
// come from an agent: an unknown mode, bad usage, eval time outside the
// period, request IDs from the future, deadlines in the past.
func Restore(p *Prepared, s State) (Agent, error) {
	if p == nil {
		return Agent{}, errors.New("restore: no prepared profile")
	}
	if s.Now == 0 {
		return Agent{}, errors.New("restore: time is zero")
	}
	if err := p.checkTime(s.Now); err != nil {
		return Agent{}, fmt.Errorf("restore: %w", err)
	}
	if s.Mode >= NModes {
		return Agent{}, fmt.Errorf("restore: unknown mode %d", s.Mode)
	}
	usage, err := license.CheckUsage(s.Usage)
	if err != nil {
		return Agent{}, fmt.Errorf("restore: %w", err)
	}
	if s.EvalLeft < 0 || s.EvalLeft > p.EvalPeriod {
		return Agent{}, fmt.Errorf("restore: eval time left %v is outside 0..%v", s.EvalLeft, p.EvalPeriod)
	}
	if s.NextID < 1 {
		return Agent{}, errors.New("restore: next request ID must be at least 1")
	}
	for _, id := range s.Pending {
		if id >= s.NextID {
			return Agent{}, fmt.Errorf("restore: pending request %d was never issued (next ID %d)", id, s.NextID)
		}
	}
	for _, t := range append(s.Deadlines[:], s.Renotify) {
		if t != 0 && t < s.Now {
			return Agent{}, fmt.Errorf("restore: deadline %s is before the agent's time %s", rfc3339(t), rfc3339(s.Now))
		}
	}
	if s.EvalMark > s.Now {
		return Agent{}, errors.New("restore: eval mark is after the agent's time")
	}
	if s.CommFailures < 0 || s.IDFailures < 0 {
		return Agent{}, errors.New("restore: negative failure count")
	}
	a := Agent{
		now: s.Now, deadlines: s.Deadlines, mode: s.Mode, running: s.EvalRunning,
		evalLeft: s.EvalLeft, evalMark: s.EvalMark, renotify: s.Renotify,
		commFails: s.CommFailures, idFails: s.IDFailures, nextID: s.NextID,
		usage: usage, prof: p, pcg: s.PCG, token: s.Token, force: s.Force,
		pendingDereg: s.Pending[ReqDeregister],
	}
	copy(a.pending[:], s.Pending[:])
	return a, nil
}
