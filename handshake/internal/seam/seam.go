// Package seam turns what an opening handshake agreed into the options of
// the Endpoint that carries on the connection, for the one-step paths of
// handshake/server and handshake/client.
package seam

import (
	"fmt"

	"github.com/wskit/wskit/endpoint"
	"github.com/wskit/wskit/handshake"
)

// Check reports an error if an agreed extension cannot code messages, so
// that no Endpoint can be made with it: a configuration the handshake must
// refuse before it agrees.
func Check(agreed []handshake.Negotiated) error {
	for _, n := range agreed {
		if _, ok := n.(endpoint.Codec); !ok {
			return fmt.Errorf("%w: the agreed extension %T does not code messages (endpoint.Codec)", handshake.ErrExtensionUnusable, n)
		}
	}
	return nil
}

// Options returns the Endpoint option that installs the agreed extensions,
// in the order they were agreed; Check has passed.
func Options(agreed []handshake.Negotiated) []endpoint.Option {
	if len(agreed) == 0 {
		return nil
	}
	exts := make([]endpoint.Codec, 0, len(agreed))
	for _, n := range agreed {
		exts = append(exts, n.(endpoint.Codec))
	}
	return []endpoint.Option{endpoint.Extensions(exts...)}
}

// CloseSend tells the agreed extensions that can be told (permessage-deflate's
// codec) that their connection sends no more messages, so that they give
// back at once what they hold for sending.
func CloseSend(agreed []handshake.Negotiated) {
	for _, n := range agreed {
		if c, ok := n.(interface{ CloseSend() }); ok {
			c.CloseSend()
		}
	}
}
