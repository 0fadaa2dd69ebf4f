package conformance

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wskit/wskit/frame"
)

// Timeouts of Autobahn's protocol engine (its factory defaults).
const (
	closeHandshakeTimeout       = 1 * time.Second
	serverConnectionDropTimeout = 1 * time.Second
	// maxIncoming bounds a frame the peer may send us.
	maxIncoming = 1 << 27
)

type state int

const (
	stateOpen state = iota + 1
	stateClosing
	stateClosed
)

// session is one fuzzing connection: Autobahn's FuzzingProtocol on top of its
// WebSocketProtocol, run by a single goroutine (the loop) like Twisted's
// reactor. Everything that touches the protocol state runs on the loop: the
// frames the reader goroutine decodes, timers and the case's callbacks.
type session struct {
	isServer bool // the fuzzer's role
	conn     net.Conn
	br       *bufio.Reader
	run      *Run

	mu     sync.Mutex
	queue  []func()
	wake   chan struct{}
	lost   chan struct{}
	closed bool // conn closed (by us)

	w *writer

	state                            state
	closedByMe, failedByMe           bool
	droppedByMe, wasClean            bool
	wasNotCleanReason                string
	failReason                       string // why the fuzzer first failed the connection
	remoteCloseCode, localCloseCode  int
	closeTimer, dropTimer, hardTimer *time.Timer
	timers                           []*time.Timer // every timer of after, under mu

	inMsg         bool
	msgBinary     bool
	msgCompressed bool
	msg           []byte
	u8            utf8Stream

	// pmd is the permessage-deflate agreement, nil without one; tx and
	// rx are the fuzzer's compressor and its decompressor of the peer's
	// messages.
	pmd        *pmdAgreement
	tx         *deflater
	rx         *inflater
	rxWire     int64 // compressed payload bytes received
	rxInflated int64 // what they inflated to

	// AutoFragmentSize splits messages sent with SendMessage into frames
	// of this size when no fragment size is given (case 10.1.1).
	AutoFragmentSize int
	txFrames         map[frame.Opcode]int

	start time.Time
}

func newSession(isServer bool, conn net.Conn, br *bufio.Reader) *session {
	s := &session{
		isServer:        isServer,
		conn:            conn,
		br:              br,
		wake:            make(chan struct{}, 1),
		lost:            make(chan struct{}),
		state:           stateOpen,
		remoteCloseCode: -1,
		localCloseCode:  -1,
		txFrames:        map[frame.Opcode]int{},
	}
	s.w = newWriter(conn)
	return s
}

// useDeflate turns on permessage-deflate as agreed in the handshake.
func (s *session) useDeflate(a *pmdAgreement) {
	if a == nil {
		return
	}
	s.pmd = a
	s.tx = &deflater{noTakeover: a.txNoTakeover, bits: a.txBits}
	s.rx = &inflater{noTakeover: a.rxNoTakeover, bits: a.rxBits}
}

// post queues f to run on the loop. It never blocks, so the reader keeps
// draining the socket while the loop is busy.
func (s *session) post(f func()) {
	s.mu.Lock()
	s.queue = append(s.queue, f)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// after runs f on the loop after d, unless the connection is closed by then.
func (s *session) after(d time.Duration, f func()) *time.Timer {
	t := time.AfterFunc(d, func() {
		s.post(func() {
			if s.state != stateClosed {
				f()
			}
		})
	})
	s.mu.Lock()
	s.timers = append(s.timers, t)
	s.mu.Unlock()
	return t
}

// serve runs the case: the reader goroutine, the loop, and the grading when
// the connection is lost. limit bounds the whole case.
func (s *session) serve(limit time.Duration) {
	s.start = time.Now()
	go s.read()
	s.hardTimer = time.AfterFunc(limit, func() {
		s.post(func() {
			s.run.note("case exceeded its time limit of %v", limit)
			s.drop(true)
		})
	})
	s.post(s.run.open)
	for {
		<-s.wake
		for {
			s.mu.Lock()
			if len(s.queue) == 0 {
				s.mu.Unlock()
				break
			}
			f := s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
			s.mu.Unlock()
			f()
		}
		select {
		case <-s.lost:
			s.finish()
			return
		default:
		}
	}
}

func (s *session) finish() {
	// A pending timer would keep the session, and its compressor, alive
	// for as long as the case's longest wait.
	s.mu.Lock()
	timers := append(s.timers, s.hardTimer)
	s.timers = nil
	s.mu.Unlock()
	for _, t := range timers {
		if t != nil {
			t.Stop()
		}
	}
	s.closeConn()
	s.w.stop()
	s.run.duration = time.Since(s.start)
	s.run.connectionLost()
	s.tx, s.rx = nil, nil
}

// read decodes frames from the peer. It checks nothing but what it needs to
// find the next frame; the loop checks the rules.
func (s *session) read() {
	defer func() {
		s.post(func() { s.connectionLost() })
		close(s.lost)
		s.post(func() {}) // wake the loop
	}()
	var hdr [14]byte
	for {
		if _, err := io.ReadFull(s.br, hdr[:2]); err != nil {
			return
		}
		f := rxFrame{
			fin:    hdr[0]&0x80 != 0,
			rsv:    hdr[0] & 0x70,
			op:     frame.Opcode(hdr[0] & 0x0f),
			masked: hdr[1]&0x80 != 0,
		}
		n := uint64(hdr[1] & 0x7f)
		switch n {
		case 126:
			if _, err := io.ReadFull(s.br, hdr[2:4]); err != nil {
				return
			}
			n = uint64(binary.BigEndian.Uint16(hdr[2:4]))
			f.nonMinimal = n < 126
		case 127:
			if _, err := io.ReadFull(s.br, hdr[2:10]); err != nil {
				return
			}
			n = binary.BigEndian.Uint64(hdr[2:10])
			f.nonMinimal = n < 65536
		}
		var key [4]byte
		if f.masked {
			if _, err := io.ReadFull(s.br, key[:]); err != nil {
				return
			}
		}
		if n > maxIncoming {
			s.post(func() {
				s.protocolViolation(fmt.Sprintf("frame of %d bytes is beyond what the fuzzer reads", n))
				s.drop(true)
			})
			return
		}
		f.payload = make([]byte, n)
		if _, err := io.ReadFull(s.br, f.payload); err != nil {
			return
		}
		if f.masked {
			frame.Mask(f.payload, key, 0)
		}
		s.post(func() { s.onFrame(f) })
	}
}

type rxFrame struct {
	fin, masked, nonMinimal bool
	rsv                     byte
	op                      frame.Opcode
	payload                 []byte
}

// onFrame processes one frame as Autobahn's processDataHybi does.
func (s *session) onFrame(f rxFrame) {
	if s.state == stateClosed {
		return
	}
	if v := s.checkFrame(f); v != "" {
		s.protocolViolation(v)
		return // the frame is skipped; we wait for the close reply
	}
	if f.op.IsControl() {
		switch f.op {
		case frame.OpClose:
			code, reason := -1, []byte(nil)
			if len(f.payload) >= 2 {
				code = int(binary.BigEndian.Uint16(f.payload))
				if len(f.payload) > 2 {
					reason = f.payload[2:]
				}
			}
			s.onCloseFrame(code, reason)
		case frame.OpPing:
			if s.state == stateOpen {
				s.sendFrame(F{Op: frame.OpPong, Payload: f.payload})
			}
		case frame.OpPong:
			s.run.onPong(f.payload)
		}
		return
	}
	if !s.inMsg {
		s.inMsg = true
		s.msgBinary = f.op == frame.OpBinary
		s.msgCompressed = f.rsv&0x40 != 0
		s.msg = nil
		s.u8 = utf8Stream{}
	}
	s.msg = append(s.msg, f.payload...)
	if s.msgCompressed {
		if len(s.msg) > maxIncoming {
			s.protocolViolation("compressed message beyond what the fuzzer reads")
			s.drop(true)
			return
		}
		if !f.fin {
			return
		}
		plain, err := s.rx.decompress(s.msg, maxIncoming)
		if err != nil {
			s.invalidPayload("permessage-deflate: " + err.Error())
			return
		}
		s.rxWire += int64(len(s.msg))
		s.rxInflated += int64(len(plain))
		s.msg = plain
		if !s.msgBinary && !s.u8.feed(plain) {
			s.invalidPayload("encountered invalid UTF-8 in a decompressed text message")
			return
		}
	} else if !s.msgBinary && !s.u8.feed(f.payload) {
		s.invalidPayload("encountered invalid UTF-8 while processing text message")
		return
	}
	if f.fin {
		if !s.msgBinary && !s.u8.complete() {
			s.invalidPayload("UTF-8 text message payload ended within a code point")
			return
		}
		s.inMsg = false
		msg := s.msg
		s.msg = nil
		if !s.failedByMe {
			s.run.onMessage(msg, s.msgBinary)
		}
	}
}

func (s *session) checkFrame(f rxFrame) string {
	if s.isServer && !f.masked {
		return "unmasked client-to-server frame"
	}
	if !s.isServer && f.masked {
		return "masked server-to-client frame"
	}
	switch rsv := f.rsv; {
	case rsv != 0 && s.pmd == nil:
		return fmt.Sprintf("RSV = %d and no extension negotiated", rsv>>4)
	case rsv&0x30 != 0:
		return fmt.Sprintf("RSV = %d: permessage-deflate defines RSV1 only", rsv>>4)
	case rsv != 0 && f.op.IsControl():
		return "RSV1 set on a control frame (permessage-deflate compresses data messages only)"
	case rsv != 0 && f.op == frame.OpContinuation:
		return "RSV1 set on a continuation frame (RFC 7692 §6: only on a message's first frame)"
	}
	if f.op.IsControl() {
		if !f.fin {
			return "fragmented control frame"
		}
		if len(f.payload) > 125 {
			return "control frame with payload length > 125 octets"
		}
		if f.op.IsReserved() {
			return fmt.Sprintf("control frame using reserved opcode %d", f.op)
		}
		if f.op == frame.OpClose && len(f.payload) == 1 {
			return "received close control frame with payload len 1"
		}
	} else {
		if f.op.IsReserved() {
			return fmt.Sprintf("data frame using reserved opcode %d", f.op)
		}
		if !s.inMsg && f.op == frame.OpContinuation {
			return "received continuation data frame outside fragmented message"
		}
		if s.inMsg && f.op != frame.OpContinuation {
			return "received non-continuation data frame while inside fragmented message"
		}
	}
	if f.nonMinimal {
		return "invalid data frame length (not using minimal length encoding)"
	}
	return ""
}

// closeCodeAllowed is Autobahn's check of a received close code.
func closeCodeAllowed(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

func (s *session) onCloseFrame(code int, reason []byte) {
	s.remoteCloseCode = -1
	if code >= 0 && !closeCodeAllowed(code) {
		s.protocolViolation(fmt.Sprintf("invalid close code %d", code))
	} else {
		s.remoteCloseCode = code
	}
	if reason != nil && !utf8.Valid(reason) {
		s.invalidPayload("invalid close reason (non-UTF-8 payload)")
	}
	switch s.state {
	case stateClosing:
		// The reply to our close frame.
		if s.closeTimer != nil {
			s.closeTimer.Stop()
		}
		s.wasClean = true
		if s.isServer {
			s.drop(true)
		} else {
			s.awaitServerDrop()
		}
	case stateOpen:
		// The peer starts the closing handshake: we answer with 1000.
		s.wasClean = true
		s.sendCloseFrame(1000, nil, true)
		if s.isServer {
			s.drop(false)
		} else {
			s.awaitServerDrop()
		}
	}
}

func (s *session) awaitServerDrop() {
	s.dropTimer = s.after(serverConnectionDropTimeout, func() {
		s.wasClean = false
		s.wasNotCleanReason = "server did not drop TCP connection (in time)"
		s.drop(true)
	})
}

func (s *session) protocolViolation(reason string) {
	s.run.note("fuzzer: protocol violation by the peer: %s", reason)
	s.failConnection(1002, reason)
}

func (s *session) invalidPayload(reason string) {
	s.run.note("fuzzer: invalid payload from the peer: %s", reason)
	s.failConnection(1007, reason)
}

// failConnection is Autobahn's with failByDrop=false: start a closing
// handshake, or drop the connection when one is under way already.
func (s *session) failConnection(code int, reason string) {
	if s.state == stateClosed {
		return
	}
	s.failedByMe = true
	if s.failReason == "" {
		s.failReason = reason
	}
	if s.state != stateClosing {
		if len(reason) > 123 {
			reason = reason[:123]
			for !utf8.ValidString(reason) { // not within a character
				reason = reason[:len(reason)-1]
			}
		}
		s.sendCloseFrame(code, []byte(reason), false)
	} else {
		s.drop(false)
	}
}

// drop closes the TCP connection: at once (abort) or after what is queued
// for writing.
func (s *session) drop(abort bool) {
	if s.state == stateClosed {
		return
	}
	s.droppedByMe = true
	s.state = stateClosed
	if abort {
		s.closeConn()
		return
	}
	s.w.closeAfterFlush(s.closeConn)
	time.AfterFunc(2*time.Second, s.closeConn)
}

func (s *session) closeConn() {
	s.mu.Lock()
	done := s.closed
	s.closed = true
	s.mu.Unlock()
	if !done {
		s.conn.Close()
	}
}

func (s *session) connectionLost() {
	s.state = stateClosed
	if !s.wasClean && !s.droppedByMe && s.wasNotCleanReason == "" {
		s.wasNotCleanReason = "peer dropped the TCP connection without previous WebSocket closing handshake"
	}
}

// ---- sending, the API the cases use (Autobahn's p.*) ----

// F describes a frame to send; the zero values mean FIN set, no RSV, no
// repetition, written at once.
type F struct {
	Op      frame.Opcode
	Payload []byte
	Frag    bool // FIN clear
	Rsv     byte // 0..7, the three RSV bits
	Len     int  // when > 0, Payload is repeated to this length
	Chop    int  // when > 0, written to the socket in pieces of this size
	Sync    bool // written on its own, with a pause after it
}

// sendFrame encodes and sends any frame, legal or not. A client masks it.
func (s *session) sendFrame(f F) {
	pl := f.Payload
	if f.Len > 0 {
		pl = repeatTo(f.Payload, f.Len)
	}
	h := frame.Header{
		Fin:    !f.Frag,
		Rsv:    (f.Rsv & 7) << 4,
		Opcode: f.Op,
		Length: int64(len(pl)),
	}
	buf := make([]byte, 0, frame.MaxHeaderSize+len(pl))
	if !s.isServer {
		h.Masked = true
		h.Mask = frame.NewMaskKey()
	}
	buf = h.AppendTo(buf)
	off := len(buf)
	buf = append(buf, pl...)
	if h.Masked {
		frame.Mask(buf[off:], h.Mask, 0)
	}
	s.txFrames[f.Op]++
	s.w.send(buf, f.Chop, f.Sync)
}

func repeatTo(p []byte, n int) []byte {
	out := make([]byte, n)
	for i := 0; i < n; i += len(p) {
		copy(out[i:], p)
	}
	return out
}

// SendMessage sends a whole message, in frames of fragSize (or of
// AutoFragmentSize) when set, compressed when permessage-deflate was
// agreed.
func (s *session) SendMessage(payload []byte, isBinary bool, fragSize int) {
	if s.state != stateOpen {
		return
	}
	op := frame.OpText
	if isBinary {
		op = frame.OpBinary
	}
	if fragSize <= 0 {
		fragSize = s.AutoFragmentSize
	}
	var rsv byte
	if s.tx != nil {
		// Compressed first, then fragmented, RSV1 on the first frame
		// only (RFC 7692 §6), as Autobahn's sendMessage does.
		payload, rsv = s.tx.compress(payload), 4
	}
	if fragSize <= 0 || len(payload) <= fragSize {
		s.sendFrame(F{Op: op, Payload: payload, Rsv: rsv})
		return
	}
	for i := 0; i < len(payload); i += fragSize {
		j := min(i+fragSize, len(payload))
		fop, frsv := op, rsv
		if i > 0 {
			fop, frsv = frame.OpContinuation, 0
		}
		s.sendFrame(F{Op: fop, Payload: payload[i:j], Frag: j < len(payload), Rsv: frsv})
	}
}

// partialFrame is a frame whose header is sent first and whose payload
// follows in pieces (Autobahn's beginMessageFrame/sendMessageFrameData).
type partialFrame struct {
	s    *session
	key  [4]byte
	mask bool
	pos  int
}

func (s *session) beginFrame(op frame.Opcode, length int) *partialFrame {
	h := frame.Header{Fin: true, Opcode: op, Length: int64(length)}
	p := &partialFrame{s: s}
	if !s.isServer {
		h.Masked, h.Mask = true, frame.NewMaskKey()
		p.mask, p.key = true, h.Mask
	}
	s.txFrames[op]++
	s.w.send(h.AppendTo(nil), 0, false)
	return p
}

func (p *partialFrame) data(b []byte) {
	b = append([]byte(nil), b...)
	if p.mask {
		p.pos = frame.Mask(b, p.key, p.pos)
	}
	p.s.w.send(b, 0, true)
}

// sendCloseFrame sends a close frame with any code and reason (code -1: an
// empty payload) and moves to the closing state.
func (s *session) sendCloseFrame(code int, reason []byte, isReply bool) {
	if s.state != stateOpen {
		return
	}
	var pl []byte
	if code >= 0 {
		pl = binary.BigEndian.AppendUint16(nil, uint16(code))
	}
	pl = append(pl, reason...)
	s.sendFrame(F{Op: frame.OpClose, Payload: pl})
	s.state = stateClosing
	s.closedByMe = !isReply
	s.localCloseCode = code
	if s.closedByMe {
		s.closeTimer = s.after(closeHandshakeTimeout, func() {
			s.wasClean = false
			s.wasNotCleanReason = "peer did not respond (in time) in closing handshake"
			s.drop(true)
		})
	}
}

// SendClose starts a closing handshake (code -1: no code).
func (s *session) SendClose(code int, reason string) {
	s.sendCloseFrame(code, []byte(reason), false)
}

// KillAfter fails the connection after d (Autobahn's killAfter).
func (s *session) KillAfter(d time.Duration) {
	s.after(d, func() { s.failConnection(1001, "Going Away") })
}

// CloseAfter starts a closing handshake without a code after d.
func (s *session) CloseAfter(d time.Duration) {
	s.after(d, func() { s.SendClose(-1, "") })
}

// ContinueLater runs f after d unless the connection is gone.
func (s *session) ContinueLater(d time.Duration, f func()) {
	s.after(d, f)
}

// ---- the writer ----

type writeItem struct {
	data  []byte
	chop  int
	sync  bool
	after func()
}

// writer writes in order on its own goroutine, so the loop never blocks on a
// peer that is slow to read (Twisted's transport buffers the same way).
type writer struct {
	conn  net.Conn
	mu    sync.Mutex
	cond  *sync.Cond
	items []writeItem
	done  bool
}

func newWriter(conn net.Conn) *writer {
	w := &writer{conn: conn}
	w.cond = sync.NewCond(&w.mu)
	go w.loop()
	return w
}

func (w *writer) push(it writeItem) {
	w.mu.Lock()
	w.items = append(w.items, it)
	w.mu.Unlock()
	w.cond.Signal()
}

func (w *writer) send(b []byte, chop int, sync bool) {
	w.push(writeItem{data: b, chop: chop, sync: sync})
}

func (w *writer) closeAfterFlush(f func()) { w.push(writeItem{after: f}) }

func (w *writer) stop() {
	w.mu.Lock()
	w.done = true
	w.items = nil
	w.mu.Unlock()
	w.cond.Signal()
}

func (w *writer) loop() {
	for {
		w.mu.Lock()
		for len(w.items) == 0 && !w.done {
			w.cond.Wait()
		}
		if w.done {
			w.mu.Unlock()
			return
		}
		it := w.items[0]
		w.items = w.items[1:]
		w.mu.Unlock()
		if it.after != nil {
			it.after()
			continue
		}
		if err := w.write(it); err != nil && !errors.Is(err, net.ErrClosed) {
			// The reader sees the connection go; nothing else to do.
			_ = err
		}
	}
}

// chopPause is the pause between chopped or synchronous writes, so that the
// pieces leave in separate TCP segments (Autobahn re-enters its reactor
// between them).
const chopPause = 100 * time.Microsecond

func (w *writer) write(it writeItem) error {
	if it.chop <= 0 {
		_, err := w.conn.Write(it.data)
		if it.sync {
			time.Sleep(chopPause)
		}
		return err
	}
	// Many thousands of pieces (the chopped cases of category 9) go out
	// without pauses: TCP_NODELAY still sends each write on its own.
	pause := len(it.data)/it.chop <= 256
	for i := 0; i < len(it.data); i += it.chop {
		j := min(i+it.chop, len(it.data))
		if _, err := w.conn.Write(it.data[i:j]); err != nil {
			return err
		}
		if pause {
			time.Sleep(chopPause)
		}
	}
	return nil
}

// ---- incremental UTF-8 check, fail-fast ----

// utf8Stream validates UTF-8 that arrives in pieces.
type utf8Stream struct {
	tail []byte // an incomplete code point at the end of what was fed
	bad  bool
}

func (u *utf8Stream) feed(p []byte) bool {
	if u.bad {
		return false
	}
	b := p
	if len(u.tail) > 0 {
		b = append(append([]byte(nil), u.tail...), p...)
	}
	// Find where a possibly incomplete last code point starts.
	cut := len(b)
	for i := len(b) - 1; i >= 0 && i >= len(b)-3; i-- {
		c := b[i]
		if c < 0x80 {
			break
		}
		if c >= 0xC0 { // a lead byte
			need := 0
			switch {
			case c >= 0xF0:
				need = 4
			case c >= 0xE0:
				need = 3
			default:
				need = 2
			}
			if len(b)-i < need {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(b[:cut]) || !validPrefix(b[cut:]) {
		u.bad = true
		return false
	}
	u.tail = append(u.tail[:0], b[cut:]...)
	return true
}

func (u *utf8Stream) complete() bool { return !u.bad && len(u.tail) == 0 }

// validPrefix reports whether t (1 to 3 bytes) can start a valid code point.
func validPrefix(t []byte) bool {
	if len(t) == 0 {
		return true
	}
	lo, hi := byte(0x80), byte(0xBF)
	switch c := t[0]; {
	case c >= 0xC2 && c <= 0xDF:
	case c == 0xE0:
		lo = 0xA0
	case c >= 0xE1 && c <= 0xEC, c == 0xEE, c == 0xEF:
	case c == 0xED:
		hi = 0x9F
	case c == 0xF0:
		lo = 0x90
	case c >= 0xF1 && c <= 0xF3:
	case c == 0xF4:
		hi = 0x8F
	default:
		return false
	}
	if len(t) > 1 && (t[1] < lo || t[1] > hi) {
		return false
	}
	for _, c := range t[2:] {
		if c < 0x80 || c > 0xBF {
			return false
		}
	}
	return true
}
