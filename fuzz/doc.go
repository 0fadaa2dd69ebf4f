// Package fuzz holds the native Go fuzz targets of the wire layer and of
// the endpoint's two modes. It has no
// code of its own: the targets live in its test files.
//
//   - FuzzParser feeds any bytes to a parser.Parser in pull mode (Next over
//     a bytes.Reader), in push mode (Feed in chunks chosen from the input) and
//     in streaming mode (NextHeader and Read), and checks that it never panics,
//     never holds more than its MaxPayload limit allows, that the modes
//     agree on every frame and on the error that ends the stream, and that
//     Next does not read when Complete said its frame was buffered.
//   - FuzzHeader checks frame.ParseHeader, frame.ReadHeader and
//     Header.AppendTo against each other.
//   - FuzzParseClose checks frame.ParseClose against encoding a frame.Close.
//   - FuzzPushAgreesWithBlocking feeds the same bytes to an endpoint.Endpoint
//     made by New (reading the whole stream) and to one made by NewPush (fed
//     in random chunks, the caller's buffer clobbered after each Feed), with
//     limits and permessage-deflate chosen by the input, and checks that
//     both deliver the same messages, hear the same pings, pongs and close,
//     write the same bytes back and end with the same error.
//   - FuzzTopics drives a topics.Hub with subscribe, unsubscribe, publish,
//     read and fail sequences over the Local broker (checked against a
//     model) and over a broker whose subscriptions deliver apart (once,
//     order per publisher and per topic, completeness); queues bounded,
//     counters consistent, nothing held once everyone left. With the
//     input's choice the subscribers are Queuers, which the Hub queues to
//     and its writer goroutine flushes.
//
// Each target runs on its seed corpus (the f.Add calls and testdata/fuzz) as
// an ordinary test with go test. To fuzz, name one target at a time:
//
//	go test ./fuzz -run '^$' -fuzz FuzzParser -fuzztime 30s
//	go test ./fuzz -run '^$' -fuzz FuzzHeader -fuzztime 30s
//	go test ./fuzz -run '^$' -fuzz FuzzParseClose -fuzztime 30s
//	go test ./fuzz -run '^$' -fuzz FuzzPushAgreesWithBlocking -fuzztime 30s
//	go test ./fuzz -run '^$' -fuzz FuzzTopics -fuzztime 30s
//
// A failing input is written to testdata/fuzz/<target>/; commit it with the
// fix so that it stays a regression test.
package fuzz
