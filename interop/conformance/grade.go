package conformance

import (
	"bytes"
	"fmt"
	"time"
)

// Grade is the outcome of a case, with Autobahn's names.
type Grade string

// Behavior grades.
const (
	OK            Grade = "OK"
	NonStrict     Grade = "NON-STRICT"
	Informational Grade = "INFORMATIONAL"
	Unimplemented Grade = "UNIMPLEMENTED"
	Failed        Grade = "FAILED"
)

// BehaviorClose grades that only the closing behaviour can get.
const (
	WrongCode      Grade = "WRONG CODE"
	Unclean        Grade = "UNCLEAN"
	FailedByClient Grade = "FAILED BY CLIENT"
)

// Passed reports whether a behaviour grade counts as passing: everything but
// FAILED. Autobahn's master report shows any other behaviour as "Fail".
func (g Grade) Passed() bool {
	switch g {
	case OK, NonStrict, Informational, Unimplemented:
		return true
	}
	return false
}

// ClosePassed reports whether a close-behaviour grade is not shown red in
// Autobahn's report: OK, INFORMATIONAL, FAILED BY CLIENT (shown as "almost")
// and WRONG CODE (shown as non-strict; the close cases of category 7 turn a
// wrong code into a FAILED behaviour themselves). FAILED and UNCLEAN are red.
func (g Grade) ClosePassed() bool {
	switch g {
	case OK, Informational, FailedByClient, WrongCode:
		return true
	}
	return false
}

// EventKind is the kind of an observed event.
type EventKind string

// The events a case records, as Autobahn's received list does.
const (
	EvMessage EventKind = "message"
	EvPong    EventKind = "pong"
	EvTimeout EventKind = "timeout"
)

// Event is one entry of a case's received or expected list.
type Event struct {
	Kind    EventKind
	Payload []byte // message or pong payload; the tag of a timeout
	Binary  bool   // messages only
}

func (e Event) equal(o Event) bool {
	return e.Kind == o.Kind && e.Binary == o.Binary && bytes.Equal(e.Payload, o.Payload)
}

// String describes the event in one line, with a payload preview.
func (e Event) String() string {
	p := e.Payload
	suffix := ""
	if len(p) > 24 {
		p = p[:24]
		suffix = fmt.Sprintf("...(%d bytes)", len(e.Payload))
	}
	switch e.Kind {
	case EvMessage:
		kind := "text"
		if e.Binary {
			kind = "binary"
		}
		return fmt.Sprintf("(message %s %q%s)", kind, p, suffix)
	default:
		return fmt.Sprintf("(%s %q%s)", e.Kind, p, suffix)
	}
}

func eventsEqual(a, b []Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].equal(b[i]) {
			return false
		}
	}
	return true
}

func eventsString(ev []Event) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range ev {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == 8 {
			fmt.Fprintf(&b, "... %d more", len(ev)-i)
			break
		}
		b.WriteString(e.String())
	}
	b.WriteByte(']')
	return b.String()
}

// Result is the graded outcome of one case against one target.
type Result struct {
	ID            string
	Role          string // "server" (the target is a server) or "client"
	Description   string
	Expectation   string
	Behavior      Grade
	BehaviorClose Grade
	Reason        string // Autobahn's "result": why Behavior is what it is
	ReasonClose   string // Autobahn's "resultClose"
	Duration      time.Duration
	ReportTime    bool // a performance case: the duration is the measurement

	Received []Event
	Expected string // the expected outcomes, for the report

	ClosedByMe, FailedByMe, DroppedByMe, WasClean bool
	WasNotCleanReason                             string
	RemoteCloseCode                               int // -1 when none
	LocalCloseCode                                int // -1 when none

	// Categories 12 and 13.
	Messages        int     // messages the fuzzer sent
	Deflate         string  // the agreed permessage-deflate response, "" if none
	PeerCompression float64 // the peer's compressed bytes over what they inflated to; 0 if none
}

// Failed reports whether the case counts as a failure of the target, as a red
// cell of Autobahn's report: its behaviour is FAILED, or its closing
// behaviour is FAILED or UNCLEAN.
func (r *Result) Failed() bool {
	return !r.Behavior.Passed() || !r.BehaviorClose.ClosePassed()
}
