package handshake

import (
	"errors"
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
func AcceptExtensions(offered []Extension, resp []ExtensionOffer) ([]Negotiated, error) {
	if len(resp) == 0 {
		return nil, nil
	}
	agreed := make([]Negotiated, 0, len(resp))
	var used byte
	seen := make([]bool, len(offered))
	for _, r := range resp {
		idx := -1
		for i, e := range offered {
			if strings.EqualFold(e.Name(), r.Name) {
				idx = i
				break
			}
		}
		if idx < 0 || seen[idx] {
			return nil, &ExtensionError{Name: r.Name, Err: ErrUnknownExtension}
		}
		seen[idx] = true
		n, err := offered[idx].Accept(r.Params)
		if err != nil {
			return nil, &ExtensionError{Name: r.Name, Err: err}
		}
		if n == nil {
			return nil, &ExtensionError{Name: r.Name, Err: errNoNegotiated}
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
