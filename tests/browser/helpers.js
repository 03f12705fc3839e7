'use strict';
// Shared helpers for the Samband browser tests: start a demo server, launch
// headless Chromium, sign in/out, and run axe-core accessibility checks.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const { chromium } = require('playwright-core');

const PASSWORD = 'samband-demo-2026';
const LISTEN_RE = /^Samband is listening on (http:\/\/[^\s/]+)\/?\r?\n/m;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function sambandBin() {
  return process.env.SAMBAND_BIN
    ? path.resolve(process.env.SAMBAND_BIN)
    : path.resolve(__dirname, '../../target/debug/samband');
}

/**
 * Start `samband demo --bind 127.0.0.1:0` in a fresh temporary directory and
 * resolve once it prints its listening URL. Returns { url, stop }.
 */
async function startServer({ timeoutMs = 30_000 } = {}) {
  const bin = sambandBin();
  if (!fs.existsSync(bin)) {
    throw new Error(`Samband binary not found at ${bin} (set SAMBAND_BIN)`);
  }
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'samband-browser-srv-'));
  const child = spawn(bin, ['demo', '--bind', '127.0.0.1:0'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });

  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(new Error(`server did not print its URL within ${timeoutMs} ms`));
    }, timeoutMs);
    function fail(err) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n--- server output ---\n${output.slice(-4000)}`));
    }
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`server exited early (code ${code}, signal ${signal})`)));
    const onData = (chunk) => {
      output += chunk.toString('utf8');
      const m = LISTEN_RE.exec(output);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => { output += chunk.toString('utf8'); });
  });
  // Keep draining the pipes so the server never blocks on a full pipe buffer; with
  // SAMBAND_BROWSER_SERVER_LOG set, its output goes on into that file (for a failure's cause).
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  const logFile = process.env.SAMBAND_BROWSER_SERVER_LOG;
  if (logFile) {
    const sink = fs.createWriteStream(logFile, { flags: 'a' });
    sink.write(output);
    child.stdout.pipe(sink);
    child.stderr.pipe(sink);
  } else {
    child.stdout.resume();
    child.stderr.resume();
  }

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      let timer;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise((r) => { timer = setTimeout(() => r(true), 5_000); }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    fs.rmSync(cwd, { recursive: true, force: true });
  }

  return { url, stop };
}

/** Launch headless Debian Chromium with a fresh profile. Returns { context, page, close }. */
async function launchBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'samband-browser-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    headless: true,
    // Only so that axe-core can be injected under the app's strict CSP.
    bypassCSP: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = context.pages()[0] || (await context.newPage());
  async function close() {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  return { context, page, close };
}

/** Sign in through the /login form and wait for the landing page. */
async function signIn(page, baseUrl, username, expectedPath) {
  await page.goto(new URL('/login', baseUrl).href);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([
    page.waitForURL((u) => u.pathname !== '/login'),
    page.click('main form button[type="submit"]'),
  ]);
  assert.equal(new URL(page.url()).pathname, expectedPath,
    `${username} should land on ${expectedPath} after signing in`);
}

/** Click the header's "Sign out" button and wait until we are signed out. */
async function signOut(page) {
  const button = page.locator('header form').getByRole('button', { name: 'Sign out' });
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/login'),
    button.click(),
  ]);
  assert.equal(await page.locator('header').getByRole('button', { name: 'Sign out' }).count(), 0,
    'no "Sign out" button should remain after signing out');
}

/** Inject axe-core and assert the page has no WCAG 2.x A/AA violations. */
async function assertNoAxeViolations(page, label) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const res = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return res.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  });
  const report = violations.map((v) => [
    `  [${v.impact}] ${v.id}: ${v.help}`,
    ...v.nodes.map((n) => `      - ${n.target}${n.summary ? `\n        ${n.summary.replace(/\n/g, '\n        ')}` : ''}`),
  ].join('\n')).join('\n');
  assert.equal(violations.length, 0,
    `axe found ${violations.length} WCAG 2.1 A/AA violation(s) on ${label} (${page.url()}):\n${report}`);
}

/** Whitespace-normalised visible text of a locator. */
async function textOf(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

/** YYYY-MM-DD for today + `days` (local calendar date). */
function isoDateInDays(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "2026-12-06" -> "6 Dec 2026" (English short month, no leading zero). */
function humanDate(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

module.exports = {
  startServer, launchBrowser, signIn, signOut, assertNoAxeViolations,
  isoDateInDays, humanDate, sambandBin, textOf,
};
