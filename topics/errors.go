package topics

import (
	"errors"
	"strconv"
)

// Errors of a Hub and of the Local broker.
var (
	// ErrTopic is matched (errors.Is) by every error about a malformed
	// topic or pattern; the *TopicError says which rule was broken.
	ErrTopic = errors.New("topics: invalid topic")
	// ErrClosed is returned by a Hub's Subscribe and Publish after Close.
	ErrClosed = errors.New("topics: hub closed")
	// ErrNotSubscribed is returned by Unsubscribe for a pattern the
	// subscriber does not hold.
	ErrNotSubscribed = errors.New("topics: not subscribed to that pattern")
	// ErrSubscriber is returned by Subscribe for a nil Subscriber, or one
	// whose dynamic type cannot be a map key (a Hub tells subscribers apart
	// by ==; use a pointer).
	ErrSubscriber = errors.New("topics: subscriber is nil or not comparable")
)

// The rules a topic or pattern can break; a *TopicError wraps one.
var (
	// ErrEmptyToken: an empty topic, or a '.' at either end or twice in a row.
	ErrEmptyToken = errors.New("empty token")
	// ErrWildcardInTopic: a published topic has a "*" or ">" token; only
	// patterns have wildcards.
	ErrWildcardInTopic = errors.New("wildcard in a published topic")
	// ErrPartialWildcard: '*' or '>' inside a longer token ("a*"); a
	// wildcard is a whole token.
	ErrPartialWildcard = errors.New("'*' or '>' inside a token")
	// ErrFullWildcardNotLast: a ">" token followed by more tokens.
	ErrFullWildcardNotLast = errors.New("'>' is not the last token")
	// ErrCharacter: whitespace, a control character or invalid UTF-8.
	ErrCharacter = errors.New("whitespace, control character or invalid UTF-8")
	// ErrTooLong: more than MaxTopicLen bytes.
	ErrTooLong = errors.New("longer than MaxTopicLen")
)

// TopicError reports a malformed topic or pattern. errors.Is matches it
// against ErrTopic and against the rule it wraps (ErrEmptyToken, ...).
type TopicError struct {
	Topic   string // the topic or pattern as given
	Pattern bool   // it was given as a pattern (to Subscribe)
	Offset  int    // the byte where the broken rule shows
	Err     error  // the rule: ErrEmptyToken, ErrWildcardInTopic, ...
}

// Error implements error.
func (e *TopicError) Error() string {
	what := "topic"
	if e.Pattern {
		what = "pattern"
	}
	return "topics: invalid " + what + " " + strconv.Quote(e.Topic) + " at byte " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
}

// Unwrap returns the rule that was broken.
func (e *TopicError) Unwrap() error { return e.Err }

// Is reports whether target is ErrTopic, which every TopicError matches.
func (e *TopicError) Is(target error) bool { return target == ErrTopic }
