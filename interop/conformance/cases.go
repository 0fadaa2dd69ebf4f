package conformance

import (
	"fmt"
	"strings"
	"time"

	"github.com/wskit/wskit/frame"
)

// The case definitions follow the Autobahn|Testsuite's: the same frames,
// bytes, waits and expectations, case by case.

const (
	opCont   = frame.OpContinuation
	opText   = frame.OpText
	opBinary = frame.OpBinary
	opClose  = frame.OpClose
	opPing   = frame.OpPing
	opPong   = frame.OpPong
)

func msg(payload string, binary bool) Event {
	return Event{Kind: EvMessage, Payload: []byte(payload), Binary: binary}
}

func pong(payload string) Event { return Event{Kind: EvPong, Payload: []byte(payload)} }

func timeout(tag string) Event { return Event{Kind: EvTimeout, Payload: []byte(tag)} }

// Close expectations used again and again.
var (
	closeNormalByMe  = ExpectedClose{ClosedByMe: true, CloseCodes: []int{1000}, RequireClean: true}
	failedByPeer1002 = ExpectedClose{ClosedByMe: false, CloseCodes: []int{1002}}
	failedByPeer1007 = ExpectedClose{ClosedByMe: false, CloseCodes: []int{1007}, ClosedByWrongEndpointIsFatal: true}
)

const sec = time.Second

// AllCases returns the cases of categories 1–7, 9, 10, 12 and 13 in
// Autobahn's order.
func AllCases() []*Case {
	var cs []*Case
	cs = append(cs, framingCases()...)
	cs = append(cs, pingCases()...)
	cs = append(cs, rsvCases()...)
	cs = append(cs, opcodeCases()...)
	cs = append(cs, fragmentationCases()...)
	cs = append(cs, utf8Cases()...)
	cs = append(cs, closeCases()...)
	cs = append(cs, limitCases()...)
	cs = append(cs, autoFragCases()...)
	cs = append(cs, compressionCases()...)
	for _, c := range cs {
		if c.Limit == 0 {
			c.Limit = 15 * sec
		}
	}
	return cs
}

// ---- 1 Framing ----

func framingCases() []*Case {
	var cs []*Case
	sizes := []int{0, 125, 126, 127, 128, 65535, 65536, 65536}
	for k, bin := range []bool{false, true} {
		kind, fill, op := "text", "*", opText
		if bin {
			kind, fill, op = "binary", "\xfe", opBinary
		}
		for i, n := range sizes {
			payload := strings.Repeat(fill, n)
			chop := 0
			desc := fmt.Sprintf("Send %s message with payload of length %d.", kind, n)
			if i == 7 {
				chop = 997
				desc = fmt.Sprintf("Send %s message with payload of length %d. Sent out data in chops of 997 octets.", kind, n)
			}
			wait := 1 * sec
			if n > 128 {
				wait = 10 * sec
			}
			cs = append(cs, &Case{
				ID:     fmt.Sprintf("1.%d.%d", k+1, i+1),
				Desc:   desc,
				Expect: fmt.Sprintf("Receive echo'ed %s message (with payload as sent). Clean close with normal code.", kind),
				Open: func(r *Run, p *session) {
					r.Expect(OK, msg(payload, bin))
					r.Close = closeNormalByMe
					p.sendFrame(F{Op: op, Payload: []byte(payload), Chop: chop})
					p.KillAfter(wait)
				},
			})
		}
	}
	return cs
}

// ---- 2 Pings/Pongs ----

func pingCase(id, desc, payload string, chop int, wait time.Duration) *Case {
	return &Case{
		ID: id, Desc: desc,
		Expect: "Pong with payload echo'ed is sent in reply to Ping. Clean close with normal code.",
		Open: func(r *Run, p *session) {
			r.Expect(OK, pong(payload))
			r.Close = closeNormalByMe
			p.sendFrame(F{Op: opPing, Payload: []byte(payload), Chop: chop})
			p.CloseAfter(wait)
		},
	}
}

func pingCases() []*Case {
	tenPings := func(id string, chop int) *Case {
		return &Case{
			ID:     id,
			Desc:   "Send 10 Pings with payload." + map[bool]string{true: " Send out octets in octet-wise chops."}[chop > 0],
			Expect: "Pongs for our Pings with all the payloads. Note: This is not required by the Spec .. but we check for this behaviour anyway. Clean close with normal code.",
			Open: func(r *Run, p *session) {
				var ev []Event
				for i := range 10 {
					pl := fmt.Sprintf("payload-%d", i)
					ev = append(ev, pong(pl))
					p.sendFrame(F{Op: opPing, Payload: []byte(pl), Chop: chop})
				}
				r.Expect(OK, ev...)
				r.Close = closeNormalByMe
				p.CloseAfter(3 * sec)
			},
		}
	}
	return []*Case{
		pingCase("2.1", "Send ping without payload.", "", 0, sec),
		pingCase("2.2", "Send ping with small text payload.", "Hello, world!", 0, sec),
		pingCase("2.3", "Send ping with small binary (non UTF-8) payload.", "\x00\xff\xfe\xfd\xfc\xfb\x00\xff", 0, sec),
		pingCase("2.4", "Send ping with binary payload of 125 octets.", strings.Repeat("\xfe", 125), 0, sec),
		{
			ID: "2.5", Desc: "Send ping with binary payload of 126 octets.",
			Expect: "Connection is failed immediately (1002/Protocol Error), since control frames are only allowed to have payload up to and including 125 octets.",
			Open: func(r *Run, p *session) {
				r.Expect(OK)
				r.Close = failedByPeer1002
				p.sendFrame(F{Op: opPing, Payload: []byte(strings.Repeat("\xfe", 126))})
				p.KillAfter(sec)
			},
		},
		pingCase("2.6", "Send ping with binary payload of 125 octets, send in octet-wise chops.", strings.Repeat("\xfe", 125), 1, 2*sec),
		{
			ID: "2.7", Desc: "Send unsolicited pong without payload. Verify nothing is received. Clean close with normal code.",
			Expect: "Nothing.",
			Open: func(r *Run, p *session) {
				r.Expect(OK)
				r.Close = closeNormalByMe
				p.sendFrame(F{Op: opPong})
				p.SendClose(1000, "")
				p.CloseAfter(sec)
			},
		},
		{
			ID: "2.8", Desc: "Send unsolicited pong with payload. Verify nothing is received. Clean close with normal code.",
			Expect: "Nothing.",
			Open: func(r *Run, p *session) {
				r.Expect(OK)
				r.Close = closeNormalByMe
				p.sendFrame(F{Op: opPong, Payload: []byte("unsolicited pong payload")})
				p.SendClose(1000, "")
				p.CloseAfter(sec)
			},
		},
		{
			ID: "2.9", Desc: "Send unsolicited pong with payload. Send ping with payload. Verify pong for ping is received.",
			Expect: "Nothing in reply to own Pong, but Pong with payload echo'ed in reply to Ping. Clean close with normal code.",
			Open: func(r *Run, p *session) {
				r.Expect(OK, pong("ping payload"))
				r.Close = closeNormalByMe
				p.sendFrame(F{Op: opPong, Payload: []byte("unsolicited pong payload")})
				p.sendFrame(F{Op: opPing, Payload: []byte("ping payload")})
				p.CloseAfter(sec)
			},
		},
		tenPings("2.10", 0),
		tenPings("2.11", 1),
	}
}

// ---- 3 Reserved bits ----

// echoThenFail is the shape of several cases of categories 3 and 4: a valid
// text message, a bad frame, a ping. OK: the message is echoed before the
// connection is failed; NON-STRICT: the connection is failed before.
func echoThenFail(id, desc, expect string, bad F, chop int, sync bool) *Case {
	return &Case{
		ID: id, Desc: desc, Expect: expect,
		Open: func(r *Run, p *session) {
			const payload = "Hello, world!"
			r.Expect(OK, msg(payload, false))
			r.Expect(NonStrict)
			r.Close = failedByPeer1002
			bad.Chop, bad.Sync = chop, sync
			p.sendFrame(F{Op: opText, Payload: []byte(payload), Chop: chop, Sync: sync})
			p.sendFrame(bad)
			p.sendFrame(F{Op: opPing, Chop: chop, Sync: sync})
			p.KillAfter(sec)
		},
	}
}

func failAtOnce(id, desc, expect string, frames ...F) *Case {
	return &Case{
		ID: id, Desc: desc, Expect: expect,
		Open: func(r *Run, p *session) {
			r.Expect(OK)
			r.Close = failedByPeer1002
			for _, f := range frames {
				p.sendFrame(f)
			}
			p.KillAfter(sec)
		},
	}
}

func rsvCases() []*Case {
	const rsvExpect = "Echo for first message is received, but then connection is failed immediately, since RSV must be 0, when no extension defining RSV meaning has been negotiated. The Pong is not received."
	hello := []byte("Hello, world!")
	return []*Case{
		failAtOnce("3.1", "Send small text message with RSV = 1.",
			"The connection is failed immediately (1002/protocol error), since RSV must be 0, when no extension defining RSV meaning has been negotiated.",
			F{Op: opText, Payload: hello, Rsv: 1}),
		echoThenFail("3.2", "Send small text message, then send again with RSV = 2, then send Ping.", rsvExpect,
			F{Op: opText, Payload: hello, Rsv: 2}, 0, false),
		echoThenFail("3.3", "Send small text message, then send again with RSV = 3, then send Ping. Octets are sent in frame-wise chops.", rsvExpect,
			F{Op: opText, Payload: hello, Rsv: 3}, 0, true),
		echoThenFail("3.4", "Send small text message, then send again with RSV = 4, then send Ping. Octets are sent in octet-wise chops.", rsvExpect,
			F{Op: opText, Payload: hello, Rsv: 4}, 1, false),
		failAtOnce("3.5", "Send small binary message with RSV = 5.", "The connection is failed immediately, since RSV must be 0.",
			F{Op: opBinary, Payload: []byte("\x00\xff\xfe\xfd\xfc\xfb\x00\xff"), Rsv: 5}),
		// Autobahn's 3.6 is described as a ping but sends a binary frame.
		failAtOnce("3.6", "Send Ping with RSV = 6.", "The connection is failed immediately, since RSV must be 0.",
			F{Op: opBinary, Payload: hello, Rsv: 6}),
		failAtOnce("3.7", "Send Close with RSV = 7.", "The connection is failed immediately, since RSV must be 0.",
			F{Op: opClose, Rsv: 7}),
	}
}

// ---- 4 Opcodes ----

func opcodeCases() []*Case {
	const exp = "Echo for first message is received, but then connection is failed immediately, since reserved opcode frame is used. A Pong is not received."
	const atOnce = "The connection is failed immediately."
	pl := []byte("reserved opcode payload")
	hello := []byte("Hello, world!")
	return []*Case{
		failAtOnce("4.1.1", "Send frame with reserved non-control Opcode = 3.", atOnce, F{Op: 3}),
		failAtOnce("4.1.2", "Send frame with reserved non-control Opcode = 4 and non-empty payload.", atOnce, F{Op: 4, Payload: pl}),
		echoThenFail("4.1.3", "Send small text message, then send frame with reserved non-control Opcode = 5, then send Ping.", exp, F{Op: 5}, 0, false),
		echoThenFail("4.1.4", "Send small text message, then send frame with reserved non-control Opcode = 6 and non-empty payload, then send Ping.", exp, F{Op: 6, Payload: hello}, 0, false),
		echoThenFail("4.1.5", "Send small text message, then send frame with reserved non-control Opcode = 7 and non-empty payload, then send Ping.", exp, F{Op: 7, Payload: hello}, 1, false),
		failAtOnce("4.2.1", "Send frame with reserved control Opcode = 11.", atOnce, F{Op: 11}),
		failAtOnce("4.2.2", "Send frame with reserved control Opcode = 12 and non-empty payload.", atOnce, F{Op: 12, Payload: pl}),
		echoThenFail("4.2.3", "Send small text message, then send frame with reserved control Opcode = 13, then send Ping.", exp, F{Op: 13}, 0, false),
		echoThenFail("4.2.4", "Send small text message, then send frame with reserved control Opcode = 14 and non-empty payload, then send Ping.", exp, F{Op: 14, Payload: hello}, 0, false),
		echoThenFail("4.2.5", "Send small text message, then send frame with reserved control Opcode = 15 and non-empty payload, then send Ping.", exp, F{Op: 15, Payload: hello}, 1, false),
	}
}

// ---- 5 Fragmentation ----

func fragmentationCases() []*Case {
	b := func(s string) []byte { return []byte(s) }
	const noContinue = "The connection is failed immediately, since there is no message to continue."
	echo := func(id, desc string, withPing bool, chop int, sync bool) *Case {
		return &Case{
			ID: id, Desc: desc,
			Expect: map[bool]string{false: "Message is processed and echo'ed back to us.", true: "A pong is received, then the message is echo'ed back to us."}[withPing],
			Open: func(r *Run, p *session) {
				if withPing {
					r.Expect(OK, pong("ping payload"), msg("fragment1fragment2", false))
				} else {
					r.Expect(OK, msg("fragment1fragment2", false))
				}
				r.Close = closeNormalByMe
				p.sendFrame(F{Op: opText, Frag: true, Payload: b("fragment1"), Chop: chop, Sync: sync})
				if withPing {
					p.sendFrame(F{Op: opPing, Payload: b("ping payload"), Chop: chop, Sync: sync})
				}
				p.sendFrame(F{Op: opCont, Payload: b("fragment2"), Chop: chop, Sync: sync})
				p.CloseAfter(sec)
			},
		}
	}
	noMsg := func(id, desc string, fin bool, chop int, sync bool) *Case {
		return failAtOnce(id, desc, noContinue,
			F{Op: opCont, Frag: !fin, Payload: b("non-continuation payload"), Chop: chop, Sync: sync},
			F{Op: opText, Payload: b("Hello, world!"), Chop: chop, Sync: sync})
	}
	pingPong := func(id, desc string, sync bool) *Case {
		return &Case{
			ID: id, Desc: desc,
			Expect: "The peer immediately answers the first Ping before it has received the last text message fragment. The peer pong's back the Ping's payload exactly, and echo's the payload of the fragmented message back to us.",
			Open: func(r *Run, p *session) {
				r.Expect(OK, pong("pongme 1!"), pong("pongme 2!"), msg("fragment1fragment2fragment3fragment4fragment5", false))
				r.Close = closeNormalByMe
				p.sendFrame(F{Op: opText, Frag: true, Payload: b("fragment1"), Sync: sync})
				p.sendFrame(F{Op: opCont, Frag: true, Payload: b("fragment2"), Sync: sync})
				p.sendFrame(F{Op: opPing, Payload: b("pongme 1!"), Sync: sync})
				p.ContinueLater(sec, func() {
					p.sendFrame(F{Op: opCont, Frag: true, Payload: b("fragment3"), Sync: sync})
					p.sendFrame(F{Op: opCont, Frag: true, Payload: b("fragment4"), Sync: sync})
					p.sendFrame(F{Op: opPing, Payload: b("pongme 2!"), Sync: sync})
					p.sendFrame(F{Op: opCont, Payload: b("fragment5"), Sync: sync})
					p.CloseAfter(sec)
				})
			},
		}
	}
	return []*Case{
		failAtOnce("5.1", "Send Ping fragmented into 2 fragments.", "Connection is failed immediately, since control message MUST NOT be fragmented.",
			F{Op: opPing, Frag: true, Payload: b("fragment1")}, F{Op: opCont, Payload: b("fragment2")}),
		failAtOnce("5.2", "Send Pong fragmented into 2 fragments.", "Connection is failed immediately, since control message MUST NOT be fragmented.",
			F{Op: opPong, Frag: true, Payload: b("fragment1")}, F{Op: opCont, Payload: b("fragment2")}),
		echo("5.3", "Send text Message fragmented into 2 fragments.", false, 0, false),
		echo("5.4", "Send text Message fragmented into 2 fragments, octets are sent in frame-wise chops.", false, 0, true),
		echo("5.5", "Send text Message fragmented into 2 fragments, octets are sent in octet-wise chops.", false, 1, false),
		echo("5.6", "Send text Message fragmented into 2 fragments, one ping with payload in-between.", true, 0, false),
		echo("5.7", "Send text Message fragmented into 2 fragments, one ping with payload in-between. Octets are sent in frame-wise chops.", true, 0, true),
		echo("5.8", "Send text Message fragmented into 2 fragments, one ping with payload in-between. Octets are sent in octet-wise chops.", true, 1, false),
		noMsg("5.9", "Send unfragmented Text Message after Continuation Frame with FIN = true, where there is nothing to continue, sent in one chop.", true, 0, false),
		noMsg("5.10", "Send unfragmented Text Message after Continuation Frame with FIN = true, where there is nothing to continue, sent in per-frame chops.", true, 0, true),
		noMsg("5.11", "Send unfragmented Text Message after Continuation Frame with FIN = true, where there is nothing to continue, sent in octet-wise chops.", true, 1, false),
		noMsg("5.12", "Send unfragmented Text Message after Continuation Frame with FIN = false, where there is nothing to continue, sent in one chop.", false, 0, false),
		noMsg("5.13", "Send unfragmented Text Message after Continuation Frame with FIN = false, where there is nothing to continue, sent in per-frame chops.", false, 0, true),
		noMsg("5.14", "Send unfragmented Text Message after Continuation Frame with FIN = false, where there is nothing to continue, sent in octet-wise chops.", false, 1, false),
		{
			ID:     "5.15",
			Desc:   "Send text Message fragmented into 2 fragments, then Continuation Frame with FIN = false where there is nothing to continue, then unfragmented Text Message, all sent in one chop.",
			Expect: noContinue,
			Open: func(r *Run, p *session) {
				r.Expect(OK, msg("fragment1fragment2", false))
				r.Expect(NonStrict)
				r.Close = failedByPeer1002
				p.sendFrame(F{Op: opText, Frag: true, Payload: b("fragment1")})
				p.sendFrame(F{Op: opCont, Payload: b("fragment2")})
				p.sendFrame(F{Op: opCont, Frag: true, Payload: b("fragment3")})
				p.sendFrame(F{Op: opText, Payload: b("fragment4")})
				p.KillAfter(sec)
			},
		},
		failAtOnce("5.16", "Repeated 2x: Continuation Frame with FIN = false (where there is nothing to continue), then text Message fragmented into 2 fragments.", noContinue,
			F{Op: opCont, Frag: true, Payload: b("fragment1")}, F{Op: opText, Frag: true, Payload: b("fragment2")}, F{Op: opCont, Payload: b("fragment3")},
			F{Op: opCont, Frag: true, Payload: b("fragment1")}, F{Op: opText, Frag: true, Payload: b("fragment2")}, F{Op: opCont, Payload: b("fragment3")}),
		failAtOnce("5.17", "Repeated 2x: Continuation Frame with FIN = true (where there is nothing to continue), then text Message fragmented into 2 fragments.", noContinue,
			F{Op: opCont, Payload: b("fragment1")}, F{Op: opText, Frag: true, Payload: b("fragment2")}, F{Op: opCont, Payload: b("fragment3")},
			F{Op: opCont, Payload: b("fragment1")}, F{Op: opText, Frag: true, Payload: b("fragment2")}, F{Op: opCont, Payload: b("fragment3")}),
		failAtOnce("5.18", "Send text Message fragmented into 2 fragments, with both frame opcodes set to text, sent in one chop.",
			"The connection is failed immediately, since all data frames after the initial data frame must have opcode 0.",
			F{Op: opText, Frag: true, Payload: b("fragment1")}, F{Op: opText, Payload: b("fragment2")}),
		pingPong("5.19", "A fragmented text message is sent in multiple frames. After sending the first 2 frames of the text message, a Ping is sent. Then we wait 1s, then we send 2 more text fragments, another Ping and then the final text fragment. Everything is legal.", false),
		pingPong("5.20", "Same as Case 5.19, but send all frames with SYNC = True. Note, this does not change the octets sent in any way, only how the stream is chopped up on the wire.", true),
	}
}

// ---- 7 Close handling ----

func closeCases() []*Case {
	b := func(s string) []byte { return []byte(s) }
	closeCase := func(id, desc, expect string, ec ExpectedClose, send func(p *session)) *Case {
		return &Case{
			ID: id, Desc: desc, Expect: expect,
			Open: func(r *Run, p *session) {
				r.SuppressClose = true
				r.Expect(OK)
				r.Close = ec
				send(p)
				p.KillAfter(sec)
			},
			Lost: wrongCodeFails,
		}
	}
	const cleanNormal = "Clean close with normal code."
	invalidUTF8 := b("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64")
	cs := []*Case{
		{
			ID: "7.1.1", Desc: "Send a message followed by a close frame",
			Expect: "Echoed message followed by clean close with normal code.",
			Open: func(r *Run, p *session) {
				r.Expect(OK, msg("Hello World!", false))
				r.Close = closeNormalByMe
				p.sendFrame(F{Op: opText, Payload: b("Hello World!")})
				p.KillAfter(sec)
			},
			Lost: wrongCodeFails,
		},
		closeCase("7.1.2", "Send two close frames", "Clean close with normal code. Second close frame ignored.", closeNormalByMe, func(p *session) {
			p.SendClose(1000, "")
			p.sendFrame(F{Op: opClose})
		}),
		closeCase("7.1.3", "Send a ping after close message", "Clean close with normal code, no pong.", closeNormalByMe, func(p *session) {
			p.SendClose(1000, "")
			p.sendFrame(F{Op: opPing})
		}),
		closeCase("7.1.4", "Send text message after sending a close frame.", "Clean close with normal code. Text message ignored.", closeNormalByMe, func(p *session) {
			p.SendClose(1000, "")
			p.sendFrame(F{Op: opText, Payload: b("Hello World!")})
		}),
		closeCase("7.1.5", "Send message fragment1 followed by close then fragment", cleanNormal, closeNormalByMe, func(p *session) {
			p.sendFrame(F{Op: opText, Frag: true, Payload: b("fragment1")})
			p.SendClose(1000, "")
			p.sendFrame(F{Op: opCont, Payload: b("fragment2")})
		}),
		{
			ID: "7.1.6", Desc: "Send 256K message followed by close then a ping",
			Expect: "Case outcome depends on implementation defined close behavior. Message and close frame are sent back to back. If the close frame is processed before the text message write is complete (as can happen in asynchronous processing models) the close frame is processed first and the text message may not be received or may only be partially received.",
			Open: func(r *Run, p *session) {
				r.SuppressClose = true
				r.Expect(OK, msg("Hello World!", false))
				r.Expect(NonStrict)
				r.Close = closeNormalByMe
				p.sendFrame(F{Op: opText, Payload: b("BAsd7&jh23"), Len: 256 << 10})
				p.sendFrame(F{Op: opText, Payload: b("Hello World!")})
				p.SendClose(1000, "")
				p.sendFrame(F{Op: opPing})
				p.KillAfter(sec)
			},
			Lost: func(r *Run, _ *session) {
				switch r.Behavior {
				case OK:
					r.Result = "Text message was processed before close."
				case NonStrict:
					r.Result = "Close was processed before text message could be returned."
				}
				r.Behavior, r.BehaviorClose = Informational, Informational
			},
		},
		closeCase("7.3.1", "Send a close frame with payload length 0 (no close code, no close reason)", cleanNormal, closeNormalByMe, func(p *session) {
			p.sendCloseFrame(-1, nil, false)
		}),
		closeCase("7.3.2", "Send a close frame with payload length 1", "Clean close with protocol error or drop TCP.",
			ExpectedClose{ClosedByMe: true, CloseCodes: []int{1002}}, func(p *session) {
				p.sendCloseFrame(-1, b("a"), false)
			}),
		closeCase("7.3.3", "Send a close frame with payload length 2 (regular close with a code)", cleanNormal, closeNormalByMe, func(p *session) {
			p.SendClose(1000, "")
		}),
		closeCase("7.3.4", "Send a close frame with close code and close reason", cleanNormal, closeNormalByMe, func(p *session) {
			p.SendClose(1000, "Hello World!")
		}),
		closeCase("7.3.5", "Send a close frame with close code and close reason of maximum length (123)", cleanNormal, closeNormalByMe, func(p *session) {
			p.SendClose(1000, strings.Repeat("*", 123))
		}),
		closeCase("7.3.6", "Send a close frame with close code and close reason which is too long (124) - total frame payload 126 octets",
			"Clean close with protocol error code or dropped TCP connection.",
			ExpectedClose{ClosedByMe: true, CloseCodes: []int{1002}}, func(p *session) {
				p.sendCloseFrame(1000, b(strings.Repeat("*", 124)), false)
			}),
		closeCase("7.5.1", "Send a close frame with invalid UTF8 payload", "Clean close with protocol error or invalid utf8 code or dropped TCP.",
			ExpectedClose{ClosedByMe: true, CloseCodes: []int{1002, 1007}}, func(p *session) {
				p.sendCloseFrame(1000, invalidUTF8, false)
			}),
	}
	for i, code := range []int{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999} {
		cs = append(cs, closeCase(fmt.Sprintf("7.7.%d", i+1), fmt.Sprintf("Send close with valid close code %d", code),
			"Clean close with normal or echoed code",
			ExpectedClose{ClosedByMe: true, CloseCodes: []int{1000, code}, RequireClean: true}, func(p *session) {
				p.sendCloseFrame(code, nil, false)
			}))
	}
	for i, code := range []int{0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999} {
		cs = append(cs, closeCase(fmt.Sprintf("7.9.%d", i+1), fmt.Sprintf("Send close with invalid close code %d", code),
			"Clean close with protocol error code or drop TCP",
			ExpectedClose{ClosedByMe: true, CloseCodes: []int{1002}}, func(p *session) {
				p.sendCloseFrame(code, nil, false)
			}))
	}
	for i, code := range []int{5000, 65535} {
		cs = append(cs, &Case{
			ID: fmt.Sprintf("7.13.%d", i+1), Desc: fmt.Sprintf("Send close with close code %d", code),
			Expect: "Actual events are undefined by the spec.",
			Open: func(r *Run, p *session) {
				r.SuppressClose = true
				r.Expect(OK)
				r.Close = ExpectedClose{ClosedByMe: true, CloseCodes: []int{1000, code, 1002}}
				p.sendCloseFrame(code, nil, false)
				p.KillAfter(sec)
			},
			Lost: func(r *Run, _ *session) {
				r.Behavior, r.BehaviorClose = Informational, Informational
				r.Result = "Actual events are undefined by the spec."
			},
		})
	}
	return cs
}

// ---- 9 Limits/Performance ----

// perfWait bounds Autobahn's waits (10 to 480 seconds) so that the suite
// stays within minutes; a local echo needs a fraction of a second.
func perfWait(autobahn time.Duration) time.Duration { return min(autobahn, 20*sec) }

func bigMessageCase(id, desc string, bin bool, n int, wait time.Duration, send func(p *session)) *Case {
	kind := map[bool]string{false: "text", true: "binary"}[bin]
	w := perfWait(wait)
	return &Case{
		ID: id, Desc: desc,
		Expect: fmt.Sprintf("Receive echo'ed %s message (with payload as sent).", kind),
		Limit:  w + 5*sec,
		Open: func(r *Run, p *session) {
			r.ReportTime = true
			r.Behavior = Failed
			r.Close = closeNormalByMe
			r.Result = fmt.Sprintf("Did not receive message within %d seconds.", int(w/sec))
			send(p)
			p.CloseAfter(w)
		},
		OnMessage: func(r *Run, p *session, payload []byte, binary bool) {
			switch {
			case binary != bin:
				r.Result = fmt.Sprintf("Expected %s message with payload, but got %s.", kind, map[bool]string{false: "text", true: "binary"}[binary])
			case len(payload) != n:
				r.Result = fmt.Sprintf("Expected %s message with payload of length %d, but got %d.", kind, n, len(payload))
			default:
				r.Behavior = OK
				r.Result = fmt.Sprintf("Received %s message of length %d.", kind, len(payload))
			}
			p.SendClose(1000, "")
		},
	}
}

func limitCases() []*Case {
	var cs []*Case
	sizes := []int{64 << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20}
	names := []string{"64k", "256k", "1M", "4M", "8M", "16M"}
	textWaits := []time.Duration{10, 10, 100, 100, 100, 100}
	binWaits := []time.Duration{10, 10, 10, 10, 100, 100}
	for i, n := range sizes {
		cs = append(cs, bigMessageCase(fmt.Sprintf("9.1.%d", i+1),
			fmt.Sprintf("Send text message message with payload of length %s.", names[i]), false, n, textWaits[i]*sec,
			func(p *session) { p.sendFrame(F{Op: opText, Payload: []byte("BAsd7&jh23"), Len: n}) }))
	}
	for i, n := range sizes {
		cs = append(cs, bigMessageCase(fmt.Sprintf("9.2.%d", i+1),
			fmt.Sprintf("Send binary message message with payload of length %s.", names[i]), true, n, binWaits[i]*sec,
			func(p *session) { p.sendFrame(F{Op: opBinary, Payload: []byte("\x00\xfe\x23\xfa\xf0"), Len: n}) }))
	}
	frags := []int{64, 256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20}
	fragNames := []string{"64", "256", "1k", "4k", "16k", "64k", "256k", "1M", "4M"}
	for k, bin := range []bool{false, true} {
		kind := map[bool]string{false: "text", true: "binary"}[bin]
		fill := map[bool]string{false: "*", true: "\xfe"}[bin]
		for i, fs := range frags {
			cs = append(cs, bigMessageCase(fmt.Sprintf("9.%d.%d", 3+k, i+1),
				fmt.Sprintf("Send fragmented %s message message with message payload of length 4M. Sent out in fragments of %s.", kind, fragNames[i]),
				bin, 4<<20, 100*sec, func(p *session) {
					p.SendMessage([]byte(strings.Repeat(fill, 4<<20)), bin, fs)
				}))
		}
	}
	for k, bin := range []bool{false, true} {
		kind := map[bool]string{false: "text", true: "binary"}[bin]
		op := map[bool]frame.Opcode{false: opText, true: opBinary}[bin]
		pl := map[bool]string{false: "BAsd7&jh23", true: "\x00\xfe\x23\xfa\xf0"}[bin]
		for i, chop := range []int{64, 128, 256, 512, 1024, 2048} {
			cs = append(cs, bigMessageCase(fmt.Sprintf("9.%d.%d", 5+k, i+1),
				fmt.Sprintf("Send %s message message with payload of length 1M. Sent out data in chops of %d octets.", kind, chop),
				bin, 1<<20, 1000*sec, func(p *session) {
					p.sendFrame(F{Op: op, Payload: []byte(pl), Len: 1 << 20, Chop: chop})
				}))
		}
	}
	type rtt struct {
		n, count int
		wait     time.Duration
	}
	for k, bin := range []bool{false, true} {
		kind := map[bool]string{false: "text", true: "binary"}[bin]
		for i, t := range []rtt{{0, 1000, 60}, {16, 1000, 60}, {64, 1000, 60}, {256, 1000, 120}, {1024, 1000, 240}, {4096, 1000, 480}} {
			w := perfWait(t.wait * sec)
			sendOne := func(r *Run, p *session) {
				if bin {
					p.sendFrame(F{Op: opBinary, Payload: repeatTo([]byte("\xfe"), t.n)})
				} else {
					p.sendFrame(F{Op: opText, Payload: repeatTo([]byte("*"), t.n)})
				}
				r.count++
			}
			cs = append(cs, &Case{
				ID:     fmt.Sprintf("9.%d.%d", 7+k, i+1),
				Desc:   fmt.Sprintf("Send %d %s messages of payload size %d to measure implementation/network RTT (round trip time) / latency.", t.count, kind, t.n),
				Expect: fmt.Sprintf("Receive echo'ed %s messages (with payload as sent). Timeout case after %d secs.", kind, int(w/sec)),
				Limit:  w + 5*sec,
				Open: func(r *Run, p *session) {
					r.ReportTime = true
					r.Behavior = Failed
					r.Close = closeNormalByMe
					r.Result = fmt.Sprintf("Case did not finish within %d seconds.", int(w/sec))
					p.CloseAfter(w)
					sendOne(r, p)
				},
				OnMessage: func(r *Run, p *session, payload []byte, binary bool) {
					switch {
					case binary != bin || len(payload) != t.n:
						r.Behavior = Failed
						r.Result = fmt.Sprintf("Echo'ed message type or length differs from what I sent (got binary = %v, payload length = %d).", binary, len(payload))
						p.SendClose(1000, "")
					case r.count < t.count:
						sendOne(r, p)
					default:
						r.Behavior = OK
						r.Result = "Ok, received all echo'ed messages in time."
						p.SendClose(1000, "")
					}
				},
			})
		}
	}
	return cs
}

// ---- 10 Auto-fragmentation ----

func autoFragCases() []*Case {
	payload := strings.Repeat("*", 65536)
	return []*Case{{
		ID:     "10.1.1",
		Desc:   "Send text message with payload of length 65536 auto-fragmented with autoFragmentSize = 1300.",
		Expect: "Receive echo'ed text message (with payload as sent and transmitted frame counts as expected). Clean close with normal code.",
		Open: func(r *Run, p *session) {
			p.AutoFragmentSize = 1300
			r.Expect(OK, msg(payload, false))
			r.Close = closeNormalByMe
			p.SendMessage([]byte(payload), false, 0)
			p.KillAfter(10 * sec)
		},
		Lost: func(r *Run, p *session) {
			want0, want1 := len(payload)/1300, 0
			if len(payload)%1300 > 0 {
				want1 = 1
			}
			if p.txFrames[opCont] != want0 || p.txFrames[opText] != want1 {
				r.Behavior = Failed
				r.Result = fmt.Sprintf("Frames transmitted {0: %d, 1: %d} does not match what we expected {0: %d, 1: %d}.",
					p.txFrames[opCont], p.txFrames[opText], want0, want1)
			}
		},
	}}
}
