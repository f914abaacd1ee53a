// Package exercise is slsim's teaching layer: an exercise is an objective,
// a starting world and a checker on that world's state and typed events
// (never on screen text), with hints in steps and a score per trainee.
//
// Exercises are data: each is a text file (the catalogue is data/*.exercise,
// embedded) that a trainer can copy and change without Go. Parse reads one;
// Start begins a Run on a world, which Observe keeps up with the world's
// event stream and Check judges.
package exercise

import (
	"bufio"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Lang is the language of the exercise texts and the checker's answers;
// IOS output stays as IOS prints it.
type Lang string

// The languages every exercise is written in.
const (
	English  Lang = "en"
	Japanese Lang = "ja"
)

// ParseLang reads a language name ("en", "ja", or a locale such as
// "ja_JP.UTF-8").
func ParseLang(s string) (Lang, error) {
	switch l := strings.ToLower(s); {
	case l == "en" || strings.HasPrefix(l, "en_") || l == "c" || l == "posix":
		return English, nil
	case l == "ja" || strings.HasPrefix(l, "ja_"):
		return Japanese, nil
	}
	return "", fmt.Errorf("language %q: want en or ja", s)
}

// Text is one text in both languages.
type Text struct {
	En string `json:"en"`
	Ja string `json:"ja"`
}

// In is the text in lang (English when lang is not Japanese).
func (t Text) In(lang Lang) string {
	if lang == Japanese {
		return t.Ja
	}
	return t.En
}

// StartWorld is the world an exercise begins on: the healthy lab ("lab", its
// switch not yet registered), a field-guide scenario broken ("scenario",
// Arg its ID), or an estate (Estate: slsim count's format).
type StartWorld struct {
	Kind   string `json:"kind"` // lab, scenario, estate
	Arg    string `json:"arg,omitempty"`
	Estate string `json:"estate,omitempty"`
}

// Rule is one condition of a solved exercise, judged on the world (see
// Kinds). Msg, when given, replaces the kind's own answer when the rule
// does not hold; "{value}" in it stands for what the world shows instead.
type Rule struct {
	Kind string   `json:"kind"`
	Args []string `json:"args,omitempty"`
	Msg  Text     `json:"msg,omitzero"`
}

// Wrong is a fix a trainee might try that the field guide does not give:
// an action whose words contain Pattern (on the exercise's device, or on
// CSSM with a "cssm:" prefix), and why it is wrong.
type Wrong struct {
	Pattern string `json:"pattern"`
	Why     Text   `json:"why"`
}

// Exercise is one exercise as its file describes it.
type Exercise struct {
	ID        string     `json:"id"`
	Title     Text       `json:"title"`
	Objective Text       `json:"objective"`
	Start     StartWorld `json:"start"`
	// Device is the switch the rules judge ("" for the start's own).
	Device string `json:"device,omitempty"`
	// Setup are lab and IOS lines run on the console before the exercise
	// begins (a proxy or a satellite added, the switch registered): they
	// are part of the starting world, not of the trainee's work.
	Setup    []string `json:"setup,omitempty"`
	Rules    []Rule   `json:"rules"`
	Wrong    []Wrong  `json:"wrong,omitempty"`
	Hints    []Text   `json:"hints"`
	Solution Text     `json:"solution"`
}

// Bounds of an exercise file. [model]
const (
	MaxFile  = 64 << 10
	MaxLine  = 2000
	maxItems = 200
)

// Parse reads an exercise file: one directive a line, "key: value", with
// the lines indented under it continuing it ("en:" and "ja:" texts, an
// estate's lines); "#" starts a comment line. It refuses what is not a
// complete exercise, naming the line.
func Parse(data []byte) (*Exercise, error) {
	if len(data) > MaxFile {
		return nil, fmt.Errorf("exercise: %d bytes: at most %d", len(data), MaxFile)
	}
	ex := &Exercise{}
	var cur func(line string, n int) error // takes the indented lines of the directive being read
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 0, 4096), MaxLine+1)
	items, n := 0, 0
	for sc.Scan() {
		n++
		raw := strings.TrimRight(sc.Text(), " \t\r")
		if len(raw) > MaxLine {
			return nil, fmt.Errorf("exercise line %d: longer than %d characters", n, MaxLine)
		}
		trimmed := strings.TrimLeft(raw, " \t")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if len(trimmed) < len(raw) { // indented: belongs to the directive above
			if cur == nil {
				return nil, fmt.Errorf("exercise line %d: an indented line with no directive above it", n)
			}
			if err := cur(raw, n); err != nil {
				return nil, err
			}
			continue
		}
		if items++; items > maxItems {
			return nil, fmt.Errorf("exercise line %d: more than %d directives", n, maxItems)
		}
		key, val, ok := strings.Cut(raw, ":")
		if !ok {
			return nil, fmt.Errorf("exercise line %d: %q: want key: value", n, raw)
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		var err error
		cur, err = ex.directive(key, val, n)
		if err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("exercise line %d: %w", n+1, err)
	}
	if err := ex.Validate(); err != nil {
		return nil, err
	}
	return ex, nil
}

// textLines returns a reader of "en:"/"ja:" lines into t.
func textLines(t *Text, what string) func(string, int) error {
	return func(line string, n int) error {
		lang, val, ok := strings.Cut(strings.TrimSpace(line), ":")
		val = strings.TrimSpace(val)
		if !ok || val == "" {
			return fmt.Errorf("exercise line %d: %s: want en: <text> or ja: <text>", n, what)
		}
		var dst *string
		switch lang {
		case "en":
			dst = &t.En
		case "ja":
			dst = &t.Ja
		default:
			return fmt.Errorf("exercise line %d: %s: language %q: want en or ja", n, what, lang)
		}
		if *dst != "" {
			*dst += " "
		}
		*dst += val
		return nil
	}
}

func (ex *Exercise) directive(key, val string, n int) (func(string, int) error, error) {
	once := func(have bool) error {
		if have {
			return fmt.Errorf("exercise line %d: a second %s", n, key)
		}
		return nil
	}
	empty := func() error {
		if val != "" {
			return fmt.Errorf("exercise line %d: %s: its texts go on the indented en: and ja: lines below", n, key)
		}
		return nil
	}
	switch key {
	case "id":
		if err := once(ex.ID != ""); err != nil {
			return nil, err
		}
		if val == "" || len(val) > 32 || strings.ContainsFunc(val, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
		}) {
			return nil, fmt.Errorf("exercise line %d: id %q: lower-case letters, digits and '-', at most 32", n, val)
		}
		ex.ID = val
		return nil, nil
	case "title", "objective", "solution":
		t := map[string]*Text{"title": &ex.Title, "objective": &ex.Objective, "solution": &ex.Solution}[key]
		if err := once(*t != (Text{})); err != nil {
			return nil, err
		}
		if err := empty(); err != nil {
			return nil, err
		}
		return textLines(t, key), nil
	case "hint":
		if err := empty(); err != nil {
			return nil, err
		}
		ex.Hints = append(ex.Hints, Text{})
		return textLines(&ex.Hints[len(ex.Hints)-1], key), nil
	case "device":
		if err := once(ex.Device != ""); err != nil {
			return nil, err
		}
		ex.Device = val
		return nil, nil
	case "setup":
		if val == "" {
			return nil, fmt.Errorf("exercise line %d: setup: a lab or IOS line", n)
		}
		ex.Setup = append(ex.Setup, val)
		return nil, nil
	case "start":
		if err := once(ex.Start.Kind != ""); err != nil {
			return nil, err
		}
		kind, arg, _ := strings.Cut(val, " ")
		arg = strings.TrimSpace(arg)
		switch {
		case kind == "lab" && arg == "", kind == "scenario" && arg != "" && !strings.Contains(arg, " "):
			ex.Start = StartWorld{Kind: kind, Arg: arg}
			return nil, nil
		case kind == "estate" && arg == "":
			ex.Start = StartWorld{Kind: kind}
			indent := -1
			return func(line string, n int) error {
				body := strings.TrimLeft(line, " \t")
				in := len(line) - len(body)
				if indent < 0 {
					indent = in
				}
				if in < indent {
					return fmt.Errorf("exercise line %d: the estate's lines are indented at least as its first", n)
				}
				ex.Start.Estate += line[indent:] + "\n"
				return nil
			}, nil
		}
		return nil, fmt.Errorf("exercise line %d: start %q: want lab, scenario <ID> or estate (its lines indented below)", n, val)
	case "check":
		f := strings.Fields(val)
		if len(f) == 0 {
			return nil, fmt.Errorf("exercise line %d: check: a rule (%s)", n, strings.Join(Kinds(), ", "))
		}
		r := Rule{Kind: f[0], Args: f[1:]}
		if r.Kind == "did" || r.Kind == "trusts" { // the action's words, or a CA's name: spaces and all
			r.Args = []string{strings.Join(f[1:], " ")}
		}
		if err := r.check(); err != nil {
			return nil, fmt.Errorf("exercise line %d: %w", n, err)
		}
		ex.Rules = append(ex.Rules, r)
		return textLines(&ex.Rules[len(ex.Rules)-1].Msg, "check "+r.Kind), nil
	case "wrong":
		if val == "" || val == "cssm:" {
			return nil, fmt.Errorf("exercise line %d: wrong: the words of the action", n)
		}
		ex.Wrong = append(ex.Wrong, Wrong{Pattern: val})
		return textLines(&ex.Wrong[len(ex.Wrong)-1].Why, "wrong"), nil
	}
	return nil, fmt.Errorf("exercise line %d: unknown directive %q (id, title, objective, start, device, setup, check, wrong, hint, solution)", n, key)
}

// Validate reports what an exercise lacks: an ID, a title, an objective,
// hints and a solution in both languages, a start, at least one rule, and
// a reason in both languages for each wrong fix. A rule's own message, when
// it has one, is in both languages too.
func (ex *Exercise) Validate() error {
	both := func(t Text, what string) error {
		if t.En == "" || t.Ja == "" {
			return fmt.Errorf("exercise %s: %s: want it in English and Japanese (en: and ja:)", ex.ID, what)
		}
		return nil
	}
	if ex.ID == "" {
		return errors.New("exercise: no id")
	}
	if err := both(ex.Title, "title"); err != nil {
		return err
	}
	if err := both(ex.Objective, "objective"); err != nil {
		return err
	}
	switch {
	case ex.Start.Kind == "":
		return fmt.Errorf("exercise %s: no start (lab, scenario <ID> or estate)", ex.ID)
	case ex.Start.Kind == "estate" && strings.TrimSpace(ex.Start.Estate) == "":
		return fmt.Errorf("exercise %s: start estate: no estate lines", ex.ID)
	case len(ex.Rules) == 0:
		return fmt.Errorf("exercise %s: no check", ex.ID)
	case len(ex.Hints) == 0:
		return fmt.Errorf("exercise %s: no hint", ex.ID)
	}
	for i, h := range ex.Hints {
		if err := both(h, fmt.Sprintf("hint %d", i+1)); err != nil {
			return err
		}
	}
	if err := both(ex.Solution, "solution"); err != nil {
		return err
	}
	for _, r := range ex.Rules {
		if err := r.check(); err != nil {
			return fmt.Errorf("exercise %s: %w", ex.ID, err)
		}
		if r.Msg != (Text{}) {
			if err := both(r.Msg, "check "+r.Kind); err != nil {
				return err
			}
		}
	}
	for _, w := range ex.Wrong {
		if err := both(w.Why, "wrong "+w.Pattern); err != nil {
			return err
		}
	}
	if slices.ContainsFunc(ex.Setup, func(s string) bool { return strings.HasPrefix(strings.TrimSpace(s), "lab exercise") }) {
		return fmt.Errorf("exercise %s: setup cannot start an exercise", ex.ID)
	}
	return nil
}
