module github.com/wskit/wskit

go 1.26

require github.com/google/go-cmp v0.7.0

require github.com/valyala/bytebufferpool v1.0.0

require github.com/klauspost/compress v1.20.5
