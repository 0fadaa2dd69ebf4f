module github.com/wskit/wskit/interop

go 1.26

require github.com/wskit/wskit v0.0.0

replace github.com/wskit/wskit => ../
