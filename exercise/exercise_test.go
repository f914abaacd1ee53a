package exercise_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/exercise"
	"github.com/slsim/slsim/lab"
)

// consoleErrors are what a typo in a transcript prints.
var consoleErrors = []string{"% Invalid input", "% Incomplete command", "% Ambiguous command", "% lab: ", "% Unknown command"}

// TestExerciseTranscripts runs, for each exercise of the catalogue,
// testdata/<id>.txt: a solution transcript that the checker passes and at
// least one wrong-fix transcript that it refuses, naming why.
//
//	start             a new lab session, the exercise started on it
//	type              the lines typed (answers "ok", or the lines that failed)
//	check | hint | give-up | report   the lab exercise controls
//	score             the run's counts
func TestExerciseTranscripts(t *testing.T) {
	all, err := exercise.All()
	require.NoError(t, err)
	for _, ex := range all {
		t.Run(ex.ID, func(t *testing.T) {
			path := filepath.Join("testdata", ex.ID+".txt")
			_, err := os.Stat(path)
			require.NoError(t, err, "each exercise has its transcripts")
			var s *lab.Session
			solved, refused := 0, 0
			datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
				lang := exercise.English
				if d.HasArg("ja") {
					lang = exercise.Japanese
				}
				switch d.Cmd {
				case "start":
					s, err = lab.New(1)
					require.NoError(t, err)
					s.SetLanguage(lang)
					return s.Exec("lab exercise start " + ex.ID)
				case "type":
					var bad strings.Builder
					for _, line := range strings.Split(d.Input, "\n") {
						out := s.Exec(line)
						for _, e := range consoleErrors {
							if strings.Contains(out, e) {
								fmt.Fprintf(&bad, "%s\n%s", line, out)
								break
							}
						}
					}
					if bad.Len() > 0 {
						return bad.String()
					}
					return "ok\n"
				case "check":
					s.SetLanguage(lang)
					out := s.Exec("lab exercise check")
					switch {
					case strings.HasPrefix(out, "solved\n"), strings.HasPrefix(out, "解決しました\n"):
						solved++
					default:
						refused++
					}
					return out
				case "hint", "give-up", "report":
					s.SetLanguage(lang)
					return s.Exec("lab exercise " + d.Cmd)
				case "score":
					sc := s.Run().Score(s.Console().World().Now(), s.Console().World().Now())
					return fmt.Sprintf("solved=%t gave-up=%t hints=%d wrong=%d %v commands=%d checks=%d\n",
						sc.Solved, sc.GaveUp, sc.Hints, sc.WrongFixes, sc.Wrong, sc.Commands, sc.Checks)
				}
				t.Fatalf("unknown command %q", d.Cmd)
				return ""
			})
			assert.Positive(t, solved, "a solution the checker passes")
			assert.Positive(t, refused, "a wrong fix the checker refuses")
		})
	}
}
