package device

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slsim/slsim/stackwise"
)

// MinSmartVersion is the first IOS-XE release whose Catalyst switches
// license with Smart Licensing only (16.9.1, the seed); slsim runs
// nothing older.
var MinSmartVersion = stackwise.FirstSmartVersion

// ErrBadImage refuses an image name slsim cannot boot.
var ErrBadImage = errors.New("invalid image")

var imageRE = regexp.MustCompile(`^(?:flash|bootflash):(cat9k_iosxe|cat3k_caa-universalk9)\.(\d{2})\.(\d{2})\.(\d{2})([a-z]?)\.SPA\.bin$`)

// ImageVersion reads the release of an IOS-XE image file name,
// "flash:cat9k_iosxe.16.12.03.SPA.bin" → 16.12.3, and checks that it
// boots on the platform (cat9k_iosxe for Catalyst 9000,
// cat3k_caa-universalk9 for 3650/3850) and supports Smart Licensing.
func ImageVersion(image string, p stackwise.Platform) (stackwise.Version, error) {
	m := imageRE.FindStringSubmatch(image)
	if m == nil {
		return stackwise.Version{}, fmt.Errorf("%w %q: want flash:cat9k_iosxe.MM.mm.rr.SPA.bin", ErrBadImage, image)
	}
	if want := imageFamily(p); m[1] != want {
		return stackwise.Version{}, fmt.Errorf("%w %q: a %s runs %s images", ErrBadImage, image, strings.ToUpper(p.String()), imageFamily(p))
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	v := stackwise.Version{Major: n(m[2]), Minor: n(m[3]), Rebuild: n(m[4]), Letter: m[5]}
	if v.Compare(MinSmartVersion) < 0 {
		return stackwise.Version{}, fmt.Errorf("%w %q: release %s predates Smart Licensing (16.9.1)", ErrBadImage, image, v)
	}
	return v, nil
}

// imageFamily is the image name's prefix for a platform: cat9k_iosxe on
// the Catalyst 9000, cat3k_caa-universalk9 on the 3650/3850.
func imageFamily(p stackwise.Platform) string {
	if p.Legacy() {
		return "cat3k_caa-universalk9"
	}
	return "cat9k_iosxe"
}

// Install is `install add file <image> activate commit`: the release is
// installed and the device reloads into it (install mode). On the way up
// the agent asks for the entitlements of the new release; the license
// configuration is kept.
func (d *Device) Install(now time.Time, image string) error {
	v, err := ImageVersion(image, d.topo.Platform())
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	if v.Compare(d.topo.Version) == 0 {
		return fmt.Errorf("install: %w: %s is the running release", ErrBadImage, v)
	}
	prev := d.topo.Version
	d.topo.Version = v
	if err := d.Reload(now); err != nil {
		d.topo.Version = prev
		return err
	}
	d.running.BootSystem, d.startup.BootSystem = "", "" // install mode boots packages.conf
	return nil
}

// bootVersion is the release the saved `boot system` names, if any.
func (d *Device) bootVersion() (stackwise.Version, bool) {
	if d.startup.BootSystem == "" {
		return stackwise.Version{}, false
	}
	v, err := ImageVersion(d.startup.BootSystem, d.topo.Platform())
	return v, err == nil
}

// BundleMode reports whether the device boots an image file named by
// `boot system` (bundle mode) rather than installed packages.
func (d *Device) BundleMode() bool { return d.running.BootSystem != "" }
