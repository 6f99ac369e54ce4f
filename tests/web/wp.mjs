// wp.mjs: search as you type in a WordPress theme's own search form
// (Twenty Twenty-Three's search block, on its "nothing found" page), with the
// socasma-search plugin active (tests/ops/wp-plugin.sh sets it up): typing
// lists the REST route's completions and titles under the box; the keyboard
// alone chooses one and the theme's search page then shows the daemon's
// results; a title opens its post; axe-core finds no violation in the box
// and its list.
//   env: PAGE_URL (the site's home, http://127.0.0.1:PORT), CHROME, TMPDIR_TEST
import path from 'node:path';
import { launch, check, expectEq, fail, finish, typeSlowly } from './browser.mjs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const site = process.env.PAGE_URL;
const tmp = process.env.TMPDIR_TEST;
const browser = await launch({ chrome: process.env.CHROME, tmp });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(20000);
  await page.setViewport({ width: 1280, height: 900 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto(`${site}/?s=zzqxwvk`, { waitUntil: 'networkidle0' });
  const box = 'form[role=search] input[name=s]';
  check("the theme's search form is there", await page.$(box) !== null);
  expectEq('the box became a combobox', 'combobox', await page.$eval(box, (e) => e.getAttribute('role')));
  await page.focus(box);
  await page.$eval(box, (e) => { e.value = ''; });
  await typeSlowly(page, 'equi');
  await page.waitForSelector('.socasma-suggestions [role=option]', { visible: true });
  const opts = await page.$$eval('.socasma-suggestions [role=option]', (os) => os.map((o) => o.textContent));
  check('typing lists suggestions under the box', opts.length > 0);
  check('équivalence is suggested', opts.includes('équivalence'), opts.join(' | '));
  await page.screenshot({ path: path.join(tmp, 'wp-suggest.png') });
  // axe-core on the box and its list only: the theme's page is not ours.
  await page.evaluate(axeSource);
  const v = await page.evaluate(async () => (await window.axe.run({ include: [['.socasma-combo']] },
    { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }))
    .violations.map((x) => `${x.impact} ${x.id}`));
  check('axe-core: no violation in the box and its suggestions', v.length === 0, v.join(', '));
  await page.keyboard.press('ArrowDown');
  const first = await page.$eval('.socasma-option.active', (o) => o.textContent);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  expectEq('Enter searches the chosen completion', first, new URL(page.url()).searchParams.get('s'));
  const titles = await page.$$eval('.wp-block-post-title a', (as) => as.length);
  check("the theme's search page shows the completion's results", titles > 0);
  check('the results have highlighted excerpts', await page.$$eval('.wp-block-post-excerpt mark', (m) => m.length) > 0);

  // A title opens its post.
  await page.goto(`${site}/?s=zzqxwvk`, { waitUntil: 'networkidle0' });
  await page.focus(box);
  await typeSlowly(page, 'permis restr');
  await page.waitForSelector('.socasma-suggestions .socasma-option-title', { visible: true });
  const idx = await page.$$eval('.socasma-suggestions [role=option]', (os) => os.findIndex((o) => o.classList.contains('socasma-option-title')));
  const title = await page.$eval('.socasma-suggestions .socasma-option-title', (o) => o.textContent);
  for (let i = 0; i <= idx; i++) await page.keyboard.press('ArrowDown');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  const h1 = await page.$eval('h1', (e) => e.textContent.trim());
  expectEq('Enter on a title opens that post', title, h1);
  check('no script error', errors.length === 0, errors.join(' | '));
} catch (e) {
  fail(`the browser test stopped: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}
finish();
