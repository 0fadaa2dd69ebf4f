package topics

// trie indexes values by pattern so that the patterns matching a topic are
// found by walking the topic's tokens: the cost grows with the topic's
// length and the wildcards along its path, not with the number of
// patterns. Empty branches are pruned, so memory follows the patterns
// held, not those ever held.
type trie[V any] struct {
	root node[V]
}

type node[V any] struct {
	lit  map[string]*node[V] // literal tokens
	star *node[V]            // "*"
	here *V                  // the pattern ending at this node
	full *V                  // the pattern ending in ">" after this node
}

func (n *node[V]) empty() bool {
	return len(n.lit) == 0 && n.star == nil && n.here == nil && n.full == nil
}

// put stores v for a valid pattern, replacing any value it had.
func (t *trie[V]) put(pattern string, v *V) {
	n := &t.root
	for {
		tok, rest, more := next(pattern)
		if tok == ">" {
			n.full = v
			return
		}
		var c *node[V]
		if tok == "*" {
			if n.star == nil {
				n.star = &node[V]{}
			}
			c = n.star
		} else {
			if c = n.lit[tok]; c == nil {
				if n.lit == nil {
					n.lit = make(map[string]*node[V])
				}
				c = &node[V]{}
				n.lit[tok] = c
			}
		}
		if !more {
			c.here = v
			return
		}
		n, pattern = c, rest
	}
}

// remove deletes a valid pattern's value and the branches left empty.
func (t *trie[V]) remove(pattern string) { removeAt(&t.root, pattern) }

func removeAt[V any](n *node[V], pattern string) {
	tok, rest, more := next(pattern)
	if tok == ">" {
		n.full = nil
		return
	}
	c := n.star
	if tok != "*" {
		c = n.lit[tok]
	}
	if c == nil {
		return
	}
	if more {
		removeAt(c, rest)
	} else {
		c.here = nil
	}
	if !c.empty() {
		return
	}
	if tok == "*" {
		n.star = nil
	} else {
		delete(n.lit, tok)
	}
}

// match appends to out the values of the patterns a valid topic matches.
func (t *trie[V]) match(topic string, out []*V) []*V { return matchAt(&t.root, topic, out) }

func matchAt[V any](n *node[V], topic string, out []*V) []*V {
	if n.full != nil {
		out = append(out, n.full) // topic has at least one token left
	}
	tok, rest, more := next(topic)
	if c := n.lit[tok]; c != nil {
		out = step(c, rest, more, out)
	}
	if n.star != nil {
		out = step(n.star, rest, more, out)
	}
	return out
}

func step[V any](c *node[V], rest string, more bool, out []*V) []*V {
	if !more {
		if c.here != nil {
			out = append(out, c.here)
		}
		return out
	}
	return matchAt(c, rest, out)
}
