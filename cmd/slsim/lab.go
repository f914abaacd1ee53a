package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/slsim/slsim/internal/shell"
	"github.com/spf13/cobra"

	"github.com/slsim/slsim/exercise"
	"github.com/slsim/slsim/internal/atomicfile"
	"github.com/slsim/slsim/lab"
)

func newRunCmd() *cobra.Command {
	var seed uint64
	var estate string
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a lab script (IOS commands and lab controls) and print the session as a console shows it",
		Long: "run feeds the lines of FILE to a lab session — the healthy lab of docs/lab.md — and prints\n" +
			"each prompt and line followed by what the console printed. Lines starting with # are\n" +
			"comments. The same file and seed always print the same bytes.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := atomicfile.Open(args[0], atomicfile.MaxRead)
			if err != nil {
				return err
			}
			defer f.Close()
			s, err := newSession(seed, estate)
			if err != nil {
				return err
			}
			return runScript(cmd.OutOrStdout(), s, f)
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the lab")
	cmd.Flags().StringVar(&estate, "estate", "", "start from the devices and pool of an estate file instead of the lab's C9300 stack")
	return cmd
}

// newSession opens the lab, or a lab of an estate file's devices.
func newSession(seed uint64, estate string) (*lab.Session, error) {
	if estate == "" {
		return lab.New(seed)
	}
	l, err := estateLab(estate, seed)
	if err != nil {
		return nil, err
	}
	return lab.Attach(l, seed)
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
	var estate, ex, langName string
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "An interactive lab: an IOS-like console on a simulated switch, with lab controls (lab help)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lang, err := pickLang(langName)
			if err != nil {
				return err
			}
			s, err := newSession(seed, estate)
			if err != nil {
				return err
			}
			s.SetLanguage(lang)
			s.SetRealClock(time.Now)
			if ex != "" {
				out := s.Exec("lab exercise start " + ex)
				if strings.Contains(out, "% lab: ") {
					return fmt.Errorf("lab --exercise %s: %s", ex, strings.TrimPrefix(strings.TrimSpace(out), "% lab: "))
				}
				defer func() { fmt.Fprint(cmd.OutOrStdout(), s.Exec("lab exercise report")) }()
				return interactive(s, cmd.InOrStdin(), cmd.OutOrStdout(), out)
			}
			return interactive(s, cmd.InOrStdin(), cmd.OutOrStdout(), "")
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the lab")
	cmd.Flags().StringVar(&estate, "estate", "", "start from the devices and pool of an estate file instead of the lab's C9300 stack")
	cmd.Flags().StringVar(&ex, "exercise", "", "start an exercise (lab exercise list): its world, objective and checks")
	cmd.Flags().StringVar(&langName, "lang", "", "language of the exercises: en or ja (default: the locale's)")
	return cmd
}

// pickLang is the --lang flag, or the locale's language (LC_ALL,
// LC_MESSAGES, LANG): Japanese for ja_*, English otherwise.
func pickLang(flag string) (exercise.Lang, error) {
	if flag != "" {
		return exercise.ParseLang(flag)
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := os.Getenv(v); l != "" {
			if lang, err := exercise.ParseLang(l); err == nil {
				return lang, nil
			}
			return exercise.English, nil
		}
	}
	return exercise.English, nil
}

// interactive runs the console with line editing and history; '?' shows
// help at once, as on a switch.
func interactive(s *lab.Session, in io.Reader, out io.Writer, banner string) error {
	s.Console().SetTerminal(24, 80) // a console line's screen: long output pauses at --More--
	fmt.Fprintln(out, "slsim lab: a Catalyst 9300 stack (sw1) and the Cisco cloud, on virtual time.")
	fmt.Fprintln(out, "IOS commands as on a switch; 'lab help' for the lab's controls; Ctrl-D to leave. $TOKEN holds a registration token.")
	fmt.Fprint(out, banner)
	return shell.Run(labShell{s}, in, out)
}

// labShell is a lab session as the shell drives it.
type labShell struct{ *lab.Session }

func (l labShell) Help(line string) string { return l.Console().Exec(line) }

func (l labShell) Complete(line string) (string, bool) { return l.Console().Complete(line) }
