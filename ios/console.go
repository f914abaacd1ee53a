package ios

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/sim"
)

// Mode is where the console's prompt is.
type Mode int

// The modes of the IOS command line.
const (
	ModeUser       Mode = iota // Switch>
	ModePrivileged             // Switch#
	ModeConfig                 // Switch(config)#
	ModeCallHome               // Switch(cfg-call-home)#
	ModeProfile                // Switch(cfg-call-home-profile)#
	ModeTrustpoint             // Switch(ca-trustpoint)#
	ModeInterface              // Switch(config-if)#
)

// MaxLogLines bounds the syslog lines printed after one command: the
// latest are printed, the earlier ones counted (show logging keeps what
// its buffer holds). [model]
const MaxLogLines = 40

// Console is an IOS command line on one device of a world. Exec takes one
// line and returns what the console prints (the command's output, then the
// device's new syslog lines). It is not safe for concurrent use.
type Console struct {
	w       *sim.World
	dev     string
	mode    Mode
	profile string // the call-home profile being configured
	tp      string // the trustpoint being configured
	iface   string // the interface being configured
	pending func(line string) string
	cursor  sim.Cursor // the stream position up to which syslog lines were printed
	logged  uint64     // the device's log lines counted by then (sim.World.LogCount)
	debug   bool
	opened  time.Time // when the console was opened: uptime's origin for a device that does not know its boot
	vars    map[string]string
	roots   map[Mode]*node
	closed  bool   // exit or logout ended the session
	length  int    // terminal length (0: no pausing)
	width   int    // terminal width
	from    string // who configures, for %SYS-5-CONFIG_I: "console"
	quiet   bool   // syslog lines are not shown (a vty line without terminal monitor)
	paging  bool   // pending is the pager: it takes one key, not a line
	// The binary trace's level for Smart Licensing ("": the default), and
	// the stream position from which it applies.
	traceLevel string
	traceFrom  sim.Cursor
	users      func() []UserLine // the device's lines in use (SetUsers)
	secret     bool              // pending reads a password (HidesInput)
	// hist holds the commands typed, newest last: EXEC's and the
	// configuration modes', as IOS keeps one history for each.
	hist [2][]string
}

// NewConsole opens a console on a device of a world, in user EXEC mode.
func NewConsole(w *sim.World, device string) (*Console, error) {
	if _, ok := w.Device(device); !ok {
		return nil, fmt.Errorf("console: no device %q", device)
	}
	c := &Console{w: w, dev: device, opened: w.Now(), vars: map[string]string{}, width: 80, from: "console"}
	c.roots = grammar()
	c.cursor, c.logged = w.Head(), w.LogCount(device)
	return c, nil
}

// bootedAt is when the console's device booted, as `show version`'s
// uptime counts.
func (c *Console) bootedAt() time.Time {
	if t := c.device().BootedAt(); !t.IsZero() {
		return t
	}
	return c.opened
}

// World is the console's world.
func (c *Console) World() *sim.World { return c.w }

// Device is the device the console is on.
func (c *Console) Device() string { return c.dev }

// SetVar sets a variable that lines can use as $NAME (the lab sets $TOKEN).
func (c *Console) SetVar(name, value string) { c.vars[name] = value }

// Var returns a variable's value.
func (c *Console) Var(name string) string { return c.vars[name] }

func (c *Console) device() *device.Device {
	d, _ := c.w.Device(c.dev)
	return d
}

// Prompt is the prompt for the next line.
func (c *Console) Prompt() string {
	if c.pending != nil {
		return ""
	}
	host := c.device().Running().Hostname
	switch c.mode {
	case ModeUser:
		return host + ">"
	case ModeConfig:
		return host + "(config)#"
	case ModeCallHome:
		return host + "(cfg-call-home)#"
	case ModeProfile:
		return host + "(cfg-call-home-profile)#"
	case ModeTrustpoint:
		return host + "(ca-trustpoint)#"
	case ModeInterface:
		return host + "(config-if)#"
	}
	return host + "#"
}

// Exec runs one line and returns what the console prints after it.
func (c *Console) Exec(line string) string {
	for k, v := range c.vars {
		line = strings.ReplaceAll(line, "$"+k, v)
	}
	var out string
	switch {
	case c.pending != nil:
		p := c.pending
		c.pending, c.paging, c.secret = nil, false, false
		out = p(line)
	default:
		out = c.ios(line)
	}
	return c.page(out + c.Logs())
}

// rootFor is the grammar a line is read against, and the line to read:
// in configuration modes `do <exec command>` reads the rest as privileged
// EXEC.
func (c *Console) rootFor(line string) (*node, string) {
	if c.mode >= ModeConfig {
		if f := strings.Fields(line); len(f) > 0 && strings.EqualFold(f[0], "do") {
			return c.roots[ModePrivileged], strings.TrimLeft(line[strings.Index(line, f[0])+len(f[0]):], " ")
		}
	}
	return c.root(), line
}

// Complete is what Tab does: the line with its last word completed when
// exactly one keyword completes it (followed by a space), or false (IOS
// then leaves the line as it is).
func (c *Console) Complete(line string) (string, bool) {
	root, rest := c.rootFor(line)
	done, ok := complete(root, rest)
	if !ok {
		return "", false
	}
	return line[:len(line)-len(rest)] + done, true
}

// Closed reports whether the session ended (`exit` or `logout` at the
// EXEC prompt).
func (c *Console) Closed() bool { return c.closed }

// Terminal is the session's screen as `terminal length` and `terminal
// width` set it. A console starts at length 0 (no paging: what scripts
// and programs want) and width 80; SetTerminal gives an interactive
// session a console line's 24 lines.
func (c *Console) Terminal() (length, width int) { return c.length, c.width }

// SetTerminal sets the screen as `terminal length` and `terminal width`
// do (0–512 each; others are ignored).
func (c *Console) SetTerminal(length, width int) {
	if length >= 0 && length <= 512 {
		c.length = length
	}
	if width >= 0 && width <= 512 {
		c.width = width
	}
}

// more is IOS's pager marker, and what erases it when the output goes on.
const (
	more      = " --More-- "
	moreErase = "\b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b"
)

// page shows out a screen at a time when the terminal has a length: the
// first length-1 lines and " --More-- "; the next key (a line here) goes
// on — a space a screen, Enter a line — or, anything else, stops.
func (c *Console) page(out string) string {
	if c.length == 0 || c.pending != nil {
		return out
	}
	lines := strings.SplitAfter(out, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) <= c.length-1 {
		return out
	}
	return c.pageFrom(lines, c.length-1)
}

func (c *Console) pageFrom(lines []string, n int) string {
	if n >= len(lines) {
		return strings.Join(lines, "")
	}
	c.paging = true
	c.pending = func(key string) string {
		switch key {
		case " ":
			return moreErase + c.pageFrom(lines[n:], c.length-1)
		case "":
			return moreErase + c.pageFrom(lines[n:], 1)
		}
		return moreErase
	}
	return strings.Join(lines[:n], "") + more
}

// leaveConfig returns from configuration mode to privileged EXEC, logging
// %SYS-5-CONFIG_I as IOS does whenever configuration mode is left.
func (c *Console) leaveConfig() error {
	c.mode = ModePrivileged
	_, err := c.w.Do(c.dev, "end", func(d *device.Device, now time.Time) (string, error) {
		d.ConfiguredFrom(now, c.from)
		return "", nil
	})
	return err
}

// SetOrigin names who configures through this console, as
// %SYS-5-CONFIG_I prints it after "Configured from console by": "console"
// for the console line, "admin on vty0 (192.0.2.7)" for a remote session.
func (c *Console) SetOrigin(by string) {
	if by != "" {
		c.from = by
	}
}

// SetMonitor sets whether the line shows the device's syslog lines as they
// come: a console line does (the default); a vty line does only after
// `terminal monitor`, so a remote session starts with SetMonitor(false).
// `terminal monitor` and `terminal no monitor` change it.
func (c *Console) SetMonitor(on bool) { c.quiet = !on }

// Paging reports whether the console shows " --More-- " and waits for one
// key: a space for a screen, Return for a line, anything else to stop. A
// vty takes that key as typed, without Return.
func (c *Console) Paging() bool { return c.pending != nil && c.paging }

// Pending reports whether the console waits for an answer to a prompt
// (a confirmation, a pasted certificate).
func (c *Console) Pending() bool { return c.pending != nil }

// ios runs an IOS command line in the current mode.
func (c *Console) ios(line string) string {
	body, pipe, hasPipe := strings.Cut(line, "|")
	if strings.TrimSpace(line) == "" {
		return ""
	}
	c.remember(line)
	if strings.HasSuffix(strings.TrimRight(line, " "), "?") {
		root, rest := c.rootFor(strings.TrimRight(line, " "))
		return help(root, rest)
	}
	whole := body
	root, body := c.rootFor(body)
	off := len(whole) - len(body) // where body starts in the line, for the caret
	n, args, err := parse(root, body)
	if pe := (*parseError)(nil); errors.As(err, &pe) {
		pe.pos += off
	}
	if err != nil && c.mode > ModeConfig {
		// A global configuration command typed in a sub-mode runs, and
		// the prompt returns to (config)#, as IOS does.
		if gn, gargs, gerr := parse(c.roots[ModeConfig], body); gerr == nil && gn != nil {
			c.mode = ModeConfig
			n, args, err = gn, gargs, nil
		}
	}
	if err == nil && n == nil { // nothing before the pipe
		err = &parseError{err: errInvalid, pos: strings.Index(line, "|")}
	}
	if err != nil {
		return c.parseFailure(line, err)
	}
	keep := func(s string) string { return s }
	if hasPipe {
		if keep, err = parseFilter(pipe); err != nil {
			return c.parseFailure(line, err)
		}
	}
	out, err := n.run(c, args)
	if errors.Is(err, errInvalid) { // a bad argument: the caret under it, else under the last word
		toks := tokenize(body)
		pos := toks[len(toks)-1].pos
		var ba *badArg
		if errors.As(err, &ba) {
			if i := strings.LastIndex(body, ba.word); i >= 0 {
				pos = i
			}
		}
		return out + c.parseFailure(line, &parseError{err: errInvalid, pos: off + pos})
	}
	if errors.Is(err, errIncomplete) {
		return out + c.parseFailure(line, err)
	}
	if err != nil {
		return out + err.Error() + "\n"
	}
	return keep(out)
}

func (c *Console) root() *node {
	if c.mode == ModeUser {
		return c.roots[ModeUser]
	}
	return c.roots[c.mode]
}

// parseFailure prints IOS's error: the caret under the bad word, then
// "% Invalid input detected at '^' marker." and a blank line;
// "% Incomplete command." and a blank line; `% Ambiguous command:  "<the
// line>"` (two spaces) with none.
func (c *Console) parseFailure(line string, err error) string {
	var pe *parseError
	switch {
	case errors.As(err, &pe) && errors.Is(pe.err, errInvalid):
		return strings.Repeat(" ", len(c.Prompt())+pe.pos) + "^\n" + errInvalid.Error() + "\n\n"
	case errors.Is(err, errInvalid):
		return errInvalid.Error() + "\n\n"
	case errors.Is(err, errIncomplete):
		return errIncomplete.Error() + "\n\n"
	case errors.Is(err, errAmbiguous):
		return ambiguous(line)
	}
	return err.Error() + "\n"
}

// ambiguous is IOS's answer to a line whose word matches several
// commands: the whole line, after two spaces.
func ambiguous(line string) string {
	return "% Ambiguous command:  \"" + strings.TrimSpace(line) + "\"\n"
}

// Logs returns the syslog lines (and, with debugging on, the Call Home
// messages) of the device since the last call, as the console shows them.
func (c *Console) Logs() string {
	from, counted := c.cursor, c.logged
	c.cursor, c.logged = c.w.Head(), c.w.LogCount(c.dev)
	if c.quiet {
		return ""
	}
	// The device's log lines (and, debugging, its messages) since the
	// last read, from the stream's window: console logging does not
	// depend on the logging buffer.
	evs := c.w.Select(from, func(e *sim.Event) bool {
		return e.Source == c.dev && (e.Kind == sim.EventLog || c.debug && e.Kind.Transport())
	})
	var lines []string
	shown := 0
	var v *View // only debug transport lines need the device's view
	for _, e := range evs {
		if e.Kind == sim.EventLog {
			lines = append(lines, e.Stamp+": "+e.Text())
			shown++
			continue
		}
		if v == nil {
			vv := c.view()
			v = &vv
		}
		lines = append(lines, v.Syslog(e.Time, "CALL-HOME-SL: "+e.Kind.String()+" "+e.Text()))
	}
	// Lines the window dropped before this read: counted, not shown.
	gone := int(c.logged-counted) - shown
	if n := gone + len(lines); n > MaxLogLines {
		lines = append([]string{fmt.Sprintf("... %d earlier log lines (show logging)", n-MaxLogLines)}, lines[len(lines)-MaxLogLines:]...)
	}
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

func (c *Console) view() View {
	v, _ := ViewOf(c.w, c.dev)
	return v
}

// errLine turns a refusal into IOS's "% ..." line.
func errLine(err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, agent.ErrAlreadyRegistered):
		msg = "Smart Licensing: this device is already registered. Use the force option to register it again."
	case errors.Is(err, agent.ErrNotRegistered):
		msg = "Smart Licensing: this device is not registered."
	case errors.Is(err, agent.ErrBadToken):
		msg = "Invalid ID token."
	}
	return errors.New("% " + msg)
}
