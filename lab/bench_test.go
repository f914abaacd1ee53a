package lab_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/lab"
)

// BenchmarkShowLicenseStatusAged times `show license status` on the lab
// switch of a world that has run 0, 1, 10 and 40 virtual years (registered
// and renewing): a view computed from state costs the same at any age.
func BenchmarkShowLicenseStatusAged(b *testing.B) {
	for _, years := range []int{0, 1, 10, 40} {
		b.Run(fmt.Sprintf("years=%d", years), func(b *testing.B) {
			s, err := lab.New(1)
			require.NoError(b, err)
			for _, l := range []string{"enable", "license smart register idtoken $TOKEN", "lab advance 1m", "write memory"} {
				s.Exec(l)
			}
			for range years {
				s.Exec("lab advance 365d")
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if out := s.Exec("show license status"); !strings.HasPrefix(out, "Smart Licensing is ENABLED") {
					b.Fatalf("short output: %q", out)
				}
			}
		})
	}
}
