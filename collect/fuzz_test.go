package collect_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/slsim/slsim/collect"
	sw "github.com/slsim/slsim/stackwise"
)

// Whatever a file holds, the import neither panics nor writes an estate
// that does not parse back.
func FuzzAddText(f *testing.F) {
	for _, p := range []string{"testdata/real/genie-c9500-48y4c-svl-17.3.3.txt", "testdata/real/classic-status-authorized.txt"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("sw1#show version\nCisco IOS XE Software, Version 16.12.03\nsw1 uptime is 1 minute\nnetwork-advantage Smart License network-advantage\nModel Number : C9300-24P\nSystem Serial Number : FOC1\n"))
	f.Add([]byte("a#sh ver\nb>show inv\nNAME: \"Chassis\", DESCR: \"x\"\nPID: C9407R , VID: V01 , SN: FXS1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		im := collect.NewImporter()
		if err := im.AddText("f", data); err != nil {
			return
		}
		devs, _ := im.Result()
		var b bytes.Buffer
		if err := collect.Write(&b, devs, nil); err != nil {
			t.Fatalf("write: %v", err)
		}
		e, _, err := sw.Parse(&b)
		if err != nil {
			t.Fatalf("the estate written does not parse: %v\n%s", err, b.String())
		}
		if e.Len() != len(devs) {
			t.Fatalf("%d devices written, %d read", len(devs), e.Len())
		}
	})
}
