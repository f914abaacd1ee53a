package agent_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/license"
)

// Snapshots written by the release before (format version 1, in
// testdata/snapshot-v1-*.json) still load, and the restored agents go on
// exactly as that release's did: each .trace beside them was written by
// that release from the same snapshot — the status, then 120 deadlines
// with every third authorization failing, then the status again.
func TestVersion1SnapshotsLoad(t *testing.T) {
	files, err := filepath.Glob("testdata/snapshot-v1-*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	newField := regexp.MustCompile(` AuthorizationTime:.*? EvalRemaining:`) // version 2's field, not in the old traces
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			require.Contains(t, string(data), `"version": 1`)
			want, err := os.ReadFile(strings.TrimSuffix(f, ".json") + ".trace")
			require.NoError(t, err)
			a, err := agent.Restore(data)
			require.NoError(t, err)
			if s := a.Status(); !s.CommunicationDeadline.IsZero() {
				require.Equal(t, s.CommunicationDeadline, s.AuthorizationTime.Add(a.Profile().AuthValidity))
			}
			got := newField.ReplaceAllString(trace(a), " EvalRemaining:")
			if strings.Contains(string(data), `"noLogs": true`) { // that release kept no logs for it; this one does
				got = withoutLogs(got)
			}
			require.Equal(t, string(want), got)
			again, err := a.Snapshot()
			require.NoError(t, err)
			require.Contains(t, string(again), `"version": 2`)
		})
	}
}

func withoutLogs(s string) string {
	var keep []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(l, "log ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// trace runs a restored agent as the traces were written.
func trace(r *agent.Agent) string {
	out := fmt.Sprintf("%+v\n", r.Status())
	for _, m := range r.TakeMessages() {
		out += fmt.Sprintf("msg %+v\n", m)
	}
	for _, l := range r.TakeLogs() {
		out += fmt.Sprintf("log %s %s\n", l.Time.Format(time.RFC3339), l.Message())
	}
	end := r.Now().Add(400 * 24 * time.Hour)
	for i := 0; i < 120; i++ {
		d := r.NextDeadline()
		if d.IsZero() || d.After(end) {
			break
		}
		_ = r.Advance(d)
		for _, m := range r.TakeMessages() {
			out += fmt.Sprintf("%s msg %+v\n", d.Format(time.RFC3339), m)
			if au, ok := m.(license.Authorize); ok && i%3 == 0 {
				_ = r.Handle(d, license.Failure{ID: au.ID, Class: license.FailSend, Reason: "Fail to send out Call Home HTTP message."})
			}
		}
		for _, l := range r.TakeLogs() {
			out += fmt.Sprintf("log %s %s\n", l.Time.Format(time.RFC3339), l.Message())
		}
	}
	return out + fmt.Sprintf("%+v\n", r.Status())
}
