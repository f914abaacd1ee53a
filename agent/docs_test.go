package agent_test

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
)

var update = flag.Bool("update", false, "rewrite the generated blocks of docs/agent.md")

const docPath = "../docs/agent.md"

// generated returns the blocks of docs/agent.md that come from code.
func generated() map[string]string {
	var tbl strings.Builder
	tbl.WriteString("| setting | default | source | what it is |\n|---|---|---|---|\n")
	for _, f := range agent.ProfileFields() {
		def := "see note"
		if f.Default != 0 {
			def = humanDuration(f.Default)
		}
		src := f.Source
		if src == agent.SourceModel {
			src = "**[model]**"
		}
		fmt.Fprintf(&tbl, "| `%s` | %s | %s | %s |\n", f.Name, def, src, f.Note)
	}
	return map[string]string{
		"diagram": "```mermaid\n" + agent.Diagram() + "```\n",
		"timers":  tbl.String(),
	}
}

func humanDuration(d time.Duration) string {
	switch {
	case d%agent.Day == 0:
		return fmt.Sprintf("%d d", d/agent.Day)
	case d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return fmt.Sprintf("%d s", d/time.Second)
}

// TestDocsUpToDate fails when the diagram or the timer table in
// docs/agent.md differs from what the code generates. Run
// `go test ./agent -run TestDocsUpToDate -update` to regenerate them.
func TestDocsUpToDate(t *testing.T) {
	raw, err := os.ReadFile(docPath)
	require.NoError(t, err)
	doc := string(raw)
	for name, want := range generated() {
		re := regexp.MustCompile(`(?s)(<!-- BEGIN generated ` + name + ` -->\n)(.*?)(<!-- END generated ` + name + ` -->)`)
		m := re.FindStringSubmatch(doc)
		require.NotNil(t, m, "docs/agent.md lacks the generated %s block", name)
		if *update {
			doc = re.ReplaceAllLiteralString(doc, m[1]+want+m[3])
			continue
		}
		require.Equal(t, want, m[2], "docs/agent.md %s block is out of date; run go test ./agent -run TestDocsUpToDate -update", name)
	}
	if *update {
		require.NoError(t, os.WriteFile(docPath, []byte(doc), 0o644))
	}
}
