// Package streamer sends one WebSocket message as a sequence of fragments.
//
// A Streamer is an io.WriteCloser: what is written becomes the payload of
// one text or binary message, cut into frames of at most FrameSize bytes. The
// first frame carries the message's opcode, the later ones are
// continuations, and Close sends the last frame with FIN set. A Streamer
// holds back a full frame until it knows whether more follows, so Close never
// sends an empty trailing fragment when the data ended on a frame boundary.
//
// Every frame goes out in a single Write call on the underlying writer, with
// its header in the same buffer as its payload. Clients mask every frame
// (option Masked); the masking happens in the Streamer's own buffer, never in
// the caller's bytes.
package streamer
