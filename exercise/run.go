package exercise

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slsim/slsim/sim"
)

// LastCommands is how many of a trainee's latest commands a run keeps for
// the instructor. [model]
const LastCommands = 5

// Run is one trainee's attempt at an exercise on one world: what the
// world's events showed them doing (kept up by Observe), the hints they
// took, and whether and when it was solved. Its memory is bounded: counts,
// flags and the last few commands, whatever the world's age.
type Run struct {
	ex     *Exercise
	device string
	cur    sim.Cursor

	startVirt, startReal   time.Time
	solvedVirt, solvedReal time.Time
	solved, gaveUp         bool

	did      []bool // per rule: a did rule's action was seen
	wrong    []int  // per wrong fix: how many times it was tried
	hints    []time.Time
	commands int
	checks   int
	last     []string
	missed   uint64

	lastURL, lastPeer string // the device's last message sent, and who answered it
}

// Start begins a run of ex on the world as it is now, judging device (the
// exercise's own device when it names one). real is the wall-clock time,
// given by the caller (zero when there is none: real durations are then
// not reported).
func Start(ex *Exercise, w *sim.World, device string, real time.Time) (*Run, error) {
	if ex.Device != "" {
		device = ex.Device
	}
	if _, ok := w.Device(device); !ok {
		return nil, fmt.Errorf("exercise %s: no device %q in the world", ex.ID, device)
	}
	r := &Run{ex: ex, device: device, cur: w.Head(), startVirt: w.Now(), startReal: real,
		did: make([]bool, len(ex.Rules)), wrong: make([]int, len(ex.Wrong))}
	// Where the device's messages went before the start (a registration
	// in the setup), as far as the world's window remembers: the events
	// Observe would have read, copied only when they are the device's.
	for _, e := range w.Select(0, func(e *sim.Event) bool {
		return e.Source == device && (e.Kind == sim.EventSend || e.Kind == sim.EventDeliver)
	}) {
		r.track(e)
	}
	return r, nil
}

// Exercise is the exercise the run is on.
func (r *Run) Exercise() *Exercise { return r.ex }

// Device is the switch the run judges.
func (r *Run) Device() string { return r.device }

// Observe reads the world's events since the last call: the actions that
// satisfy did rules and the wrong fixes tried, and where the device's
// messages went. Events the world's window no longer holds are counted as
// missed (call it after each command to miss none).
func (r *Run) Observe(w *sim.World) {
	evs, next, missed := w.Events(r.cur)
	r.cur, r.missed = next, r.missed+missed
	for i, e := range evs {
		switch {
		case e.Kind == sim.EventAction && (e.Source == r.device || e.Source == "cssm"):
			// An action the world refused is followed at once by its
			// refusal (sim.World.Do): it did nothing.
			refused := i+1 < len(evs) && evs[i+1].Kind == sim.EventAction && evs[i+1].Source == e.Source &&
				strings.HasPrefix(evs[i+1].Note, "refused: ")
			if !refused {
				r.action(e)
			}
		case e.Source == r.device:
			r.track(e)
		}
	}
}

// track records where the device's messages went: the URL of the last it
// sent, the back end that answered the last.
func (r *Run) track(e sim.Event) {
	switch e.Kind {
	case sim.EventSend:
		r.lastURL = e.Peer
	case sim.EventDeliver:
		r.lastPeer = e.Peer
	}
}

// action records an action's effect on the did rules and wrong fixes.
func (r *Run) action(e sim.Event) {
	matches := func(pattern string) bool {
		src, words := r.device, pattern
		if p, ok := strings.CutPrefix(pattern, "cssm:"); ok {
			src, words = "cssm", strings.TrimSpace(p)
		}
		return e.Source == src && strings.Contains(strings.ToLower(e.Note), strings.ToLower(words))
	}
	if strings.HasPrefix(e.Note, "refused: ") {
		return
	}
	for i, rule := range r.ex.Rules {
		if rule.Kind == "did" && matches(rule.Args[0]) {
			r.did[i] = true
		}
	}
	for i, w := range r.ex.Wrong {
		if matches(w.Pattern) {
			r.wrong[i]++
		}
	}
}

// Typed records a command the trainee typed (for the count and the
// instructor's view of the last few). What follows the word secret,
// password or idtoken on a line is not kept.
func (r *Run) Typed(line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	f := strings.Fields(line)
	for i, w := range f {
		if (strings.EqualFold(w, "secret") || strings.EqualFold(w, "password") || strings.EqualFold(w, "idtoken")) && i+1 < len(f) {
			line = strings.Join(append(f[:i+1:i+1], "<removed>"), " ")
			if strings.EqualFold(f[len(f)-1], "force") && i+2 < len(f) {
				line += " force"
			}
			break
		}
	}
	r.commands++
	if len(line) > 200 {
		line = strings.ToValidUTF8(line[:200], "")
	}
	if len(r.last) == LastCommands {
		copy(r.last, r.last[1:])
		r.last = r.last[:LastCommands-1]
	}
	r.last = append(r.last, line)
}

// Verdict is a check's answer: solved, or the rules that do not hold in
// the trainee's terms; and the wrong fixes tried so far, with why.
type Verdict struct {
	Solved bool     `json:"solved"`
	Why    []string `json:"why,omitempty"`
	Wrong  []string `json:"wrongFixes,omitempty"`
}

// Check is the trainee's check: it judges the world now (after observing
// it). The first time every rule holds, the run is solved at the world's
// time and real.
func (r *Run) Check(w *sim.World, real time.Time, lang Lang) (Verdict, error) {
	r.checks++
	return r.Judge(w, real, lang)
}

// Judge is Check for the instructor's view: the same verdict, and a run
// solved from then on, but not counted as one of the trainee's checks.
func (r *Run) Judge(w *sim.World, real time.Time, lang Lang) (Verdict, error) {
	r.Observe(w)
	d, ok := w.Device(r.device)
	if !ok {
		return Verdict{}, fmt.Errorf("exercise %s: the device %q is gone", r.ex.ID, r.device)
	}
	j := judge{run: r, w: w, d: d, st: d.Agent().Status(), cfg: d.Running()}
	var v Verdict
	for i, rule := range r.ex.Rules {
		j.rule = i
		if ok, value := kinds[rule.Kind].evaluate(rule, j); !ok {
			v.Why = append(v.Why, rule.message(lang, value))
		}
	}
	v.Wrong = r.wrongFixes(lang)
	v.Solved = len(v.Why) == 0
	if v.Solved && !r.solved && !r.gaveUp {
		r.solved, r.solvedVirt, r.solvedReal = true, w.Now(), real
	}
	return v, nil
}

func (r *Run) wrongFixes(lang Lang) []string {
	var out []string
	for i, n := range r.wrong {
		if n > 0 {
			out = append(out, r.ex.Wrong[i].Pattern+": "+r.ex.Wrong[i].Why.In(lang))
		}
	}
	return out
}

// ErrNoMoreHints is Hint's answer when every hint has been given.
var ErrNoMoreHints = errors.New("no more hints")

// Hint gives the next hint, recording it with the world's time: hints come
// in steps, the first the gentlest.
func (r *Run) Hint(now time.Time, lang Lang) (string, error) {
	if len(r.hints) == len(r.ex.Hints) {
		return "", ErrNoMoreHints
	}
	h := r.ex.Hints[len(r.hints)]
	r.hints = append(r.hints, now)
	return fmt.Sprintf("(%d/%d) %s", len(r.hints), len(r.ex.Hints), h.In(lang)), nil
}

// GiveUp ends the run unsolved (a later check no longer solves it) and
// gives the solution.
func (r *Run) GiveUp(lang Lang) string {
	if !r.solved {
		r.gaveUp = true
	}
	return r.ex.Solution.In(lang)
}

// Score is a run's result, as the instructor's table and exports show it.
type Score struct {
	Exercise string `json:"exercise"`
	Device   string `json:"device"`
	Solved   bool   `json:"solved"`
	GaveUp   bool   `json:"gaveUp"`
	// Virtual is the world's time from the start to the solution (to now
	// while unsolved); Real the wall-clock time, when the caller has one.
	Virtual    time.Duration `json:"virtual"`
	Real       time.Duration `json:"real,omitempty"`
	Hints      int           `json:"hints"`
	WrongFixes int           `json:"wrongFixes"`
	Wrong      []string      `json:"wrong,omitempty"`
	Commands   int           `json:"commands"`
	Checks     int           `json:"checks"`
	Last       []string      `json:"lastCommands,omitempty"`
	// Missed counts events the world's window dropped before the run read
	// them: actions among them were not judged.
	Missed uint64 `json:"missed,omitempty"`
}

// Score is the run's result at the world's time now and real.
func (r *Run) Score(now, real time.Time) Score {
	s := Score{Exercise: r.ex.ID, Device: r.device, Solved: r.solved, GaveUp: r.gaveUp, Hints: len(r.hints),
		Commands: r.commands, Checks: r.checks, Last: append([]string(nil), r.last...), Missed: r.missed}
	endV, endR := now, real
	if r.solved {
		endV, endR = r.solvedVirt, r.solvedReal
	}
	s.Virtual = endV.Sub(r.startVirt)
	if !r.startReal.IsZero() && !endR.IsZero() {
		s.Real = endR.Sub(r.startReal)
	}
	for i, n := range r.wrong {
		if n > 0 {
			s.WrongFixes += n
			s.Wrong = append(s.Wrong, r.ex.Wrong[i].Pattern)
		}
	}
	return s
}

// State is a run as it is saved beside its world, to go on after a
// restart.
type State struct {
	Exercise   string      `json:"exercise"`
	Device     string      `json:"device"`
	Cursor     sim.Cursor  `json:"cursor"`
	StartVirt  time.Time   `json:"startVirtual"`
	StartReal  time.Time   `json:"startReal,omitzero"`
	Solved     bool        `json:"solved,omitempty"`
	SolvedVirt time.Time   `json:"solvedVirtual,omitzero"`
	SolvedReal time.Time   `json:"solvedReal,omitzero"`
	GaveUp     bool        `json:"gaveUp,omitempty"`
	Did        []bool      `json:"did"`
	Wrong      []int       `json:"wrong"`
	Hints      []time.Time `json:"hints,omitempty"`
	Commands   int         `json:"commands"`
	Checks     int         `json:"checks"`
	Last       []string    `json:"last,omitempty"`
	Missed     uint64      `json:"missed,omitempty"`
	LastURL    string      `json:"lastURL,omitempty"`
	LastPeer   string      `json:"lastPeer,omitempty"`
}

// State is the run's state, to save.
func (r *Run) State() State {
	return State{Exercise: r.ex.ID, Device: r.device, Cursor: r.cur, StartVirt: r.startVirt, StartReal: r.startReal,
		Solved: r.solved, SolvedVirt: r.solvedVirt, SolvedReal: r.solvedReal, GaveUp: r.gaveUp,
		Did: append([]bool(nil), r.did...), Wrong: append([]int(nil), r.wrong...), Hints: append([]time.Time(nil), r.hints...),
		Commands: r.commands, Checks: r.checks, Last: append([]string(nil), r.last...), Missed: r.missed,
		LastURL: r.lastURL, LastPeer: r.lastPeer}
}

// Resume goes on with a saved run of ex on its world (saved with it). It
// refuses a state that is not of ex, or does not fit it or the world.
func Resume(ex *Exercise, w *sim.World, s State) (*Run, error) {
	switch {
	case s.Exercise != ex.ID:
		return nil, fmt.Errorf("exercise %s: the saved run is of %q", ex.ID, s.Exercise)
	case len(s.Did) != len(ex.Rules) || len(s.Wrong) != len(ex.Wrong) || len(s.Hints) > len(ex.Hints) || len(s.Last) > LastCommands:
		return nil, fmt.Errorf("exercise %s: the saved run does not fit the exercise (was it changed?)", ex.ID)
	case s.Commands < 0 || s.Checks < 0:
		return nil, fmt.Errorf("exercise %s: the saved run has negative counts", ex.ID)
	}
	if _, ok := w.Device(s.Device); !ok {
		return nil, fmt.Errorf("exercise %s: the saved run judges %q, which the world does not have", ex.ID, s.Device)
	}
	cur := s.Cursor
	if head := w.Head(); cur > head {
		cur = head
	}
	return &Run{ex: ex, device: s.Device, cur: cur, startVirt: s.StartVirt, startReal: s.StartReal,
		solved: s.Solved, solvedVirt: s.SolvedVirt, solvedReal: s.SolvedReal, gaveUp: s.GaveUp,
		did: s.Did, wrong: s.Wrong, hints: s.Hints, commands: s.Commands, checks: s.Checks, last: s.Last, missed: s.Missed,
		lastURL: s.LastURL, lastPeer: s.LastPeer}, nil
}
