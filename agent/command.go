package agent

import (
	"fmt"
	"strings"
	"time"
)

// Verb is one of the agent's exec commands.
type Verb string

// The licensing exec commands of classic Smart Licensing.
const (
	VerbRegister   Verb = "register"   // license smart register idtoken <token> [force]
	VerbDeregister Verb = "deregister" // license smart deregister
	VerbRenewAuth  Verb = "renew-auth" // license smart renew auth
	VerbRenewID    Verb = "renew-id"   // license smart renew id
)

// Command is a parsed licensing exec command.
type Command struct {
	Verb  Verb
	Token string // VerbRegister only
	Force bool   // VerbRegister only
}

// String gives the command as typed at the prompt.
func (c Command) String() string {
	switch c.Verb {
	case VerbRegister:
		s := "license smart register idtoken " + c.Token
		if c.Force {
			s += " force"
		}
		return s
	case VerbDeregister:
		return "license smart deregister"
	case VerbRenewAuth:
		return "license smart renew auth"
	case VerbRenewID:
		return "license smart renew id"
	}
	return "<unknown command>"
}

// ParseCommand reads one licensing exec command in full keywords,
// case-insensitive, as IOS accepts them:
//
//	license smart register idtoken <token> [force]
//	license smart deregister
//	license smart renew auth | id
//
// (Abbreviations, `?` and the rest of IOS belong to the console.)
func ParseCommand(line string) (Command, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return Command{}, fmt.Errorf("parse command: empty line")
	}
	word := func(i int) string {
		if i < len(f) {
			return strings.ToLower(f[i])
		}
		return ""
	}
	if word(0) != "license" || word(1) != "smart" {
		return Command{}, fmt.Errorf("parse command %q: unknown command (want license smart …)", line)
	}
	var c Command
	rest := 3
	switch word(2) {
	case "register":
		if word(3) != "idtoken" {
			return Command{}, fmt.Errorf("parse command %q: want register idtoken <token> [force]", line)
		}
		if len(f) < 5 {
			return Command{}, fmt.Errorf("parse command %q: incomplete command: missing the token", line)
		}
		c = Command{Verb: VerbRegister, Token: f[4]}
		if err := CheckToken(c.Token); err != nil {
			return Command{}, fmt.Errorf("parse command %q: %w", line, err)
		}
		rest = 5
		if word(5) == "force" {
			c.Force, rest = true, 6
		}
	case "deregister":
		c.Verb = VerbDeregister
	case "renew":
		switch word(3) {
		case "auth":
			c.Verb = VerbRenewAuth
		case "id":
			c.Verb = VerbRenewID
		default:
			return Command{}, fmt.Errorf("parse command %q: want renew auth or renew id", line)
		}
		rest = 4
	case "":
		return Command{}, fmt.Errorf("parse command %q: incomplete command", line)
	default:
		return Command{}, fmt.Errorf("parse command %q: unknown command license smart %s", line, f[2])
	}
	if rest < len(f) {
		return Command{}, fmt.Errorf("parse command %q: unexpected %q", line, f[rest])
	}
	return c, nil
}

// Do runs a parsed command at now and returns what IOS prints for it.
func (a *Agent) Do(now time.Time, c Command) (string, error) {
	switch c.Verb {
	case VerbRegister:
		return a.Register(now, c.Token, c.Force)
	case VerbDeregister:
		return "", a.Deregister(now)
	case VerbRenewAuth:
		return "", a.RenewAuth(now)
	case VerbRenewID:
		return "", a.RenewID(now)
	}
	return "", fmt.Errorf("do: unknown command verb %q", c.Verb)
}
