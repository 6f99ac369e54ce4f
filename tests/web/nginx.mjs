// nginx.mjs: the search page behind nginx (tests/web/nginx.sh) in headless
// Chromium: the Content-Security-Policy of the nginx example is in force,
// the page's script runs under it (suggestions appear as one types) and
// nothing on the page is refused by it; axe-core finds no violation.
//   env: PAGE_URL (the server's "/"), CHROME, TMPDIR_TEST
import path from 'node:path';
import { launch, check, fail, finish, checkAxe, typeSlowly } from './browser.mjs';

const base = process.env.PAGE_URL;
const tmp = process.env.TMPDIR_TEST;
const browser = await launch({ chrome: process.env.CHROME, tmp });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(20000);
  const refused = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text()); });
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations = (window.__cspViolations || []).concat(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const resp = await page.goto(`${base}?q=permis&lang=en`, { waitUntil: 'networkidle0' });
  check('the page loads through nginx', resp.status() === 200, `status ${resp.status()}`);
  check('the CSP header is sent', /script-src 'self'/.test(resp.headers()['content-security-policy'] || ''));
  check('the style sheet applies under the CSP', await page.$eval('body', (b) => getComputedStyle(b).fontFamily.includes('system-ui')));
  await checkAxe(page, 'behind nginx');
  await page.focus('#q');
  await page.$eval('#q', (e) => { e.value = ''; });
  await typeSlowly(page, 'equi');
  await page.waitForSelector('#q-suggestions [role=option]', { visible: true });
  const n = await page.$$eval('#q-suggestions [role=option]', (o) => o.length);
  check('search as you type works under the CSP', n > 0);
  await page.screenshot({ path: path.join(tmp, 'nginx-suggest.png') });
  const v = await page.evaluate(() => window.__cspViolations || []);
  check('nothing on the page violates the CSP', v.length === 0 && refused.length === 0, [...v, ...refused].join(' | '));
  // The policy does refuse what it should: an inline script does not run.
  const inlineRan = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1;';
    document.body.appendChild(s);
    return window.__inline === 1;
  });
  check('an inline script is refused by the CSP', !inlineRan);
} catch (e) {
  fail(`the browser test stopped: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}
finish();
