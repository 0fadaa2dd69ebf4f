// Command chat is wskit's chat demo: a WebSocket chat server with a browser page.
package main
