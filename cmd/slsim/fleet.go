package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/fleet"
	"github.com/slsim/slsim/internal/atomicfile"
)

func newFleetCmd() *cobra.Command {
	var (
		estate, schedule, out, startS string
		devices, accounts, years      int
		shards                        int
		seed                          uint64
		quiet                         bool
		cpuprofile                    string
	)
	cmd := &cobra.Command{
		Use:   "fleet",
		Short: "Run an estate for years of virtual time and report states, alerts and license balance",
		Long: "fleet runs an estate file (see docs/counting.md; all devices in ACME/DEFAULT) with an optional\n" +
			"schedule file (see docs/fleet.md), or a synthetic estate of --devices switches, for --years.\n" +
			"It writes days.csv, entered.csv, alerts.csv, supply.csv, report.json and states.svg to --out\n" +
			"and prints a summary.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			start, err := time.Parse(time.DateOnly, startS)
			if err != nil {
				return fmt.Errorf("--start %q: want YYYY-MM-DD", startS)
			}
			if years < 1 || years > 20 {
				return fmt.Errorf("--years %d: want 1 to 20", years)
			}
			var spec fleet.Spec
			switch {
			case estate != "":
				e, p, err := readEstate(estate)
				if err != nil {
					return err
				}
				spec = fleet.Spec{Start: start, Duration: time.Duration(years) * 365 * agent.Day, Seed: seed}
				spec.Devices, spec.Pools = fleet.FromEstate(e, p, "ACME", "DEFAULT")
			case devices > MaxFleetDevices:
				return fmt.Errorf("--devices %d: at most %d", devices, MaxFleetDevices)
			case devices > 0:
				spec = fleet.Synthetic(devices, max(1, accounts), start, years, seed)
			default:
				return fmt.Errorf("give --estate FILE or --devices N")
			}
			if schedule != "" {
				f, err := atomicfile.Open(schedule, atomicfile.MaxRead)
				if err != nil {
					return err
				}
				evs, err := fleet.ParseSchedule(f, "ACME", "DEFAULT")
				f.Close()
				if err != nil {
					return fmt.Errorf("%s: %w", schedule, err)
				}
				spec.Schedule = append(spec.Schedule, evs...)
			}
			// The reports' directory is checked before the run, not after it.
			if err := writable(out); err != nil {
				return fmt.Errorf("--out %s: %w", out, err)
			}
			spec.Shards = shards
			errOut := cmd.ErrOrStderr()
			if !quiet {
				last := -1
				spec.Progress = func(done float64) {
					if pct := int(done * 100); pct != last {
						last = pct
						fmt.Fprintf(errOut, "\r[%-50s] %3d%%", strings.Repeat("#", pct/2), pct)
					}
				}
			}
			if cpuprofile != "" {
				stop, err := startCPUProfile(cpuprofile)
				if err != nil {
					return err
				}
				defer stop()
			}
			began := time.Now() // the CLI's wall clock, for the user; the run itself is virtual time
			r, err := fleet.Run(spec)
			ran := time.Since(began)
			if !quiet {
				fmt.Fprintln(errOut)
			}
			if err != nil {
				return err
			}
			if err := writeReports(r, out); err != nil {
				return err
			}
			if !quiet {
				fmt.Fprintf(errOut, "ran in %.1f s (%.2f M events/s), reports written in %.1f s\n",
					ran.Seconds(), float64(r.Events)/ran.Seconds()/1e6, (time.Since(began) - ran).Seconds())
			}
			return summary(cmd.OutOrStdout(), r, out)
		},
	}
	cmd.Flags().StringVar(&estate, "estate", "", "estate file (devices and pool)")
	cmd.Flags().StringVar(&schedule, "schedule", "", "schedule file (outages, licenses, upgrades, removals)")
	cmd.Flags().IntVar(&devices, "devices", 0, "a synthetic estate of this many switches (instead of --estate)")
	cmd.Flags().IntVar(&accounts, "accounts", 10, "smart accounts of the synthetic estate")
	cmd.Flags().IntVar(&years, "years", 5, "virtual years to run")
	cmd.Flags().IntVar(&shards, "shards", min(runtime.GOMAXPROCS(0), 64), "goroutines (virtual accounts are handed out heaviest first; the same result as 1)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed")
	cmd.Flags().StringVar(&startS, "start", "2024-01-01", "virtual start date")
	cmd.Flags().StringVar(&out, "out", "fleet-report", "directory for the reports")
	cmd.Flags().BoolVar(&quiet, "quiet", false, "no progress bar")
	cmd.Flags().StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	return cmd
}

// startCPUProfile profiles the process into file until stop is called.
func startCPUProfile(file string) (stop func(), err error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// reportFiles are the files a fleet run writes, in the order the summary
// names them.
var reportFiles = []struct {
	name  string
	write func(*fleet.Report, io.Writer) error
}{
	{"days.csv", (*fleet.Report).WriteDaysCSV}, {"entered.csv", (*fleet.Report).WriteEnteredCSV},
	{"alerts.csv", (*fleet.Report).WriteAlertsCSV}, {"supply.csv", (*fleet.Report).WriteSupplyCSV},
	{"report.json", (*fleet.Report).WriteJSON}, {"states.svg", (*fleet.Report).WriteSVG},
}

// MaxFleetDevices bounds a synthetic fleet (about 1 KiB each: 10 GiB of
// memory at the bound). [model]
const MaxFleetDevices = 10_000_000

// writable makes dir if need be and checks that a file can be written in
// it.
func writable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".slsim-check-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// writeReports writes the report files side by side, each through its
// own buffer; errors are joined in reportFiles' order.
func writeReports(r *fleet.Report, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	errs := make([]error, len(reportFiles))
	var wg sync.WaitGroup
	for i, rf := range reportFiles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := writeFile(filepath.Join(dir, rf.name), func(w io.Writer) error { return rf.write(r, w) }); err != nil {
				errs[i] = fmt.Errorf("%s: %w", rf.name, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// writeFile creates file and writes it through a buffer.
func writeFile(file string, write func(io.Writer) error) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func summary(w io.Writer, r *fleet.Report, dir string) error {
	fmt.Fprintf(w, "%d devices, %d events, %d days\n\n", r.Devices, r.Events, len(r.Days))
	fmt.Fprintf(w, "%-24s %10s %10s %10s\n", "Authorization", "first day", "last day", "max")
	first, last := r.Days[0], r.Days[len(r.Days)-1]
	for i, s := range fleet.AuthStates() {
		peak := 0
		for _, d := range r.Days {
			peak = max(peak, d.Authorization[i])
		}
		fmt.Fprintf(w, "%-24s %10d %10d %10d\n", s, first.Authorization[i], last.Authorization[i], peak)
	}
	counts := map[string]int{}
	for _, a := range r.Alerts {
		counts[a.Type]++
	}
	fmt.Fprintln(w, "\nCSSM alerts:")
	for _, t := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(w, "  %-40s %d\n", t, counts[t])
	}
	fmt.Fprintf(w, "\nReports in %s/:", dir)
	for _, rf := range reportFiles {
		fmt.Fprintf(w, " %s", rf.name)
	}
	_, err := fmt.Fprintln(w)
	return err
}
