package lab

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slsim/slsim/exercise"
	"github.com/slsim/slsim/scenario"
)

// SetLanguage sets the language of the exercise texts and answers (IOS
// output stays as IOS prints it).
func (s *Session) SetLanguage(l exercise.Lang) { s.lang = l }

// SetRealClock gives the session the wall clock, for the real time an
// exercise takes; without one only virtual time is reported.
func (s *Session) SetRealClock(now func() time.Time) { s.realNow = now }

// Run is the exercise run on the session's world (nil when none).
func (s *Session) Run() *exercise.Run { return s.run }

// AttachRun puts a run started elsewhere (a served pod's) on the session,
// for `lab exercise check`, `hint`, `give-up` and `report` from an
// instructor's console: the session's own lines are not the trainee's,
// and are not counted.
func (s *Session) AttachRun(r *exercise.Run) { s.run, s.observer = r, true }

func (s *Session) real() time.Time {
	if s.realNow == nil {
		return time.Time{}
	}
	return s.realNow()
}

// ExerciseLab builds an exercise's starting world: the lab, the scenario
// broken, or the estate, then the exercise's setup lines run on its
// console. The lab's Token is $TOKEN after the setup (a satellite's token,
// when the setup asked for one) and its Device the device the console
// ended on. The setup's own output is returned for the record.
func ExerciseLab(ex *exercise.Exercise, seed uint64) (*scenario.Lab, string, error) {
	s, l, out, err := exerciseSession(ex, seed)
	if err != nil {
		return nil, out, err
	}
	l.Token, l.Device = s.token(), s.con.Device()
	return l, out, nil
}

// exerciseSession is ExerciseLab's world with the session the setup ran
// on, left where the setup left it (privileged EXEC after an enable).
func exerciseSession(ex *exercise.Exercise, seed uint64) (*Session, *scenario.Lab, string, error) {
	var l *scenario.Lab
	var err error
	switch ex.Start.Kind {
	case "lab":
		l, err = scenario.NewLab(seed)
	case "scenario":
		sc, ok := scenario.Find(ex.Start.Arg)
		if !ok {
			return nil, nil, "", fmt.Errorf("exercise %s: no scenario %q", ex.ID, ex.Start.Arg)
		}
		l, err = sc.Break(seed)
	case "estate":
		l, err = scenario.NewEstate(seed, strings.NewReader(ex.Start.Estate))
	default:
		return nil, nil, "", fmt.Errorf("exercise %s: start %q", ex.ID, ex.Start.Kind)
	}
	if err != nil {
		return nil, nil, "", fmt.Errorf("exercise %s: %w", ex.ID, err)
	}
	s, err := Attach(l, seed)
	if err != nil {
		return nil, nil, "", err
	}
	var out strings.Builder
	for _, line := range ex.Setup {
		text := s.Exec(line)
		out.WriteString(s.Prompt() + line + "\n" + text)
		if strings.Contains(text, "% lab: ") || strings.Contains(text, "% Invalid input") {
			return nil, nil, out.String(), fmt.Errorf("exercise %s: setup %q: %s", ex.ID, line, strings.TrimSpace(text))
		}
	}
	if strings.Contains(s.Prompt(), "(") || s.con.Pending() {
		return nil, nil, out.String(), fmt.Errorf("exercise %s: setup ends in configuration mode or at a question: end it with end", ex.ID)
	}
	return s, l, out.String(), nil
}

// exerciseCmd is `lab exercise list | start <ID|file> | check | hint |
// give-up | report`, and `lab exercise` alone for the objective.
func (s *Session) exerciseCmd(f []string) (string, error) {
	lang := s.lang
	if lang != exercise.Japanese {
		lang = exercise.English
	}
	if len(f) == 0 {
		if s.run == nil {
			return "", errors.New("no exercise running (lab exercise list, lab exercise start <ID>)")
		}
		ex := s.run.Exercise()
		return fmt.Sprintf("exercise %s: %s\n%s\n", ex.ID, ex.Title.In(lang), ex.Objective.In(lang)), nil
	}
	switch strings.ToLower(f[0]) {
	case "list":
		all, err := exercise.All()
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, ex := range all {
			fmt.Fprintf(&b, "%-18s %s\n", ex.ID, ex.Title.In(lang))
		}
		return b.String(), nil
	case "start":
		if len(f) != 2 {
			return "", errors.New("lab exercise start <ID|file.exercise>")
		}
		if s.fixed {
			return "", errors.New("this world is served: start slsim serve with --exercise <ID>")
		}
		ex, err := exercise.Find(f[1])
		if err != nil {
			return "", err
		}
		ns, l, _, err := exerciseSession(ex, s.seed)
		if err != nil {
			return "", err
		}
		run, err := exercise.Start(ex, l.World, ns.con.Device(), s.real())
		if err != nil {
			return "", err
		}
		con, lang, clk := s.con, s.lang, s.realNow
		*s = *ns
		s.keepTerminal(con)
		s.lang, s.realNow, s.run, s.observer = lang, clk, run, false
		tail := map[exercise.Lang]string{
			exercise.English:  "lab exercise check when done; lab exercise hint for a hint.",
			exercise.Japanese: "終わったら lab exercise check、ヒントは lab exercise hint。",
		}[lang]
		return fmt.Sprintf("exercise %s: %s\n%s\n%s\n", ex.ID, ex.Title.In(lang), ex.Objective.In(lang), tail), nil
	}
	if s.run == nil {
		return "", errors.New("no exercise running (lab exercise start <ID>)")
	}
	w := s.world()
	switch strings.ToLower(f[0]) {
	case "check":
		v, err := s.run.Check(w, s.real(), lang)
		if err != nil {
			return "", err
		}
		return verdictText(v, lang), nil
	case "hint":
		h, err := s.run.Hint(w.Now(), lang)
		if errors.Is(err, exercise.ErrNoMoreHints) {
			return map[exercise.Lang]string{exercise.English: "no more hints (lab exercise give-up shows the solution)\n",
				exercise.Japanese: "ヒントはもうありません（lab exercise give-up で解答を表示）\n"}[lang], nil
		}
		return h + "\n", err
	case "give-up":
		return s.run.GiveUp(lang) + "\n", nil
	case "report":
		var b strings.Builder
		err := exercise.WriteTable(&b, []exercise.Entry{{Pod: "lab", Score: s.run.Score(w.Now(), s.real())}})
		return b.String(), err
	}
	return "", fmt.Errorf("lab exercise %q: want list, start, check, hint, give-up or report", f[0])
}

// verdictText is a check's answer as the console prints it.
func verdictText(v exercise.Verdict, lang exercise.Lang) string {
	words := map[exercise.Lang][3]string{
		exercise.English:  {"solved", "not solved yet:", "wrong fixes tried:"},
		exercise.Japanese: {"解決しました", "まだ解決していません:", "試した誤った修正:"},
	}[lang]
	var b strings.Builder
	if v.Solved {
		b.WriteString(words[0] + "\n")
	} else {
		b.WriteString(words[1] + "\n")
		for _, w := range v.Why {
			b.WriteString("  - " + w + "\n")
		}
	}
	if len(v.Wrong) > 0 {
		b.WriteString(words[2] + "\n")
		for _, w := range v.Wrong {
			b.WriteString("  - " + w + "\n")
		}
	}
	return b.String()
}
