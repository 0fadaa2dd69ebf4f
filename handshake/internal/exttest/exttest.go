// Package exttest provides a configurable [handshake.Extension] for the
// tests of the handshake packages.
package exttest

import (
	"errors"
	"slices"

	"github.com/wskit/wskit/handshake"
)

// ErrRefused is returned by Accept for a parameter named "bad", and by
// Negotiate for an offer with a parameter named "fail".
//
// ErrMismatch is returned by the Accept of a Strict Ext for a response
// whose parameters are not its offer's.
var (
	ErrRefused  = errors.New("exttest: parameters refused")
	ErrMismatch = errors.New("exttest: response does not match the offer")
)

// Ext is a fake extension. Accept agrees to any parameters but "bad", or,
// if Strict, to exactly its own offer's; Negotiate answers with the first
// offer that has no "reject" parameter.
type Ext struct {
	ExtName string            // what Name returns
	Params  []handshake.Param // what Offer returns
	Bits    byte              // the RSV bits the agreed instance claims
	Strict  bool              // Accept wants the response to equal Params
	Tag     string            // copied to the agreed instance, to tell offers apart
}

// Agreed is the Negotiated instance of an Ext.
type Agreed struct {
	Name   string            // the extension's name
	Params []handshake.Param // the agreed parameters
	Bits   byte              // what RSV returns
	Tag    string            // the Tag of the Ext that agreed
}

// RSV returns a.Bits.
func (a *Agreed) RSV() byte { return a.Bits }

// Name returns e.ExtName.
func (e *Ext) Name() string { return e.ExtName }

// Offer returns e.Params.
func (e *Ext) Offer() []handshake.Param { return e.Params }

// Accept agrees unless a parameter is named "bad" or, for a Strict Ext,
// the parameters differ from the offer's.
func (e *Ext) Accept(params []handshake.Param) (handshake.Negotiated, error) {
	if e.Strict && !slices.Equal(params, e.Params) {
		return nil, ErrMismatch
	}
	for _, p := range params {
		if p.Name == "bad" {
			return nil, ErrRefused
		}
	}
	return &Agreed{Name: e.ExtName, Params: params, Bits: e.Bits, Tag: e.Tag}, nil
}

// Negotiate picks the first offer without a "reject" parameter and fails
// on a "fail" parameter.
func (e *Ext) Negotiate(offers [][]handshake.Param) ([]handshake.Param, handshake.Negotiated, bool, error) {
next:
	for _, o := range offers {
		for _, p := range o {
			switch p.Name {
			case "fail":
				return nil, nil, false, ErrRefused
			case "reject":
				continue next
			}
		}
		return o, &Agreed{Name: e.ExtName, Params: o, Bits: e.Bits}, true, nil
	}
	return nil, nil, false, nil
}
