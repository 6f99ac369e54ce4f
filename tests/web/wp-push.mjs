// wp-push.mjs: the plugin's "Send every post to the daemon" button on its
// settings page, in headless Chromium (tests/ops/wp-live.sh sets the site
// up): logged in as the admin, a click sends the site's posts batch after
// batch through admin-ajax.php; the progress bar fills, the status line
// counts the posts and ends with "Done:"; no script error.
//   env: PAGE_URL (the site's home), WP_ADMIN, WP_PASS, EXPECT_POSTS (the
//   published posts), CHROME, TMPDIR_TEST
import path from 'node:path';
import { launch, check, expectEq, fail, finish } from './browser.mjs';

const site = process.env.PAGE_URL;
const tmp = process.env.TMPDIR_TEST;
const posts = Number(process.env.EXPECT_POSTS);
const browser = await launch({ chrome: process.env.CHROME, tmp });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(120000);
  await page.setViewport({ width: 1280, height: 900 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto(`${site}/wp-login.php`, { waitUntil: 'networkidle0' });
  await page.type('#user_login', process.env.WP_ADMIN);
  await page.type('#user_pass', process.env.WP_PASS);
  await Promise.all([page.waitForNavigation(), page.click('#wp-submit')]);
  await page.goto(`${site}/wp-admin/options-general.php?page=socasma-search`, { waitUntil: 'networkidle0' });
  check('the button is there', await page.$('#socasma-push-all') !== null);
  check('the progress bar is hidden before', await page.$eval('#socasma-push-progress', (e) => e.hidden));
  const seen = [];
  page.on('console', () => {});
  await page.exposeFunction('socasmaSeen', (t) => seen.push(t));
  await page.evaluate(() => {
    const s = document.getElementById('socasma-push-status');
    new MutationObserver(() => window.socasmaSeen(s.textContent)).observe(s, { childList: true, characterData: true, subtree: true });
  });
  await page.click('#socasma-push-all');
  await page.waitForFunction(() => /^(Done|Stopped)/.test(document.getElementById('socasma-push-status').textContent));
  const status = await page.$eval('#socasma-push-status', (e) => e.textContent);
  expectEq('the status line at the end', `Done: ${posts} posts sent (0 added, 0 updated, ${posts} unchanged).`, status);
  check('the status line counted the batches on the way', seen.some((t) => /^\d+ of \d+ posts sent$/.test(t) && !t.startsWith('0 ')),
    seen.join(' | '));
  const bar = await page.$eval('#socasma-push-progress', (e) => [e.hidden, e.value, e.max]);
  expectEq('the progress bar is full', `false ${posts} ${posts}`, bar.join(' '));
  check('the button can be pressed again', !(await page.$eval('#socasma-push-all', (e) => e.disabled)));
  await page.screenshot({ path: path.join(tmp, 'wp-push.png') });
  check('no script error', errors.length === 0, errors.join(' | '));
} catch (e) {
  fail(`the browser test stopped: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}
finish();
