// Drives a Promptune report and the live viewer in Debian's headless Chromium (never a downloaded
// browser). Inputs come from the environment, set by BrowserReportTest (JUnit):
//   REPORT_FILE  a finished study's report.html, whose data holds a row with <script>alert(1)</script>
//   VIEWER_URL   the viewer's base URL, serving a study named by LIVE_STUDY that is still running
//   SCREENSHOT   where to save a full-page screenshot of the report
//   PS_REPORT_FILE  a prompt-search study's report, whose proposals hold <img onerror> and </td> markup
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const HOSTILE = '<script>alert(1)</script>';
let browser, profile;

before(async () => {
  profile = mkdtempSync(join(process.env.BROWSER_TMP || tmpdir(), 'chromium-profile-'));
  // A persistent context is how Playwright takes a (fresh) --user-data-dir.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
});

async function open(url) {
  const page = await browser.newPage();
  const problems = [], dialogs = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, dialogs };
}

async function firstColumn(page, key) {
  return page.$$eval(`#trials-table tbody tr`, (rows, k) => {
    const idx = [...document.querySelectorAll('#trials-table thead th')].findIndex((th) => th.dataset.key === k);
    return rows.map((r) => r.children[idx].textContent);
  }, key);
}

test('the report loads without console errors and its charts render', { skip: !process.env.REPORT_FILE }, async () => {
  const { page, problems } = await open(pathToFileURL(process.env.REPORT_FILE).href);
  const charts = await page.$$eval('svg.chart', (svgs) => svgs.map((s) => {
    const r = s.getBoundingClientRect();
    return { label: s.getAttribute('aria-label'), w: r.width, h: r.height, marks: s.querySelectorAll('circle,path,rect').length };
  }));
  assert.ok(charts.length >= 6, `expected the report's charts, got ${JSON.stringify(charts)}`);
  for (const c of charts) {
    assert.ok(c.w > 0 && c.h > 0, `chart ${c.label} has no size`);
    assert.ok(c.marks > 0, `chart ${c.label} drew nothing`);
  }
  for (const label of ['optimization history', 'parameter importance', 'parallel coordinates', 'pareto front']) {
    assert.ok(charts.some((c) => c.label === label), `missing chart ${label}`);
  }
  assert.ok(charts.some((c) => c.label.startsWith('contour')), 'missing contour plot');
  assert.ok(charts.some((c) => c.label.startsWith('slice')), 'missing slice plots');
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the trials table sorts on a header click', { skip: !process.env.REPORT_FILE }, async () => {
  const { page, problems } = await open(pathToFileURL(process.env.REPORT_FILE).href);
  const num = (xs) => xs.map((x) => Number(x));
  await page.click('#trials-table th[data-key="number"]');
  const desc = num(await firstColumn(page, 'number'));
  assert.deepEqual(desc, [...desc].sort((a, b) => b - a), 'a second click on # sorts descending');
  await page.click('#trials-table th[data-key="value"]');
  const values = (await firstColumn(page, 'value')).filter((v) => v !== '–').map(Number);
  assert.ok(values.length > 3);
  assert.deepEqual(values, [...values].sort((a, b) => b - a), 'the objective sorts best first');
  assert.equal(await page.getAttribute('#trials-table th[data-key="value"]', 'aria-sort'), 'descending');
  await page.click('#trials-table th[data-key="value"]');
  const asc = (await firstColumn(page, 'value')).filter((v) => v !== '–').map(Number);
  assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
  await page.fill('input[aria-label="filter trials"]', 'pruned');
  const states = await firstColumn(page, 'state');
  assert.ok(states.every((s) => s === 'pruned'), `filter left ${states}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('on a narrow window the code blocks scroll inside their card', { skip: !process.env.REPORT_FILE }, async () => {
  const { page, problems } = await open(pathToFileURL(process.env.REPORT_FILE).href);
  await page.setViewportSize({ width: 420, height: 800 });
  await page.waitForTimeout(300);
  const boxes = await page.$$eval('pre.code', (pres) => pres.map((p) => {
    const card = p.closest('.card').getBoundingClientRect(), r = p.getBoundingClientRect();
    return { right: r.right, cardRight: card.right, scrolls: p.scrollWidth > p.clientWidth, text: p.textContent.slice(0, 40) };
  }));
  assert.ok(boxes.length >= 2, 'the YAML and Java blocks are there');
  for (const b of boxes) {
    assert.ok(b.right <= b.cardRight + 0.5, `code block "${b.text}" ends at ${b.right}, outside its card (${b.cardRight})`);
    assert.ok(b.cardRight <= 420 + 0.5, `the card holding "${b.text}" ends at ${b.cardRight}, past the 420px window`);
  }
  assert.ok(boxes.some((b) => b.scrolls), 'the long lines scroll inside a code block');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a dataset row holding a script tag stays text', { skip: !process.env.REPORT_FILE }, async () => {
  const { page, problems, dialogs } = await open(pathToFileURL(process.env.REPORT_FILE).href);
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, [], 'no alert fired');
  assert.equal(await page.$$eval('#app script', (s) => s.length), 0, 'no script element was created from data');
  const cell = page.locator('#examples-table td', { hasText: HOSTILE }).first();
  assert.ok(await cell.isVisible(), 'the hostile text is shown as text');
  assert.ok((await cell.textContent()).includes(HOSTILE));
  assert.deepEqual(problems, []);
  await page.close();
});

test('the viewer lists studies and a running study updates live', { skip: !process.env.VIEWER_URL }, async () => {
  const { page, problems } = await open(process.env.VIEWER_URL);
  const link = page.locator(`#studies a`, { hasText: process.env.LIVE_STUDY });
  await link.waitFor({ timeout: 10000 });
  await link.click();
  await page.waitForSelector('#trials-table');
  const count = async () => Number((await page.textContent('#trials-table >> xpath=../../..//span[@class="note"]')).split(' of ')[1].split(' ')[0]);
  const first = await count();
  await page.waitForFunction((n) => {
    const note = [...document.querySelectorAll('.toolbar .note')][0];
    return note && Number(note.textContent.split(' of ')[1].split(' ')[0]) > n;
  }, first, { timeout: 30000 });
  assert.ok(await count() > first, 'new trials appeared without a reload');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the prompt-search card lists proposals as text', { skip: !process.env.PS_REPORT_FILE }, async () => {
  const { page, problems, dialogs } = await open(pathToFileURL(process.env.PS_REPORT_FILE).href);
  const rows = await page.$$eval('#proposals-table tbody tr', (trs) => trs.map((tr) => ({
    id: tr.dataset.proposal, cells: [...tr.children].map((td) => td.textContent) })));
  assert.equal(rows.length, 4, JSON.stringify(rows));
  for (const r of rows) {
    assert.ok(r.cells[3].startsWith('<img src=x onerror=alert(1)> Say </td>positive</td>'), `instruction shown as text: ${r.cells[3]}`);
    assert.match(r.cells[1], /^fake:proposer · (ape|opro)$/);
    assert.match(r.cells[2], /^round [01]/);
  }
  assert.equal(await page.$$eval('#prompt-search img, #prompt-search script', (n) => n.length), 0, 'no element made from proposal text');
  assert.match(await page.textContent('#prompt-search .ps-best'), /^Best trial #\d+: few-shot \d/);
  assert.match(await page.textContent('#prompt-search .ps-spent'), /proposer 4 calls, 480 tokens/);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems, []);
  await page.close();
});
