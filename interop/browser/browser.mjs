// browser.mjs drives Debian's Chromium (/usr/bin/chromium) with
// playwright-core against a running demo/echo server. browser_test.go starts
// the server and runs this script; the script writes one JSON object per line
// on stdout, the last one being {"result": ...} or {"error": "..."}.
//
//	node browser.mjs page    http://127.0.0.1:PORT  ARTIFACT_DIR
//	node browser.mjs interop http://127.0.0.1:PORT
//	node browser.mjs goaway  http://127.0.0.1:PORT
//	node browser.mjs classes http://127.0.0.1:PORT N
//
// page:    clicks through the demo page (issue 5), sends with Enter and
//          measures the page at 420 px wide (issue 12), and saves screenshots.
// interop: runs WebSocket checks in page JS, from a page of the server's own
//          origin (no local-network-access prompt): echo of text, binary,
//          non-ASCII, 16 MiB messages, subprotocols, close codes (issue 6).
// goaway:  opens a socket, prints {"waiting":"sigint"}, and reports the
//          close event that follows when the test sends SIGINT to the server.
// classes: for each of N permessage-deflate memory classes (the test's
//          server at /ws/0 … /ws/N-1), opens a socket, echoes compressible
//          messages (small, and larger than any window, text and binary)
//          and closes with 1000 (issue 13).
//
// Each run uses a fresh user data dir that it removes at the end, and never
// downloads a browser (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD is set by the test).
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const CHROMIUM = process.env.WSKIT_CHROMIUM || "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const DEADLINE_MS = Number(process.env.WSKIT_BROWSER_DEADLINE_MS || 50000);

const [mode, base, artifacts] = process.argv.slice(2);
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

let context = null;
const userDataDir = mkdtempSync(path.join(tmpdir(), "wskit-chromium-"));

async function cleanup() {
  if (context) {
    const c = context;
    context = null;
    await Promise.race([c.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
  }
  rmSync(userDataDir, { recursive: true, force: true });
}

// A watchdog: the whole run is bounded even if Chromium hangs.
const watchdog = setTimeout(async () => {
  emit({ error: `browser.mjs ${mode}: no result within ${DEADLINE_MS} ms` });
  await cleanup();
  process.exit(2);
}, DEADLINE_MS);

async function openPage() {
  const t0 = Date.now();
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1000, height: 900 },
    timeout: 20000,
  });
  const version = context.browser()?.version() ?? null;
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15000);
  const problems = [];
  page.on("pageerror", (e) => problems.push("pageerror: " + e.message));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push("console: " + m.text());
  });
  const resp = await page.goto(base + "/", { waitUntil: "load" });
  if (!resp || resp.status() !== 200) throw new Error(`GET ${base}/: status ${resp?.status()}`);
  const ua = await page.evaluate(() => navigator.userAgent);
  const launchMs = Date.now() - t0; // Chromium's start and the page's load
  return { page, problems, version, ua, launchMs };
}

// ---- page: the demo page, clicked through as a person would (issue 5) ----

async function pageTest() {
  const { page, problems, version, ua, launchMs } = await openPage();
  const text = (sel) => page.locator(sel).textContent();
  const logLines = async () => (await page.locator("#log li").allTextContents()).reverse();
  const waitLog = (re) =>
    page.waitForFunction(
      (src) => [...document.querySelectorAll("#log li")].some((li) => new RegExp(src).test(li.textContent)),
      re.source,
    );

  const out = { version, ua, launchMs, title: await page.title(), url: await page.inputValue("#url") };
  await page.click("#connect");
  await page.waitForFunction(() => document.getElementById("status").textContent === "open");
  out.status = await text("#status");
  out.negProtocol = await text("#negProtocol");
  out.negExtensions = await text("#negExtensions");
  out.connectLabel = await text("#connect");

  // Text, then binary, of a non-ASCII message: the log shows each echo with
  // its size in bytes.
  const msg = "héllo wörld ✓ 🎉";
  await page.fill("#msg", msg);
  await page.click("#sendText");
  await waitLog(/← text \d+ B/);
  await page.click("#sendBinary");
  await waitLog(/← binary \d+ B/);

  // Enter in the message field sends it as text.
  out.enterMsg = "sent with Enter";
  await page.fill("#msg", out.enterMsg);
  await page.press("#msg", "Enter");
  await waitLog(/← text \d+ B: sent with Enter/);
  await page.fill("#msg", msg);

  await page.click("#ping");
  await waitLog(/ping answered by the browser's pong in [0-9.]+ ms/);

  await page.fill("#code", "4000");
  await page.fill("#reason", "tests done");
  await page.click("#close");
  await page.waitForFunction(() => document.getElementById("status").textContent === "closed");
  out.closeInfo = await text("#closeInfo");
  out.statusAfter = await text("#status");
  out.connectLabelAfter = await text("#connect");
  out.sendDisabledAfter = await page.isDisabled("#sendText");
  out.log = await logLines();
  out.msg = msg;
  out.msgBytes = Buffer.byteLength(msg, "utf8");

  if (artifacts) {
    out.screenshot = path.join(artifacts, "echo-page.png");
    await page.screenshot({ path: out.screenshot, fullPage: true });
  }

  // On a narrow screen, with the log full, nothing sticks out sideways.
  await page.setViewportSize({ width: 420, height: 900 });
  out.narrow = await page.evaluate(() => {
    const root = document.documentElement;
    const wide = [...document.body.querySelectorAll("*")]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5)
      .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " right=" + Math.round(el.getBoundingClientRect().right));
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide };
  });
  if (artifacts) {
    out.narrowScreenshot = path.join(artifacts, "echo-page-420.png");
    await page.screenshot({ path: out.narrowScreenshot, fullPage: true });
  }
  out.problems = problems;
  return out;
}

// ---- interop: WebSocket checks in page JS (issue 6) ----

// inPage runs in the browser: every check opens its own WebSocket to the
// echo server and reports what the browser saw.
async function inPage(wsBase) {
  const TIMEOUT = 20000;
  const withTimeout = (p, what) =>
    Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(what + ": timed out")), TIMEOUT))]);

  function open(url, protocols) {
    return withTimeout(
      new Promise((resolve, reject) => {
        const ws = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
        ws.binaryType = "arraybuffer";
        ws.onopen = () => resolve(ws);
        ws.onerror = () => reject(new Error("error event while opening " + url));
        ws.onclose = (ev) => reject(new Error(`closed while opening ${url}: ${ev.code} ${ev.reason}`));
      }),
      "open " + url,
    );
  }
  function next(ws) {
    return withTimeout(
      new Promise((resolve, reject) => {
        ws.onmessage = (ev) => resolve(ev.data);
        ws.onerror = () => reject(new Error("error event"));
        ws.onclose = (ev) => reject(new Error(`closed: ${ev.code} ${ev.reason}`));
      }),
      "echo",
    );
  }
  function closed(ws) {
    return withTimeout(
      new Promise((resolve) => {
        ws.onerror = () => {};
        ws.onclose = (ev) => resolve({ code: ev.code, reason: ev.reason, wasClean: ev.wasClean });
      }),
      "close",
    );
  }
  // pseudo-random bytes (xorshift32): incompressible, deterministic
  function bytes(n, seed) {
    const b = new Uint8Array(n);
    let x = seed >>> 0 || 1;
    for (let i = 0; i < n; i++) {
      x ^= x << 13; x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5; x >>>= 0;
      b[i] = x & 0xff;
    }
    return b;
  }
  // a string of exactly n UTF-8 bytes, of 1-, 2-, 3- and 4-byte characters
  function utf8String(n) {
    const unit = "wskit ✓ héllo 🎉 ";
    const ub = new TextEncoder().encode(unit).length;
    const count = Math.floor(n / ub);
    return unit.repeat(count) + "x".repeat(n - count * ub);
  }
  function sameBytes(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  const results = [];
  async function check(name, fn) {
    const t0 = performance.now();
    try {
      const r = await fn();
      results.push({ name, ms: Math.round(performance.now() - t0), ...r });
    } catch (e) {
      results.push({ name, ok: false, error: String(e && e.message || e) });
    }
  }
  const url = wsBase + "/echo";

  // Echo checks share one connection, as a page would.
  let shared = null;
  await check("open", async () => {
    shared = await open(url);
    return { ok: true, protocol: shared.protocol, extensions: shared.extensions };
  });
  const echo = async (data) => {
    if (!shared) throw new Error("no connection");
    const p = next(shared);
    shared.send(data);
    return p;
  };
  await check("text", async () => {
    const s = "Hello, wskit!";
    const got = await echo(s);
    return { ok: got === s, type: typeof got, bytes: new TextEncoder().encode(got).length };
  });
  await check("empty text", async () => {
    const got = await echo("");
    return { ok: got === "", type: typeof got, bytes: got.length };
  });
  await check("non-ASCII text", async () => {
    const s = "héllo wörld ✓ 🎉";
    const got = await echo(s);
    return { ok: got === s, type: typeof got, got, bytes: new TextEncoder().encode(got).length };
  });
  await check("binary", async () => {
    const b = new Uint8Array([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff]);
    const got = await echo(b.buffer);
    const isAB = got instanceof ArrayBuffer;
    return { ok: isAB && sameBytes(new Uint8Array(got), b), type: isAB ? "arraybuffer" : typeof got, bytes: isAB ? got.byteLength : -1 };
  });
  await check("16 MiB binary", async () => {
    const b = bytes(16 << 20, 0x5eed);
    const got = await echo(b);
    const isAB = got instanceof ArrayBuffer;
    return { ok: isAB && sameBytes(new Uint8Array(got), b), type: isAB ? "arraybuffer" : typeof got, bytes: isAB ? got.byteLength : -1 };
  });
  await check("16 MiB text", async () => {
    const n = 16 << 20;
    const s = utf8String(n);
    const got = await echo(s);
    // Equal strings have s's n bytes; encoding 16 MiB again costs seconds.
    const same = got === s;
    return { ok: same, type: typeof got, bytes: same ? n : -1, length: typeof got === "string" ? got.length : -1 };
  });
  await check("close 1000", async () => {
    if (!shared) throw new Error("no connection");
    const p = closed(shared);
    shared.close(1000, "done");
    return { ok: true, ...(await p) };
  });

  // Subprotocols: the browser offers, the server picks one it knows.
  for (const [name, offer] of [["subprotocol chat", ["chat"]], ["subprotocol echo", ["echo", "chat"]], ["subprotocol none", []]]) {
    await check(name, async () => {
      const ws = await open(url, offer);
      const protocol = ws.protocol;
      const got = await new Promise((resolve, reject) => {
        ws.onmessage = (ev) => resolve(ev.data);
        ws.onclose = (ev) => reject(new Error("closed " + ev.code));
        ws.send("over " + (protocol || "no subprotocol"));
      });
      const c = closed(ws);
      ws.close();
      return { ok: true, protocol, echoed: got, close: await c };
    });
  }

  await check("close 4000 with reason", async () => {
    const ws = await open(url);
    const p = closed(ws);
    ws.close(4000, "tests done ✓");
    return { ok: true, ...(await p) };
  });
  await check("close without code", async () => {
    const ws = await open(url);
    const p = closed(ws);
    ws.close();
    return { ok: true, ...(await p) };
  });
  return results;
}

async function interopTest() {
  const { page, problems, version, ua, launchMs } = await openPage();
  const wsBase = base.replace(/^http/, "ws");
  const checks = await page.evaluate(inPage, wsBase);
  return { version, ua, launchMs, checks, problems };
}

// ---- goaway: the server's 1001 on SIGINT ----

async function goawayTest() {
  const { page, problems, version, ua, launchMs } = await openPage();
  const wsBase = base.replace(/^http/, "ws");
  await page.evaluate(
    (url) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url);
        window.__closed = new Promise((res) => {
          ws.onclose = (ev) => res({ code: ev.code, reason: ev.reason, wasClean: ev.wasClean });
        });
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error("error event while opening"));
      }),
    wsBase + "/echo",
  );
  emit({ waiting: "sigint" });
  const close = await page.evaluate(() =>
    Promise.race([window.__closed, new Promise((_, rej) => setTimeout(() => rej(new Error("no close event within 15 s")), 15000))]),
  );
  return { version, ua, launchMs, close, problems };
}

// ---- classes: permessage-deflate with each memory class (issue 13) ----

function inPageClasses([wsBase, n]) {
  const withTimeout = (p, what) =>
    Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(what + ": no answer within 10 s")), 10000))]);
  // Words chosen by xorshift32: compressible text with matches near and
  // far, different for each seed.
  function words(n, seed) {
    const list = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett",
      "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "{\"id\":", "}, "];
    let x = seed >>> 0 || 1;
    let s = "";
    while (s.length < n) {
      x ^= x << 13; x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5; x >>>= 0;
      s += list[x % list.length] + (x % 7 === 0 ? String(x % 1000) : "") + " ";
    }
    return s.slice(0, n);
  }
  const sameBytes = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
  async function one(i) {
    const ws = new WebSocket(wsBase + "/ws/" + i);
    ws.binaryType = "arraybuffer";
    const inbox = [];
    let waiter = null;
    let closeEv = null;
    const closed = new Promise((res) => {
      ws.onclose = (ev) => {
        closeEv = { code: ev.code, wasClean: ev.wasClean };
        if (waiter) waiter.reject(new Error(`closed: ${ev.code} ${ev.reason}`));
        res(closeEv);
      };
    });
    ws.onmessage = (ev) => (waiter ? (waiter.resolve(ev.data), (waiter = null)) : inbox.push(ev.data));
    await withTimeout(new Promise((res, rej) => { ws.onopen = res; ws.onerror = () => rej(new Error("error event while opening")); }), "open");
    const echo = (data) => {
      const p = inbox.length ? Promise.resolve(inbox.shift()) : new Promise((resolve, reject) => (waiter = { resolve, reject }));
      ws.send(data);
      return withTimeout(p, "echo");
    };
    const large = words(96 << 10, 7 + i);
    const msgs = [
      ["small text", "hello hello hello wskit ".repeat(12)],
      ["large text", large],
      ["large binary", new TextEncoder().encode(words(80 << 10, 1000 + i))],
      ["large text again", large],
      ["non-ASCII text", "héllo wörld ✓ 🎉 ".repeat(40)],
    ];
    const checks = [];
    for (const [name, data] of msgs) {
      const t0 = performance.now();
      const got = await echo(data);
      let ok, type, bytes;
      if (typeof data === "string") {
        ok = got === data;
        type = typeof got;
        bytes = new TextEncoder().encode(data).length;
      } else {
        ok = got instanceof ArrayBuffer && sameBytes(new Uint8Array(got), data);
        type = got instanceof ArrayBuffer ? "arraybuffer" : typeof got;
        bytes = data.length;
      }
      checks.push({ name, ok, type, bytes, ms: Math.round(performance.now() - t0) });
    }
    const extensions = ws.extensions;
    ws.close(1000, "done");
    await withTimeout(closed, "close");
    return { index: i, extensions, checks, close: closeEv };
  }
  return (async () => {
    const out = [];
    for (let i = 0; i < n; i++) {
      try {
        out.push(await one(i));
      } catch (e) {
        out.push({ index: i, error: String((e && e.message) || e) });
      }
    }
    return out;
  })();
}

async function classesTest() {
  const n = Number(artifacts);
  if (!(n > 0)) throw new Error("classes: want the number of classes after the URL");
  const { page, problems, version, ua, launchMs } = await openPage();
  const classes = await page.evaluate(inPageClasses, [base.replace(/^http/, "ws"), n]);
  return { version, ua, launchMs, classes, problems };
}

const modes = { page: pageTest, interop: interopTest, goaway: goawayTest, classes: classesTest };
let code = 0;
try {
  if (!modes[mode] || !base) throw new Error("usage: node browser.mjs page|interop|goaway|classes http://127.0.0.1:PORT [artifact-dir | N]");
  emit({ result: await modes[mode]() });
} catch (e) {
  emit({ error: String((e && e.stack) || e) });
  code = 1;
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
process.exit(code);
