package exercise

import (
	"embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

//go:embed data/*.exercise
var data embed.FS

var catalog = sync.OnceValues(func() ([]*Exercise, error) {
	names, err := data.ReadDir("data")
	if err != nil {
		return nil, err
	}
	var out []*Exercise
	for _, n := range names {
		b, err := data.ReadFile(path.Join("data", n.Name()))
		if err != nil {
			return nil, err
		}
		ex, err := Parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n.Name(), err)
		}
		out = append(out, ex)
	}
	slices.SortFunc(out, func(a, b *Exercise) int { return compareIDs(a.ID, b.ID) })
	return out, nil
})

// All lists the catalogue's exercises: the field guide's scenarios in the
// guide's order ("1", "1b", … "9"), then the others by name.
func All() ([]*Exercise, error) { return catalog() }

// Find returns a catalogue exercise by ID, or reads an exercise file when
// id names one (it holds a "/" or ends in ".exercise"): a trainer's copy.
func Find(id string) (*Exercise, error) {
	if strings.Contains(id, "/") || strings.HasSuffix(id, ".exercise") {
		return Load(id)
	}
	all, err := All()
	if err != nil {
		return nil, err
	}
	for _, ex := range all {
		if ex.ID == id {
			return ex, nil
		}
	}
	return nil, fmt.Errorf("no exercise %q (lab exercise list)", id)
}

// Load reads an exercise file.
func Load(file string) (*Exercise, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("exercise: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("exercise %s: not a regular file", file)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFile+1))
	if err != nil {
		return nil, fmt.Errorf("exercise %s: %w", file, err)
	}
	ex, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return ex, nil
}

// compareIDs orders "1" < "1b" < "2" < … < "10" < names.
func compareIDs(a, b string) int {
	na, ra := leadingNumber(a)
	nb, rb := leadingNumber(b)
	switch {
	case na >= 0 && nb < 0:
		return -1
	case na < 0 && nb >= 0:
		return 1
	case na != nb:
		return na - nb
	}
	return strings.Compare(ra, rb)
}

func leadingNumber(s string) (int, string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return -1, s
	}
	n, _ := strconv.Atoi(s[:i])
	return n, s[i:]
}

// Entry is one pod's run in a class report.
type Entry struct {
	Pod string `json:"pod"`
	Score
}

// WriteTable prints the entries as the instructor's class table (in
// English: a terminal aligns its columns by character).
func WriteTable(w io.Writer, entries []Entry) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "POD\tEXERCISE\tSOLVED\tVIRTUAL\tREAL\tHINTS\tWRONG\tCOMMANDS\tLAST COMMAND")
	for _, e := range entries {
		state := map[bool]string{true: "yes", false: "no"}[e.Solved]
		if e.GaveUp {
			state = "gave up"
		}
		real := "-"
		if e.Real > 0 {
			real = e.Real.Round(time.Second).String()
		}
		last := ""
		if len(e.Last) > 0 {
			last = e.Last[len(e.Last)-1]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", e.Pod, e.Exercise, state, e.Virtual.Round(time.Second), real,
			e.Hints, e.WrongFixes, e.Commands, last)
	}
	return tw.Flush()
}

// WriteCSV writes the entries as CSV, one row a pod, durations in seconds.
func WriteCSV(w io.Writer, entries []Entry) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"pod", "exercise", "device", "solved", "gave_up", "virtual_seconds", "real_seconds", "hints", "wrong_fixes", "wrong", "commands", "checks", "missed_events"})
	for _, e := range entries {
		cw.Write([]string{e.Pod, e.Exercise, e.Device, strconv.FormatBool(e.Solved), strconv.FormatBool(e.GaveUp),
			strconv.FormatInt(int64(e.Virtual/time.Second), 10), strconv.FormatInt(int64(e.Real/time.Second), 10),
			strconv.Itoa(e.Hints), strconv.Itoa(e.WrongFixes), strings.Join(e.Wrong, "; "), strconv.Itoa(e.Commands),
			strconv.Itoa(e.Checks), strconv.FormatUint(e.Missed, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the entries as a JSON array.
func WriteJSON(w io.Writer, entries []Entry) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if entries == nil {
		entries = []Entry{}
	}
	return enc.Encode(entries)
}
