package handshake

import (
	"errors"
	"strconv"
	"strings"
)

// rsvMask holds the three RSV bits of a frame's first byte.
const rsvMask = 0x70

// errNoNegotiated is returned when an extension accepts without returning
// a [Negotiated].
var errNoNegotiated = errors.New("extension returned no negotiated instance")

// OfferExtensions returns the client's offers for exts, in order: one
// element per extension, with the parameters its Offer method returns.
func OfferExtensions(exts []Extension) []ExtensionOffer {
	if len(exts) == 0 {
		return nil
	}
	list := make([]ExtensionOffer, 0, len(exts))
	for _, e := range exts {
		list = append(list, ExtensionOffer{Name: e.Name(), Params: e.Offer()})
	}
	return list
}

// AcceptExtensions is the client's side of the negotiation: it checks the
// server's response list resp against the extensions the client offered
// and returns the agreed extensions in the order of the response, which is
// the order in which they apply (RFC 6455 section 9.1).
//
// Every element of resp must name an offered extension (compared
// case-insensitively), at most once, with parameters that the extension
// accepts, and no two agreed extensions may claim the same RSV bit.
// Otherwise AcceptExtensions returns an [*ExtensionError].
//
// A client may offer an extension several times, as several elements of
// offered with the same name, and the server accepts at most one of those
// offers without saying which (RFC 7692 section 5). The response element
// is therefore checked against each offer of its name in the client's
// order, and the first offer whose Accept agrees is the one whose agreed
// instance, parameters included, is returned. Every offer the response
// satisfies is a valid reading of it, so the first keeps the client's
// preference. Only when no offer agrees does the element fail, with an
// error that wraps each offer's refusal.
func AcceptExtensions(offered []Extension, resp []ExtensionOffer) ([]Negotiated, error) {
	if len(resp) == 0 {
		return nil, nil
	}
	agreed := make([]Negotiated, 0, len(resp))
	var used byte
	seen := make([]bool, len(offered))
	for _, r := range resp {
		n, err := acceptOne(offered, seen, r)
		if err != nil {
			return nil, &ExtensionError{Name: r.Name, Err: err}
		}
		rsv := n.RSV()
		if rsv&^rsvMask != 0 || rsv&used != 0 {
			return nil, &ExtensionError{Name: r.Name, Err: ErrExtensionConflict}
		}
		used |= rsv
		agreed = append(agreed, n)
	}
	return agreed, nil
}

// acceptOne checks the response element r against every offer of its name
// that no earlier element used, marks them used, and returns what the
// first offer that accepts r agreed.
func acceptOne(offered []Extension, seen []bool, r ExtensionOffer) (Negotiated, error) {
	var refusals offerErrors
	matched := false
	var n Negotiated
	for i, e := range offered {
		if !strings.EqualFold(e.Name(), r.Name) {
			continue
		}
		if seen[i] {
			return nil, ErrUnknownExtension // a second element of the same name
		}
		seen[i] = true
		matched = true
		if n != nil {
			continue // mark the remaining offers of the name as used
		}
		got, err := e.Accept(r.Params)
		if err == nil && got == nil {
			err = errNoNegotiated
		}
		if err != nil {
			refusals = append(refusals, err)
			continue
		}
		n = got
	}
	switch {
	case !matched:
		return nil, ErrUnknownExtension
	case n != nil:
		return n, nil
	case len(refusals) == 1:
		return nil, refusals[0]
	}
	return nil, refusals
}

// offerErrors holds the refusals of a response by each of several offers
// of one extension, in the client's order.
type offerErrors []error

// Error lists the refusals on one line.
func (e offerErrors) Error() string {
	var b strings.Builder
	b.WriteString("accepted by none of the ")
	b.WriteString(strconv.Itoa(len(e)))
	b.WriteString(" offers")
	for i, err := range e {
		b.WriteString("; offer ")
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(": ")
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns the refusals, for [errors.Is] and [errors.As].
func (e offerErrors) Unwrap() []error { return e }

// NegotiateExtensions is the server's side of the negotiation: it walks
// the client's offers in the client's order of preference and, for each
// extension name it supports (compared case-insensitively), hands all the
// client's offers of that name to the extension's Negotiate method. It
// returns the response list and the agreed extensions, both in the order of
// the client's first offer of each name.
//
// An extension that declines, returns no [Negotiated], or claims an RSV bit
// already claimed by an earlier agreed extension is left out. An error from
// Negotiate is returned as an [*ExtensionError].
func NegotiateExtensions(supported []Extension, offers []ExtensionOffer) (resp []ExtensionOffer, agreed []Negotiated, err error) {
	var used byte
	var done []int // indexes into supported already negotiated
	for i, o := range offers {
		idx := -1
		for j, e := range supported {
			if strings.EqualFold(e.Name(), o.Name) {
				idx = j
				break
			}
		}
		if idx < 0 || containsInt(done, idx) {
			continue
		}
		done = append(done, idx)
		var params [][]Param
		for _, o2 := range offers[i:] {
			if strings.EqualFold(o2.Name, o.Name) {
				params = append(params, o2.Params)
			}
		}
		ext := supported[idx]
		rp, n, ok, err := ext.Negotiate(params)
		if err != nil {
			return nil, nil, &ExtensionError{Name: ext.Name(), Err: err}
		}
		if !ok || n == nil {
			continue
		}
		rsv := n.RSV()
		if rsv&^rsvMask != 0 || rsv&used != 0 {
			continue
		}
		used |= rsv
		resp = append(resp, ExtensionOffer{Name: ext.Name(), Params: rp})
		agreed = append(agreed, n)
	}
	return resp, agreed, nil
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
