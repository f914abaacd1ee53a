package ios

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// node is a word of the command grammar: a keyword, or an argument when
// arg is set. A node with run is a complete command.
type node struct {
	word string
	arg  string // placeholder for help: WORD, A.B.C.D, LINE, <1-65535>
	rest bool   // the argument takes the rest of the line
	help string
	kids []*node
	run  func(c *Console, args []string) (string, error)
}

func kw(word, help string, kids ...*node) *node { return &node{word: word, help: help, kids: kids} }

func arg(name, help string, kids ...*node) *node { return &node{arg: name, help: help, kids: kids} }

func (n *node) does(f func(c *Console, args []string) (string, error)) *node {
	n.run = f
	return n
}

func (n *node) add(kids ...*node) *node {
	n.kids = append(n.kids, kids...)
	return n
}

// iosError is an error whose text is IOS's own message.
type iosError string

func (e iosError) Error() string { return string(e) }

// Errors the parser reports, as IOS prints them.
var (
	errIncomplete error = iosError("% Incomplete command.")
	errInvalid    error = iosError("% Invalid input detected at '^' marker.")
	errAmbiguous  error = iosError("% Ambiguous command")
)

type parseError struct {
	err error
	pos int // byte offset in the line of the bad word, for the caret
	msg string
}

func (e *parseError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return e.err.Error()
}

func (e *parseError) Unwrap() error { return e.err }

// badArg is a command's refusal of one of its arguments: the console
// puts IOS's caret under it (its last occurrence in the line).
type badArg struct{ word string }

func (e *badArg) Error() string { return errInvalid.Error() }

func (e *badArg) Unwrap() error { return errInvalid }

type token struct {
	text string
	pos  int
}

func tokenize(line string) []token {
	var out []token
	start := -1
	for i, r := range line {
		if r == ' ' || r == '\t' {
			if start >= 0 {
				out = append(out, token{line[start:i], start})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, token{line[start:], start})
	}
	return out
}

// match finds the child of n that a word selects: an exact or unique
// keyword prefix (case-insensitive), else an argument child.
func (n *node) match(word string) (*node, []*node) {
	lw := strings.ToLower(word)
	var cands []*node
	for _, k := range n.kids {
		if k.word == "" {
			continue
		}
		if k.word == lw {
			return k, nil
		}
		if strings.HasPrefix(k.word, lw) {
			cands = append(cands, k)
		}
	}
	if len(cands) == 1 {
		return cands[0], nil
	}
	if len(cands) > 1 {
		return nil, cands
	}
	for _, k := range n.kids {
		if k.arg != "" {
			return k, nil
		}
	}
	return nil, nil
}

// parse walks the grammar along a line and returns the command and its arguments.
func parse(root *node, line string) (*node, []string, error) {
	toks := tokenize(line)
	if len(toks) == 0 {
		return nil, nil, nil
	}
	cur := root
	var args []string
	for _, t := range toks {
		next, amb := cur.match(t.text)
		if len(amb) > 1 {
			return nil, nil, &parseError{err: errAmbiguous}
		}
		if next == nil {
			return nil, nil, &parseError{err: errInvalid, pos: t.pos}
		}
		if next.arg != "" {
			if next.rest {
				args = append(args, strings.TrimSpace(line[t.pos:]))
				cur = next
				break
			}
			args = append(args, t.text)
		}
		cur = next
	}
	if cur.run == nil {
		return nil, nil, &parseError{err: errIncomplete}
	}
	return cur, args, nil
}

// help answers a line ending in '?': with a space before it, the words that
// may follow; without, the keywords that complete the last word.
func help(root *node, line string) string {
	body := strings.TrimSuffix(line, "?")
	partial := ""
	if toks := tokenize(body); len(toks) > 0 {
		if last := toks[len(toks)-1]; last.pos+len(last.text) == len(body) { // a word right before the '?'
			partial, body = last.text, body[:last.pos]
		}
	}
	cur := root
	for _, t := range tokenize(body) {
		next, amb := cur.match(t.text)
		if len(amb) > 1 {
			return ambiguous(body)
		}
		if next == nil {
			return "% Unrecognized command\n"
		}
		cur = next
		if cur.rest {
			return "  <cr>\n"
		}
	}
	if partial != "" {
		words := cur.completions(partial)
		if len(words) == 0 {
			return "% Unrecognized command\n"
		}
		return strings.Join(words, "  ") + "\n\n"
	}
	width := 0
	for _, k := range cur.kids {
		width = max(width, len(k.word)+len(k.arg))
	}
	var b strings.Builder
	kids := slices.Clone(cur.kids)
	slices.SortStableFunc(kids, func(a, b *node) int { return strings.Compare(a.word+a.arg, b.word+b.arg) })
	for _, k := range kids {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, k.word+k.arg, k.help)
	}
	if cur.run != nil && cur != root && strings.EqualFold(firstWord(body), "show") {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, "|", "Output modifiers")
	}
	if cur.run != nil {
		b.WriteString("  <cr>\n")
	}
	b.WriteString("\n")
	return b.String()
}

// firstWord is the line's first word, unabbreviated where it abbreviates
// "show" (the only command with output modifiers here).
func firstWord(line string) string {
	f := strings.Fields(line)
	if len(f) == 0 {
		return ""
	}
	if w := strings.ToLower(f[0]); len(w) >= 2 && strings.HasPrefix("show", w) {
		return "show"
	}
	return f[0]
}

// completions are the keywords of n that complete partial, sorted.
func (n *node) completions(partial string) []string {
	var words []string
	lp := strings.ToLower(partial)
	for _, k := range n.kids {
		if k.word != "" && strings.HasPrefix(k.word, lp) {
			words = append(words, k.word)
		}
	}
	slices.Sort(words)
	return words
}

// complete is what Tab does at the end of a line: the line with its last
// word completed when one keyword alone completes it (and a space after
// it), or false.
func complete(root *node, line string) (string, bool) {
	toks := tokenize(line)
	if len(toks) == 0 || strings.HasSuffix(line, " ") {
		return "", false
	}
	last := toks[len(toks)-1]
	cur := root
	for _, t := range toks[:len(toks)-1] {
		next, amb := cur.match(t.text)
		if len(amb) > 1 || next == nil || next.rest {
			return "", false
		}
		cur = next
	}
	words := cur.completions(last.text)
	if len(words) != 1 {
		return "", false
	}
	return line[:last.pos] + words[0] + " ", true
}

// parseFilter reads an output modifier — | include, exclude, begin,
// section <regex> — and returns it as a function on the output. It is read
// before the command runs: a bad modifier runs nothing.
func parseFilter(spec string) (func(string) string, error) {
	f := strings.Fields(spec)
	if len(f) < 2 {
		return nil, errIncomplete
	}
	kinds := []string{"begin", "exclude", "include", "section"}
	var kind string
	for _, k := range kinds {
		if strings.HasPrefix(k, strings.ToLower(f[0])) {
			if kind != "" {
				return nil, errAmbiguous
			}
			kind = k
		}
	}
	if kind == "" {
		return nil, errInvalid
	}
	re, err := regexp.Compile(strings.TrimSpace(spec[strings.Index(spec, f[1]):]))
	if err != nil {
		return nil, fmt.Errorf("%% Invalid regular expression: %v", err)
	}
	return func(out string) string { return filter(out, kind, re) }, nil
}

func filter(out, kind string, re *regexp.Regexp) string {
	lines := strings.SplitAfter(out, "\n")
	var b strings.Builder
	in := false
	for i, l := range lines {
		text := strings.TrimSuffix(l, "\n")
		switch kind {
		case "include":
			if re.MatchString(text) {
				b.WriteString(l)
			}
		case "exclude":
			if !re.MatchString(text) {
				b.WriteString(l)
			}
		case "begin":
			if re.MatchString(text) {
				return strings.Join(lines[i:], "")
			}
		case "section":
			indented := strings.HasPrefix(text, " ")
			if !indented {
				in = re.MatchString(text)
			}
			if in {
				b.WriteString(l)
			}
		}
	}
	return b.String()
}
