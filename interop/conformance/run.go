package conformance

import (
	"fmt"
	"strings"
	"time"
)

// ExpectedClose is Autobahn's expectedClose.
type ExpectedClose struct {
	ClosedByMe   bool  // the fuzzer is expected to start the closing handshake
	CloseCodes   []int // the peer's close code must be one of these, or absent
	RequireClean bool  // the closing handshake must complete
	// ClosedByWrongEndpointIsFatal turns a close by the wrong endpoint into
	// a FAILED behaviour (the UTF-8 cases: the peer did not notice).
	ClosedByWrongEndpointIsFatal bool
}

type outcome struct {
	grade  Grade
	events []Event
}

// Run is one execution of a case: Autobahn's Case instance.
type Run struct {
	c *Case
	p *session

	Received      []Event
	expected      []outcome // in the order the case gives them
	Close         ExpectedClose
	Behavior      Grade
	BehaviorClose Grade
	Result        string
	ResultClose   string
	SuppressClose bool
	ReportTime    bool

	notes    []string
	duration time.Duration
	// state for cases that keep some
	count    int
	dataPos  int    // categories 12 and 13: where the next message starts
	lastSent []byte // and the message awaiting its echo
}

// Expect adds an acceptable outcome: the events received must equal events.
func (r *Run) Expect(g Grade, events ...Event) {
	if events == nil {
		events = []Event{}
	}
	r.expected = append(r.expected, outcome{g, events})
}

func (r *Run) note(format string, args ...any) {
	if len(r.notes) < 8 {
		r.notes = append(r.notes, fmt.Sprintf(format, args...))
	}
}

func (r *Run) open() {
	r.Behavior = Failed
	r.BehaviorClose = Failed
	r.Result = "Actual events differ from any expected."
	r.ResultClose = "TCP connection was dropped without close handshake"
	r.c.Open(r, r.p)
}

func (r *Run) onMessage(payload []byte, binary bool) {
	if r.c.OnMessage != nil {
		r.c.OnMessage(r, r.p, payload, binary)
		return
	}
	r.Received = append(r.Received, Event{Kind: EvMessage, Payload: payload, Binary: binary})
	r.finishWhenDone()
}

func (r *Run) onPong(payload []byte) {
	r.Received = append(r.Received, Event{Kind: EvPong, Payload: append([]byte{}, payload...)})
	r.finishWhenDone()
}

// Timeout records that a wait elapsed with the connection still open.
func (r *Run) Timeout(tag string) {
	r.Received = append(r.Received, Event{Kind: EvTimeout, Payload: []byte(tag)})
}

// finishWhenDone starts the closing handshake when the events received match
// every expected outcome (in practice: the only one).
func (r *Run) finishWhenDone() {
	for _, o := range r.expected {
		if !eventsEqual(r.Received, o.events) {
			return
		}
	}
	if r.Close.ClosedByMe && !r.SuppressClose {
		r.p.SendClose(r.Close.CloseCodes[0], "")
	}
}

// connectionLost grades the case, as Autobahn's Case.onConnectionLost.
func (r *Run) connectionLost() {
	for _, o := range r.expected {
		if eventsEqual(r.Received, o.events) {
			r.Behavior = o.grade
			r.Result = "Actual events match at least one expected."
			break
		}
	}
	p := r.p
	switch {
	case r.Close.ClosedByMe != p.closedByMe:
		r.BehaviorClose = Failed
		r.ResultClose = "The connection was failed by the wrong endpoint"
	case r.Close.RequireClean && !p.wasClean:
		r.BehaviorClose = Unclean
		r.ResultClose = "The spec requires the connection to be failed cleanly here"
	case p.remoteCloseCode >= 0 && !containsInt(r.Close.CloseCodes, p.remoteCloseCode):
		r.BehaviorClose = WrongCode
		r.ResultClose = fmt.Sprintf("The close code should have been %s or empty", joinInts(r.Close.CloseCodes))
	case !p.isServer && p.droppedByMe:
		r.BehaviorClose = FailedByClient
		r.ResultClose = "It is preferred that the server close the TCP connection"
	default:
		r.BehaviorClose = OK
		r.ResultClose = "Connection was properly closed"
	}
	if r.Close.ClosedByWrongEndpointIsFatal && r.Close.ClosedByMe != p.closedByMe {
		r.Behavior = Failed
	}
	if r.c.Lost != nil {
		r.c.Lost(r, p)
	}
}

// wrongCodeFails is the rule of the close cases of category 7: a wrong close
// code fails the case.
func wrongCodeFails(r *Run, _ *session) {
	if r.BehaviorClose == WrongCode {
		r.Behavior = Failed
		r.Result = r.ResultClose
	}
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

func (r *Run) result(role string) *Result {
	p := r.p
	var exp []string
	for _, o := range r.expected {
		exp = append(exp, fmt.Sprintf("%s: %s", o.grade, eventsString(o.events)))
	}
	res := &Result{
		ID:                r.c.ID,
		Role:              role,
		Description:       r.c.Desc,
		Expectation:       r.c.Expect,
		Behavior:          r.Behavior,
		BehaviorClose:     r.BehaviorClose,
		Reason:            r.Result,
		ReasonClose:       r.ResultClose,
		Duration:          r.duration,
		ReportTime:        r.ReportTime,
		Received:          r.Received,
		Expected:          strings.Join(exp, "; "),
		ClosedByMe:        p.closedByMe,
		FailedByMe:        p.failedByMe,
		DroppedByMe:       p.droppedByMe,
		WasClean:          p.wasClean,
		WasNotCleanReason: p.wasNotCleanReason,
		RemoteCloseCode:   p.remoteCloseCode,
		LocalCloseCode:    p.localCloseCode,
		Messages:          r.count,
	}
	if p.rxInflated > 0 {
		res.PeerCompression = float64(p.rxWire) / float64(p.rxInflated)
	}
	if p.pmd != nil {
		res.Deflate = p.pmd.header
	}
	if len(r.notes) > 0 {
		res.WasNotCleanReason = strings.TrimSpace(res.WasNotCleanReason + " " + strings.Join(r.notes, "; "))
	}
	return res
}

// Case is one test case: Autobahn's case class, in Go.
type Case struct {
	ID     string
	Desc   string
	Expect string
	// Limit bounds the case; past it the connection is dropped.
	Limit time.Duration
	// Open runs when the connection is open: it sets the expectations
	// and sends the case's frames.
	Open func(r *Run, p *session)
	// OnMessage, if set, replaces the default handling of a message
	// (record it and close when the expectation is met).
	OnMessage func(r *Run, p *session, payload []byte, binary bool)
	// Lost, if set, runs after the standard grading.
	Lost func(r *Run, p *session)
	// Deflate, if set, makes the case negotiate permessage-deflate.
	Deflate *DeflateSpec
}

// Category returns the case's first number, "1" for "1.2.3".
func (c *Case) Category() string {
	i := strings.IndexByte(c.ID, '.')
	if i < 0 {
		return c.ID
	}
	return c.ID[:i]
}
