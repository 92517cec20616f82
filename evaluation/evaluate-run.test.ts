// `rafcast evaluate` on a generated plan: byte-reproducible outputs, totals that add up from the
// per-member table, listed members with no RAF_{T+1} counted as documented, and the
// perfect-knowledge list from truth/ as an upper bound on precision.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.ts';
import { evaluateRun, type Evaluation } from './evaluate-run.ts';
import { generatePopulationFiles } from '../data/synthetic/generate.ts';
import { computeHistory } from '../scoring/history/compute-history.ts';
import { trainRun } from '../models/model-run.ts';
import { writeCandidates } from './candidates.ts';
import { writeReport } from './report.ts';
import { chromium } from 'playwright-core';
import { mkdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Debian's Chromium (.ci/run installs it); the screenshot is kept as a test artefact.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

describe('evaluateRun', () => {
  let out: string;
  let e: Evaluation;
  let run: string;
  beforeAll(async () => {
    const data = tempDir('plan');
    await generatePopulationFiles({ members: 3000, firstYear: 2021, lastYear: 2025, seed: 8, out: data });
    await computeHistory({ data, firstYear: 2021, lastYear: 2025, out: join(data, 'history'), annualBaseRate: 10402.34 });
    run = tempDir('run');
    await trainRun({ data, asOf: 2024, model: 'logistic', seed: 2, out: run });
    out = tempDir('evaluation');
    e = await evaluateRun({ run, asOf: 2024, out, annualBaseRate: 10402.34 });
  }, 120_000);

  it('writes the same bytes from the same inputs', async () => {
    const again = tempDir('evaluation');
    await evaluateRun({ run, asOf: 2024, out: again, annualBaseRate: 10402.34 });
    for (const f of ['evaluation.json', 'members.csv', 'deciles.csv', 'cash.csv']) expect(readFileSync(join(again, f)).equals(readFileSync(join(out, f))), f).toBe(true);
  });

  it('adds the per-member dollars up to the list totals, with no RAF_{T+1} counted as documented', () => {
    const lines = readFileSync(join(out, 'members.csv'), 'utf8').trim().split('\n');
    const head = lines[0]!.split(',');
    const col = (name: string) => head.indexOf(name);
    const rows = lines.slice(1).map((l) => l.split(','));
    for (const l of e.lists) {
      const mine = rows.filter((r) => r[col(`in_${l.name}`)] === 'true');
      expect(mine).toHaveLength(e.listSize);
      const cents = (name: string) => mine.reduce((a, r) => a + Math.round(Number(r[col(name)]) * 100), 0) / 100;
      expect(cents('accelerated')).toBe(l.revenue.accelerated.total);
      expect(cents('incremental')).toBe(l.revenue.incremental.total);
      const noNext = mine.filter((r) => r[col('no_next_year')] === 'true');
      expect(noNext.length).toBe(l.revenue.incremental.noNextYear);
      // Counted, with an empty RAF_{T+1} and no gap: not dropped, not zero-filled.
      for (const r of noNext) expect([r[col('raf_next')], r[col('incremental')]]).toEqual(['', '0.00']);
    }
    expect(e.lists.find((l) => l.name === 'model')!.revenue.incremental.noNextYear).toBeGreaterThan(0);
  });

  it('bounds the lists with perfect knowledge and says how the model compares', () => {
    const [model, naive, perfect] = ['model', 'naive', 'perfect'].map((n) => e.lists.find((l) => l.name === n)!);
    expect(perfect!.metrics.precision).toBeGreaterThan(Math.max(model!.metrics.precision, naive!.metrics.precision));
    expect(e.c).toBeGreaterThan(0.8);
    expect(e.verdict).toMatch(/^The model's list earns/);
    expect(e.truthFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('renders a self-contained report that a real browser shows with every chart and table and no error', async () => {
    const candidates = tempDir('candidates');
    await writeCandidates({ run, asOf: 2024, top: 0.2, out: candidates, annualBaseRate: 10402.34 });
    const html = join(tempDir('report'), 'report.html');
    await writeReport(out, html, candidates, 10);
    expect(statSync(html).mode & 0o777).toBe(0o600);
    const text = readFileSync(html, 'utf8');
    // Self-contained: no script and nothing fetched at view time.
    expect(text).not.toMatch(/<script|<link|src="http|href="http|@import/);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (err) => errors.push(String(err)));
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(html).href);
      for (const chart of ['lift', 'gain', 'precision', 'dollars', 'cash']) {
        const svg = page.locator(`figure[data-chart="${chart}"] svg`);
        await expect(svg.count(), chart).resolves.toBe(1);
        expect((await svg.boundingBox())!.width, chart).toBeGreaterThan(200);
      }
      for (const table of ['headline', 'revenue', 'deciles', 'cash', 'outreach']) {
        await expect(page.locator(`table[data-table="${table}"] tbody tr`).count(), table).resolves.toBeGreaterThan(0);
      }
      await expect(page.locator('table[data-table="outreach"] tbody tr').count()).resolves.toBe(10);
      await expect(page.locator('.verdict').textContent()).resolves.toBe(e.verdict);
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(html).href]);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
