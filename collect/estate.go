package collect

import (
	"bytes"
	"fmt"
	"io"

	sw "github.com/slsim/slsim/stackwise"
)

// Write writes devices as an estate file (package stackwise's format),
// in the order given, each after a comment naming the files it came from,
// then the pools (Pools): a plain one, or one section per virtual
// account.
func Write(w io.Writer, devs []Device, pools map[string]*sw.Pool) error {
	var b bytes.Buffer
	for _, d := range devs {
		e := sw.NewEstate()
		if err := e.Add(d.Device); err != nil {
			return fmt.Errorf("%s: %w", d.Source, err)
		}
		e.SetAccount(d.Device.Name, d.Account)
		fmt.Fprintf(&b, "# from %s\n", d.Source)
		if err := sw.Format(&b, e, nil); err != nil {
			return err
		}
	}
	switch {
	case len(pools) == 1 && pools[""] != nil:
		if len(pools[""].Lines()) > 0 {
			b.WriteString("# the licenses exports\n")
			if err := sw.Format(&b, nil, pools[""]); err != nil {
				return err
			}
		}
	case len(pools) > 0:
		e := sw.NewEstate()
		for va, p := range pools {
			e.SetPool(va, p)
		}
		b.WriteString("# the licenses exports, a pool per virtual account\n")
		if err := sw.Format(&b, e, nil); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}
