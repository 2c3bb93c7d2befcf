import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { base, distDir } from '../../../scripts/lib/built-site.ts';
import { pageWeight } from '../../../scripts/lib/page-weight.ts';
import { listFiles, listPages, urlOfFile } from '../../lib/dist-files.ts';

/**
 * The doctor's code (its form behaviour, the YAML parser, schemas and rules) is one standalone
 * bundle that only the doctor page loads, and only on intent (ConfigDoctor.astro).
 */
const KB = 1024;
const doctorPage = 'doctor/index.html';
const bundles = listFiles(distDir).filter((f) => /^_astro\/doctor-check[-.][\w-]+\.js$/.test(f));
const bundle = bundles[0] ?? '';
const bundleName = bundle.slice('_astro/'.length);

const read = (file: string) => readFileSync(join(distDir, file), 'utf8');

/** The scripts a page loads before interaction: its module scripts and their static imports. */
function initialScripts(page: string): Set<string> {
	const out = new Set<string>();
	const add = (file: string) => {
		if (out.has(file)) return;
		out.add(file);
		const code = read(file);
		for (const m of code.matchAll(
			/(?:^|[;\s}])import\s*(?:[\w*{}\s,$]+from\s*)?["'](\.{1,2}\/[^"']+)["']/g
		))
			add(
				join(file, '..', m[1] ?? '')
					.split('\\')
					.join('/')
			);
	};
	for (const m of read(page).matchAll(/<script\b[^>]*\ssrc="([^"]+)"/g))
		add(new URL(m[1] ?? '', 'http://site/').pathname.slice(base.length));
	return out;
}

it('the doctor bundle is at most 150 KB compressed and loads on demand, without static imports', () => {
	expect(bundles, 'one doctor-check bundle in _astro/').toHaveLength(1);
	const code = read(bundle);
	// Standalone: nothing else to fetch before it runs, so offline it needs only this file.
	expect(code).not.toMatch(/(?:^|[;\s}])import\s*(?:[\w*{}\s,$]+from\s*)?["']/);
	const initial = initialScripts(doctorPage);
	expect(initial.has(bundle), 'not loaded before interaction').toBe(false);
	expect([...initial].filter((s) => read(s).includes(bundleName))).toHaveLength(1);

	const bytes = Buffer.from(code);
	const gzip = gzipSync(bytes, { level: 9 }).length;
	const brotli = brotliCompressSync(bytes, {
		params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
	}).length;
	console.log(`${bundle}: ${bytes.length} B, gzip ${gzip} B, brotli ${brotli} B`);
	expect(gzip).toBeLessThanOrEqual(150 * KB);
});

it('no other page loads the doctor bundle, before or after interaction', () => {
	const referrers = listFiles(distDir).filter(
		(f) => f.endsWith('.js') && f !== bundle && f !== 'sw.js' && read(f).includes(bundleName)
	);
	expect(referrers, 'the scripts that load the bundle').toHaveLength(1);
	const elsewhere = listPages(distDir).filter(
		(p) =>
			p !== doctorPage &&
			(read(p).includes(bundleName) || referrers.some((r) => initialScripts(p).has(r)))
	);
	expect(elsewhere).toEqual([]);
});

it("the doctor page's CSS and JS before interaction stay within the site's page budget", () => {
	const w = pageWeight(distDir, base, doctorPage, urlOfFile(doctorPage, base));
	console.log(`doctor page before interaction: CSS ${w.css} B, JS ${w.js} B`);
	expect(w.css + w.js).toBeLessThanOrEqual(30 * KB);
	expect(w.js).toBeLessThanOrEqual(12 * KB);
});
