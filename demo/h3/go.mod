module github.com/wskit/wskit/demo/h3

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/quic-go/quic-go v0.65.0
	github.com/wskit/wskit v0.0.0
	github.com/wskit/wskit/interop v0.0.0
)

require (
	github.com/klauspost/compress v1.20.5 // indirect
	github.com/quic-go/qpack v0.6.0 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	golang.org/x/crypto v0.54.0 // indirect
	golang.org/x/net v0.56.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/text v0.40.0 // indirect
)

replace github.com/wskit/wskit => ../..

replace github.com/wskit/wskit/interop => ../../interop
