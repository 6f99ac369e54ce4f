// page.mjs: the example search page (conf/examples/php/search.php) in
// headless Chromium, as a visitor uses it: accessibility (axe-core), phone
// and desktop layouts (screenshots, no horizontal scrolling), both
// languages, search as you type with the keyboard alone, filters, sorting,
// pagination, help when nothing is found, and the form without JavaScript.
// Run by tests/web/page.sh, which starts the daemon on the sample archive
// and the page under `php -S`.
//   env: PAGE_URL (…/search.php), CHROME, TMPDIR_TEST, TITLE_HTML (1 when
//   the daemon's hits carry title_html)
import path from 'node:path';
import { launch, check, expectEq, pass, fail, finish, checkAxe, noHorizontalScroll,
  typeSlowly } from './browser.mjs';

const base = process.env.PAGE_URL;
const tmp = process.env.TMPDIR_TEST;
const titleHtml = process.env.TITLE_HTML === '1';
const url = (qs) => `${base}${qs}`;

const browser = await launch({ chrome: process.env.CHROME, tmp });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(20000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Script errors, and failures of the page's own resources (a document's
  // own 404 is checked where it is meant; the favicon is not the page's).
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  page.on('response', (r) => {
    if (/\/(search\.js|search\.css|suggest\.php)/.test(r.url()) && r.status() >= 400) {
      errors.push(`${r.status()} for ${r.url()}`);
    }
  });

  // A post's URL is on the archive's site, which does not exist here:
  // answer it with a stub page, so that opening a post can be seen.
  const opened = [];
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    if (req.url().startsWith('https://socasma.example/')) {
      opened.push(req.url());
      req.respond({ status: 200, contentType: 'text/html',
        body: '<!DOCTYPE html><html lang="en"><title>post</title><p id="post">post</p></html>' });
    } else {
      req.continue();
    }
  });

  const hitsOf = () => page.$$eval('#hits > li.hit', (lis) => lis.map((li) => ({
    lang: li.getAttribute('lang'),
    langLabel: (li.querySelector('.lang') || {}).textContent || '',
    title: li.querySelector('.hit-title a').textContent,
    titleHtml: li.querySelector('.hit-title a').innerHTML,
    date: (li.querySelector('time') || { getAttribute: () => '' }).getAttribute('datetime'),
    cats: ((li.querySelector('.cats') || {}).textContent || '').replace(/^Categories: |^Catégories\s*: /, ''),
  })));
  const countText = () => page.$eval('#count', (e) => e.textContent.trim());
  const countOf = async () => Number((await countText()).replace(/[\s\u202f,]/g, '').match(/^\d+/)?.[0] ?? -1);

  // ---- desktop, English --------------------------------------------------
  await page.setViewport({ width: 1280, height: 900 });
  let resp = await page.goto(url('?q=permis&lang=en'), { waitUntil: 'networkidle0' });
  expectEq('a search answers 200', 200, resp.status());
  expectEq('<html lang> is en with ?lang=en', 'en', await page.$eval('html', (e) => e.lang));
  check('the page has <main>', await page.$('main') !== null);
  check('the page has one <h1>', (await page.$$('h1')).length === 1);
  expectEq('the box has a <label>', 'q', await page.$eval('label[for=q]', (e) => e.htmlFor));
  check('the result count is a live region', await page.$eval('#count',
    (e) => e.getAttribute('aria-live') === 'polite' && e.getAttribute('role') === 'status'));
  const total = await countOf();
  check('permis finds posts', total > 1, `count ${total}`);
  expect(/^\d+ results for “permis”/.test(await countText()), 'the count says N results for “permis”', await countText());
  let hits = await hitsOf();
  check('a page shows at most 10 hits', hits.length > 0 && hits.length <= 10, `${hits.length}`);
  const langOk = hits.every((h) => (h.lang === 'fr' && h.langLabel === 'French')
    || (h.lang === 'en' && h.langLabel === 'English')
    || (h.lang === null && h.langLabel === 'English and French'));
  check('each hit carries the lang of its post', langOk, JSON.stringify(hits.map((h) => [h.lang, h.langLabel])));
  check('snippets are highlighted with <mark>', await page.$$eval('#hits .snippet mark', (m) => m.length) > 0);
  if (titleHtml) {
    check('titles are highlighted with <mark> (title_html)', hits.some((h) => /<mark>/i.test(h.titleHtml)));
  } else {
    check('titles are plain text (no title_html from the daemon yet)', hits.every((h) => !/<mark>/i.test(h.titleHtml)));
  }
  check('dates are written out', hits.every((h) => !h.date || /\d{4}-\d{2}-\d{2}/.test(h.date)));
  expect(await page.$eval('#hits time', (e) => /^[A-Z][a-z]+ \d{1,2}, \d{4}$/.test(e.textContent)),
    'an English date reads "Month D, YYYY"');
  await checkAxe(page, 'results, 1280 px, English');
  await noHorizontalScroll(page, '1280 px');
  check('the filters are beside the results at 1280 px', await page.evaluate(() => {
    const f = document.getElementById('facets').getBoundingClientRect();
    const r = document.getElementById('hits').getBoundingClientRect();
    return f.right <= r.left && r.width > 500;
  }));
  await page.screenshot({ path: path.join(tmp, 'results-1280.png'), fullPage: true });
  check('no script error on the page', errors.length === 0, errors.join(' | '));

  // ---- phone widths ------------------------------------------------------
  for (const width of [375, 320]) {
    await page.setViewport({ width, height: 800, isMobile: true, hasTouch: true });
    await page.goto(url('?q=permis&lang=fr'), { waitUntil: 'networkidle0' });
    await noHorizontalScroll(page, `${width} px`);
    const layout = await page.evaluate(() => {
      const r = document.getElementById('hits').getBoundingClientRect();
      return { width: r.width, folded: !document.getElementById('filters').open };
    });
    check(`the results use the width of the phone at ${width} px`, layout.width >= width - 40, `${layout.width}px`);
    check(`the filters are folded above the results at ${width} px`, layout.folded);
    await page.screenshot({ path: path.join(tmp, `results-${width}.png`), fullPage: true });
    if (width === 375) {
      await checkAxe(page, 'results, 375 px, French');
      // Unfold the filters with the keyboard: focus the summary, Enter.
      await page.focus('#filters summary');
      await page.keyboard.press('Enter');
      check('the filters unfold with the keyboard', await page.$eval('#filters', (d) => d.open));
      await noHorizontalScroll(page, '375 px, filters unfolded');
      await page.screenshot({ path: path.join(tmp, 'filters-375.png'), fullPage: true });
    }
  }
  await page.setViewport({ width: 1280, height: 900 });

  // ---- French, by ?lang= and by Accept-Language ---------------------------
  await page.goto(url('?q=permis&lang=fr'), { waitUntil: 'networkidle0' });
  expectEq('<html lang> is fr with ?lang=fr', 'fr', await page.$eval('html', (e) => e.lang));
  expect(/^\d+ résultats pour «\u00a0permis\u00a0»/.test(await countText()), 'the count is in French, with « » and no-break spaces', await countText());
  expectEq('the button is in French', 'Rechercher', await page.$eval('#go', (e) => e.textContent.trim()));
  expect(await page.$eval('#hits time', (e) => /^(1er|\d{1,2})\u00a0[a-zéû]+\u00a0\d{4}$/.test(e.textContent)),
    'a French date reads "D mois YYYY"');
  const next = await page.$('#next');
  if (next) {
    expectEq('Next is in French', 'Page suivante', (await page.$eval('#next', (e) => e.textContent)).replace('→', '').trim());
  }
  await checkAxe(page, 'results, 1280 px, French');
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'fr-CA,fr;q=0.9,en;q=0.8' });
  await page.goto(url('?q=permis'), { waitUntil: 'networkidle0' });
  expectEq('Accept-Language fr-CA gives a French page', 'fr', await page.$eval('html', (e) => e.lang));
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'de-DE,en;q=0.5,fr;q=0.4' });
  await page.goto(url('?q=permis'), { waitUntil: 'networkidle0' });
  expectEq('Accept-Language de,en;q=0.5,fr;q=0.4 gives English', 'en', await page.$eval('html', (e) => e.lang));
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'fr' });
  await page.goto(url('?q=permis&lang=en'), { waitUntil: 'networkidle0' });
  expectEq('?lang=en wins over Accept-Language fr', 'en', await page.$eval('html', (e) => e.lang));
  await page.setExtraHTTPHeaders({});
  // The switch keeps the query.
  await Promise.all([page.waitForNavigation(), page.click('.ui-lang a')]);
  expectEq('the language switch gives French', 'fr', await page.$eval('html', (e) => e.lang));
  expectEq('the language switch keeps the query', 'permis', await page.$eval('#q', (e) => e.value));

  // ---- filters -----------------------------------------------------------
  await page.goto(url('?q=permis&lang=en'), { waitUntil: 'networkidle0' });
  const cats = await page.$$eval('.facet-category li a', (as) => as.map((a) => ({
    name: a.querySelector('.v').textContent, n: Number(a.querySelector('.n').textContent) })));
  check('the category facet lists categories with counts', cats.length >= 2);
  const [c1, c2] = cats;
  await Promise.all([page.waitForNavigation(), page.click('.facet-category li:nth-child(1) a')]);
  expectEq(`the ${c1.name} facet gives its count`, c1.n, await countOf());
  hits = await hitsOf();
  check(`every hit is in ${c1.name}`, hits.every((h) => h.cats.split(', ').includes(c1.name)), JSON.stringify(hits.map((h) => h.cats)));
  const activeName = await page.$eval('.facet-category a[aria-current="true"] .v', (e) => e.textContent);
  expectEq('the active facet has aria-current', c1.name, activeName);
  // A second category: hits in either.
  const link2 = await page.$$eval('.facet-category li a', (as, name) => {
    const a = as.find((x) => x.querySelector('.v').textContent === name);
    return a ? a.getAttribute('href') : null;
  }, c2.name);
  await page.goto(new URL(link2, page.url()).href, { waitUntil: 'networkidle0' });
  const both = await countOf();
  check('two categories: at least as many posts as either', both >= Math.max(c1.n, c2.n), `${both}`);
  check('two categories: at most the two counts added', both <= c1.n + c2.n, `${both}`);
  hits = await hitsOf();
  check('two categories: every hit is in one of them',
    hits.every((h) => h.cats.split(', ').some((c) => c === c1.name || c === c2.name)));
  expectEq('two categories: both are active', 2, (await page.$$('.facet-category a[aria-current="true"]')).length);
  await checkAxe(page, 'two filters');
  // Year.
  await page.goto(url('?q=permis&lang=en'), { waitUntil: 'networkidle0' });
  const year = await page.$eval('.facet-year li a .v', (e) => e.textContent);
  const yearN = await page.$eval('.facet-year li a .n', (e) => Number(e.textContent));
  await Promise.all([page.waitForNavigation(), page.click('.facet-year li a')]);
  expectEq(`the year ${year} gives its count`, yearN, await countOf());
  hits = await hitsOf();
  check(`every hit is from ${year}`, hits.length > 0 && hits.every((h) => h.date.startsWith(year)));
  // No result under a filter: help and a way out.
  await page.goto(url('?q=permis&lang=en&year=1999'), { waitUntil: 'networkidle0' });
  check('no result: the tips are shown', await page.$('#no-results') !== null);
  await Promise.all([page.waitForNavigation(), page.click('#no-results-clear')]);
  expectEq('no result: the link removes the filters', total, await countOf());

  // ---- sorting -----------------------------------------------------------
  await Promise.all([page.waitForNavigation(), page.click('#sort-date')]);
  hits = await hitsOf();
  const dates = hits.map((h) => h.date).filter(Boolean);
  check('sorted by date: newest first', dates.length > 1 && dates.every((d, i) => i === 0 || dates[i - 1] >= d), dates.join(' '));
  expectEq('sorted by date: the same count', total, await countOf());
  check('the sort in use has aria-current', await page.$eval('#sort-date', (a) => a.getAttribute('aria-current') === 'true'));

  // ---- pagination --------------------------------------------------------
  let big = null;
  for (const q of ['médecine', 'residency', 'CaRMS', 'DHCEU', 'collège']) {
    await page.goto(url(`?lang=en&q=${encodeURIComponent(q)}`), { waitUntil: 'networkidle0' });
    if (await countOf() > 10) { big = q; break; }
  }
  if (check('a query of the sample gives more than 10 results', big !== null)) {
    const n = await countOf();
    await Promise.all([page.waitForNavigation(), page.click('#next')]);
    expectEq('page 2 numbers its results from 11', '11', await page.$eval('#hits', (e) => e.getAttribute('start')));
    check('page 2 has a Previous link', await page.$('#prev') !== null);
    const pages = Math.ceil(n / 10);
    resp = await page.goto(url(`?lang=en&q=${encodeURIComponent(big)}&page=${pages + 3}`), { waitUntil: 'networkidle0' });
    expectEq('a page past the end answers 404', 404, resp.status());
    await Promise.all([page.waitForNavigation(), page.click('#last-page')]);
    check('the page past the end links to the last page', (await hitsOf()).length > 0
      && new URL(page.url()).searchParams.get('page') === String(pages));
  }

  // ---- no result, misspelling ---------------------------------------------
  await page.goto(url('?lang=fr&q=zzqxwv'), { waitUntil: 'networkidle0' });
  expectEq('no result: the count says so in French', 'Aucun résultat pour «\u00a0zzqxwv\u00a0»', await countText());
  check('no result: tips in French', (await page.$eval('#no-results', (e) => e.textContent)).includes('Vérifiez l’orthographe'));
  await checkAxe(page, 'no result, French');
  await page.goto(url('?lang=en&q=equivalance'), { waitUntil: 'networkidle0' });
  check('a misspelt query gets a suggestion', await page.$('#suggestion') !== null);
  if (await page.$('#suggestion a')) {
    await Promise.all([page.waitForNavigation(), page.click('#suggestion a')]);
    check('following the suggestion finds posts', await countOf() > 0);
  }

  // ---- search as you type, keyboard only ----------------------------------
  await page.goto(url('?lang=en'), { waitUntil: 'networkidle0' });
  await checkAxe(page, 'empty page');
  // From the top of the page, Tab reaches the box (it has the focus already
  // through autofocus; Tab away and back to show it is in the tab order).
  await page.keyboard.press('Tab');
  await page.keyboard.down('Shift'); await page.keyboard.press('Tab'); await page.keyboard.up('Shift');
  expectEq('the box is reachable with Tab', 'q', await page.evaluate(() => document.activeElement.id));
  await typeSlowly(page, 'equi');
  await page.waitForSelector('#q-suggestions [role=option]', { visible: true });
  const opts = await page.$$eval('#q-suggestions [role=option]', (os) => os.map((o) => o.textContent));
  check('typing shows suggestions', opts.length > 0);
  check('a completion of "equi" is "équivalence"', opts.includes('équivalence'), opts.join(' | '));
  expectEq('the box says the list is open', 'true', await page.$eval('#q', (e) => e.getAttribute('aria-expanded')));
  await new Promise((r) => setTimeout(r, 100));
  check('the number of suggestions is announced', /\d+ suggestions/.test(await page.$eval('#q-status', (e) => e.textContent)));
  await checkAxe(page, 'suggestions open');
  await page.screenshot({ path: path.join(tmp, 'suggest-1280.png') });
  await page.keyboard.press('ArrowDown');
  const activeId = await page.$eval('#q', (e) => e.getAttribute('aria-activedescendant'));
  check('Down selects the first suggestion', activeId === 'q-option-0');
  expectEq('the selected option has aria-selected', 'true', await page.$eval('#q-option-0', (e) => e.getAttribute('aria-selected')));
  await page.keyboard.press('ArrowUp');
  const lastId = await page.$eval('#q', (e) => e.getAttribute('aria-activedescendant'));
  expectEq('Up from the first wraps to the last', `q-option-${opts.length - 1}`, lastId);
  await page.keyboard.press('ArrowDown');
  const firstText = await page.$eval('#q-option-0', (e) => e.textContent);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  expectEq('Enter on a completion searches it', firstText, await page.$eval('#q', (e) => e.value));
  check('the completed search finds posts', await countOf() > 0);
  // Escape closes the list.
  await page.goto(url('?lang=en'), { waitUntil: 'networkidle0' });
  await page.focus('#q');
  await typeSlowly(page, 'permis restr');
  await page.waitForSelector('#q-suggestions .option-title', { visible: true });
  await page.keyboard.press('Escape');
  check('Escape closes the list', await page.$eval('#q-suggestions', (e) => e.hidden));
  // A title opens its post.
  await page.keyboard.press('ArrowDown');
  await page.waitForSelector('#q-suggestions .option-title', { visible: true });
  const titleIndex = await page.$$eval('#q-suggestions [role=option]', (os) => os.findIndex((o) => o.classList.contains('option-title')));
  for (let i = 0; i <= titleIndex; i++) await page.keyboard.press('ArrowDown');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  check('Enter on a title opens the post', opened.length === 1 && opened[0].startsWith('https://socasma.example/'), opened.join(' '));
  // Keyboard through the results: Tab from the box reaches a filter, Enter follows it.
  await page.goto(url('?lang=en&q=permis'), { waitUntil: 'networkidle0' });
  await page.focus('#q');
  let reached = null;
  for (let i = 0; i < 15 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => (document.activeElement.closest('.facet-category') ? document.activeElement.getAttribute('href') : null));
  }
  if (check('Tab reaches the category filters', reached !== null)) {
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    check('Enter on a filter applies it', await page.$('.facet-category a[aria-current="true"]') !== null);
  }
  // The skip link.
  await page.goto(url('?lang=en&q=permis'), { waitUntil: 'networkidle0' });
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('Tab');
  expectEq('the first Tab stop is the skip link', 'skip', await page.evaluate(() => document.activeElement.className));
  await page.keyboard.press('Enter');
  expectEq('the skip link moves the focus to the results', 'results', await page.evaluate(() => document.activeElement.id));

  // ---- escaping ----------------------------------------------------------
  await page.goto(url('?lang=en&q=alert+quotes'), { waitUntil: 'networkidle0' });
  check('the <script> title shows as text', (await hitsOf()).some((h) => h.title.includes('<script>alert(1)</script> & "quotes"')));
  check('no script element came from the archive', await page.$$eval('#hits script', (s) => s.length) === 0);

  // ---- without JavaScript --------------------------------------------------
  const nojs = await browser.newPage();
  await nojs.setJavaScriptEnabled(false);
  await nojs.setViewport({ width: 375, height: 800 });
  await nojs.goto(url('?lang=en'), { waitUntil: 'networkidle0' });
  await nojs.type('#q', 'residency');
  await Promise.all([nojs.waitForNavigation(), nojs.keyboard.press('Enter')]);
  const n2 = await nojs.$eval('#count', (e) => e.textContent);
  check('without JavaScript the form searches', /^\d+ results for “residency”/.test(n2.trim()), n2);
  check('without JavaScript the filters are shown, unfolded', await nojs.$eval('#filters', (d) => d.open));
  await noHorizontalScroll(nojs, '375 px without JavaScript');
  await nojs.close();
  check('no script error on the pages', errors.length === 0, errors.join(' | '));
} catch (e) {
  fail(`the browser test stopped: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}
finish();

function expect(cond, desc, detail) { return check(desc, cond, detail); }
