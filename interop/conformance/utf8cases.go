package conformance

import (
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ---- 6 UTF-8 handling ----

// kosme is "κόσμε", the sample of Markus Kuhn's UTF-8 test file.
const kosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"

type utf8Group struct {
	title string
	seqs  []utf8Seq
}

type utf8Seq struct {
	valid   bool
	payload string
}

func v(s string) utf8Seq { return utf8Seq{true, s} }
func x(s string) utf8Seq { return utf8Seq{false, s} }

// utf8Groups are the sequences of cases 6.5 to 6.23, in Autobahn's order,
// after http://www.cl.cam.ac.uk/~mgk25/ucs/examples/UTF-8-test.txt.
func utf8Groups() []utf8Group {
	var gs []utf8Group
	add := func(title string, seqs ...utf8Seq) { gs = append(gs, utf8Group{title, seqs}) }

	add("Some valid UTF-8 sequences",
		v("hello\x24world"), v("hello\xc2\xa2world"), v("hello\xe2\x82\xacworld"), v("hello\xf0\xa4\xad\xa2world"), v(kosme))

	var prefixes []utf8Seq
	for i := 1; i <= len(kosme); i++ {
		prefixes = append(prefixes, utf8Seq{utf8.ValidString(kosme[:i]), kosme[:i]})
	}
	add("All prefixes of a valid UTF-8 string that contains multi-byte code points", prefixes...)

	add("First possible sequence of a certain length", v("\x00"), v("\xc2\x80"), v("\xe0\xa0\x80"), v("\xf0\x90\x80\x80"))
	add("First possible sequence length 5/6 (invalid codepoints)", x("\xf8\x88\x80\x80\x80"), x("\xfc\x84\x80\x80\x80\x80"))
	add("Last possible sequence of a certain length", v("\x7f"), v("\xdf\xbf"), v("\xef\xbf\xbf"), v("\xf4\x8f\xbf\xbf"))
	add("Last possible sequence length 4/5/6 (invalid codepoints)", x("\xf7\xbf\xbf\xbf"), x("\xfb\xbf\xbf\xbf\xbf"), x("\xfd\xbf\xbf\xbf\xbf\xbf"))
	add("Other boundary conditions", v("\xed\x9f\xbf"), v("\xee\x80\x80"), v("\xef\xbf\xbd"), v("\xf4\x8f\xbf\xbf"), x("\xf4\x90\x80\x80"))

	var cont strings.Builder
	for c := 0x80; c < 0xbf; c++ {
		cont.WriteByte(byte(c))
	}
	add("Unexpected continuation bytes", x("\x80"), x("\xbf"), x("\x80\xbf"), x("\x80\xbf\x80"), x("\x80\xbf\x80\xbf"),
		x("\x80\xbf\x80\xbf\x80"), x("\x80\xbf\x80\xbf\x80\xbf"), x(cont.String()))

	var lonely []utf8Seq
	for _, r := range [][2]int{{0xc0, 0xdf}, {0xe0, 0xef}, {0xf0, 0xf7}, {0xf8, 0xfb}, {0xfc, 0xfd}} {
		var s strings.Builder
		for c := r[0]; c < r[1]; c++ {
			s.WriteByte(byte(c))
			s.WriteByte(0x20)
		}
		lonely = append(lonely, x(s.String()))
	}
	add("Lonely start characters", lonely...)

	missing := []string{"\xc0", "\xe0\x80", "\xf0\x80\x80", "\xf8\x80\x80\x80", "\xfc\x80\x80\x80\x80",
		"\xdf", "\xef\xbf", "\xf7\xbf\xbf", "\xfb\xbf\xbf\xbf", "\xfd\xbf\xbf\xbf\xbf"}
	var ms []utf8Seq
	for _, m := range missing {
		ms = append(ms, x(m))
	}
	add("Sequences with last continuation byte missing", ms...)
	add("Concatenation of incomplete sequences", x(strings.Join(missing, "")))
	add("Impossible bytes", x("\xfe"), x("\xff"), x("\xfe\xfe\xff\xff"))
	add("Examples of an overlong ASCII character", x("\xc0\xaf"), x("\xe0\x80\xaf"), x("\xf0\x80\x80\xaf"), x("\xf8\x80\x80\x80\xaf"), x("\xfc\x80\x80\x80\x80\xaf"))
	add("Maximum overlong sequences", x("\xc1\xbf"), x("\xe0\x9f\xbf"), x("\xf0\x8f\xbf\xbf"), x("\xf8\x87\xbf\xbf\xbf"), x("\xfc\x83\xbf\xbf\xbf\xbf"))
	add("Overlong representation of the NUL character", x("\xc0\x80"), x("\xe0\x80\x80"), x("\xf0\x80\x80\x80"), x("\xf8\x80\x80\x80\x80"), x("\xfc\x80\x80\x80\x80\x80"))
	add("Single UTF-16 surrogates", x("\xed\xa0\x80"), x("\xed\xad\xbf"), x("\xed\xae\x80"), x("\xed\xaf\xbf"), x("\xed\xb0\x80"), x("\xed\xbe\x80"), x("\xed\xbf\xbf"))
	add("Paired UTF-16 surrogates",
		x("\xed\xa0\x80\xed\xb0\x80"), x("\xed\xa0\x80\xed\xbf\xbf"), x("\xed\xad\xbf\xed\xb0\x80"), x("\xed\xad\xbf\xed\xbf\xbf"),
		x("\xed\xae\x80\xed\xb0\x80"), x("\xed\xae\x80\xed\xbf\xbf"), x("\xed\xaf\xbf\xed\xb0\x80"), x("\xed\xaf\xbf\xed\xbf\xbf"))

	nonChars := []utf8Seq{v("\xef\xbf\xbe"), v("\xef\xbf\xbf")}
	for _, z1 := range []string{"\xf0", "\xf1", "\xf2", "\xf3", "\xf4"} {
		for _, z2 := range []string{"\x8f", "\x9f", "\xaf", "\xbf"} {
			if z1 == "\xf4" && z2 != "\x8f" {
				continue // beyond U+10FFFF
			}
			for _, z3 := range []string{"\xbe", "\xbf"} {
				zz := z1 + z2 + "\xbf" + z3
				if zz == "\xf0\x8f\xbf\xbe" || zz == "\xf0\x8f\xbf\xbf" {
					continue // overlong
				}
				nonChars = append(nonChars, v(zz))
			}
		}
	}
	add("Non-character code points (valid UTF-8)", nonChars...)
	add("Unicode specials (i.e. replacement char)", v("\xef\xbf\xb9"), v("\xef\xbf\xba"), v("\xef\xbf\xbb"), v("\xef\xbf\xbc"), v("\xef\xbf\xbd"), v("\xef\xbf\xbe"), v("\xef\xbf\xbf"))
	return gs
}

func utf8Cases() []*Case {
	b := func(s string) []byte { return []byte(s) }
	echoText := func(id, desc, payload string, send func(p *session)) *Case {
		return &Case{
			ID: id, Desc: desc, Expect: "The message is echo'ed back to us.",
			Open: func(r *Run, p *session) {
				r.Expect(OK, msg(payload, false))
				r.Close = closeNormalByMe
				send(p)
				p.CloseAfter(sec)
			},
		}
	}
	const hello = "Hello-µ@ßöäüàá-UTF-8!!"
	cs := []*Case{
		echoText("6.1.1", "Send text message of length 0.", "", func(p *session) { p.sendFrame(F{Op: opText}) }),
		echoText("6.1.2", "Send fragmented text message, 3 fragments each of length 0.", "", func(p *session) {
			p.sendFrame(F{Op: opText, Frag: true})
			p.sendFrame(F{Op: opCont, Frag: true})
			p.sendFrame(F{Op: opCont})
		}),
		echoText("6.1.3", "Send fragmented text message, 3 fragments, first and last of length 0, middle non-empty.", "middle frame payload", func(p *session) {
			p.sendFrame(F{Op: opText, Frag: true})
			p.sendFrame(F{Op: opCont, Frag: true, Payload: b("middle frame payload")})
			p.sendFrame(F{Op: opCont})
		}),
		echoText("6.2.1", "Send a valid UTF-8 text message in one fragment. MESSAGE: "+hello, hello, func(p *session) {
			p.SendMessage(b(hello), false, 0)
		}),
		echoText("6.2.2", "Send a valid UTF-8 text message in two fragments, fragmented on UTF-8 code point boundary.", hello, func(p *session) {
			p.sendFrame(F{Op: opText, Frag: true, Payload: b("Hello-µ@ßöä")})
			p.sendFrame(F{Op: opCont, Payload: b("üàá-UTF-8!!")})
		}),
		echoText("6.2.3", "Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.", hello, func(p *session) {
			p.SendMessage(b(hello), false, 1)
		}),
		echoText("6.2.4", "Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends. MESSAGE: "+hex.EncodeToString(b(kosme)), kosme, func(p *session) {
			p.SendMessage(b(kosme), false, 1)
		}),
	}

	// 6.3: invalid exactly on byte 12 (0xa0).
	invalid63 := kosme + "\xed\xa0\x80" + "edited"
	for i, frag := range []int{0, 1} {
		desc := "Send invalid UTF-8 text message unfragmented."
		if frag > 0 {
			desc = "Send invalid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends."
		}
		cs = append(cs, &Case{
			ID: fmt.Sprintf("6.3.%d", i+1), Desc: desc + " MESSAGE: " + hex.EncodeToString(b(invalid63)),
			Expect: "The connection is failed immediately, since the payload is not valid UTF-8.",
			Open: func(r *Run, p *session) {
				r.Expect(OK)
				r.Close = failedByPeer1007
				p.SendMessage(b(invalid63), false, frag)
				p.KillAfter(sec)
			},
		})
	}

	// 6.4: fail fast. PART2 is 0x110000 in the UTF-8 integer encoding
	// scheme: invalid exactly on byte 12 (0x90).
	payload64 := kosme + "\xf4\x90\x80\x80" + "edited"
	parts := [][3]string{
		{kosme, "\xf4\x90\x80\x80", "edited"},
		{payload64[:12], payload64[12:13], payload64[13:]},
	}
	for i := range 4 {
		pt := parts[i%2]
		inFrame := i >= 2 // 6.4.3 and 6.4.4: three chops of one frame
		desc := "Send invalid UTF-8 text message in 3 fragments (frames). First frame payload is valid, then wait, then 2nd frame which contains the payload making the sequence invalid, then wait, then 3rd frame with rest."
		switch i {
		case 1:
			desc = "Same as Case 6.4.1, but in 2nd frame, we send only up to and including the octet making the complete payload invalid."
		case 2:
			desc = "Same as Case 6.4.1, but we send message not in 3 frames, but in 3 chops of the same message frame."
		case 3:
			desc = "Same as Case 6.4.2, but we send message not in 3 frames, but in 3 chops of the same message frame."
		}
		desc += fmt.Sprintf(" PART1 = %x, PART2 = %x, PART3 = %x", pt[0], pt[1], pt[2])
		cs = append(cs, &Case{
			ID: fmt.Sprintf("6.4.%d", i+1), Desc: desc,
			Expect: "The first frame is accepted, we expect to timeout on the first wait. The 2nd frame should be rejected immediately (fail fast on UTF-8). If we timeout, we expect the connection is failed at least then, since the complete message payload is not valid UTF-8.",
			Open: func(r *Run, p *session) {
				r.Expect(OK, timeout("A"))
				r.Expect(NonStrict, timeout("A"), timeout("B"))
				r.Close = failedByPeer1007
				var pf *partialFrame
				if inFrame {
					pf = p.beginFrame(opText, len(payload64))
					pf.data(b(pt[0]))
				} else {
					p.sendFrame(F{Op: opText, Frag: true, Payload: b(pt[0])})
				}
				p.ContinueLater(sec, func() {
					if p.state != stateOpen {
						return
					}
					r.Timeout("A")
					if inFrame {
						pf.data(b(pt[1]))
					} else {
						p.sendFrame(F{Op: opCont, Frag: true, Payload: b(pt[1])})
					}
					p.ContinueLater(sec, func() {
						if p.state != stateOpen {
							return
						}
						r.Timeout("B")
						if inFrame {
							pf.data(b(pt[2]))
						} else {
							p.sendFrame(F{Op: opCont, Payload: b(pt[2])})
						}
						p.KillAfter(sec)
					})
				})
			},
		})
	}

	for gi, g := range utf8Groups() {
		for j, s := range g.seqs {
			s := s
			desc := "Send a text message with payload which is valid UTF-8 in one fragment."
			exp := "The message is echo'ed back to us."
			if !s.valid {
				desc = "Send a text message with payload which is not valid UTF-8 in one fragment."
				exp = "The connection is failed immediately, since the payload is not valid UTF-8."
			}
			cs = append(cs, &Case{
				ID:     fmt.Sprintf("6.%d.%d", gi+5, j+1),
				Desc:   fmt.Sprintf("%s (%s) Payload: 0x%x", desc, g.title, s.payload),
				Expect: exp,
				Open: func(r *Run, p *session) {
					if s.valid {
						r.Expect(OK, msg(s.payload, false))
						r.Close = closeNormalByMe
					} else {
						r.Expect(OK)
						r.Close = failedByPeer1007
					}
					p.SendMessage(b(s.payload), false, 0)
					p.KillAfter(sec / 2)
				},
			})
		}
	}
	return cs
}
