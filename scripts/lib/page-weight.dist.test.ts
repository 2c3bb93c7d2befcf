import { expect, it } from 'vitest';
import { listPages, urlOfFile } from '../../src/lib/dist-files.ts';
import { base, distDir } from './built-site.ts';
import { pageWeight } from './page-weight.ts';

const KB = 1024;

it('every built page loads at most 30 KB of CSS and JS, at most 12 KB of it JS', () => {
	const weights = listPages(distDir).map((f) => pageWeight(distDir, base, f, urlOfFile(f, base)));
	expect(weights.length).toBeGreaterThan(100);
	const over = weights
		.filter((w) => w.css + w.js > 30 * KB || w.js > 12 * KB)
		.map((w) => `${w.page}: CSS ${w.css} B, JS ${w.js} B`);
	expect(over).toEqual([]);
});
