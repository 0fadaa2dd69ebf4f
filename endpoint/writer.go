package endpoint

import (
	"io"

	"github.com/wskit/wskit/frame"
	"github.com/wskit/wskit/internal/pool"
	"github.com/wskit/wskit/streamer"
)

// NextWriter starts a message of type op (frame.OpText or frame.OpBinary)
// and returns a writer of its payload. The message is sent in fragments of
// at most FrameSize bytes as it is written; Close sends the last one. Until
// then other messages wait (WriteMessage and NextWriter block), while
// control frames — pongs, a close — may go out between the fragments. The
// writer must be closed, even after an error, and must not be used after
// Close. Calling WriteMessage or NextWriter from the goroutine holding an
// open writer deadlocks.
//
// With extensions, the message is held until Close, then encoded and sent
// as by WriteMessage.
func (e *Endpoint) NextWriter(op frame.Opcode) (io.WriteCloser, error) {
	if op != frame.OpText && op != frame.OpBinary {
		return nil, ErrOpcode
	}
	e.msgMu.Lock()
	e.frameMu.Lock()
	err := e.usable()
	e.out.streaming = err == nil
	e.frameMu.Unlock()
	if err != nil {
		e.msgMu.Unlock()
		return nil, err
	}
	w := e.writer
	if w == nil {
		w = &messageWriter{e: e, sopts: []streamer.Option{streamer.FrameSize(e.cfg.frameSize)}}
		if e.cfg.keys != nil {
			w.sopts = append(w.sopts, streamer.MaskKeys(e.cfg.keys))
		}
		if sc := e.streamCodec(); sc != nil {
			w.sc = sc
			w.sopts = append(w.sopts, streamer.Rsv(sc.RSV()))
		}
		e.writer = w
	}
	w.open, w.op, w.n = true, op, 0
	switch {
	case w.sc != nil:
		// Compressed as it is written: the encoder writes into the
		// Streamer, which frames it, RSV bits on the first frame.
		w.s.Reset((*frameSink)(e), op, w.sopts...)
		w.zw = w.sc.MessageWriter(&w.s)
	case len(e.exts()) == 0:
		w.s.Reset((*frameSink)(e), op, w.sopts...)
	}
	return w, nil
}

// frameSink writes the frames a Streamer encodes, one Write per frame.
type frameSink Endpoint

func (s *frameSink) Write(b []byte) (int, error) {
	e := (*Endpoint)(s)
	e.frameMu.Lock()
	defer e.frameMu.Unlock()
	if err := e.usable(); err != nil {
		return 0, err
	}
	if err := e.write(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// endStream lets WriteMessage take its one-lock path again.
func (e *Endpoint) endStream() {
	e.frameMu.Lock()
	e.out.streaming = false
	e.frameMu.Unlock()
}

// messageWriter is the writer NextWriter returns; it belongs to the holder
// of msgMu.
type messageWriter struct {
	e     *Endpoint
	s     streamer.Streamer
	sopts []streamer.Option
	op    frame.Opcode
	open  bool
	buf   *[]byte // the whole message, with extensions that do not stream
	n     int
	sc    StreamCodec    // the extension that streams, if it is the only one
	zw    io.WriteCloser // its encoder of the open message
}

// Write implements io.Writer.
func (w *messageWriter) Write(p []byte) (int, error) {
	if !w.open {
		return 0, ErrClosed
	}
	if w.zw != nil {
		return w.zw.Write(p)
	}
	if len(w.e.exts()) == 0 {
		return w.s.Write(p)
	}
	if w.buf == nil || cap(*w.buf) < w.n+len(p) {
		nb := pool.Get(max(w.n+len(p), 2*w.n))
		if w.buf != nil {
			copy(*nb, (*w.buf)[:w.n])
			pool.Put(w.buf)
		}
		w.buf = nb
	}
	*w.buf = (*w.buf)[:cap(*w.buf)]
	w.n += copy((*w.buf)[w.n:], p)
	return len(p), nil
}

// ReadFrom implements io.ReaderFrom, so io.Copy fills frames directly.
func (w *messageWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.open {
		return 0, ErrClosed
	}
	if len(w.e.exts()) == 0 {
		return w.s.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{w}, r)
}

// Close ends the message and lets the next one start.
func (w *messageWriter) Close() error {
	if !w.open {
		return ErrClosed
	}
	w.open = false
	defer w.e.msgMu.Unlock()
	defer w.e.endStream()
	if w.zw != nil {
		err := w.zw.Close()
		w.zw = nil
		if cerr := w.s.Close(); err == nil {
			err = cerr
		}
		return err
	}
	if len(w.e.exts()) == 0 {
		return w.s.Close()
	}
	var data []byte
	if w.buf != nil {
		data = (*w.buf)[:w.n]
	}
	err := w.e.writeMessage(w.op, data)
	pool.Put(w.buf)
	w.buf, w.n = nil, 0
	return err
}
