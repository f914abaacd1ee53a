package collect

import (
	"bytes"
	"fmt"
	"io"

	sw "github.com/slsim/slsim/stackwise"
)

// Write writes devices as an estate file (package stackwise's format),
// in the order given, each after a comment naming the files it came from,
// then the pool when there is one.
func Write(w io.Writer, devs []Device, pool *sw.Pool) error {
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
	if pool != nil && len(pool.Lines()) > 0 {
		b.WriteString("# the licenses exports, summed over their virtual accounts\n")
		if err := sw.Format(&b, nil, pool); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}
