package main

import "strings"

// roomPrefix is the path a WebSocket opens to join a room: /chat/{room}.
const roomPrefix = "/chat/"

// validRoom reports whether name is a room name: one or more ASCII
// letters, digits, '-' and '_'. The set keeps a name safe as one token of
// a topic (and of a NATS subject, where '.', '*', '>' and spaces mean
// something) and in a URL without escaping.
func validRoom(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// roomOf returns the room a /chat/{room} path names, and false when path
// is not under /chat/ or the name is not a room name.
func roomOf(path string) (string, bool) {
	name, ok := strings.CutPrefix(path, roomPrefix)
	if !ok || !validRoom(name) {
		return "", false
	}
	return name, true
}

// topicOf is the topic that carries a room's messages. Rooms live under
// "chat." so that the topics of a broker shared with other applications
// stay apart.
func topicOf(room string) string { return "chat." + room }
