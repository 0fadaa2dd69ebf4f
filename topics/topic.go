package topics

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTopicLen is the longest topic or pattern, in bytes. A bound keeps a
// Hub's memory proportional to what it is asked to hold.
const MaxTopicLen = 1024

// ValidTopic checks a topic a message is published to: '.'-separated
// non-empty tokens, no wildcard, no whitespace or control character, valid
// UTF-8, at most MaxTopicLen bytes. It returns nil or a *TopicError.
func ValidTopic(topic string) error { return check(topic, false) }

// ValidPattern checks a pattern a subscriber subscribes to: a topic whose
// tokens may also be "*" (any one token) or, last, ">" (one or more
// tokens). It returns nil or a *TopicError.
func ValidPattern(pattern string) error { return check(pattern, true) }

func check(s string, pattern bool) error {
	fail := func(off int, rule error) error {
		return &TopicError{Topic: s, Pattern: pattern, Offset: off, Err: rule}
	}
	if len(s) > MaxTopicLen {
		return fail(MaxTopicLen, ErrTooLong)
	}
	start := 0 // of the current token
	wild := -1 // the current token's first '*' or '>', seen by the byte loop
	for i := 0; i <= len(s); {
		if i == len(s) || s[i] == '.' {
			tok := s[start:i]
			switch {
			case tok == "":
				return fail(i, ErrEmptyToken)
			case tok == "*" || tok == ">":
				if !pattern {
					return fail(start, ErrWildcardInTopic)
				}
				if tok == ">" && i != len(s) {
					return fail(start, ErrFullWildcardNotLast)
				}
			case wild >= 0:
				return fail(wild, ErrPartialWildcard)
			}
			i++
			start, wild = i, -1
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == 0x7f {
				return fail(i, ErrCharacter)
			}
			if (c == '*' || c == '>') && wild < 0 {
				wild = i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) {
			return fail(i, ErrCharacter)
		}
		i += n
	}
	return nil
}

// hasWildcard reports whether a valid pattern has a "*" or ">" token.
func hasWildcard(p string) bool { return strings.ContainsAny(p, "*>") }

// next splits the first token off s: tok, the rest after the '.', and
// whether there was a '.'.
func next(s string) (tok, rest string, more bool) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// Match reports whether a valid topic matches a valid pattern.
func Match(pattern, topic string) bool {
	for {
		p, prest, pmore := next(pattern)
		t, trest, tmore := next(topic)
		switch {
		case p == ">":
			return true // topic has at least this one token left
		case p != "*" && p != t:
			return false
		case !pmore || !tmore:
			return pmore == tmore
		}
		pattern, topic = prest, trest
	}
}

// overlap reports whether some topic matches both valid patterns.
func overlap(a, b string) bool {
	for {
		x, xrest, xmore := next(a)
		y, yrest, ymore := next(b)
		switch {
		case x == ">" || y == ">":
			return true
		case x != "*" && y != "*" && x != y:
			return false
		case !xmore || !ymore:
			return xmore == ymore
		}
		a, b = xrest, yrest
	}
}
