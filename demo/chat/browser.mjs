// browser.mjs drives Debian's Chromium (/usr/bin/chromium) with
// playwright-core, from interop/node_modules (interop/browser/setup.sh
// installs both), against a running chat server. browser_test.go starts the
// server and runs:
//
//	node browser.mjs http://127.0.0.1:PORT ROOM
//
// Three pages: two in ROOM and one in another room. The first two each send
// a message through the page's form; the third sends one of its own. Then
// the script asks the server (GET /test/drop?room=ROOM) to drop every
// connection with 1012, refuse joins and publish three messages to ROOM
// meanwhile, waits for the pages to notice, ends the outage
// (GET /test/restore), waits for the pages to show the missed messages, and
// the first page sends one more. The script prints one JSON line, {"result": ...} with what each page shows, or
// {"error": "..."}. It uses a fresh user data dir, removed at the end, and
// never downloads a browser (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD is set).
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const INTEROP = process.env.WSKIT_INTEROP; // the repository's interop/, which holds node_modules
const require = createRequire(path.join(INTEROP, "package.json"));
const { chromium } = require("playwright-core");

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
const [base, room] = process.argv.slice(2);
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

let context = null;
const userDataDir = mkdtempSync(path.join(tmpdir(), "wskit-chat-chromium-"));

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
  emit({ error: `browser.mjs: no result within ${DEADLINE_MS} ms` });
  await cleanup();
  process.exit(2);
}, DEADLINE_MS);

const problems = [];

async function open(url) {
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on("pageerror", (e) => problems.push("pageerror: " + e.message));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push("console: " + m.text());
  });
  const resp = await page.goto(url, { waitUntil: "load" });
  if (!resp || resp.status() !== 200) throw new Error(`GET ${url}: status ${resp?.status()}`);
  await page.waitForFunction(() => document.getElementById("status").textContent === "open");
  return page;
}

// say types text under name and sends it, with Enter or the button.
async function say(page, name, text, enter) {
  await page.fill("#name", name);
  await page.fill("#text", text);
  if (enter) await page.press("#text", "Enter");
  else await page.click("#sendButton");
}

// get fetches a test route of the server, which answers 204.
async function get(route) {
  const resp = await fetch(base + route);
  if (resp.status !== 204) throw new Error(`GET ${route}: ${resp.status} ${await resp.text()}`);
}

// waitNote waits until page shows a note that starts with prefix.
const waitNote = (page, prefix) =>
  page.waitForFunction(
    (prefix) => [...document.querySelectorAll("#messages li.sys")].some((li) => li.textContent.startsWith(prefix)),
    prefix,
  );

// waitMessages waits until page shows n chat messages.
const waitMessages = (page, n) =>
  page.waitForFunction((n) => document.querySelectorAll("#messages li:not(.sys)").length >= n, n);

const shows = (page) =>
  page.evaluate(() => ({
    title: document.title,
    room: document.getElementById("room").textContent,
    status: document.getElementById("status").textContent,
    messages: [...document.querySelectorAll("#messages li:not(.sys)")].map((li) => li.textContent),
    notes: [...document.querySelectorAll("#messages li.sys")].map((li) => li.textContent),
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));

try {
  const t0 = Date.now();
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 900, height: 800 },
    timeout: 20000,
  });
  const version = context.browser()?.version() ?? null;
  const a = await open(`${base}/?room=${room}`);
  const b = await open(`${base}/?room=${room}`);
  const c = await open(`${base}/?room=${room}-other`);
  const launchMs = Date.now() - t0;

  await say(a, "alice", "hello from alice ✓", true);
  await waitMessages(b, 1);
  await say(b, "bob", "hi alice", false);
  await waitMessages(a, 2);
  await waitMessages(b, 2);
  await say(c, "carol", "only here", true);
  await waitMessages(c, 1);

  // The node drops them all (1012) and refuses joins while three messages
  // are published; then the pages come back with since.
  const chatMs = Date.now() - t0 - launchMs;
  const t1 = Date.now();
  await get(`/test/drop?room=${room}`);
  for (const p of [a, b, c]) await waitNote(p, "disconnected (1012");
  await get("/test/restore");
  for (const p of [a, b, c]) await p.waitForFunction(() => document.getElementById("status").textContent === "open");
  await waitMessages(a, 5);
  await waitMessages(b, 5);
  const resumeMs = Date.now() - t1;
  await say(a, "alice", "back again", true);
  await waitMessages(a, 6);
  await waitMessages(b, 6);
  // Time for a stray message to show, where none should.
  await a.waitForTimeout(300);
  await c.setViewportSize({ width: 420, height: 800 });

  const result = { version, launchMs, chatMs, resumeMs, problems, a: await shows(a), b: await shows(b), c: await shows(c) };
  emit({ result });
} catch (e) {
  emit({ error: String(e && e.stack ? e.stack : e), problems });
} finally {
  clearTimeout(watchdog);
  await cleanup();
  // Chromium's helpers can hold node's pipes open for seconds after the
  // context closed: nothing is left to wait for.
  process.exit(0);
}
