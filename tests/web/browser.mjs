// browser.mjs: what the browser tests of tests/web share. Starts headless
// Chromium (Debian's, through puppeteer-core) with the flags that work on a
// closed network, runs axe-core in a page, and counts checks the way
// tests/lib/common.sh does ("ok: ..." / "FAIL: ..."; the exit status is
// the number of failures, capped).
import puppeteer from 'puppeteer-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let failures = 0;
export function pass(desc) { console.log(`ok: ${desc}`); }
export function fail(desc) { failures++; console.log(`FAIL: ${desc}`); }
export function check(desc, cond, detail = '') {
  if (cond) pass(desc); else fail(detail ? `${desc}: ${detail}` : desc);
  return cond;
}
export function expectEq(desc, expected, actual) {
  return check(desc, expected === actual, `expected [${expected}], got [${actual}]`);
}
export function finish() {
  process.exitCode = failures ? 1 : 0;
  if (failures) console.log(`${failures} failure(s)`);
}

// launch({chrome, tmp}): a browser with a fresh profile under tmp.
export async function launch({ chrome, tmp }) {
  return puppeteer.launch({
    executablePath: chrome,
    headless: true,
    userDataDir: path.join(tmp, 'chrome-profile'),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage', '--lang=en-US'],
    protocolTimeout: 60000,
  });
}

// axe(page): the violations of the page, by axe-core's WCAG 2.1 A/AA and
// best-practice rules: [{id, impact, nodes}].
export async function axe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
}

// checkAxe(page, what): no critical, serious or moderate violation; minor
// ones are printed. Returns the violations.
export async function checkAxe(page, what) {
  const v = await axe(page);
  const bad = v.filter((x) => ['critical', 'serious', 'moderate'].includes(x.impact));
  for (const x of v) {
    console.log(`  axe ${what}: ${x.impact} ${x.id} (${x.help}) at ${x.nodes.join(', ')}`);
  }
  check(`axe-core: no critical, serious or moderate violation (${what})`, bad.length === 0,
    bad.map((x) => `${x.impact} ${x.id}`).join(', '));
  return v;
}

// noHorizontalScroll(page, what): the page is as wide as the window.
export async function noHorizontalScroll(page, what) {
  const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth }));
  return check(`no horizontal scrolling at ${what} (scrollWidth == innerWidth)`,
    w.scroll === w.inner, `scrollWidth ${w.scroll}, innerWidth ${w.inner}`);
}

// Keys typed one by one, as a person would.
export async function typeSlowly(page, text) {
  for (const ch of text) {
    await page.keyboard.type(ch);
    await new Promise((r) => setTimeout(r, 30));
  }
}
