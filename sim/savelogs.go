package sim

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/slsim/slsim/agent"
)

// savedLogs is a device's logging buffer as a save file keeps it: each
// distinct message once (a switch logs the same few messages for years),
// and each line as [sequence number, Unix nanoseconds, stamp, message
// index]. A buffer of 600 renewal lines takes some 50 bytes a line
// instead of 300.
type savedLogs struct {
	Count    uint64           `json:"count"`    // lines ever logged (World.LogCount)
	Messages []agent.LogEvent `json:"messages"` // Time unset
	Lines    []savedLine      `json:"lines"`
}

type savedLine struct {
	Seq     uint64
	At      int64 // Unix nanoseconds
	Stamp   string
	Message int
}

func (l savedLine) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{l.Seq, l.At, l.Stamp, l.Message})
}

func (l *savedLine) UnmarshalJSON(b []byte) error {
	var a []json.RawMessage
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	if len(a) != 4 {
		return fmt.Errorf("a log line has %d fields, want 4 (sequence, time, stamp, message)", len(a))
	}
	for i, dst := range []any{&l.Seq, &l.At, &l.Stamp, &l.Message} {
		if err := json.Unmarshal(a[i], dst); err != nil {
			return fmt.Errorf("log line field %d: %w", i+1, err)
		}
	}
	return nil
}

// packLogs is a buffer in its saved form.
func packLogs(b *logBuffer) savedLogs {
	lines := b.lines.Values()
	out := savedLogs{Count: b.count, Messages: []agent.LogEvent{}, Lines: make([]savedLine, 0, len(lines))}
	index := map[agent.LogEvent]int{}
	for _, l := range lines {
		m := l.Line
		at := m.Time.UnixNano()
		m.Time = time.Time{}
		i, ok := index[m]
		if !ok {
			i = len(out.Messages)
			index[m] = i
			out.Messages = append(out.Messages, m)
		}
		out.Lines = append(out.Lines, savedLine{Seq: l.Seq, At: at, Stamp: l.Stamp, Message: i})
	}
	return out
}

// unpack is the buffer's lines again, each message checked.
func (s savedLogs) unpack() ([]LogLine, error) {
	out := make([]LogLine, 0, len(s.Lines))
	for _, l := range s.Lines {
		if l.Message < 0 || l.Message >= len(s.Messages) {
			return nil, fmt.Errorf("log line %d: message %d of %d", l.Seq, l.Message, len(s.Messages))
		}
		m := s.Messages[l.Message]
		m.Time = time.Unix(0, l.At).UTC()
		out = append(out, LogLine{Seq: l.Seq, Stamp: l.Stamp, Line: m})
	}
	return out, nil
}
