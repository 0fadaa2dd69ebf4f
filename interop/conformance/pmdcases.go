package conformance

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// ---- 12 and 13 WebSocket compression (permessage-deflate, RFC 7692) ----

// pmdSize is one of Autobahn's message sizes for categories 12 and 13.
type pmdSize struct {
	n, count int           // payload length, and messages Autobahn sends
	wait     time.Duration // Autobahn's case timeout
	frag     int           // auto-fragment size (0: one frame a message)
}

// pmdSizes are Autobahn's 18 sizes of every subcategory of 12 and 13.
var pmdSizes = []pmdSize{
	{16, 1000, 60, 0}, {64, 1000, 60, 0}, {256, 1000, 120, 0}, {1024, 1000, 240, 0},
	{4096, 1000, 480, 0}, {8192, 1000, 480, 0}, {16384, 1000, 480, 0}, {32768, 1000, 480, 0},
	{65536, 1000, 480, 0}, {131072, 1000, 480, 0},
	{8192, 1000, 480, 256}, {16384, 1000, 480, 256}, {32768, 1000, 480, 256}, {65536, 1000, 480, 256},
	{131072, 1000, 480, 256}, {131072, 1000, 480, 1024}, {131072, 1000, 480, 4096}, {131072, 1000, 480, 32768},
}

// pmdBudget trims Autobahn's 1,000 messages a case to about this many
// payload bytes a case, and at least pmdMinCount messages: the full
// counts send some 11 GB each way through two compressors, hours on two
// cores. Every size keeps its place; sizes up to 1 KiB keep all 1,000
// messages, 128 KiB gets 10.
const (
	pmdBudget   = 1 << 20
	pmdMinCount = 10
)

func (s pmdSize) trimmedCount() int {
	return min(s.count, max(pmdMinCount, pmdBudget/s.n))
}

// pmdParamSet is one subcategory of 13: Autobahn's offers as a fuzzing
// client and acceptances as a fuzzing server.
var pmdParamSets = []DeflateSpec{
	{Offers: []PMDOffer{{false, 0}}, Accepts: []PMDAccept{{false, 0}}},
	{Offers: []PMDOffer{{true, 0}}, Accepts: []PMDAccept{{true, 0}}},
	{Offers: []PMDOffer{{false, 8}}, Accepts: []PMDAccept{{false, 8}}},
	{Offers: []PMDOffer{{false, 15}}, Accepts: []PMDAccept{{false, 15}}},
	{Offers: []PMDOffer{{true, 8}}, Accepts: []PMDAccept{{true, 8}}},
	{Offers: []PMDOffer{{true, 15}}, Accepts: []PMDAccept{{true, 15}}},
	// The three offers of RFC 7692 §5's example order; a server may
	// accept any one of them.
	{Offers: []PMDOffer{{true, 8}, {true, 0}, {false, 0}}, Accepts: []PMDAccept{{true, 8}, {true, 0}, {false, 0}}},
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// describe spells the spec as Autobahn's case descriptions do.
func (d *DeflateSpec) describe() string {
	var o, a []string
	for _, x := range d.Offers {
		o = append(o, fmt.Sprintf("(%s, %d)", pyBool(x.RequestNoContextTakeover), x.RequestMaxWindowBits))
	}
	for _, x := range d.Accepts {
		a = append(a, fmt.Sprintf("(%s, %d)", pyBool(x.RequestNoContextTakeover), x.RequestMaxWindowBits))
	}
	return fmt.Sprintf("client offers (requestNoContextTakeover, requestMaxWindowBits): [%s] / server accept (requestNoContextTakeover, requestMaxWindowBits): [%s]",
		strings.Join(o, ", "), strings.Join(a, ", "))
}

// compressionCases returns categories 12 (every file, the default offer)
// and 13 (the JSON file, seven parameter sets).
func compressionCases() []*Case {
	var cs []*Case
	def := &DeflateSpec{Offers: []PMDOffer{{}}, Accepts: []PMDAccept{{}}}
	for j, data := range pmdFiles {
		for i, sz := range pmdSizes {
			cs = append(cs, compressionCase(fmt.Sprintf("12.%d.%d", j+1, i+1), data, sz, def, "Use default permessage-deflate offer."))
		}
	}
	for j := range pmdParamSets {
		spec := &pmdParamSets[j]
		for i, sz := range pmdSizes {
			cs = append(cs, compressionCase(fmt.Sprintf("13.%d.%d", j+1, i+1), pmdJSON, sz, spec, "Use permessage-deflate "+spec.describe()))
		}
	}
	return cs
}

// compressionCase is Autobahn's Case12_X_X and Case13_X_X: send a slice of
// the file, wait for its echo, check it, send the next, count times.
func compressionCase(id string, data *pmdData, sz pmdSize, spec *DeflateSpec, use string) *Case {
	// Autobahn waits 60 to 480 seconds; a working target needs a few
	// (1,000 round trips of 16 bytes take 3.5 s under the race detector).
	w := min(sz.wait*sec, 60*sec)
	count := sz.trimmedCount()
	trim := ""
	if count < sz.count {
		trim = fmt.Sprintf(" (Autobahn: %d)", sz.count)
	}
	sendOne := func(r *Run, p *session) {
		b := data.Bytes()
		from, to := r.dataPos, (r.dataPos+sz.n)%len(b)
		var m []byte
		if to > from {
			m = b[from:to]
		} else {
			m = append(append([]byte(nil), b[from:]...), b[:to]...)
		}
		r.dataPos = to
		r.lastSent = m
		p.SendMessage(m, data.Binary, 0)
		r.count++
	}
	return &Case{
		ID:      id,
		Desc:    fmt.Sprintf("Send %d compressed messages%s each of payload size %d, auto-fragment to %d octets. %s", count, trim, sz.n, sz.frag, use),
		Expect:  fmt.Sprintf("Receive echo'ed messages (with payload as sent). Timeout case after %d secs.", int(w/sec)),
		Limit:   w + 5*sec,
		Deflate: spec,
		Open: func(r *Run, p *session) {
			r.ReportTime = true
			r.Close = closeNormalByMe
			if p.pmd == nil {
				r.Behavior = Unimplemented
				r.Result = "permessage-deflate was not agreed in the opening handshake."
				p.SendClose(1000, "")
				return
			}
			p.AutoFragmentSize = sz.frag
			r.Behavior = Failed
			r.Result = fmt.Sprintf("Case did not finish within %d seconds.", int(w/sec))
			p.CloseAfter(w)
			sendOne(r, p)
		},
		OnMessage: func(r *Run, p *session, payload []byte, binary bool) {
			switch {
			case binary != data.Binary:
				r.Behavior = Failed
				r.Result = fmt.Sprintf("Echo'ed message type differs from what I sent (got binary %v, expected binary %v).", binary, data.Binary)
			case len(payload) != len(r.lastSent):
				r.Behavior = Failed
				r.Result = fmt.Sprintf("Echo'ed message length differs from what I sent (got length %d, expected length %d).", len(payload), len(r.lastSent))
			case !bytes.Equal(payload, r.lastSent):
				i := 0
				for payload[i] == r.lastSent[i] {
					i++
				}
				r.Behavior = Failed
				r.Result = fmt.Sprintf("Echo'ed message contents differ from what I sent, from byte %d on (message %d).", i, r.count)
			case r.count < count:
				sendOne(r, p)
				return
			default:
				r.Behavior = OK
				r.Result = "Ok, received all echo'ed messages in time."
			}
			p.SendClose(1000, "")
		},
		Lost: func(r *Run, p *session) {
			switch {
			case r.Behavior != Failed:
			case p.failReason != "" && r.count > 0:
				r.Result = fmt.Sprintf("The fuzzer failed the connection at message %d: %s", r.count, p.failReason)
			case strings.HasPrefix(r.Result, "Case did not finish"):
				r.Result += fmt.Sprintf(" %d of %d messages sent, the last one not echoed.", r.count, count)
			}
		},
	}
}
