package ios_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/sim"
)

func TestUsernames(t *testing.T) {
	l, c := labConsole(t)
	c.Exec("enable")
	c.Exec("configure terminal")
	for _, line := range []string{"username admin privilege 15 secret cisco123", "username ops secret s3cret", "username ops secret other"} {
		require.Empty(t, c.Exec(line), line)
	}
	require.Contains(t, c.Exec("username bad privilege 16 secret x"), "% Invalid input detected at '^' marker.")
	require.Equal(t, "% username nobody does not exist\n", c.Exec("no username nobody"))
	d, _ := l.World.Device(l.Device)
	cfg := d.Running()
	u := cfg.User("ops")
	require.NotNil(t, u)
	require.Equal(t, 1, u.Privilege, "privilege 1 when not given")
	require.Equal(t, "other", u.Secret, "a user's secret is replaced")
	require.Nil(t, cfg.User("bad"))

	c.Exec("end")
	run := c.Exec("show running-config | include username")
	require.Regexp(t, `^username admin privilege 15 secret 9 \$9\$[A-Za-z0-9./]{14}\$[A-Za-z0-9./]{29}\nusername ops secret 9 \$9\$[A-Za-z0-9./]{14}\$[A-Za-z0-9./]{29}\n$`, run)
	require.NotContains(t, run, "cisco123", "the secret is never printed")

	c.Exec("configure terminal")
	require.Empty(t, c.Exec("no username ops"))
	cfg = d.Running()
	require.Nil(t, cfg.User("ops"))
}

// A configuration command is an action in the world's event stream with
// its arguments, so that what was done can be judged from the events; the
// lines that hold a secret are recorded without it.
func TestConfigActionsCarryArguments(t *testing.T) {
	c := console(t)
	w := c.World()
	head := w.Head()
	for _, l := range []string{"enable", "configure terminal", "ip http client source-interface GigabitEthernet0/0", "ntp server 198.51.100.123",
		"enable secret s3cr3t-1", "enable password s3cr3t-2", "username bob secret s3cr3t-3", "end"} {
		c.Exec(l)
	}
	evs, _, _ := w.Events(head)
	var notes []string
	for _, e := range evs {
		if e.Kind == sim.EventAction {
			notes = append(notes, e.Note)
		}
	}
	assert.Equal(t, []string{"ip http client source-interface GigabitEthernet0/0", "ntp server 198.51.100.123", "enable secret", "enable password", "username", "end"}, notes)
}
