"""The Python peer of the wskit interop matrix: the websockets package (as
Debian packages it) as a server or a client that follows the agent protocol
of interop/peers (doc.go): it echoes every message and obeys the "CMD ..."
text messages.

    /usr/bin/python3 agent.py server --protocols a,b [--deflate]   prints "LISTEN <port>"
    /usr/bin/python3 agent.py client <url> --protocols a,b [--deflate]

It uses the asyncio API that websockets 10 and later share.
"""

import asyncio
import sys
import urllib.parse

import websockets
from websockets.exceptions import ConnectionClosed

MAX = 64 << 20


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def hexof(b):
    if isinstance(b, str):
        b = b.encode("utf-8")
    return b.hex() if b else "-"


def unhex(s):
    return b"" if s == "-" else bytes.fromhex(s)


def conn_path(ws):
    path = getattr(ws, "path", None)  # websockets <= 13 (legacy)
    if path is None:
        path = ws.request.path  # websockets >= 14
    return path


def deflated(ws):
    return any(getattr(e, "name", "") == "permessage-deflate" for e in ws.extensions)


async def agent(ws, cid):
    out("EV %s OPEN %s %s" % (cid, ws.subprotocol or "-", "permessage-deflate" if deflated(ws) else "-"))
    frag = 0
    tasks = set()

    async def await_pong(waiter, payload):
        try:
            await asyncio.wait_for(waiter, 10)
        except Exception as e:  # noqa: BLE001
            out("EV %s ERROR pong:%s" % (cid, type(e).__name__))
            return
        # websockets resolves the waiter only for a pong with the ping's payload.
        await ws.send("PONG " + hexof(payload))

    try:
        while True:
            msg = await ws.recv()
            if isinstance(msg, str) and msg.startswith("CMD "):
                args = msg.split(" ")[1:]
                if args[0] == "info":
                    await ws.send("INFO %s %d" % (ws.subprotocol or "-", 1 if deflated(ws) else 0))
                elif args[0] == "ping":
                    payload = unhex(args[1])
                    waiter = await ws.ping(payload)
                    t = asyncio.ensure_future(await_pong(waiter, payload))
                    tasks.add(t)
                    t.add_done_callback(tasks.discard)
                elif args[0] == "close":
                    await ws.close(int(args[1]), unhex(args[2]).decode("utf-8"))
                elif args[0] == "frag":
                    frag = int(args[1])
                else:
                    await ws.send("ERR unknown command " + args[0])
                continue
            if frag > 0:
                n, frag = frag, 0
                if isinstance(msg, str):
                    # Fragments of str are whole characters; n counts them.
                    pieces = [msg[i:i + n] for i in range(0, len(msg), n)] or [""]
                else:
                    pieces = [msg[i:i + n] for i in range(0, len(msg), n)] or [b""]
                await ws.send(pieces)
                continue
            await ws.send(msg)
    except ConnectionClosed as e:
        rcvd = getattr(e, "rcvd", None)
        if rcvd is not None:
            out("EV %s CLOSED %d %s" % (cid, rcvd.code, hexof(rcvd.reason)))
        else:
            out("EV %s CLOSED %d %s" % (cid, e.code, hexof(e.reason)))


def options(argv):
    o = {"mode": argv[0], "url": None, "protocols": [], "deflate": False}
    i = 1
    while i < len(argv):
        if argv[i] == "--protocols":
            i += 1
            o["protocols"] = [p for p in argv[i].split(",") if p]
        elif argv[i] == "--deflate":
            o["deflate"] = True
        else:
            o["url"] = argv[i]
        i += 1
    return o


async def main():
    o = options(sys.argv[1:])
    out("VERSION websockets=%s python=%s" % (websockets.__version__, sys.version.split()[0]))
    common = dict(
        subprotocols=o["protocols"] or None,
        compression="deflate" if o["deflate"] else None,
        max_size=MAX,
        ping_interval=None,
    )
    if o["mode"] == "server":
        async def handler(ws, *_):
            await agent(ws, conn_path(ws).lstrip("/"))

        server = await websockets.serve(handler, "127.0.0.1", 0, **common)
        out("LISTEN %d" % list(server.sockets)[0].getsockname()[1])
        # Run until the Go test ends the process or closes stdin.
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)
        server.close()
    else:
        cid = urllib.parse.urlparse(o["url"]).path.lstrip("/")
        async with websockets.connect(o["url"], **common) as ws:
            await agent(ws, cid)


if __name__ == "__main__":
    asyncio.run(main())
