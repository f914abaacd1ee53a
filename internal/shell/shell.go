// Package shell runs an IOS-like command line on a terminal: line
// editing, history, '?' for help at once, Tab completion, Ctrl-C and
// Ctrl-Z as IOS reads them. The lab console and served SSH sessions share
// it.
package shell

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/chzyer/readline"
)

// Session is what the shell drives.
type Session interface {
	Prompt() string
	// Exec runs one line and returns what it prints.
	Exec(line string) string
	// Help answers a line ending in '?' without running anything.
	Help(line string) string
	// Complete completes the last word of a line when one keyword alone
	// completes it.
	Complete(line string) (string, bool)
	Closed() bool
}

// KeyWaiter is a Session that can wait for a single key rather than a
// line (IOS's " --More-- " pager); RunRemote asks it before each key.
type KeyWaiter interface {
	WaitsForKey() bool
}

// Run reads lines from a local terminal (readline) until end of input or
// until the session closes.
func Run(s Session, in io.Reader, out io.Writer) error {
	var rl *readline.Instance
	ctrlZ := false
	cfg := &readline.Config{
		// Ctrl-Z is IOS's end: the line typed so far runs, then
		// configuration mode ends (readline would suspend the process).
		FuncFilterInputRune: func(r rune) (rune, bool) {
			if r == readline.CharCtrlZ {
				ctrlZ = true
				return readline.CharEnter, true
			}
			return r, true
		},
		AutoComplete:    completer{s},
		Prompt:          s.Prompt(),
		HistoryLimit:    500,
		InterruptPrompt: "^C",
		EOFPrompt:       "exit",
		Stdin:           io.NopCloser(in),
		Stdout:          out,
		Stderr:          out,
		Listener: readline.FuncListener(func(line []rune, pos int, key rune) ([]rune, int, bool) {
			if key != '?' || rl == nil || pos == 0 || line[pos-1] != '?' {
				return nil, 0, false
			}
			fmt.Fprint(rl.Stdout(), "\n"+s.Help(string(line[:pos])))
			rest := append(append([]rune{}, line[:pos-1]...), line[pos:]...)
			return rest, pos - 1, true
		}),
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return fmt.Errorf("shell: %w", err)
	}
	defer rl.Close()
	for {
		rl.SetPrompt(s.Prompt())
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			// Ctrl-C abandons the line and, in configuration modes, returns
			// to privileged EXEC, as IOS does.
			endConfig(s, out)
			continue
		}
		if err != nil {
			return nil // end of input
		}
		fmt.Fprint(out, s.Exec(line))
		if ctrlZ {
			ctrlZ = false
			endConfig(s, out)
		}
		if s.Closed() {
			return nil
		}
	}
}

// endConfig is what Ctrl-C and Ctrl-Z do after the line: in a
// configuration mode, `end`, back to privileged EXEC.
func endConfig(s Session, out io.Writer) {
	if strings.HasSuffix(s.Prompt(), ")#") {
		io.WriteString(out, s.Exec("end"))
	}
}

// completer is Tab: the last word completed when one keyword alone
// completes it, as IOS does; nothing otherwise.
type completer struct{ s Session }

func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	typed := string(line[:pos])
	done, ok := c.s.Complete(typed)
	if !ok || !strings.HasPrefix(done, typed) {
		return nil, 0
	}
	return [][]rune{[]rune(done[len(typed):])}, 0
}

// crlf writes a terminal's line ends: each LF not already after a CR
// becomes CR LF, as a tty's output processing would.
type crlf struct{ w io.Writer }

func (c crlf) Write(p []byte) (int, error) {
	if !strings.ContainsRune(string(p), '\n') {
		return c.w.Write(p)
	}
	b := make([]byte, 0, len(p)+8)
	for i, ch := range p {
		if ch == '\n' && (i == 0 || p[i-1] != '\r') {
			b = append(b, '\r')
		}
		b = append(b, ch)
	}
	if _, err := c.w.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}
