// `rafcast report` (evaluation/report.ts) on an evaluation built here from 200 members with set
// scores and labels, and a hand-written outreach list: a self-contained page that a real browser
// (Debian's Chromium, driven by playwright-core) shows with every chart and table and no error.
// The screenshot is kept as a test artefact.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { listMetrics, rankOrder } from '../models/metrics.ts';
import { tempDir } from '../test/temp-dir.ts';
import type { Evaluation, ListEvaluation, ListName } from './evaluation-types.ts';
import { writeReport } from './report.ts';
import { growthRatio, listRevenue, type MemberScores } from './revenue.ts';
import { verdictOf } from './verdict.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const BASE = 10402.34;

/** 200 members: RAF_T rising with i, a sweep gain on every third, RAF_{T+1} growing on every fifth. */
function evaluation(): Evaluation {
  const n = 200;
  const members: MemberScores[] = Array.from({ length: n }, (_, i) => {
    const rafT = 0.5 + i / 100;
    return { rafT, rafInitT: i % 3 === 0 ? rafT - 0.1 : rafT, rafNext: i % 5 === 0 ? rafT * 1.3 : rafT };
  });
  const labels = Uint8Array.from(members, (_, i) => (i >= 160 ? 1 : 0));
  const c = growthRatio(members);
  const scoreOf: Record<ListName, (i: number) => number> = {
    model: (i) => ((i * 37) % 200) / 200 + i / 200,
    naive: (i) => i,
    perfect: (i) => i + (i % 5 === 0 ? 100 : 0),
  };
  const lists: ListEvaluation[] = (['model', 'naive', 'perfect'] as const).map((name) => {
    const score = Float64Array.from({ length: n }, (_, i) => scoreOf[name](i));
    const list = Array.from(rankOrder(score).subarray(0, 40));
    return { name, description: `the ${name} list`, metrics: listMetrics(score, labels, 0.2), revenue: listRevenue(members, list, c, BASE, 2025) };
  });
  return {
    asOf: 2024,
    paymentYear: 2025,
    annualBaseRate: BASE,
    run: { id: 'mlp', model: 'mlp', seed: 1, backend: 'wasm', fingerprint: '0'.repeat(64) },
    truthFingerprint: null,
    members: n,
    withBothYears: n,
    c,
    listSize: 40,
    lists,
    verdict: verdictOf(lists[0]!, lists[1]!),
  };
}

describe('writeReport', () => {
  it('renders a self-contained report that a real browser shows with every chart and table and no error', async () => {
    const dir = tempDir('evaluation');
    const e = evaluation();
    writeFileSync(join(dir, 'evaluation.json'), JSON.stringify(e));
    const candidates = tempDir('candidates');
    const rows = Array.from({ length: 12 }, (_, k) => `${k + 1},M${k},${(1000 - k * 10).toFixed(2)},0.9,${k + 1},1234567890,1,V28 HCC 37 Diabetes (last coded 2023-05-01)`);
    writeFileSync(join(candidates, 'outreach.csv'), ['priority,member_id,expected_dollars,probability,list_rank,member_provider_npi,hccs_to_recapture,hccs', ...rows].join('\n') + '\n');
    const html = join(tempDir('report'), 'report.html');
    await writeReport(dir, html, candidates, 10);
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
      // One row per list in the headline and revenue tables, ten deciles per list, twelve months,
      // and the top 10 of the 12 outreach rows.
      const counts: Record<string, number> = { headline: 3, revenue: 3, deciles: 10, cash: 12, outreach: 10 };
      for (const [table, rowsExpected] of Object.entries(counts)) {
        await expect(page.locator(`table[data-table="${table}"] tbody tr`).count(), table).resolves.toBe(rowsExpected);
      }
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
