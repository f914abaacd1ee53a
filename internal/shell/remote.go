package shell

import (
	"bufio"
	"io"
	"strings"
)

// RunRemote reads a remote terminal (an SSH pty) as IOS reads a vty line:
// each typed character is echoed as it is, with no escape sequences;
// Backspace erases with "\b \b"; '?' prints help and the line again; Tab
// completes; Ctrl-C abandons the line (and configuration mode); Ctrl-Z
// runs the line and ends configuration mode; Ctrl-U erases the line; the
// arrow keys Up and Down walk the history. A line longer than maxLine
// characters takes no more. Output line ends are CR LF. It returns when
// the input ends or the session closes.
func RunRemote(s Session, in io.Reader, out io.Writer, maxLine int) error {
	out = crlf{out}
	r := bufio.NewReader(in)
	var (
		line   []rune
		hist   []string
		at     int // history position while walking it
		prevCR bool
	)
	// The pager's single key: asked of the session after each command,
	// the only time its answer can change, not at every key.
	kw, _ := s.(KeyWaiter)
	waiting := false
	write := func(t string) { io.WriteString(out, t) }
	erase := func() {
		write(strings.Repeat("\b \b", len(line)))
		line = line[:0]
	}
	run := func() bool {
		write("\n")
		text := string(line)
		line = line[:0]
		if strings.TrimSpace(text) != "" && (len(hist) == 0 || hist[len(hist)-1] != text) {
			hist = append(hist, text)
		}
		at = len(hist)
		write(s.Exec(text))
		waiting = kw != nil && kw.WaitsForKey()
		return !s.Closed()
	}
	write(s.Prompt())
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
		if waiting && len(line) == 0 {
			key := string(ch) // the pager takes the key as typed, unechoed
			if ch == '\r' || ch == '\n' {
				key = ""
			}
			write(s.Exec(key))
			if s.Closed() {
				return nil
			}
			if waiting = kw.WaitsForKey(); !waiting {
				write(s.Prompt())
			}
			continue
		}
		switch ch {
		case '\r', '\n':
			if !run() {
				return nil
			}
		case 0x7f, '\b':
			if len(line) > 0 {
				line = line[:len(line)-1]
				write("\b \b")
			}
			continue
		case 0x03: // Ctrl-C
			write("^C\n")
			line = line[:0]
			endConfig(s, out)
		case 0x1a: // Ctrl-Z
			write("^Z")
			if !run() {
				return nil
			}
			endConfig(s, out)
		case 0x15: // Ctrl-U
			erase()
			continue
		case '?':
			if len(line) >= maxLine {
				continue
			}
			write("?\n" + s.Help(string(line)+"?"))
		case '\t':
			if done, ok := s.Complete(string(line)); ok && strings.HasPrefix(done, string(line)) {
				write(done[len(string(line)):])
				line = []rune(done)
			}
			continue
		case 0x1b: // an escape sequence: the arrow keys move in the history
			if b, _ := r.ReadByte(); b != '[' && b != 'O' {
				continue
			}
			final, _ := r.ReadByte()
			switch {
			case final == 'A' && at > 0:
				at--
			case final == 'B' && at < len(hist):
				at++
			default:
				continue
			}
			erase()
			if at < len(hist) {
				line = []rune(hist[at])
				write(hist[at])
			}
			continue
		default:
			if ch >= 0x20 && len(line) < maxLine {
				line = append(line, ch)
				write(string(ch))
			}
			continue
		}
		// The line was run or abandoned, or help was printed: the prompt
		// again, then what is still typed.
		write(s.Prompt() + string(line))
	}
}
