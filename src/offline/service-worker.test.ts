import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildVersion, precacheList, serviceWorkerSource } from './service-worker.ts';

describe('the service worker', () => {
	const site = mkdtempSync(join(tmpdir(), 'kb-sw-'));
	mkdirSync(join(site, 'faq'));
	writeFileSync(join(site, 'index.html'), 'home');
	writeFileSync(join(site, 'faq', 'index.html'), 'faq');
	writeFileSync(join(site, 'sw.js'), 'old worker');

	it('precaches every file under the base, pages by their folder URL, never itself', () => {
		expect(precacheList(site, '/docs/mesh/')).toEqual(['/docs/mesh/faq/', '/docs/mesh/']);
	});

	it('gets a new version whenever any file changes', () => {
		const before = buildVersion(site);
		writeFileSync(join(site, 'faq', 'index.html'), 'faq, reworded');
		expect(buildVersion(site)).not.toBe(before);
		// The worker itself is not part of the version: rewriting it must not change it.
		const withOldWorker = buildVersion(site);
		writeFileSync(join(site, 'sw.js'), 'another worker');
		expect(buildVersion(site)).toBe(withOldWorker);
	});

	it('names its cache after the build and deletes only older ones of its own', () => {
		const src = serviceWorkerSource('abc123', '/', ['/']);
		expect(src).toContain("const CACHE = 'kb-' + VERSION;");
		expect(src).toContain("k.startsWith('kb-') && k !== CACHE");
		expect(src).not.toContain('skipWaiting();\n});');
	});
});
