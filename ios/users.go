package ios

import (
	"fmt"
	"strings"
	"time"
)

// UserLine is a terminal line in use, as `show users` lists it: vty n
// (IOS's line number n+2, after the console and the auxiliary line), who
// logged in, from where and how long since they last typed.
type UserLine struct {
	VTY      int
	User     string
	Location string
	Idle     time.Duration
	Self     bool // the line asking
}

// SetUsers gives the console the lines of its device in use (a served
// switch's SSH sessions), for `show users`. Without it the console is the
// console line, alone.
func (c *Console) SetUsers(f func() []UserLine) { c.users = f }

// showUsers is `show users`: the lines in use, the asking one starred,
// then the (empty) table of interfaces with users, in IOS's layout.
func showUsers(c *Console, _ []string) (string, error) {
	var b strings.Builder
	b.WriteString("    Line       User       Host(s)              Idle       Location\n")
	row := func(self bool, tty int, line, user string, idle time.Duration, loc string) {
		mark := " "
		if self {
			mark = "*"
		}
		fmt.Fprintf(&b, "%s%3d %-10s%-11s%-21s%s %s\n", mark, tty, line, user, "idle", hhmmss(idle), loc)
	}
	if c.users == nil {
		row(true, 0, "con 0", "", 0, "")
	} else {
		for _, l := range c.users() {
			row(l.Self, l.VTY+2, fmt.Sprintf("vty %d", l.VTY), l.User, l.Idle, l.Location)
		}
	}
	b.WriteString("\n  Interface    User               Mode         Idle     Peer Address\n\n")
	return b.String(), nil
}

// hhmmss writes a duration as IOS's idle times: hours, minutes, seconds.
func hhmmss(d time.Duration) string {
	d = max(d, 0).Truncate(time.Second)
	h := int(d / time.Hour)
	m := int(d % time.Hour / time.Minute)
	s := int(d % time.Minute / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
}

// HistorySize is how many commands a line's history keeps in each of
// EXEC and the configuration modes, IOS's default of ten.
const HistorySize = 10

// historyOf is the index of a mode's history: EXEC's or configuration's.
func historyOf(m Mode) int {
	if m <= ModePrivileged {
		return 0
	}
	return 1
}

// remember adds a typed command to the current mode's history.
func (c *Console) remember(line string) {
	h := &c.hist[historyOf(c.mode)]
	if len(*h) == HistorySize {
		*h = append((*h)[:0], (*h)[1:]...)
	}
	*h = append(*h, strings.TrimRight(line, " "))
}

// History is the current mode's command history, oldest first: what Up
// and Down walk on a vty line.
func (c *Console) History() []string { return c.hist[historyOf(c.mode)] }

// showHistory is `show history`: the EXEC history, this command last.
func showHistory(c *Console, _ []string) (string, error) {
	var b strings.Builder
	for _, l := range c.hist[0] {
		b.WriteString("  " + l + "\n")
	}
	return b.String(), nil
}
