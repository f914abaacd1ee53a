package sim

import (
	"fmt"
	"strconv"
	"time"

	"github.com/slsim/slsim/agent"
	"github.com/slsim/slsim/internal/ring"
)

// EventKind is what an event records. The set is closed: every producer in
// the world emits one of these, and every consumer switches on them.
type EventKind uint8

// The kinds of event.
const (
	EventAction  EventKind = iota + 1 // an operator's or program's action on a device or the world (Text)
	EventFault                        // a network change applied (Text)
	EventLog                          // a device's syslog or event-log line (Log, Stamp)
	EventState                        // a device's registration or authorization status changed (From, To)
	EventSend                         // a device sent a message (Message, Request, Peer: the URL)
	EventDeliver                      // a back end answered a message (Message, Request, Peer: the back end, Outcome)
	EventFail                         // the device's transport failed a message (Message, Request, Outcome: the reason)
	EventLost                         // a message got no answer (Message, Request, Outcome)
	EventAlert                        // CSSM raised or cleared an alert (Alert)
	EventSync                         // a satellite synchronised with CSSM, or failed to (Text)
	numEventKinds
)

var eventKindNames = [numEventKinds]string{"", "action", "fault", "log", "state", "send", "deliver", "fail", "lost", "alert", "sync"}

// String is the kind's name as trace lines print it ("log", "state", …).
func (k EventKind) String() string {
	if k == 0 || k >= numEventKinds {
		return "EventKind(" + strconv.Itoa(int(k)) + ")"
	}
	return eventKindNames[k]
}

// ParseEventKind reads a kind's name.
func ParseEventKind(s string) (EventKind, error) {
	for k := EventAction; k < numEventKinds; k++ {
		if eventKindNames[k] == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("event kind %q: not one of action, fault, log, state, send, deliver, fail, lost, alert, sync", s)
}

// MarshalText writes the kind's name.
func (k EventKind) MarshalText() ([]byte, error) {
	if k == 0 || k >= numEventKinds {
		return nil, fmt.Errorf("event kind %d: no such kind", k)
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads the kind's name.
func (k *EventKind) UnmarshalText(b []byte) error {
	v, err := ParseEventKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// State is a device's license status: its registration and authorization.
// The zero State is no status yet (before a device's first).
type State struct {
	Registration  agent.Registration  `json:"registration"`
	Authorization agent.Authorization `json:"authorization"`
}

// String is "REGISTERED / AUTHORIZED", as the trace prints it.
func (s State) String() string { return s.Registration.String() + " / " + s.Authorization.String() }

// AlertChange is a CSSM alert raised or cleared.
type AlertChange struct {
	ID       int    `json:"id"`
	Severity string `json:"severity"`
	Type     string `json:"type"`
	Message  string `json:"message,omitempty"`
	Cleared  bool   `json:"cleared,omitempty"`
}

// Event is one thing that happened in a world: a kind, a time, a source (a
// device's name, "cssm", a satellite's name, "world") and the kind's typed
// fields. Seq numbers the world's events from 1 in the order they were
// emitted; a cursor is a Seq. Text renders the event as the trace prints it.
type Event struct {
	Seq    uint64    `json:"seq"`
	Time   time.Time `json:"time"`
	Source string    `json:"source"`
	Kind   EventKind `json:"kind"`

	// EventLog: the line and the device's timestamp on it (device.LogStamp:
	// its clock at the time, which a later clock change does not alter).
	Log   *agent.LogEvent `json:"log,omitempty"`
	Stamp string          `json:"stamp,omitempty"`

	// EventState: the status before and after.
	From State `json:"from,omitzero"`
	To   State `json:"to,omitzero"`

	// EventSend, EventDeliver, EventFail, EventLost: the message's kind and
	// request number, the peer (the URL sent to, or the back end that
	// answered) and the outcome (the answer, or the failure's reason).
	Message string `json:"message,omitempty"`
	Request uint64 `json:"request,omitempty"`
	Peer    string `json:"peer,omitempty"`
	Outcome string `json:"outcome,omitempty"`

	// EventAlert.
	Alert *AlertChange `json:"alert,omitempty"`

	// EventAction, EventFault, EventSync, a failure the agent refused, and
	// events migrated from a version 1 save: what happened, in words.
	Note string `json:"note,omitempty"`
}

// Text renders what the event says, as the trace prints it after the time,
// source and kind.
func (e Event) Text() string {
	switch e.Kind {
	case EventLog:
		if e.Log != nil {
			return e.Log.Message()
		}
	case EventState:
		if e.To != (State{}) {
			return e.To.String()
		}
	case EventSend, EventDeliver, EventFail, EventLost:
		switch {
		case e.Message == "":
		case e.Kind == EventSend:
			return fmt.Sprintf("%s #%d to %s", e.Message, e.Request, e.Peer)
		case e.Kind == EventDeliver:
			return fmt.Sprintf("%s #%d → %s: %s", e.Message, e.Request, e.Peer, e.Outcome)
		default:
			return fmt.Sprintf("%s #%d: %s", e.Message, e.Request, e.Outcome)
		}
	case EventAlert:
		if a := e.Alert; a != nil {
			if a.Cleared {
				return "cleared " + a.Type
			}
			return a.Severity + " " + a.Type + ": " + a.Message
		}
	}
	return e.Note
}

// String formats the event as one trace line.
func (e Event) String() string {
	return e.Time.UTC().Format("2006-01-02T15:04:05Z") + " " + e.Source + " " + e.Kind.String() + " " + e.Text()
}

// LogLine is one line of a device's logging buffer.
type LogLine struct {
	Seq   uint64         `json:"seq"`
	Stamp string         `json:"stamp"`
	Line  agent.LogEvent `json:"line"`
}

// Text is the line as `show logging` prints it: "*Mar  4 10:00:00.000:
// %SMART_LIC-5-EVAL_START: Entering evaluation period".
func (l LogLine) Text() string { return l.Stamp + ": " + l.Line.Message() }

// size is what the line takes of the buffer: its text and a newline.
func (l LogLine) size() int {
	return len(l.Stamp) + 2 + len(l.Line.Facility) + len(l.Line.Mnemonic) + len(l.Line.Text) + 8
}

// DefaultLogBuffer is the size of a device's logging buffer, in bytes,
// when `logging buffered` does not set one: what Catalyst 9000 switches on
// IOS-XE 16.x/17.x print as "Log Buffer (102400 bytes)". [capture]
const DefaultLogBuffer = 102400

// DefaultWindow is how many of the world's latest events the stream keeps
// for cursors (the lab timeline, the portal, debug output). [model]
const DefaultWindow = 4096

// logBuffer is a device's logging buffer: the newest lines that fit in its
// size, as IOS's `logging buffered` keeps them.
type logBuffer struct {
	lines ring.Ring[LogLine]
	bytes int
	count uint64 // lines ever logged
}

func (b *logBuffer) push(l LogLine, size int) {
	b.count++
	b.lines.Push(l)
	b.bytes += l.size()
	b.trim(size)
}

// trim drops the oldest lines until the buffer fits in size bytes.
func (b *logBuffer) trim(size int) {
	for b.bytes > size {
		old, ok := b.lines.DropFront()
		if !ok {
			break
		}
		b.bytes -= old.size()
	}
}

// Cursor is a position in a world's event stream: the Seq of the last
// event its holder has read (0 before the first).
type Cursor uint64

// Head is the cursor after the latest event: a reader that starts there
// sees only what happens from now on.
func (w *World) Head() Cursor { return Cursor(w.lastSeq) }

// Events returns the events after cursor c that the window still holds,
// oldest first, the cursor to read from next time, and how many events
// after c the window no longer holds (the reader fell behind).
func (w *World) Events(c Cursor) (events []Event, next Cursor, missed uint64) {
	i := w.window.Search(func(e Event) bool { return e.Seq > uint64(c) })
	if first, ok := w.window.Front(); ok && first.Seq > uint64(c)+1 {
		missed = first.Seq - uint64(c) - 1
	} else if !ok && w.lastSeq > uint64(c) {
		missed = w.lastSeq - uint64(c)
	}
	return w.window.From(i), Cursor(w.lastSeq), missed
}

// Recent returns the latest n events the window holds, oldest first.
func (w *World) Recent(n int) []Event {
	return w.window.From(w.window.Len() - n)
}

// WindowLen is how many events the window holds now; Window is its bound.
func (w *World) WindowLen() int { return w.window.Len() }

// Window is the most events the world's stream keeps.
func (w *World) Window() int { return w.windowSize }

// Logs returns a device's logging buffer, oldest first.
func (w *World) Logs(device string) []LogLine {
	b := w.logs[device]
	if b == nil {
		return nil
	}
	return b.lines.Values()
}

// LogsAfter returns the lines of a device's logging buffer emitted after
// cursor c, oldest first: what a terminal with `terminal monitor` has not
// shown yet.
func (w *World) LogsAfter(device string, c Cursor) []LogLine {
	b := w.logs[device]
	if b == nil {
		return nil
	}
	return b.lines.From(b.lines.Search(func(l LogLine) bool { return l.Seq > uint64(c) }))
}

// LogCount is how many lines a device has logged, including those its
// buffer no longer holds.
func (w *World) LogCount(device string) uint64 {
	if b := w.logs[device]; b != nil {
		return b.count
	}
	return 0
}

// LogBufferSize is the size of a device's logging buffer in bytes: its
// `logging buffered` setting, DefaultLogBuffer when it has none, -1 when
// buffered logging is off (`no logging buffered`: nothing is kept).
func (w *World) LogBufferSize(device string) int {
	if d, ok := w.devs[device]; ok {
		if n := d.LogBufferSize(); n != 0 {
			return n
		}
	}
	return DefaultLogBuffer
}

// record gives an event its number, adds it to the window and, for a log
// line, to its device's buffer.
func (w *World) record(e Event) {
	w.lastSeq++
	e.Seq = w.lastSeq
	if e.Kind == EventLog && e.Log != nil {
		b := w.logs[e.Source]
		if b == nil {
			b = &logBuffer{}
			w.logs[e.Source] = b
		}
		b.push(LogLine{Seq: e.Seq, Stamp: e.Stamp, Line: *e.Log}, w.LogBufferSize(e.Source))
	}
	w.window.Push(e)
	for w.window.Len() > w.windowSize {
		w.window.DropFront()
	}
}

// emit records an event of the world's time with words for its text.
func (w *World) emit(src string, kind EventKind, text string) {
	w.record(Event{Time: w.now, Source: src, Kind: kind, Note: text})
}

// Select returns the events after cursor c that the window holds and keep
// accepts, oldest first, copying only those.
func (w *World) Select(c Cursor, keep func(*Event) bool) []Event {
	var out []Event
	for i := w.window.Search(func(e Event) bool { return e.Seq > uint64(c) }); i < w.window.Len(); i++ {
		if e := w.window.At(i); keep(&e) {
			out = append(out, e)
		}
	}
	return out
}

// Transport reports whether the event is a message's fate: sent,
// delivered, failed or lost.
func (k EventKind) Transport() bool {
	return k == EventSend || k == EventDeliver || k == EventFail || k == EventLost
}

// State is a device's license status as the stream last recorded it.
func (w *World) State(device string) State { return w.states[device] }
