import { existsSync } from 'node:fs';
import lighthouse from 'lighthouse';
import { computeMedianRun } from 'lighthouse/core/lib/median-run.js';
import * as chromeLauncher from 'chrome-launcher';
import { lighthousePages, runsPerPage, type LighthouseRow } from '../lib/lighthouse-pages.ts';

/** Lighthouse's default (mobile) preset against each page; Debian's Chromium when present. */
export async function runLighthouse(base: string): Promise<LighthouseRow[]> {
	const chrome = await chromeLauncher.launch({
		...(existsSync('/usr/bin/chromium') ? { chromePath: '/usr/bin/chromium' } : {}),
		chromeFlags: [
			'--headless=new',
			'--no-sandbox',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
		],
	});
	const rows: LighthouseRow[] = [];
	try {
		for (const [kind, path] of lighthousePages) {
			// One run swings by tens of milliseconds of blocking time on a small machine; Lighthouse's
			// own advice is the median of several runs.
			const runs = [];
			for (let i = 0; i < runsPerPage; i++) {
				const result = await lighthouse(
					new URL(path, base).href,
					{ port: chrome.port, output: 'json', logLevel: 'error' },
					// The 404 page is noindex on purpose: "is the page crawlable" does not apply to it.
					kind === '404'
						? { extends: 'lighthouse:default', settings: { skipAudits: ['is-crawlable'] } }
						: undefined
				);
				if (result?.lhr) runs.push(result.lhr);
			}
			if (runs.length === 0) continue;
			const lhr = computeMedianRun(runs);
			const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
			rows.push({
				kind,
				scores: {
					performance: score('performance'),
					accessibility: score('accessibility'),
					'best-practices': score('best-practices'),
					seo: score('seo'),
				},
				lcp: lhr.audits['largest-contentful-paint']?.numericValue ?? 0,
				tbt: lhr.audits['total-blocking-time']?.numericValue ?? 0,
				cls: lhr.audits['cumulative-layout-shift']?.numericValue ?? 0,
			});
		}
	} finally {
		chrome.kill();
	}
	return rows;
}
