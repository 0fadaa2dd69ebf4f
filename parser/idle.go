package parser

import "github.com/wskit/wskit/internal/pool"

// takeBuffer gives the parser a read-ahead buffer from the pool, after
// ReleaseIdle's reader gave the last one back.
func (p *Parser) takeBuffer() {
	p.pooled = pool.Get(p.cfg.bufSize)
	p.buf = (*p.pooled)[:p.cfg.bufSize]
}

// dropBuffer gives the empty read-ahead buffer back to the pool.
func (p *Parser) dropBuffer() {
	pool.Put(p.pooled) // a buffer New made is left to the collector
	p.buf, p.pooled = nil, nil
}
