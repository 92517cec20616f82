// rafcast serve in a real browser (Debian's Chromium, driven by playwright-core as the report's
// test does) on the hand-made run of test/serve-run.ts, with a login: the finance page filtered
// to one segment shows the server's rows and totals (the suspect dollars apart) and its export
// links, CSV and Excel, give the same rows; a
// care manager sets a member's status with a note, reloads and sees it kept with its history; two
// users editing the same member: the second is told, not written over; the worklist works from
// the keyboard alone; axe-core finds no serious or critical violation. No error in the console (a CSP violation would be one) and no request
// outside the server. Screenshots of each page go to test-artifacts/.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { readSheet } from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsvObjects } from '../../data/csv.ts';
import { makeServeRun, memberId } from '../../test/serve-run.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { CHROMIUM } from '../../test/test-tools.ts';
import { buildApp } from './app.ts';
import { LIST_COLUMNS } from './list-export.ts';
import { RunData } from './run-data.ts';
import { addUser, readUsers } from './users.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/serve/', import.meta.url));
const PASSWORD = 'correct horse battery';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let app: FastifyInstance;
let data: RunData;
let browser: Browser;
let base: string;
const errors: string[] = [];
const foreign: string[] = [];

beforeAll(async () => {
  const run = await makeServeRun();
  const file = join(tempDir('serve-users'), 'users.json');
  await addUser(file, 'alice', PASSWORD);
  await addUser(file, 'bob', PASSWORD);
  data = await RunData.open({ run });
  // Every test logs in anew, more than the 5 a minute a real client gets (app.test.ts tests that limit).
  app = await buildApp({ data, users: await readUsers(file), localUser: 'nobody', loginLimit: { max: 100, timeWindow: '1 minute' } });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  data?.close();
});

/** A new browser context logged in as `user` through the login page. */
async function loggedIn(user: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    if (!r.url().startsWith(base)) foreign.push(r.url());
  });
  await page.goto(`${base}/`);
  await page.waitForURL(/login\.html/);
  await page.getByLabel('Name').fill(user);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  return { context, page };
}

describe('rafcast serve in Chromium', () => {
  it('logs in, filters the list on the server and exports exactly the rows shown', async () => {
    const { context, page } = await loggedIn('alice');
    await page.locator('#filtered-totals').filter({ hasText: '12 members match' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'finance.png'), fullPage: true });
    await page.getByLabel('Segment').selectOption('CNA');
    await page.getByRole('button', { name: 'Filter' }).click();
    // CNA: ranks 1, 4, 7, 10; dollars 110 x 22 + 0.04 = $2,420.04.
    await page.locator('#filtered-totals').filter({ hasText: '4 members match' }).waitFor();
    expect(await page.locator('#filtered-totals').textContent()).toContain('in all $2,420.04');
    const shown = await page.locator('#candidates tbody tr td:nth-child(2)').allTextContents();
    expect(shown).toEqual([1, 4, 7, 10].map(memberId));
    await page.screenshot({ path: join(ARTIFACTS, 'finance-filtered.png'), fullPage: true });
    const href = await page.locator('#export').getAttribute('href');
    const csv = await (await context.request.get(`${base}${href}`)).text();
    expect(parseCsvObjects(csv).map((r) => r.member_id)).toEqual(shown);
    // The Excel link: the same rows, read back.
    const xlsxHref = await page.locator('#export-xlsx').getAttribute('href');
    const [, ...sheet] = await readSheet(await (await context.request.get(`${base}${xlsxHref}`)).body());
    expect(sheet.map((r) => r[LIST_COLUMNS.indexOf('member_id')])).toEqual(shown);
    expect(await page.locator('#filtered-totals').textContent()).toContain('suspects apart $201.00');
    expect(await page.locator('#candidates thead').textContent()).toContain('Suspect dollars');
    // The filter is in the address: a reload shows the same rows.
    await page.reload();
    await page.locator('#filtered-totals').filter({ hasText: '4 members match' }).waitFor();
    await context.close();
  });

  it('sets a status with a note on a member, and after a reload it is kept with its history', async () => {
    const { context, page } = await loggedIn('alice');
    await page.goto(`${base}/worklist.html?by=provider&key=1111111111&member=${memberId(1)}`);
    await page.locator('#member-title').filter({ hasText: memberId(1) }).waitFor();
    // Member 1: two HCCs to recapture, one line each.
    expect(await page.locator('#hccs tbody tr').count()).toBe(2);
    expect(await page.locator('#hccs tbody tr').first().textContent()).toContain('Diabetes with Chronic Complications');
    // Its suspect dollars (rank 1: 25 x 1 + 0.50) in the worklist and beside its expected dollars.
    await page.locator('#members tbody tr').filter({ hasText: memberId(1) }).waitFor();
    expect(await page.locator('#members tbody tr').filter({ hasText: memberId(1) }).textContent()).toContain('$25.50');
    expect(await page.locator('#member-figures').textContent()).toContain('Suspect dollars, apart from the expected$25.50');
    await page.screenshot({ path: join(ARTIFACTS, 'worklist.png'), fullPage: true });
    await page.locator('#status').selectOption('visit scheduled');
    await page.locator('#date').fill('2024-02-01');
    await page.locator('#note').fill('annual wellness visit booked');
    await page.getByRole('button', { name: 'Save status' }).click();
    await page.locator('#message').filter({ hasText: 'Status saved.' }).waitFor();
    await page.reload();
    await page.locator('#member-title').filter({ hasText: memberId(1) }).waitFor();
    await expect.poll(() => page.locator('#status').inputValue()).toBe('visit scheduled');
    expect(await page.locator('#note').inputValue()).toBe('annual wellness visit booked');
    expect(await page.locator('#date').inputValue()).toBe('2024-02-01');
    expect(await page.locator('#history tbody tr').allTextContents()).toEqual([expect.stringMatching(/alicenot startedvisit scheduled2024-02-01annual wellness visit booked$/)]);
    expect(await page.locator('#members tbody tr').filter({ hasText: memberId(1) }).textContent()).toContain('visit scheduled');
    await page.screenshot({ path: join(ARTIFACTS, 'worklist-saved.png'), fullPage: true });
    await context.close();
  });

  it('two users editing the same member: the second is told of the conflict and nothing is overwritten', async () => {
    const a = await loggedIn('alice');
    const b = await loggedIn('bob');
    for (const { page } of [a, b]) {
      await page.goto(`${base}/worklist.html?by=provider&key=1111111111&member=${memberId(2)}`);
      await page.locator('#member-title').filter({ hasText: memberId(2) }).waitFor();
    }
    await a.page.locator('#status').selectOption('contacted');
    await a.page.getByRole('button', { name: 'Save status' }).click();
    await a.page.locator('#message').filter({ hasText: 'Status saved.' }).waitFor();
    await b.page.locator('#status').selectOption('declined');
    await b.page.locator('#note').fill('bob was here');
    await b.page.getByRole('button', { name: 'Save status' }).click();
    await b.page.locator('#message').filter({ hasText: 'Not saved' }).waitFor();
    // Bob's page now shows alice's status, and the server kept it.
    await expect.poll(() => b.page.locator('#status').inputValue()).toBe('contacted');
    // And its worklist shows alice's status too, once read again (the screenshot waits for it).
    await b.page.locator('#members tbody tr').filter({ hasText: memberId(2) }).filter({ hasText: 'contacted' }).waitFor();
    await b.page.screenshot({ path: join(ARTIFACTS, 'worklist-conflict.png'), fullPage: true });
    const stored = await (await b.context.request.get(`${base}/api/members/${memberId(2)}`)).json();
    expect(stored.status).toMatchObject({ status: 'contacted', version: 1, updatedBy: 'alice' });
    await a.context.close();
    await b.context.close();
  });

  it('works the worklist from the keyboard alone: tab to a member, open it, set a status and save', async () => {
    const { context, page } = await loggedIn('alice');
    await page.goto(`${base}/worklist.html?by=provider&key=2222222222`);
    await page.locator('#members tbody tr').first().waitFor();
    const first = await page.locator('#members tbody tr a').first().textContent();
    let onLink = false;
    for (let k = 0; k < 30 && !onLink; k++) {
      await page.keyboard.press('Tab');
      onLink = await page.evaluate((id) => document.activeElement?.textContent === id && document.activeElement.closest('#members') !== null, first);
    }
    expect(onLink).toBe(true);
    await page.keyboard.press('Enter');
    await page.locator('#member-title').filter({ hasText: first! }).waitFor();
    await page.locator('#status').focus();
    await page.keyboard.press('ArrowDown'); // not started -> contacted
    await page.locator('#note').focus();
    await page.keyboard.type('called from the keyboard');
    await page.keyboard.press('Tab'); // to the hidden version? no: hidden inputs take no focus; to the button
    await page.keyboard.press('Enter');
    await page.locator('#message').filter({ hasText: 'Status saved.' }).waitFor();
    const stored = await (await context.request.get(`${base}/api/members/${first}`)).json();
    expect(stored.status).toMatchObject({ status: 'contacted', note: 'called from the keyboard' });
    await context.close();
  });

  it('has no serious or critical accessibility violation on any page (axe-core)', async () => {
    // axe is injected as a script of the page, which the server's CSP refuses by design: this
    // context alone bypasses the CSP, to scan.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const scan = async (what: string) => {
      await page.addScriptTag({ path: AXE });
      const found = await page.evaluate(async () => {
        const r = await (window as unknown as { axe: { run: (d: Document, o: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, where: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
      });
      expect(found.filter((v) => v.impact === 'serious' || v.impact === 'critical'), what).toEqual([]);
    };
    await page.goto(`${base}/login.html`);
    await scan('login');
    await page.getByLabel('Name').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.locator('#filtered-totals').filter({ hasText: 'members match' }).waitFor();
    await scan('finance');
    await page.goto(`${base}/worklist.html?by=provider&key=1111111111&member=${memberId(1)}`);
    await page.locator('#member-title').filter({ hasText: memberId(1) }).waitFor();
    await scan('worklist');
    await context.close();
  });

  it('had no error in the console and asked nothing of any other origin', () => {
    // The conflict test's 409 is the one failed request asked for.
    expect(errors.filter((e) => !/status of 409 \(Conflict\)/.test(e))).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
