package agenttest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// RunScripts runs every datadriven script under path (a file or a
// directory), each on a new Env with a zero Config until a `new` directive
// says otherwise. The directives:
//
//	new [seed=N] [licenses=N]     a new Env (licenses: beyond what the device uses)
//	advance <duration> [full]    let time pass: 90s, 36h, 30d (days), 1d12h
//	                             (a long story is cut to its first and last
//	                             lines, unless full)
//	register | register force | deregister | renew auth | renew id
//	path up | path down          the path to CSSM
//	status                       the agent's status: the fields that move
//
// Each prints what happened (Ready.String), or the error.
//
// MaxScriptLines is how many lines of what happened a directive prints
// before it cuts the middle out.
func RunScripts(t *testing.T, path string) {
	datadriven.Walk(t, path, func(t *testing.T, path string) {
		var e *Env
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			if e == nil || d.Cmd == "new" {
				var err error
				if e, err = newFromArgs(d); err != nil {
					return "error: " + err.Error() + "\n"
				}
				if d.Cmd == "new" {
					return e.take().String()
				}
			}
			return e.Handle(d)
		})
	})
}

func newFromArgs(d *datadriven.TestData) (*Env, error) {
	var cfg Config
	if d.Cmd != "new" {
		return New(cfg)
	}
	for _, a := range d.CmdArgs {
		if len(a.Vals) != 1 {
			return nil, fmt.Errorf("new: %s wants one value", a.Key)
		}
		n, err := strconv.Atoi(a.Vals[0])
		switch {
		case err != nil:
			return nil, fmt.Errorf("new: %s=%q is not a number", a.Key, a.Vals[0])
		case a.Key == "seed" && n >= 0:
			cfg.Seed = uint64(n)
		case a.Key == "licenses":
			cfg.Licenses = n
		default:
			return nil, fmt.Errorf("new: %s=%d: want seed=N (N ≥ 0) or licenses=N", a.Key, n)
		}
	}
	return New(cfg)
}

// Handle runs one datadriven directive (see RunScripts) and returns what
// to print.
func (e *Env) Handle(d *datadriven.TestData) string {
	words := append([]string{d.Cmd}, argWords(d)...)
	var r Ready
	var out string
	var err error
	switch d.Cmd {
	case "advance":
		var dur time.Duration
		if len(words) < 2 || len(words) > 3 || len(words) == 3 && words[2] != "full" {
			return "error: advance <duration> [full]\n"
		}
		if dur, err = ParseDuration(words[1]); err == nil {
			r, err = e.Advance(dur)
		}
		if err == nil && len(words) == 2 {
			return cut(r.String())
		}
	case "register", "deregister", "renew":
		out, r, err = e.Command(strings.Join(words, " "))
	case "path":
		if len(words) != 2 || words[1] != "up" && words[1] != "down" {
			return "error: path up|down\n"
		}
		e.SetReachable(words[1] == "up")
		return ""
	case "status":
		return e.status()
	default:
		return fmt.Sprintf("error: unknown directive %q\n", d.Cmd)
	}
	if err != nil {
		return "error: " + err.Error() + "\n" + r.String()
	}
	if out != "" {
		out += "\n"
	}
	return out + r.String()
}

// MaxScriptLines bounds what one directive prints (see RunScripts).
const MaxScriptLines = 24

// cut keeps the first and last lines of a long story and says how many
// it left out.
func cut(s string) string {
	lines := strings.SplitAfter(s, "\n")
	if n := len(lines) - 1; n > MaxScriptLines { // the last is empty
		head, tail := MaxScriptLines/2, MaxScriptLines/2
		mid := fmt.Sprintf("... %d lines ...\n", n-head-tail)
		return strings.Join(lines[:head], "") + mid + strings.Join(lines[n-tail:], "")
	}
	return s
}

func argWords(d *datadriven.TestData) []string {
	var w []string
	for _, a := range d.CmdArgs {
		w = append(w, a.Key)
		w = append(w, a.Vals...)
	}
	return w
}

// status prints the fields of `show license status` that time moves.
func (e *Env) status() string {
	s := e.Agent.Status()
	var b strings.Builder
	line := func(k string, t time.Time) {
		if !t.IsZero() {
			fmt.Fprintf(&b, "%s: %s\n", k, t.UTC().Format("2006-01-02 15:04:05"))
		}
	}
	fmt.Fprintf(&b, "registration: %s\nauthorization: %s\n", s.Registration, s.Authorization)
	line("next registration attempt", s.NextRegistrationAttempt)
	line("next renewal attempt", s.NextRenewalAttempt)
	line("registration expires", s.RegistrationExpires)
	line("next communication attempt", s.NextCommunicationAttempt)
	line("communication deadline", s.CommunicationDeadline)
	return b.String()
}

// ParseDuration reads a duration as Go does, with d for days: "30d",
// "1d12h", "90s".
func ParseDuration(s string) (time.Duration, error) {
	days := time.Duration(0)
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil || n < 0 || n > 100*366 {
			return 0, fmt.Errorf("duration %q: bad days", s)
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("duration %q: want e.g. 90s, 36h, 30d, 1d12h", s)
	}
	return days + d, nil
}
