package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/slsim/slsim/scenario"
)

func newScenarioCmd() *cobra.Command {
	var seed uint64
	cmd := &cobra.Command{
		Use:   "scenario [ID]",
		Short: "Run one of the field guide's failure scenarios (cause, symptoms, fix) and print its transcript; list them without ID",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if len(args) == 0 {
				for _, s := range scenario.All() {
					fmt.Fprintf(out, "%-3s %s\n    cause: %s\n    fix:   %s\n", s.ID, s.Title, s.Cause, s.Fix)
				}
				return nil
			}
			s, ok := scenario.Find(args[0])
			if !ok {
				return fmt.Errorf("no scenario %q (run slsim scenario to list them)", args[0])
			}
			r, err := s.Run(seed)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(out, r.Text)
			return err
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the world (same seed, same transcript)")
	return cmd
}
