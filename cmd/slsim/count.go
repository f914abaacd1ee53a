package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slsim/slsim/internal/atomicfile"
	sw "github.com/slsim/slsim/stackwise"
)

// ExitShort is the exit status of `slsim count` when the estate (with a
// second file: the estate after) is short of licenses for at least one
// entitlement, so that a CI job can fail on it. Errors exit 1.
const ExitShort = 3

// exitError asks main for an exit status of its own.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// exitCode is the status main exits with after err.
func exitCode(err error) int {
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return 1
}

func newCountCmd() *cobra.Command {
	var tags bool
	var upgrades, converts, removes []string
	cmd := &cobra.Command{
		Use:   "count ESTATE [AFTER] | count --tags",
		Short: "Count the licenses an estate needs against its pool; with AFTER, what changes",
		Long: "count reads an estate file (devices, levels, versions and a pool; see docs/counting.md)\n" +
			"and prints demand, supply and shortfall per entitlement, with CSSM's name of each license.\n" +
			"Given a second file, it prints what differs between the two (members added, upgrades,\n" +
			"level changes). Pool lines may name a license by its entitlement tag or its CSSM name;\n" +
			"--tags lists the catalogue.\n\n" +
			fmt.Sprintf("Exit status: 0 when every entitlement is covered, %d when any is short (with AFTER:\n", ExitShort) +
			"in the estate after), 1 on an error.",
		Args: func(cmd *cobra.Command, args []string) error {
			if tags {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.RangeArgs(1, 2)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if tags {
				return printCatalogue(out)
			}
			if len(upgrades)+len(converts)+len(removes) > 0 {
				if len(args) != 1 {
					return errors.New("count: --upgrade, --convert and --remove take one estate file")
				}
				return whatIf(out, args[0], upgrades, converts, removes)
			}
			e, pool, err := readEstate(args[0])
			if err != nil {
				return err
			}
			if len(args) == 1 && e.PerAccount() {
				return printAccounts(out, e)
			}
			before, n := sw.Check(e.Demand(), pool), e.Len()
			last := before
			if len(args) == 1 {
				err = printReport(out, before, n)
			} else {
				after, _, aerr := report(args[1])
				if aerr != nil {
					return aerr
				}
				last = after
				err = printDiff(out, sw.Diff(before, after))
			}
			if err != nil {
				return err
			}
			if short := shortRows(last); short > 0 {
				return &exitError{code: ExitShort, msg: plural(short, "entitlement") + " short of licenses"}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&tags, "tags", false, "list the entitlement catalogue: tags, CSSM names, platforms, tiers")
	cmd.Flags().StringArrayVar(&upgrades, "upgrade", nil, `what-if: run a device on another release, "core-1=16.12.3" ("all=16.12.3" for every device); repeatable`)
	cmd.Flags().StringArrayVar(&converts, "convert", nil, `what-if: licenses added to the pool by a conversion (PAKs, DLC), "4 C3850-24 IP Services"; repeatable`)
	cmd.Flags().StringArrayVar(&removes, "remove", nil, `what-if: licenses taken from the pool (expired, moved away), "2 C9300-24 DNA Advantage"; repeatable`)
	return cmd
}

// whatIf prints an estate's report, then what upgrades, conversions and
// removed licenses change and the report after them; the exit status
// follows the estate after.
func whatIf(out io.Writer, path string, upgrades, converts, removes []string) error {
	e, pool, err := readEstate(path)
	if err != nil {
		return err
	}
	if pool == nil {
		pool = &sw.Pool{}
	}
	to := map[string]sw.Version{}
	for _, u := range upgrades {
		name, ver, ok := strings.Cut(u, "=")
		v, verr := sw.ParseVersion(ver)
		if !ok || verr != nil {
			return fmt.Errorf("count: --upgrade %q: want <device>=<release>, e.g. core-1=16.12.3", u)
		}
		if _, found := e.Device(name); !found && name != "all" {
			return fmt.Errorf("count: --upgrade %q: no device %s in %s", u, name, path)
		}
		to[name] = v
	}
	after := sw.NewEstate()
	for _, d := range e.Devices() {
		if v, ok := to["all"]; ok {
			d.Version = v
		}
		if v, ok := to[d.Name]; ok {
			d.Version = v
		}
		if err := after.Add(d); err != nil {
			return fmt.Errorf("count: --upgrade: %w", err)
		}
	}
	added := &sw.Pool{}
	for _, r := range pool.Lines() {
		if err := added.Set(r.Entitlement.Tag, int64(r.Count)); err != nil {
			return err
		}
	}
	for _, c := range converts {
		tag, n, err := poolChange("--convert", c)
		if err != nil {
			return err
		}
		if err := added.Set(tag, added.Get(tag)+n); err != nil {
			return fmt.Errorf("count: --convert %q: %w", c, err)
		}
	}
	for _, r := range removes {
		tag, n, err := poolChange("--remove", r)
		if err != nil {
			return err
		}
		if have := added.Get(tag); n > have {
			return fmt.Errorf("count: --remove %q: the pool holds %d %s", r, have, tag)
		}
		if err := added.Set(tag, added.Get(tag)-n); err != nil {
			return fmt.Errorf("count: --remove %q: %w", r, err)
		}
	}
	before, last := sw.Check(e.Demand(), pool), sw.Check(after.Demand(), added)
	if err := printReport(out, before, e.Len()); err != nil {
		return err
	}
	changes := slices.Concat(upgrades, converts)
	for _, r := range removes {
		changes = append(changes, "-"+r)
	}
	fmt.Fprintf(out, "\nafter %s:\n", strings.Join(changes, ", "))
	if err := printDiff(out, sw.Diff(before, last)); err != nil {
		return err
	}
	fmt.Fprintln(out)
	if err := printReport(out, last, after.Len()); err != nil {
		return err
	}
	if short := shortRows(last); short > 0 {
		return &exitError{code: ExitShort, msg: plural(short, "entitlement") + " short of licenses"}
	}
	return nil
}

// printAccounts prints, for an estate with a pool per virtual account,
// each account's devices against its own pool (CSSM does not lend one
// account's licenses to another), then the devices that name no account
// against the plain pool.
func printAccounts(out io.Writer, e *sw.Estate) error {
	vas := e.PoolVAs()
	for _, d := range e.Devices() {
		if a, _ := e.Account(d.Name); !slices.Contains(vas, a.VA) {
			vas = append(vas, a.VA)
		}
	}
	slices.Sort(vas)
	short := 0
	for i, va := range vas {
		if i > 0 {
			fmt.Fprintln(out)
		}
		if va == "" {
			fmt.Fprintln(out, "devices that name no virtual account, against the plain pool:")
		} else {
			fmt.Fprintf(out, "virtual account %s:\n", va)
		}
		r := sw.Check(e.DemandIn(va), e.PoolOf(va))
		if err := printReport(out, r, e.DevicesIn(va)); err != nil {
			return err
		}
		short += shortRows(r)
	}
	if short > 0 {
		return &exitError{code: ExitShort, msg: plural(short, "entitlement") + " short of licenses in their virtual accounts"}
	}
	return nil
}

func report(path string) (sw.Report, int, error) {
	e, p, err := readEstate(path)
	if err != nil {
		return sw.Report{}, 0, err
	}
	return sw.Check(e.Demand(), p), e.Len(), nil
}

// readEstate reads an estate file; errors name the file.
func readEstate(path string) (*sw.Estate, *sw.Pool, error) {
	f, err := atomicfile.Open(path, atomicfile.MaxRead)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	e, p, err := sw.Parse(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return e, p, nil
}

// plural is "1 device", "2 devices".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func shortRows(r sw.Report) int {
	short := 0
	for _, row := range r.Rows {
		if row.Shortfall > 0 {
			short++
		}
	}
	return short
}

// cssmName is the CSSM license name of a tag ("" if the catalogue lacks it).
func cssmName(tag string) string {
	e, err := sw.LookupEntitlement(tag)
	if err != nil {
		return ""
	}
	return e.CSSMName
}

// widths is the widest of each column, headers included.
func widths(rows [][]string) []int {
	w := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			w[i] = max(w[i], len(c))
		}
	}
	return w
}

func printReport(w io.Writer, r sw.Report, devices int) error {
	names := [][]string{{"Entitlement", "CSSM license"}}
	for _, row := range r.Rows {
		names = append(names, []string{row.Tag, cssmName(row.Tag)})
	}
	cw := widths(names)
	fmt.Fprintf(w, "%-*s  %-*s  %7s  %7s  %11s  %7s  %s\n", cw[0], "Entitlement", cw[1], "CSSM license", "Demand", "Supply", "From parent", "Short", "Status")
	for _, row := range r.Rows {
		fmt.Fprintf(w, "%-*s  %-*s  %7d  %7d  %11d  %7d  %s\n", cw[0], row.Tag, cw[1], cssmName(row.Tag), row.Demand, row.Supply, row.FromParent, row.Shortfall, row.Status())
	}
	_, err := fmt.Fprintf(w, "%s, %s, %d short\n", plural(devices, "device"), plural(len(r.Rows), "entitlement"), shortRows(r))
	return err
}

func printDiff(w io.Writer, changes []sw.Change) error {
	if len(changes) == 0 {
		_, err := fmt.Fprintln(w, "no change")
		return err
	}
	names := [][]string{{"Entitlement", "CSSM license"}}
	for _, c := range changes {
		names = append(names, []string{c.Tag, cssmName(c.Tag)})
	}
	cw := widths(names)
	fmt.Fprintf(w, "%-*s  %-*s  %13s  %13s  %13s\n", cw[0], "Entitlement", cw[1], "CSSM license", "Demand", "Supply", "Short")
	pair := func(a, b int64) string { return fmt.Sprintf("%d -> %d", a, b) }
	for _, c := range changes {
		fmt.Fprintf(w, "%-*s  %-*s  %13s  %13s  %13s\n", cw[0], c.Tag, cw[1], cssmName(c.Tag), pair(c.DemandBefore, c.DemandAfter), pair(c.SupplyBefore, c.SupplyAfter), pair(c.ShortBefore, c.ShortAfter))
	}
	return nil
}

// printCatalogue lists every entitlement a pool line may name.
func printCatalogue(w io.Writer) error {
	rows := [][]string{{"Entitlement", "CSSM license", "Platform", "Feature", "Kind", "Fulfilled by"}}
	for _, e := range sw.Entitlements() {
		rows = append(rows, []string{e.Tag, e.CSSMName, e.Platform.String(), e.Feature(), e.Kind(), e.Parent})
	}
	cw := widths(rows)
	for _, r := range rows {
		line := ""
		for i, c := range r[:len(r)-1] {
			line += fmt.Sprintf("%-*s  ", cw[i], c)
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(line+r[len(r)-1], " ")); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%s\n", plural(len(rows)-1, "entitlement"))
	return err
}

// poolChange reads a what-if pool change, "<quantity> <tag or CSSM name>".
func poolChange(flag, s string) (tag string, n int64, err error) {
	qty, name, ok := strings.Cut(strings.TrimSpace(s), " ")
	n, nerr := strconv.ParseInt(qty, 10, 64)
	if !ok || nerr != nil || n < 1 {
		return "", 0, fmt.Errorf("count: %s %q: want <quantity> <tag or CSSM name>", flag, s)
	}
	ent, err := sw.LookupTagOrName(strings.TrimSpace(name))
	if err != nil {
		return "", 0, fmt.Errorf("count: %s %q: %w", flag, s, err)
	}
	return ent.Tag, n, nil
}
