import { describe, expect, it } from 'vitest';
import { benchText, engineSize, timeCheck } from './doctor-bench.ts';

describe('doctor bench', () => {
	it('builds a paste of about 500 lines from the fixtures', () => {
		const lines = benchText(500).split('\n').length;
		expect(lines).toBeGreaterThanOrEqual(480);
		expect(lines).toBeLessThan(600);
	});

	it('times checkText and counts its findings', () => {
		const t = timeCheck(benchText(100), 3);
		expect(t.findings).toBeGreaterThan(0);
		expect(t.p95).toBeGreaterThanOrEqual(t.median);
	});

	it('bundles the checking code for the browser (no node: imports) within 150 KB compressed, without eval', async () => {
		const size = await engineSize();
		expect(size.code).not.toMatch(/\beval\(|new Function\(/);
		expect(size.raw).toBeGreaterThan(10_000);
		expect(size.brotli).toBeLessThanOrEqual(150 * 1024);
		expect(size.gzip).toBeLessThanOrEqual(150 * 1024);
	});
});
