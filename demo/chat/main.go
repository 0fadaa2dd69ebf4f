package main

import (
	_ "github.com/wskit/wskit/endpoint"
	_ "github.com/wskit/wskit/handshake/client"
	_ "github.com/wskit/wskit/handshake/server"
	_ "github.com/wskit/wskit/pmce"
)

func main() {}
