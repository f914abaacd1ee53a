package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slsim/slsim/collect"
	"github.com/slsim/slsim/internal/atomicfile"
)

// ExitSkipped is the exit status of `slsim estate import` when some
// devices were read but not imported (each named on standard error with
// the reason); the estate of the others is still written.
const ExitSkipped = 4

// maxImportFiles bounds the files one import reads.
const maxImportFiles = 100000

func newEstateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "estate",
		Short: "Build an estate file from what network tools collected",
	}
	var csvs []string
	imp := &cobra.Command{
		Use:   "import [--cssm-csv FILE]... FILE|DIR...",
		Short: "Read saved show outputs and Ansible results into an estate (on standard output)",
		Long: "import reads text files of command outputs (show version, show inventory, show license\n" +
			"status/summary/udi, with or without the prompt and command line, as netmiko scripts save\n" +
			"them) and Ansible's JSON results (the per-host files of ansible --tree, ios_command or\n" +
			"ios_facts), and directories of them, and writes the devices found as an estate file:\n" +
			"hostname, release, members and serials, license level, and the registration state and\n" +
			"virtual account where show license status was collected. Devices on IOS-XE 3.x, on 17.3.2\n" +
			"or later (Smart Licensing Using Policy), or not Catalyst 9200/9300/9400/9500/3650/3850 are\n" +
			"named on standard error with the reason, and the rest imported. --cssm-csv reads a licenses\n" +
			"export of CSSM (License, Virtual Account, Purchased columns) into the estate's pools, or a\n" +
			"product instances export (Serial Number, Virtual Account) into its devices' accounts.\n\n" +
			fmt.Sprintf("Exit status: 0 when every device was imported, %d when some were skipped, 1 on an error\n", ExitSkipped) +
			"(a file that cannot be read, with its name).",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return importEstate(cmd.OutOrStdout(), cmd.ErrOrStderr(), args, csvs)
		},
	}
	imp.Flags().StringArrayVar(&csvs, "cssm-csv", nil, "a licenses export of CSSM (the estate's pools) or a product instances export (its devices' accounts); repeatable")
	cmd.AddCommand(imp)
	return cmd
}

// importEstate reads the files and directories named and writes the
// estate.
func importEstate(out, errOut io.Writer, paths, csvs []string) error {
	var files []string
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			// A directory's CSV files are CSSM's exports, read with
			// --cssm-csv, not show outputs.
			if d.Type().IsRegular() && (path == p || !strings.EqualFold(filepath.Ext(path), ".csv")) {
				files = append(files, path)
			}
			if len(files) > maxImportFiles {
				return fmt.Errorf("more than %d files", maxImportFiles)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("estate import: %w", err)
		}
	}
	im := collect.NewImporter()
	for _, f := range files {
		data, err := atomicfile.Read(f, collect.MaxInput)
		if err != nil {
			return fmt.Errorf("estate import: %w", err)
		}
		if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
			err = im.AddAnsible(f, data)
		} else {
			err = im.AddText(f, data)
		}
		if err != nil {
			return fmt.Errorf("estate import: %w", err)
		}
	}
	var lines []collect.PoolLine
	var instances []collect.Instance
	for _, c := range csvs {
		data, err := atomicfile.Read(c, collect.MaxInput)
		if err != nil {
			return fmt.Errorf("estate import: %w", err)
		}
		if collect.IsInstancesCSV(data) {
			in, err := collect.ReadInstancesCSV(c, data)
			if err != nil {
				return fmt.Errorf("estate import: %w", err)
			}
			instances = append(instances, in...)
			continue
		}
		l, err := collect.ReadLicensesCSV(c, data)
		if err != nil {
			return fmt.Errorf("estate import: %w", err)
		}
		lines = append(lines, l...)
	}
	pools, err := collect.Pools(lines)
	if err != nil {
		return fmt.Errorf("estate import: %w", err)
	}
	devs, skipped := im.Result()
	for _, in := range collect.MarkRegistered(devs, instances) {
		fmt.Fprintf(errOut, "product instance %s (%s, SN %s) in %s: no collected device has that serial\n", in.Name, in.PID, in.SN, in.VA)
	}
	if err := collect.Write(out, devs, pools); err != nil {
		return fmt.Errorf("estate import: %w", err)
	}
	for _, s := range skipped {
		fmt.Fprintf(errOut, "skipped %s (%s): %s\n", s.Name, s.Source, s.Reason)
	}
	if len(skipped) > 0 {
		return &exitError{code: ExitSkipped, msg: fmt.Sprintf("%d of %d devices skipped", len(skipped), len(skipped)+len(devs))}
	}
	return nil
}
