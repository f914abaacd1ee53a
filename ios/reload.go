package ios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slsim/slsim/device"
)

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

// generateRSA is `crypto key generate rsa [general-keys] [exportable]
// label SLA-KeyPair [modulus <512-4096>]`, asking as IOS does: whether to
// replace the keys of that name, then the modulus when none was given.
func generateRSA(c *Console, a []string) (string, error) {
	f := strings.Fields(a[0])
	label, modulus, exportable := "", 0, false
	for i := 0; i < len(f); i++ {
		switch strings.ToLower(f[i]) {
		case "general-keys":
		case "exportable":
			exportable = true
		case "label":
			if i+1 >= len(f) {
				return "", errIncomplete
			}
			i++
			label = f[i]
		case "modulus":
			if i+1 >= len(f) {
				return "", errIncomplete
			}
			i++
			n, err := strconv.Atoi(f[i])
			if err != nil || n < 512 || n > 4096 {
				return "", &badArg{f[i]}
			}
			modulus = n
		default:
			return "", &badArg{f[i]}
		}
	}
	if !strings.EqualFold(label, "SLA-KeyPair") {
		return "", fmt.Errorf("%% only the SLA-KeyPair label is simulated")
	}
	generate := func(bits int) string {
		if err := c.w.RegenerateKey(c.dev); err != nil {
			return errLine(err).Error() + "\n"
		}
		kind := "non-exportable"
		if exportable {
			kind = "exportable"
		}
		return fmt.Sprintf("%% Generating %d bit RSA keys, keys will be %s...\n[OK] (elapsed time was 1 seconds)\n", bits, kind)
	}
	size := func() string {
		if modulus > 0 {
			return fmt.Sprintf("%% The key modulus size is %d bits\n", modulus) + generate(modulus)
		}
		var ask func(string) string
		ask = func(line string) string {
			t := strings.TrimSpace(line)
			if t == "" {
				return generate(2048)
			}
			n, err := strconv.Atoi(t)
			if err != nil || n < 512 || n > 4096 {
				c.pending = ask
				return "% Invalid modulus size.\nHow many bits in the modulus [2048]: "
			}
			return generate(n)
		}
		c.pending = ask
		return "The name for the keys will be: SLA-KeyPair\n\nChoose the size of the key modulus in the range of 512 to 4096 for your\n" +
			"  General Purpose Keys. Choosing a key modulus greater than 512 may take\n  a few minutes.\n\nHow many bits in the modulus [2048]: "
	}
	if c.device().Running().SLAKeyPair == "" {
		return size(), nil
	}
	return askYesNo(c, "% You already have RSA keys defined named SLA-KeyPair.\n% Do you really want to replace them? [yes/no]: ", func(yes bool) string {
		if !yes {
			return ""
		}
		return size()
	}), nil
}

// noTrustpoint is `no crypto pki trustpoint <name>`: after IOS's warning
// and a yes, the trustpoint goes with its CA certificate (SLA-TrustPoint
// too: then nothing trusts CSSM's certificate).
func noTrustpoint(c *Console, a []string) (string, error) {
	name := a[0]
	run := c.device().Running()
	if run.Trustpoint(name) == nil {
		return "", &badArg{name}
	}
	return askYesNo(c, "% Removing an enrolled trustpoint will destroy all certificates\n received from the related Certificate Authority.\n\nAre you sure you want to do this? [yes/no]: ",
		func(yes bool) string {
			if !yes {
				return ""
			}
			_, err := configure("no crypto pki trustpoint "+name, func(_ *Console, cfg *device.Config, _ []string) error {
				cfg.Trustpoints = slices.DeleteFunc(cfg.Trustpoints, func(t device.Trustpoint) bool { return t.Name == name })
				return nil
			})(c, a)
			if err != nil {
				return errLine(err).Error() + "\n"
			}
			return "% Be sure to ask the CA administrator to revoke your certificates.\n"
		}), nil
}

// noLicenseLevel is `no license boot level`: the configured level goes,
// and the next boot keeps the level the device runs now. [model: which
// level an unconfigured Catalyst boots is not in slsim's sources]
func noLicenseLevel(c *Console, a []string) (string, error) {
	level := c.device().Topology().Level.String()
	if _, err := configure("no license boot level", func(_ *Console, cfg *device.Config, _ []string) error {
		cfg.LicenseLevel = level
		return nil
	})(c, a); err != nil {
		return "", err
	}
	return "% use 'write' command to make license boot config take effect on next boot\n", nil
}
