package topics

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValid(t *testing.T) {
	long := strings.Repeat("a", MaxTopicLen+1)
	for _, tc := range []struct {
		s          string
		topic, pat error // the rule broken as a topic, as a pattern; nil: valid
		offset     int   // where, as a topic
	}{
		{s: "a"},
		{s: "chat.room-1.msg_x"},
		{s: "über.данные"},
		{s: strings.Repeat("a", MaxTopicLen)},
		{s: "", topic: ErrEmptyToken, pat: ErrEmptyToken, offset: 0},
		{s: ".", topic: ErrEmptyToken, pat: ErrEmptyToken, offset: 0},
		{s: "a..b", topic: ErrEmptyToken, pat: ErrEmptyToken, offset: 2},
		{s: ".a", topic: ErrEmptyToken, pat: ErrEmptyToken, offset: 0},
		{s: "a.", topic: ErrEmptyToken, pat: ErrEmptyToken, offset: 2},
		{s: "*", topic: ErrWildcardInTopic},
		{s: ">", topic: ErrWildcardInTopic},
		{s: "a.*.c", topic: ErrWildcardInTopic, offset: 2},
		{s: "a.>", topic: ErrWildcardInTopic, offset: 2},
		{s: "*.*.>", topic: ErrWildcardInTopic},
		{s: "a.>.b", topic: ErrWildcardInTopic, pat: ErrFullWildcardNotLast, offset: 2},
		{s: ">.>", topic: ErrWildcardInTopic, pat: ErrFullWildcardNotLast},
		{s: "a*", topic: ErrPartialWildcard, pat: ErrPartialWildcard, offset: 1},
		{s: "a.b>", topic: ErrPartialWildcard, pat: ErrPartialWildcard, offset: 3},
		{s: "a.**", topic: ErrPartialWildcard, pat: ErrPartialWildcard, offset: 2},
		{s: "a b", topic: ErrCharacter, pat: ErrCharacter, offset: 1},
		{s: "a\tb", topic: ErrCharacter, pat: ErrCharacter, offset: 1},
		{s: "a\n", topic: ErrCharacter, pat: ErrCharacter, offset: 1},
		{s: "a\x00", topic: ErrCharacter, pat: ErrCharacter, offset: 1},
		{s: "a\x7f", topic: ErrCharacter, pat: ErrCharacter, offset: 1},
		{s: "a\u00a0b", topic: ErrCharacter, pat: ErrCharacter, offset: 1}, // no-break space
		{s: "a\u2028", topic: ErrCharacter, pat: ErrCharacter, offset: 1},  // line separator
		{s: "a\xffb", topic: ErrCharacter, pat: ErrCharacter, offset: 1},   // not UTF-8
		{s: "a\xc3", topic: ErrCharacter, pat: ErrCharacter, offset: 1},    // cut UTF-8
		{s: long, topic: ErrTooLong, pat: ErrTooLong, offset: MaxTopicLen}, // bounded
	} {
		for _, asPattern := range []bool{false, true} {
			want := tc.topic
			check := ValidTopic
			if asPattern {
				want, check = tc.pat, ValidPattern
			}
			err := check(tc.s)
			if want == nil {
				if err != nil {
					t.Errorf("%q (pattern %v): %v, want valid", tc.s, asPattern, err)
				}
				continue
			}
			var te *TopicError
			if !errors.As(err, &te) || !errors.Is(err, ErrTopic) || !errors.Is(err, want) {
				t.Errorf("%q (pattern %v): %v, want a *TopicError for %v", tc.s, asPattern, err, want)
				continue
			}
			if te.Pattern != asPattern || te.Topic != tc.s {
				t.Errorf("%q: error %+v names the wrong input", tc.s, te)
			}
			if !asPattern && te.Offset != tc.offset {
				t.Errorf("%q: error at byte %d, want %d", tc.s, te.Offset, tc.offset)
			}
		}
	}
}

// matchTopics and matchTable: which of the topics each pattern matches.
var matchTopics = []string{"a", "b", "a.b", "a.c", "b.b", "a.b.c", "a.b.c.d", "a.x.c", "ab", "a.bc"}

var matchTable = map[string][]string{
	"a":       {"a"},
	"a.b":     {"a.b"},
	"*":       {"a", "b", "ab"},
	">":       matchTopics,
	"a.*":     {"a.b", "a.c", "a.bc"},
	"a.>":     {"a.b", "a.c", "a.b.c", "a.b.c.d", "a.x.c", "a.bc"},
	"*.b":     {"a.b", "b.b"},
	"*.*":     {"a.b", "a.c", "b.b", "a.bc"},
	"a.*.c":   {"a.b.c", "a.x.c"},
	"a.b.>":   {"a.b.c", "a.b.c.d"},
	"*.b.*":   {"a.b.c"},
	"*.*.>":   {"a.b.c", "a.b.c.d", "a.x.c"},
	"*.>":     {"a.b", "a.c", "b.b", "a.b.c", "a.b.c.d", "a.x.c", "a.bc"},
	"a.b.c.d": {"a.b.c.d"},
	"x":       nil,
	"a.b.c.*": {"a.b.c.d"},
}

// TestMatch checks Match, and the trie holding every pattern at once,
// against the table.
func TestMatch(t *testing.T) {
	got := map[string][]string{}
	var tr trie[string]
	for p := range matchTable {
		got[p] = nil
		p := p
		tr.put(p, &p)
	}
	for p := range matchTable {
		for _, topic := range matchTopics {
			if Match(p, topic) {
				got[p] = append(got[p], topic)
			}
		}
	}
	if diff := cmp.Diff(matchTable, got); diff != "" {
		t.Errorf("Match (-want +got):\n%s", diff)
	}
	fromTrie := map[string][]string{}
	for p := range matchTable {
		fromTrie[p] = nil
	}
	for _, topic := range matchTopics {
		for _, p := range tr.match(topic, nil) {
			fromTrie[*p] = append(fromTrie[*p], topic)
		}
	}
	for p := range fromTrie {
		slices.SortFunc(fromTrie[p], func(a, b string) int {
			return slices.Index(matchTopics, a) - slices.Index(matchTopics, b)
		})
	}
	if diff := cmp.Diff(matchTable, fromTrie); diff != "" {
		t.Errorf("trie (-want +got):\n%s", diff)
	}
	// Removing every pattern leaves nothing behind.
	for p := range matchTable {
		tr.remove(p)
	}
	if !tr.root.empty() {
		t.Errorf("trie not empty after removing every pattern: %+v", tr.root)
	}
}

// TestOverlap: two patterns overlap when a topic matches both; checked
// against the match table for every pair.
func TestOverlap(t *testing.T) {
	for p := range matchTable {
		for q := range matchTable {
			want := false
			for _, topic := range matchTable[p] {
				want = want || slices.Contains(matchTable[q], topic)
			}
			if p == "x" || q == "x" {
				want = p == q || p == ">" || q == ">" || p == "*" || q == "*"
			}
			if got := overlap(p, q); got != want {
				t.Errorf("overlap(%q, %q) = %v, want %v", p, q, got, want)
			}
		}
	}
	for _, tc := range []struct {
		p, q string
		want bool
	}{
		{"a.*.c", "a.b.*", true},
		{"a.b", "a.b.c", false},
		{"a.>", "a", false},
		{"*.>", "a.b.c", true},
		{"a.*", "b.*", false},
		{"a.*.*", "*.b", false},
	} {
		if got := overlap(tc.p, tc.q); got != tc.want {
			t.Errorf("overlap(%q, %q) = %v, want %v", tc.p, tc.q, got, tc.want)
		}
	}
}
