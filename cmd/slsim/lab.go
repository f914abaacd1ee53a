package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/chzyer/readline"
	"github.com/spf13/cobra"

	"github.com/slsim/slsim/lab"
)

func newRunCmd() *cobra.Command {
	var seed uint64
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a lab script (IOS commands and lab controls) and print the session as a console shows it",
		Long: "run feeds the lines of FILE to a lab session — the healthy lab of docs/lab.md — and prints\n" +
			"each prompt and line followed by what the console printed. Lines starting with # are\n" +
			"comments. The same file and seed always print the same bytes.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			s, err := lab.New(seed)
			if err != nil {
				return err
			}
			return runScript(cmd.OutOrStdout(), s, f)
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the lab")
	return cmd
}

func runScript(out io.Writer, s *lab.Session, r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if _, err := fmt.Fprint(out, s.Prompt()+line+"\n"+s.Exec(line)); err != nil {
			return err
		}
		if s.Closed() { // exit or logout at the EXEC prompt ends the session
			return nil
		}
	}
	return sc.Err()
}

func newLabCmd() *cobra.Command {
	var seed uint64
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "An interactive lab: an IOS-like console on a simulated switch, with lab controls (lab help)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := lab.New(seed)
			if err != nil {
				return err
			}
			return interactive(s, cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the lab")
	return cmd
}

// interactive runs the console with line editing and history; '?' shows
// help at once, as on a switch.
func interactive(s *lab.Session, in io.Reader, out io.Writer) error {
	s.Console().SetTerminal(24, 80) // a console line's screen: long output pauses at --More--
	fmt.Fprintln(out, "slsim lab: a Catalyst 9300 stack (sw1) and the Cisco cloud, on virtual time.")
	fmt.Fprintln(out, "IOS commands as on a switch; 'lab help' for the lab's controls; Ctrl-D to leave. $TOKEN holds a registration token.")
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
		Listener: readline.FuncListener(func(line []rune, pos int, key rune) ([]rune, int, bool) {
			if key != '?' || rl == nil || pos == 0 || line[pos-1] != '?' {
				return nil, 0, false
			}
			typed := string(line[:pos])
			help := s.Console().Exec(typed)
			fmt.Fprint(rl.Stdout(), "\n"+help)
			rest := append(append([]rune{}, line[:pos-1]...), line[pos:]...)
			return rest, pos - 1, true
		}),
	}
	var err error
	rl, err = readline.NewEx(cfg)
	if err != nil {
		return err
	}
	defer rl.Close()
	for {
		rl.SetPrompt(s.Prompt())
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			// Ctrl-C abandons the line and, in configuration modes, returns
			// to privileged EXEC, as IOS does.
			if strings.HasSuffix(s.Prompt(), ")#") {
				fmt.Fprint(out, s.Exec("end"))
			}
			continue
		}
		if err != nil {
			return nil // EOF
		}
		fmt.Fprint(out, s.Exec(line))
		if ctrlZ {
			ctrlZ = false
			if strings.HasSuffix(s.Prompt(), ")#") {
				fmt.Fprint(out, s.Exec("end"))
			}
		}
		if s.Closed() {
			return nil
		}
	}
}

// completer is Tab: the last word completed when one keyword alone
// completes it, as IOS does; nothing otherwise.
type completer struct{ s *lab.Session }

func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	typed := string(line[:pos])
	done, ok := c.s.Console().Complete(typed)
	if !ok {
		return nil, 0
	}
	return [][]rune{[]rune(done[len(typed):])}, 0
}
