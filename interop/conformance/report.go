package conformance

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

var categoryNames = map[string]string{
	"1":  "Framing",
	"2":  "Pings/Pongs",
	"3":  "Reserved Bits",
	"4":  "Opcodes",
	"5":  "Fragmentation",
	"6":  "UTF-8 Handling",
	"7":  "Close Handling",
	"9":  "Limits/Performance",
	"10": "Auto-Fragmentation",
	"12": "WebSocket Compression (different payloads)",
	"13": "WebSocket Compression (different parameters)",
}

var behaviorGrades = []Grade{OK, NonStrict, Informational, Unimplemented, Failed}

func category(id string) string {
	if i := strings.IndexByte(id, '.'); i >= 0 {
		return id[:i]
	}
	return id
}

func categories(results []*Result) []string {
	seen := map[string]bool{}
	var cats []string
	for _, r := range results {
		c := category(r.ID)
		if !seen[c] {
			seen[c] = true
			cats = append(cats, c)
		}
	}
	sort.Slice(cats, func(i, j int) bool {
		a, _ := strconv.Atoi(cats[i])
		b, _ := strconv.Atoi(cats[j])
		return a < b
	})
	return cats
}

// Summary returns one line per category: the count of each grade, and how
// many cases fail (a red cell in Autobahn's report).
func Summary(role string, results []*Result) []string {
	var lines []string
	for _, cat := range categories(results) {
		counts := map[Grade]int{}
		n, failed := 0, 0
		var closeBad []string
		for _, r := range results {
			if category(r.ID) != cat {
				continue
			}
			n++
			counts[r.Behavior]++
			if r.Failed() {
				failed++
			}
			if !r.BehaviorClose.ClosePassed() && r.Behavior.Passed() {
				closeBad = append(closeBad, r.ID)
			}
		}
		var parts []string
		for _, g := range behaviorGrades {
			if counts[g] > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", g, counts[g]))
			}
		}
		line := fmt.Sprintf("%s role, category %s (%s): %d cases: %s", role, cat, categoryNames[cat], n, strings.Join(parts, ", "))
		if len(closeBad) > 0 {
			line += fmt.Sprintf("; close behaviour failed: %s", strings.Join(closeBad, " "))
		}
		if failed > 0 {
			line += fmt.Sprintf(" — %d FAILING", failed)
		}
		lines = append(lines, line)
	}
	return lines
}

// Explanations of the grades other than OK that the suite's cases can give
// by design, keyed by case ID prefix.
var explanations = []struct{ prefix, text string }{
	{"3.", "NON-STRICT: the target failed the connection on the frame with RSV bits set before it had echoed the valid message sent just before it. RFC 6455 lets an endpoint fail at once; Autobahn prefers that messages received before the violation still be processed."},
	{"4.", "NON-STRICT: as for category 3: the connection was failed on the reserved opcode before the valid message sent before it was echoed."},
	{"5.15", "NON-STRICT: the connection was failed on the bad continuation frame before the valid fragmented message that preceded it was echoed."},
	{"6.4.", "NON-STRICT: the target noticed the invalid UTF-8 only when the message was complete, not as soon as the offending byte arrived (fail-fast, RFC 6455 §8.1 allows both)."},
	{"7.1.6", "INFORMATIONAL by design: whether the 256 KiB message is echoed before the close frame is processed is implementation-defined."},
	{"7.13.", "INFORMATIONAL by design: the close codes 5000 and 65535 are outside every range RFC 6455 defines; any reaction is accepted."},
}

// explainUnimplemented explains an UNIMPLEMENTED compression case.
func explainUnimplemented(r *Result) string {
	if r.Role == "client" && category(r.ID) == "13" {
		return "The client's offer does not name client_max_window_bits, and this subcategory's fuzzing server, like Autobahn's, accepts only by asking for client_max_window_bits (RFC 7692 §7.1.2.2 lets a server ask for it only when offered): it answers without the extension, so nothing is compressed."
	}
	return "The target did not agree to permessage-deflate in the opening handshake."
}

func explain(r *Result) string {
	id, g := r.ID, r.Behavior
	if g == NonStrict && (id == "6.4.3" || id == "6.4.4") {
		return "NON-STRICT: here the invalid byte comes in the middle of a single frame whose remaining bytes arrive a second later; a target that validates UTF-8 once per complete frame (rather than as the frame's bytes arrive) notices it only at the frame's end. RFC 6455 §8.1 allows both."
	}
	for _, e := range explanations {
		if strings.HasPrefix(id, e.prefix) && (g == NonStrict || g == Informational) {
			return e.text
		}
	}
	if g == Unimplemented {
		return explainUnimplemented(r)
	}
	if g != Failed {
		return ""
	}
	switch {
	case id == "2.10" || id == "2.11":
		return fmt.Sprintf("The target sent %d pongs for 10 pings sent back to back: it answers only the latest ping of a burst, which RFC 6455 §5.5.3 allows (MAY), but Autobahn expects a pong per ping here.", len(r.Received))
	case category(id) == "9" && r.RemoteCloseCode >= 0 && r.RemoteCloseCode != 1000:
		return fmt.Sprintf("The target failed the connection with close code %d instead of echoing the message: a limit of the target (1008 for too many fragments, 1009 for too big).", r.RemoteCloseCode)
	}
	return ""
}

// Section is the results of one target in one role, for the report.
type Section struct {
	Role    string // "server" (the target is a server) or "client"
	Name    string // the target's short name, e.g. demo/echo; may be empty
	Target  string // how the target was run
	Results []*Result
}

// WriteMarkdown writes the report: the server sections, then the client
// ones.
func WriteMarkdown(w io.Writer, title string, sections []Section, generated time.Time) {
	fmt.Fprintf(w, "# %s\n\n", title)
	fmt.Fprintf(w, "Generated by `interop/conformance` on %s. The suite re-creates the Autobahn|Testsuite's fuzzing client and fuzzing server in Go (categories 1–7, 9, 10, 12 and 13, with Autobahn's case definitions and grading); see `interop/conformance/doc.go`.\n\n", generated.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "Grades: **OK** passed; **NON-STRICT** passed, but not the behaviour Autobahn prefers (a SHOULD, or a canonical behaviour the RFC leaves open); **INFORMATIONAL** the behaviour is undefined by the RFC and only reported; **UNIMPLEMENTED** the target did not agree to permessage-deflate with the parameters of the case (categories 12 and 13 only); **FAILED** a MUST of RFC 6455 or RFC 7692 is broken. The close behaviour is graded apart (OK, WRONG CODE, UNCLEAN, FAILED BY CLIENT, FAILED), as in Autobahn's report. A case *fails* when its behaviour is FAILED or its close behaviour is FAILED or UNCLEAN.\n\n")
	fmt.Fprintf(w, "Categories 12 and 13 (permessage-deflate) differ from Autobahn's in four ways, each for a reason given in `interop/conformance/pmdcases.go` and `pmdnegotiate.go`: the payloads are generated stand-ins of the same kinds and sizes as Autobahn's five files; each case sends at most 1,000 messages and at least %d, about %d MiB a case (Autobahn: 1,000 messages of every size, some 11 GB a role); the fuzzing client's offers leave out Autobahn's client_no_context_takeover hint, which Autobahn does not keep; and the fuzzing client fails a response that does not grant what one of its offers asked for (server_no_context_takeover, a server window below 15 bits no larger than offered), where Autobahn's takes any permessage-deflate response. Window sizes of 8 bits are Autobahn's original definition (later releases use 9, for zlib's sake).\n\n", pmdMinCount, pmdBudget>>20)
	writeSubcategories(w)
	var ordered []Section
	for _, role := range []string{"server", "client"} {
		for _, s := range sections {
			if s.Role == role {
				ordered = append(ordered, s)
			}
		}
	}
	for _, sec := range ordered {
		results, role := sec.Results, sec.Role
		if sec.Name != "" {
			fmt.Fprintf(w, "## The toolkit as a %s: %s\n\n", role, sec.Name)
		} else {
			fmt.Fprintf(w, "## The toolkit as a %s\n\n", role)
		}
		if sec.Target != "" {
			fmt.Fprintf(w, "Target: %s.\n\n", sec.Target)
		}
		fmt.Fprintf(w, "| category | cases | OK | NON-STRICT | INFORMATIONAL | UNIMPLEMENTED | FAILED | close not OK |\n|---|---|---|---|---|---|---|---|\n")
		for _, cat := range categories(results) {
			counts := map[Grade]int{}
			n, closeNotOK := 0, 0
			for _, r := range results {
				if category(r.ID) != cat {
					continue
				}
				n++
				counts[r.Behavior]++
				if r.BehaviorClose != OK && r.BehaviorClose != Informational {
					closeNotOK++
				}
			}
			fmt.Fprintf(w, "| %s %s | %d | %d | %d | %d | %d | %d | %d |\n", cat, categoryNames[cat], n,
				counts[OK], counts[NonStrict], counts[Informational], counts[Unimplemented], counts[Failed], closeNotOK)
		}
		fmt.Fprintln(w)

		var notOK []*Result
		unimpl := map[string][]string{} // subcategory → case IDs, UNIMPLEMENTED with a clean close
		var unimplOrder []string
		for _, r := range results {
			if r.Behavior == Unimplemented && r.BehaviorClose == OK {
				sub := r.ID[:strings.LastIndexByte(r.ID, '.')]
				if unimpl[sub] == nil {
					unimplOrder = append(unimplOrder, sub)
					notOK = append(notOK, r)
				}
				unimpl[sub] = append(unimpl[sub], r.ID)
				continue
			}
			if r.Behavior != OK || (r.BehaviorClose != OK && r.BehaviorClose != Informational) {
				notOK = append(notOK, r)
			}
		}
		if len(notOK) == 0 {
			fmt.Fprintf(w, "Every case is OK, with a clean close.\n\n")
		} else {
			fmt.Fprintf(w, "### Cases not OK\n\n| case | behaviour | close | reason | explanation |\n|---|---|---|---|---|\n")
			for _, r := range notOK {
				if r.Behavior == Unimplemented && r.BehaviorClose == OK {
					sub := r.ID[:strings.LastIndexByte(r.ID, '.')]
					ids := unimpl[sub]
					fmt.Fprintf(w, "| %s (%d cases) | %s | OK | %s | %s |\n", strings.Join([]string{ids[0], ids[len(ids)-1]}, " – "), len(ids), r.Behavior, md(r.Reason), md(explainUnimplemented(r)))
					continue
				}
				reason := r.Reason
				if r.Behavior == Failed || r.Behavior == NonStrict {
					reason += " Expected " + r.Expected + "; received " + eventsString(r.Received) + "."
				}
				closeCol := string(r.BehaviorClose)
				if r.BehaviorClose != OK {
					closeCol += ": " + r.ReasonClose + closeDetail(r)
				}
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", r.ID, r.Behavior, md(closeCol), md(reason), md(explain(r)))
			}
			fmt.Fprintln(w)
		}

		fmt.Fprintf(w, "### Timings of category 9\n\n| case | behaviour | duration |\n|---|---|---|\n")
		for _, r := range results {
			if r.ReportTime && category(r.ID) == "9" {
				fmt.Fprintf(w, "| %s | %s | %d ms |\n", r.ID, r.Behavior, r.Duration.Milliseconds())
			}
		}
		fmt.Fprintln(w)
		writeCompression(w, results)
	}
}

// writeSubcategories lists the subcategories of 12 and 13: the payload, what
// the fuzzing client offers and how the fuzzing server may accept.
func writeSubcategories(w io.Writer) {
	accepts := func(d *DeflateSpec) string {
		var s []string
		for _, a := range d.Accepts {
			x := "permessage-deflate"
			if a.RequestNoContextTakeover {
				x += "; client_no_context_takeover"
			}
			if a.RequestMaxWindowBits != 0 {
				x += fmt.Sprintf("; client_max_window_bits=%d (only if offered)", a.RequestMaxWindowBits)
			}
			s = append(s, "`"+x+"`")
		}
		return strings.Join(s, ", else ")
	}
	fmt.Fprintf(w, "| subcategory | payload | fuzzing client's offer | fuzzing server's answer (with the offer's server_* parameters echoed) |\n|---|---|---|---|\n")
	def := &DeflateSpec{Offers: []PMDOffer{{}}, Accepts: []PMDAccept{{}}}
	for j, d := range pmdFiles {
		fmt.Fprintf(w, "| 12.%d | stand-in for %s | `%s` | %s |\n", j+1, d.Title(), def.offerHeader(), accepts(def))
	}
	for j := range pmdParamSets {
		spec := &pmdParamSets[j]
		fmt.Fprintf(w, "| 13.%d | stand-in for %s | `%s` | %s |\n", j+1, pmdJSON.Title(), spec.offerHeader(), accepts(spec))
	}
	fmt.Fprintln(w)
}

// writeCompression writes the table of categories 12 and 13: what was
// agreed, how long each case took and how well the target compressed.
func writeCompression(w io.Writer, results []*Result) {
	var rows []*Result
	for _, r := range results {
		if c := category(r.ID); c == "12" || c == "13" {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "### Categories 12 and 13: agreement, timings, compression\n\n")
	fmt.Fprintf(w, "The target's compression is its compressed payload bytes over their size inflated, over the messages it echoed compressed; RFC 7692 lets a sender send any message uncompressed.\n\n")
	fmt.Fprintf(w, "| case | behaviour | messages | duration | target's compression | agreed (response) |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		ratio := "–"
		switch {
		case r.PeerCompression > 0:
			ratio = fmt.Sprintf("%.3f", r.PeerCompression)
		case r.Deflate != "" && r.Behavior == OK:
			ratio = "sent uncompressed"
		}
		agreed := r.Deflate
		if agreed == "" {
			agreed = "none"
		}
		fmt.Fprintf(w, "| %s | %s | %d | %d ms | %s | `%s` |\n", r.ID, r.Behavior, r.Messages, r.Duration.Milliseconds(), ratio, md(agreed))
	}
	fmt.Fprintln(w)
}

func closeDetail(r *Result) string {
	var d []string
	if r.RemoteCloseCode >= 0 {
		d = append(d, fmt.Sprintf("peer's close code %d", r.RemoteCloseCode))
	} else {
		d = append(d, "no close code from the peer")
	}
	d = append(d, fmt.Sprintf("closedByMe=%v wasClean=%v droppedByMe=%v", r.ClosedByMe, r.WasClean, r.DroppedByMe))
	if r.WasNotCleanReason != "" {
		d = append(d, r.WasNotCleanReason)
	}
	return " (" + strings.Join(d, "; ") + ")"
}

func md(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// Describe returns a one-line account of a result, for test logs.
func Describe(r *Result) string {
	return fmt.Sprintf("%s [%s role] behavior=%s close=%s: %s | %s%s; expected %s; received %s",
		r.ID, r.Role, r.Behavior, r.BehaviorClose, r.Reason, r.ReasonClose, closeDetail(r), r.Expected, eventsString(r.Received))
}
