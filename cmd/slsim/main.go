// Command slsim is the Cisco Smart Licensing simulator's command line.
//
//	slsim run FILE          run a lab script (IOS commands and lab controls) and print the session
//	slsim lab               an interactive IOS-like console on a simulated switch
//	slsim serve             the lab world in real time, each switch answering SSH (docs/serve.md)
//	slsim demo [--seed N]   walk one switch through its licensing lifecycle on virtual time
//	slsim diagram           print the agent's mode graph as a Mermaid state diagram
//	slsim count ESTATE [AFTER]  licenses an estate needs against its pool, or what changes
//	                            (exit status 3 when licenses are short; --tags lists the catalogue)
//	slsim scenario [ID]     run a failure scenario of the field guide (list them without ID)
//	slsim fleet             run an estate for years and report states, alerts and license balance
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/cmd/slsim/internal/demo"
)

func main() {
	if err := newRoot(os.Stdout, os.Stderr).Execute(); err != nil {
		os.Exit(exitCode(err))
	}
}

func newRoot(out, errOut io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "slsim",
		Short: "A simulator of Cisco Smart Licensing on virtual time",
		Long: "slsim simulates the Smart Agent of Catalyst switches (IOS-XE 16.9 – 17.3.1), Cisco Smart\n" +
			"Software Manager and the license counting of Catalyst 9300/9400/9500, on virtual time:\n" +
			"years of timers in milliseconds, deterministically.",
		SilenceUsage: true,
	}
	root.SetOut(out)
	root.SetErr(errOut)

	var seed uint64
	demoCmd := &cobra.Command{
		Use:   "demo",
		Short: "Walk one switch through eval, registration, an outage, expiry, recovery and deregistration",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return demo.Run(cmd.OutOrStdout(), seed)
		},
	}
	demoCmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the retry jitter (same seed, same output)")

	diagramCmd := &cobra.Command{
		Use:   "diagram",
		Short: "Print the Smart Agent's mode graph as a Mermaid state diagram",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), agent.Diagram())
			return err
		},
	}
	root.AddCommand(demoCmd, diagramCmd, newCountCmd(), newEstateCmd(), newScenarioCmd(), newRunCmd(), newLabCmd(), newFleetCmd(), newServeCmd())
	return root
}
