// Package exttest provides a configurable [handshake.Extension] for the
// tests of the handshake packages.
package exttest

import (
	"errors"

	"github.com/wskit/wskit/handshake"
)

// ErrRefused is returned by Accept for a parameter named "bad", and by
// Negotiate for an offer with a parameter named "fail".
var ErrRefused = errors.New("exttest: parameters refused")

// Ext is a fake extension. Accept agrees to any parameters but "bad";
// Negotiate answers with the first offer that has no "reject" parameter.
type Ext struct {
	ExtName string            // what Name returns
	Params  []handshake.Param // what Offer returns
	Bits    byte              // the RSV bits the agreed instance claims
}

// Agreed is the Negotiated instance of an Ext.
type Agreed struct {
	Name   string            // the extension's name
	Params []handshake.Param // the agreed parameters
	Bits   byte              // what RSV returns
}

// RSV returns a.Bits.
func (a *Agreed) RSV() byte { return a.Bits }

// Name returns e.ExtName.
func (e *Ext) Name() string { return e.ExtName }

// Offer returns e.Params.
func (e *Ext) Offer() []handshake.Param { return e.Params }

// Accept agrees unless a parameter is named "bad".
func (e *Ext) Accept(params []handshake.Param) (handshake.Negotiated, error) {
	for _, p := range params {
		if p.Name == "bad" {
			return nil, ErrRefused
		}
	}
	return &Agreed{Name: e.ExtName, Params: params, Bits: e.Bits}, nil
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
