package shell

import (
	"bufio"
	"io"
	"strings"
)

// InputHider is a Session that can ask for a password: while HidesInput
// reports true, RunRemote does not echo what is typed.
type InputHider interface {
	HidesInput() bool
}

// Historian is a Session that keeps its own command history per mode, as
// IOS keeps one for EXEC and one for configuration modes: History is the
// current mode's, oldest first. Without it RunRemote keeps one history.
type Historian interface {
	History() []string
}

// RunRemote reads a remote terminal (an SSH pty) as IOS reads a vty line.
// Typed characters are echoed as they are; moving the cursor writes
// backspaces and the characters passed over, never escape sequences.
// The keys, as IOS's editor takes them:
//
//   - Return runs the line; '?' prints help and the line again; Tab
//     completes the word;
//   - Left, Right, Ctrl-B, Ctrl-F move the cursor; Home, End, Ctrl-A,
//     Ctrl-E go to the start and the end;
//   - Backspace erases before the cursor, Delete and Ctrl-D under it;
//     Ctrl-K erases to the end of the line, Ctrl-U the whole line, Ctrl-W
//     the word before the cursor;
//   - Up, Down, Ctrl-P, Ctrl-N walk the mode's history;
//   - Ctrl-C abandons the line (and configuration mode); Ctrl-Z runs the
//     line and ends configuration mode.
//
// A line longer than maxLine characters takes no more. Output line ends
// are CR LF. It returns when the input ends or the session closes.
func RunRemote(s Session, in io.Reader, out io.Writer, maxLine int) error {
	e := &editor{s: s, out: crlf{out}, max: maxLine, at: -1}
	e.kw, _ = s.(KeyWaiter)
	e.hider, _ = s.(InputHider)
	e.hist, _ = s.(Historian)
	r := bufio.NewReader(in)
	prevCR := false
	e.write(s.Prompt())
	for {
		ch, _, err := r.ReadRune()
		if err != nil {
			return nil
		}
		if ch == '\n' && prevCR { // CR LF is one Return
			prevCR = false
			continue
		}
		prevCR = ch == '\r'
		if e.waiting {
			if !e.pagerKey(ch) {
				return nil
			}
			continue
		}
		if ch == 0x1b {
			ch = escape(r)
		}
		if !e.key(ch) {
			return nil
		}
	}
}

// Keys an escape sequence stands for, outside Unicode's range so that
// they cannot be typed.
const (
	keyUp rune = 0x110000 + iota
	keyDown
	keyLeft
	keyRight
	keyHome
	keyEnd
	keyDelete
	keyNone // a sequence with no meaning here, read and dropped whole
)

// escape reads the rest of an escape sequence (CSI "ESC [ params final"
// or SS3 "ESC O final") and names its key.
func escape(r *bufio.Reader) rune {
	b, err := r.ReadByte()
	if err != nil || (b != '[' && b != 'O') {
		return keyNone
	}
	var params []byte
	for range 16 { // a sequence is short; a longer one is dropped in parts
		c, err := r.ReadByte()
		if err != nil {
			return keyNone
		}
		if c >= 0x40 && c <= 0x7e { // the final byte
			switch {
			case c == 'A':
				return keyUp
			case c == 'B':
				return keyDown
			case c == 'C':
				return keyRight
			case c == 'D':
				return keyLeft
			case c == 'H':
				return keyHome
			case c == 'F':
				return keyEnd
			case c == '~' && (string(params) == "1" || string(params) == "7"):
				return keyHome
			case c == '~' && (string(params) == "4" || string(params) == "8"):
				return keyEnd
			case c == '~' && string(params) == "3":
				return keyDelete
			}
			return keyNone
		}
		params = append(params, c)
	}
	return keyNone
}

// editor is one vty line's editing state.
type editor struct {
	s       Session
	out     io.Writer
	max     int
	kw      KeyWaiter
	hider   InputHider
	hist    Historian
	line    []rune
	pos     int      // the cursor, 0..len(line)
	own     []string // the history, when the session keeps none
	at      int      // position while walking the history (-1: not walking)
	waiting bool     // the pager waits for a key
	secret  bool     // a password is being typed: no echo (asked after each command, the only time it can change)
}

func (e *editor) write(t string) { io.WriteString(e.out, t) }

// history is the current mode's history, oldest first.
func (e *editor) history() []string {
	if e.hist != nil {
		return e.hist.History()
	}
	return e.own
}

// exec runs a line (or gives the pager its key) and notes whether the
// session now asks for a password.
func (e *editor) exec(line string) string {
	out := e.s.Exec(line)
	e.secret = e.hider != nil && e.hider.HidesInput()
	return out
}

// pagerKey gives the pager its single key, as typed and unechoed.
func (e *editor) pagerKey(ch rune) bool {
	key := string(ch)
	if ch == '\r' || ch == '\n' {
		key = ""
	}
	e.write(e.exec(key))
	if e.s.Closed() {
		return false
	}
	if e.waiting = e.kw.WaitsForKey(); !e.waiting {
		e.write(e.s.Prompt() + string(e.line)) // after paged help, the line is still typed
		e.pos = len(e.line)
	}
	return true
}

// set replaces the line with t, the cursor at its end.
func (e *editor) set(t string) {
	e.home()
	e.write(strings.Repeat(" ", len(e.line)) + strings.Repeat("\b", len(e.line)))
	e.line = []rune(t)
	e.pos = len(e.line)
	e.write(t)
}

func (e *editor) home() {
	e.write(strings.Repeat("\b", e.pos))
	e.pos = 0
}

func (e *editor) end() {
	e.write(string(e.line[e.pos:]))
	e.pos = len(e.line)
}

// cut removes the characters from i to j (i < j, around the cursor's
// new place i) and redraws the tail.
func (e *editor) cut(i, j int) {
	if e.pos == j && j == len(e.line) { // at the end: rub out, as a terminal does
		e.write(strings.Repeat("\b \b", j-i))
		e.line, e.pos = e.line[:i], i
		return
	}
	e.write(strings.Repeat("\b", e.pos-i))
	tail := string(e.line[j:])
	e.line = append(e.line[:i], e.line[j:]...)
	e.pos = i
	e.write(tail + strings.Repeat(" ", j-i) + strings.Repeat("\b", len([]rune(tail))+j-i))
}

// run runs the line and reports whether the session goes on.
func (e *editor) run() bool {
	e.write("\n")
	text := string(e.line)
	e.line, e.pos, e.at = e.line[:0], 0, -1
	if e.hist == nil && !e.secret && strings.TrimSpace(text) != "" && (len(e.own) == 0 || e.own[len(e.own)-1] != text) {
		e.own = append(e.own, text)
		if len(e.own) > 256 {
			e.own = e.own[1:]
		}
	}
	e.write(e.exec(text))
	e.waiting = e.kw != nil && e.kw.WaitsForKey()
	return !e.s.Closed()
}

// key takes one key and reports whether the session goes on.
func (e *editor) key(ch rune) bool {
	if e.secret { // a password: only Return, Backspace and Ctrl-C/U count
		switch ch {
		case '\r', '\n':
			return e.reprompt(e.run())
		case 0x7f, '\b':
			if e.pos > 0 {
				e.line, e.pos = e.line[:e.pos-1], e.pos-1
			}
		case 0x03, 0x15:
			e.line, e.pos = e.line[:0], 0
		default:
			if ch >= 0x20 && ch < keyUp && len(e.line) < e.max {
				e.line, e.pos = append(e.line, ch), e.pos+1
			}
		}
		return true
	}
	switch ch {
	case '\r', '\n':
		return e.reprompt(e.run())
	case 0x03: // Ctrl-C
		e.write("^C\n")
		e.line, e.pos = e.line[:0], 0
		endConfig(e.s, e.out)
		return e.reprompt(true)
	case 0x1a: // Ctrl-Z
		e.end()
		e.write("^Z")
		if !e.run() {
			return false
		}
		endConfig(e.s, e.out)
		return e.reprompt(true)
	case '?':
		if len(e.line) >= e.max {
			return true
		}
		e.end()
		e.write("?\n" + e.s.Help(string(e.line)+"?"))
		if e.kw != nil && e.kw.WaitsForKey() {
			// The help is paged: the pager takes the next key, then the
			// prompt comes back with the line still typed.
			e.waiting = true
			return true
		}
		return e.reprompt(true)
	case '\t':
		if e.pos != len(e.line) {
			return true
		}
		if done, ok := e.s.Complete(string(e.line)); ok && strings.HasPrefix(done, string(e.line)) {
			e.write(done[len(string(e.line)):])
			e.line = []rune(done)
			e.pos = len(e.line)
		}
	case 0x7f, '\b':
		if e.pos > 0 {
			e.cut(e.pos-1, e.pos)
		}
	case keyDelete, 0x04: // Delete, Ctrl-D
		if e.pos < len(e.line) {
			e.cut(e.pos, e.pos+1)
		}
	case 0x15: // Ctrl-U
		e.end()
		e.cut(0, len(e.line))
	case 0x0b: // Ctrl-K
		if e.pos < len(e.line) {
			e.cut(e.pos, len(e.line))
		}
	case 0x17: // Ctrl-W: the word before the cursor and the spaces after it
		i := e.pos
		for i > 0 && e.line[i-1] == ' ' {
			i--
		}
		for i > 0 && e.line[i-1] != ' ' {
			i--
		}
		if i < e.pos {
			e.cut(i, e.pos)
		}
	case keyLeft, 0x02: // Ctrl-B
		if e.pos > 0 {
			e.pos--
			e.write("\b")
		}
	case keyRight, 0x06: // Ctrl-F
		if e.pos < len(e.line) {
			e.write(string(e.line[e.pos]))
			e.pos++
		}
	case keyHome, 0x01: // Ctrl-A
		e.home()
	case keyEnd, 0x05: // Ctrl-E
		e.end()
	case keyUp, 0x10: // Ctrl-P
		h := e.history()
		if e.at < 0 || e.at > len(h) {
			e.at = len(h)
		}
		if e.at > 0 {
			e.at--
			e.set(h[e.at])
		}
	case keyDown, 0x0e: // Ctrl-N
		h := e.history()
		if e.at >= 0 && e.at < len(h) {
			e.at++
			if e.at < len(h) {
				e.set(h[e.at])
			} else {
				e.set("")
			}
		}
	default:
		if ch < 0x20 || ch >= keyUp || len(e.line) >= e.max {
			return true
		}
		if e.pos == len(e.line) {
			e.line = append(e.line, ch)
			e.pos++
			e.write(string(ch))
			return true
		}
		tail := string(e.line[e.pos:])
		e.line = append(e.line[:e.pos], append([]rune{ch}, e.line[e.pos:]...)...)
		e.pos++
		e.write(string(ch) + tail + strings.Repeat("\b", len([]rune(tail))))
	}
	return true
}

// reprompt writes the prompt and what is still typed, after a line was
// run or abandoned or help was printed; it passes on whether the session
// goes on.
func (e *editor) reprompt(goOn bool) bool {
	if !goOn {
		return false
	}
	if e.waiting {
		return true
	}
	e.write(e.s.Prompt() + string(e.line))
	e.pos = len(e.line)
	return true
}
