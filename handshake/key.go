package handshake

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"io"
)

// GUID is the globally unique identifier that RFC 6455 section 1.3 appends
// to the client's key before hashing it into the accept value.
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// Version is the only WebSocket protocol version this package speaks, the
// value of the Sec-WebSocket-Version header field.
const Version = "13"

// keyLen is the number of random bytes in a key, before base64 encoding.
const keyLen = 16

// encodedKeyLen is the length of a key in base64.
const encodedKeyLen = 24

// NewKey returns a new Sec-WebSocket-Key value: 16 bytes from crypto/rand,
// base64 encoded.
func NewKey() string {
	var b [keyLen]byte
	rand.Read(b[:]) // never fails since Go 1.24
	return base64.StdEncoding.EncodeToString(b[:])
}

// ReadKey is like [NewKey] but takes its 16 bytes from r, for tests and
// callers that bring their own source of randomness.
func ReadKey(r io.Reader) (string, error) {
	var b [keyLen]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b[:]), nil
}

// ValidKey reports whether key is a valid Sec-WebSocket-Key value: the
// base64 encoding of exactly 16 bytes.
func ValidKey(key string) bool {
	if len(key) != encodedKeyLen {
		return false
	}
	var b [18]byte
	n, err := base64.StdEncoding.Strict().Decode(b[:], []byte(key))
	return err == nil && n == keyLen
}

// Accept returns the Sec-WebSocket-Accept value for key: the base64
// encoding of the SHA-1 hash of key followed by [GUID].
func Accept(key string) string {
	var buf [28]byte
	return string(AppendAccept(buf[:0], key))
}

// AppendAccept appends the Sec-WebSocket-Accept value for key to dst and
// returns the extended slice. It does not allocate when dst has room for
// the 28 bytes of the value.
func AppendAccept(dst []byte, key string) []byte {
	var in [24 + len(GUID)]byte
	sum := sha1.Sum(append(append(in[:0], key...), GUID...))
	return base64.StdEncoding.AppendEncode(dst, sum[:])
}

// AcceptMatches reports whether got is the Sec-WebSocket-Accept value that
// answers key. It does not allocate for keys of the usual length.
func AcceptMatches(got, key string) bool {
	var buf [28]byte
	return string(AppendAccept(buf[:0], key)) == got
}
