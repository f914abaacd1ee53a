package device_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/device"
	"github.com/slsim/slsim/stackwise"
)

func TestImageVersion(t *testing.T) {
	v, err := device.ImageVersion("flash:cat9k_iosxe.16.12.03a.SPA.bin", stackwise.C9500)
	require.NoError(t, err)
	assert.Equal(t, stackwise.MustVersion("16.12.3a"), v)
	v, err = device.ImageVersion("bootflash:cat9k_iosxe.17.03.01.SPA.bin", stackwise.C9300)
	require.NoError(t, err)
	assert.Equal(t, stackwise.MustVersion("17.3.1"), v)
	for _, bad := range []string{"", "cat9k_iosxe.16.12.03.SPA.bin", "flash:cat9k_iosxe.16.6.1.SPA.bin", "flash:cat9k_iosxe.16.06.01.SPA.bin",
		"flash:cat3k_caa-universalk9.16.09.01.SPA.bin", "flash:cat9k_iosxe.16.12.03.SPA.bin.bak", "usb0:cat9k_iosxe.16.12.03.SPA.bin"} {
		_, err := device.ImageVersion(bad, stackwise.C9500)
		assert.ErrorIs(t, err, device.ErrBadImage, bad)
	}
}
