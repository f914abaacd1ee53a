package ios

import "strings"

// askYesNo asks prompt (ending "[yes/no]: ") and gives the answer to
// then; any other answer, an empty one too, gets IOS's "% Please answer
// 'yes' or 'no'." and the question again.
func askYesNo(c *Console, prompt string, then func(yes bool) string) string {
	var ask func(string) string
	ask = func(answer string) string {
		switch strings.ToLower(strings.TrimSpace(answer)) {
		case "y", "ye", "yes":
			return then(true)
		case "n", "no":
			return then(false)
		}
		c.pending = ask
		return "% Please answer 'yes' or 'no'.\n" + prompt
	}
	c.pending = ask
	return prompt
}

// reload is privileged EXEC's `reload`: with an unsaved configuration it
// asks whether to save it first ("Building configuration... [OK]" on
// yes), then asks to confirm. On the console line the device reloads and
// the console stays, in user EXEC, as the device boots; on a vty line the
// session closes with the reload, as every session on the switch does.
func reload(c *Console, _ []string) (string, error) {
	confirm := func() string {
		c.pending = func(line string) string {
			switch strings.ToLower(strings.TrimSpace(line)) {
			case "", "y", "yes", "confirm":
			default:
				return "\n"
			}
			if err := c.w.Reload(c.dev); err != nil {
				return errLine(err).Error() + "\n"
			}
			c.mode = ModeUser
			if c.users != nil { // a vty: the line goes down with the switch
				c.closed = true
				return "\n"
			}
			return "\nReload requested by " + c.from + ". Reload Reason: Reload Command.\n"
		}
		return "Proceed with reload? [confirm]"
	}
	if c.device().Saved() {
		return confirm(), nil
	}
	return askYesNo(c, "\nSystem configuration has been modified. Save? [yes/no]: ", func(yes bool) string {
		if !yes {
			return confirm()
		}
		if err := c.w.WriteMemory(c.dev); err != nil {
			return errLine(err).Error() + "\n"
		}
		return "Building configuration...\n[OK]\n" + confirm()
	}), nil
}
