module github.com/wskit/wskit/demo/chat

go 1.26

require (
	github.com/google/go-cmp v0.7.0
	github.com/wskit/wskit v0.0.0
)

require (
	github.com/klauspost/compress v1.20.5 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
)

replace github.com/wskit/wskit => ../..
