// The Node peer of the wskit interop matrix: Node's ws package as a server
// or a client that follows the agent protocol of interop/peers (doc.go):
// it echoes every message and obeys the "CMD ..." text messages.
//
//   node agent.js server --protocols a,b [--deflate]   prints "LISTEN <port>"
//   node agent.js client <url> --protocols a,b [--deflate]
'use strict';

const { WebSocket, WebSocketServer } = require('ws');
const wsVersion = require('ws/package.json').version;

const MAX = 64 << 20;

function parseArgs(argv) {
  const o = { mode: argv[0], url: null, protocols: [], deflate: false };
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--protocols') o.protocols = argv[++i].split(',').filter(Boolean);
    else if (argv[i] === '--deflate') o.deflate = true;
    else o.url = argv[i];
  }
  return o;
}

function out(line) {
  process.stdout.write(line + '\n');
}

function hexOf(buf) {
  return buf.length ? Buffer.from(buf).toString('hex') : '-';
}

function unhex(s) {
  return s === '-' ? Buffer.alloc(0) : Buffer.from(s, 'hex');
}

// agent runs the agent protocol on one connection named id.
function agent(ws, id) {
  let fragSize = 0;
  const pings = [];
  const ext = ws.extensions && ws.extensions.length ? ws.extensions : '-';
  out(`EV ${id} OPEN ${ws.protocol || '-'} ${ext.replace(/\s+/g, '')}`);

  ws.on('pong', (data) => {
    if (pings.length) {
      pings.shift();
      ws.send(`PONG ${hexOf(data)}`);
    }
  });
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      const s = data.toString('utf8', 0, Math.min(data.length, 4));
      if (s === 'CMD ') {
        command(data.toString('utf8').split(' ').slice(1));
        return;
      }
    }
    if (fragSize > 0) {
      const n = fragSize;
      fragSize = 0;
      if (data.length === 0) {
        ws.send(data, { binary: isBinary, fin: true });
        return;
      }
      for (let off = 0; off < data.length; off += n) {
        const end = Math.min(off + n, data.length);
        ws.send(data.subarray(off, end), { binary: isBinary, fin: end === data.length, compress: false });
      }
      return;
    }
    ws.send(data, { binary: isBinary });
  });
  ws.on('close', (code, reason) => {
    out(`EV ${id} CLOSED ${code} ${hexOf(reason)}`);
  });
  ws.on('error', (err) => {
    out(`EV ${id} ERROR ${String(err.message).replace(/\s+/g, '_')}`);
  });

  function command(args) {
    switch (args[0]) {
      case 'info':
        ws.send(`INFO ${ws.protocol || '-'} ${ws.extensions.includes('permessage-deflate') ? 1 : 0}`);
        break;
      case 'ping':
        pings.push(args[1]);
        ws.ping(unhex(args[1]));
        break;
      case 'close':
        ws.close(Number(args[1]), unhex(args[2]));
        break;
      case 'frag':
        fragSize = Number(args[1]);
        break;
      default:
        ws.send(`ERR unknown command ${args[0]}`);
    }
  }
}

const o = parseArgs(process.argv.slice(2));
out(`VERSION ws=${wsVersion} node=${process.versions.node}`);
if (o.mode === 'server') {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    maxPayload: MAX,
    perMessageDeflate: o.deflate,
    handleProtocols: (offered) => {
      for (const p of o.protocols) if (offered.has(p)) return p;
      return false;
    },
  });
  wss.on('listening', () => out(`LISTEN ${wss.address().port}`));
  wss.on('connection', (ws, req) => agent(ws, req.url.replace(/^\//, '')));
  // The Go test ends the process; stdin closing ends it too.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
} else if (o.mode === 'client') {
  const id = new URL(o.url).pathname.replace(/^\//, '');
  const ws = new WebSocket(o.url, o.protocols, { maxPayload: MAX, perMessageDeflate: o.deflate });
  ws.on('open', () => agent(ws, id));
  ws.on('close', () => setTimeout(() => process.exit(0), 50));
  ws.on('error', (err) => {
    out(`EV ${id} ERROR ${String(err.message).replace(/\s+/g, '_')}`);
  });
} else {
  console.error('usage: agent.js server|client ...');
  process.exit(2);
}
