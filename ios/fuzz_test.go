package ios_test

import (
	"strings"
	"testing"

	"github.com/slsim/slsim/ios"
	"github.com/slsim/slsim/scenario"
)

var rejected = []string{"% Invalid input detected", "% Ambiguous command", "% Incomplete command", "% Unrecognized command"}

// FuzzConsole: the interpreter never panics, and a line it rejects changes
// neither the world nor the console's mode.
func FuzzConsole(f *testing.F) {
	for _, s := range []string{
		"enable\nshow license summary", "en\nconf t\ncall-home\nprofile CiscoTAC-1\nno active\nend", "sh lic st | inc Status",
		"enable\nlicense smart register idtoken NjBmYzQ4ZjgtNTg3ZS00Y2I5LWEwNjgt", "show l", "show lic ?", "enable\nconfigure terminal\nip host x 1.2.3.4",
		"enable\nclock set 10:00:00 1 Jan 2020", "enable\nreload\n\nshow version", "enable\ncopy running-config startup-config\n",
		"enable\nconfigure terminal\ncrypto pki authenticate SLA-TrustPoint\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n\nyes",
		"show license status | begin (", "enable\ntelnet tools.cisco.com 443 /source-interface Gi0/0", "enable\ndo show clock",
		"enable\nconfigure terminal\nenable secret hush\nend\ndisable\nenable\nnope\nhush", "enable\nconfigure terminal\nhostname x\nend\nreload\n\nyes\n",
		"enable\nconfigure terminal\nhostname x\nend\ninstall add file flash:cat9k_iosxe.17.03.03.SPA.bin activate commit\nmaybe\nq",
		"enable\nconfigure terminal\ncrypto key generate rsa label SLA-KeyPair\nyes\n100\n\n", "enable\ntelnet tools.cisco.com 443 /vrf Mgmt-vrf",
		"enable\nconfigure terminal\nno crypto pki trustpoint SLA-TrustPoint\n\nyes", "show users", "show history", "enable\ndir flash:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		l, err := scenario.NewLab(1)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ios.NewConsole(l.World, l.Device)
		if err != nil {
			t.Fatal(err)
		}
		// Six lines an input: each rejected line costs two world saves,
		// and more inputs explore more than longer ones (about 1,400
		// inputs a second on the 2-core machine).
		lines := strings.Split(script, "\n")
		if len(lines) > 6 {
			lines = lines[:6]
		}
		// The world as it stands, saved: after a rejected line it is the
		// same, so the save after one is the save before the next.
		var before []byte
		for _, line := range lines {
			if before == nil {
				if before, err = l.World.Save(); err != nil {
					t.Fatal(err)
				}
			}
			prompt, pending := c.Prompt(), c.Pending()
			out := c.Exec(line)
			if pending || !isRejection(out) {
				before = nil
				continue
			}
			after, err := l.World.Save()
			if err != nil {
				t.Fatal(err)
			}
			if string(before) != string(after) {
				t.Fatalf("rejected line %q changed the world", line)
			}
			if c.Prompt() != prompt {
				t.Fatalf("rejected line %q changed the mode: %q → %q", line, prompt, c.Prompt())
			}
		}
	})
}

// isRejection tells whether out is IOS's rejection of a line.
func isRejection(out string) bool {
	if !strings.HasPrefix(strings.TrimLeft(out, " ^\n"), "%") {
		return false
	}
	for _, r := range rejected {
		if strings.Contains(out, r) {
			return true
		}
	}
	return false
}
