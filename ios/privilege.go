package ios

import (
	"crypto/subtle"
	"strings"

	"github.com/slsim/slsim/device"
)

// enableTries is how many passwords `enable` takes before "% Bad
// secrets", as IOS.
const enableTries = 3

// enable is user EXEC's `enable`: with `enable secret` (or `enable
// password`) set it asks for it, without echo, three times at most; with
// neither set a vty line answers "% No password set" and the console line
// lets the user in, as IOS does.
func enable(c *Console, _ []string) (string, error) {
	run := c.device().Running()
	want := run.EnableSecret
	if want == "" {
		want = run.EnablePassword
	}
	if want == "" {
		if c.users != nil {
			return "% No password set\n", nil
		}
		c.mode = ModePrivileged
		return "", nil
	}
	tries := 0
	var ask func(string) string
	ask = func(pw string) string {
		if subtle.ConstantTimeCompare([]byte(pw), []byte(want)) == 1 {
			c.mode = ModePrivileged
			return ""
		}
		if tries++; tries >= enableTries {
			return "% Bad secrets\n\n"
		}
		c.pending, c.secret = ask, true
		return "Password: "
	}
	c.pending, c.secret = ask, true
	return "Password: ", nil
}

// enableSecret is `enable secret [0] <secret>` and `enable password [0]
// <password>` (which is "secret" or "password").
func enableSecret(which string) func(*Console, []string) (string, error) {
	return func(c *Console, a []string) (string, error) {
		pw := strings.TrimSpace(a[len(a)-1])
		if pw == "" || len(pw) > 25 {
			return "", &badArg{pw}
		}
		return configure("enable "+which, func(_ *Console, cfg *device.Config, _ []string) error {
			if which == "secret" {
				cfg.EnableSecret = pw
			} else {
				cfg.EnablePassword = pw
			}
			return nil
		})(c, a)
	}
}

// HidesInput reports whether the console waits for a password, which a
// terminal reads without echo.
func (c *Console) HidesInput() bool { return c.pending != nil && c.secret }

// Login starts the console as a user of the given privilege logs in on a
// vty: at 15 in privileged EXEC (Switch#), below it in user EXEC
// (Switch>), from where `enable` asks for the enable secret. Levels 2 to
// 14 are taken as 1: slsim does not model custom privilege levels.
// [model]
func (c *Console) Login(privilege int) {
	if privilege >= 15 {
		c.mode = ModePrivileged
	} else {
		c.mode = ModeUser
	}
}
