package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	sw "github.com/slsim/slsim/stackwise"
)

func newCountCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "count ESTATE [AFTER]",
		Short: "Count the licenses an estate needs against its pool; with AFTER, what changes",
		Long: "count reads an estate file (devices, levels, versions and a pool; see docs/counting.md)\n" +
			"and prints demand, supply and shortfall per entitlement. Given a second file, it prints\n" +
			"what differs between the two (members added, upgrades, level changes).",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			before, n, err := report(args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(args) == 1 {
				return printReport(out, before, n)
			}
			after, _, err := report(args[1])
			if err != nil {
				return err
			}
			return printDiff(out, sw.Diff(before, after))
		},
	}
}

func report(path string) (sw.Report, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return sw.Report{}, 0, err
	}
	defer f.Close()
	e, p, err := sw.Parse(f)
	if err != nil {
		return sw.Report{}, 0, fmt.Errorf("%s: %w", path, err)
	}
	return sw.Check(e.Demand(), p), e.Len(), nil
}

func tagWidth(tags []string) int {
	w := len("Entitlement")
	for _, t := range tags {
		w = max(w, len(t))
	}
	return w
}

func printReport(w io.Writer, r sw.Report, devices int) error {
	tags := make([]string, len(r.Rows))
	for i, row := range r.Rows {
		tags[i] = row.Tag
	}
	tw := tagWidth(tags)
	fmt.Fprintf(w, "%-*s  %7s  %7s  %11s  %7s  %s\n", tw, "Entitlement", "Demand", "Supply", "From parent", "Short", "Status")
	short := 0
	for _, row := range r.Rows {
		fmt.Fprintf(w, "%-*s  %7d  %7d  %11d  %7d  %s\n", tw, row.Tag, row.Demand, row.Supply, row.FromParent, row.Shortfall, row.Status())
		if row.Shortfall > 0 {
			short++
		}
	}
	_, err := fmt.Fprintf(w, "%d devices, %d entitlements, %d short\n", devices, len(r.Rows), short)
	return err
}

func printDiff(w io.Writer, changes []sw.Change) error {
	if len(changes) == 0 {
		_, err := fmt.Fprintln(w, "no change")
		return err
	}
	tags := make([]string, len(changes))
	for i, c := range changes {
		tags[i] = c.Tag
	}
	tw := tagWidth(tags)
	fmt.Fprintf(w, "%-*s  %13s  %13s  %13s\n", tw, "Entitlement", "Demand", "Supply", "Short")
	pair := func(a, b int64) string { return fmt.Sprintf("%d -> %d", a, b) }
	for _, c := range changes {
		fmt.Fprintf(w, "%-*s  %13s  %13s  %13s\n", tw, c.Tag, pair(c.DemandBefore, c.DemandAfter), pair(c.SupplyBefore, c.SupplyAfter), pair(c.ShortBefore, c.ShortAfter))
	}
	return nil
}
