import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
	buildVersion,
	isUnusedPagefindFile,
	offlineFiles,
	serviceWorkerSource,
	writeServiceWorker,
} from './service-worker.ts';

function site(): string {
	const dir = mkdtempSync(join(tmpdir(), 'kb-sw-'));
	for (const d of ['faq', 'istio/install', '_astro', 'pagefind'])
		mkdirSync(join(dir, d), { recursive: true });
	writeFileSync(join(dir, 'index.html'), 'home');
	writeFileSync(join(dir, 'faq', 'index.html'), 'faq');
	writeFileSync(join(dir, 'istio', 'install', 'index.html'), 'install');
	writeFileSync(join(dir, '_astro', 'a.1234.css'), 'css');
	writeFileSync(
		join(dir, 'pagefind', 'pagefind-entry.json'),
		JSON.stringify({ languages: { en: { hash: 'en_1', wasm: 'en' } } })
	);
	writeFileSync(join(dir, 'pagefind', 'wasm.en.pagefind'), 'wasm');
	writeFileSync(join(dir, 'pagefind', 'wasm.unknown.pagefind'), 'wasm');
	writeFileSync(join(dir, 'pagefind', 'pagefind-ui.js'), 'ui');
	writeFileSync(join(dir, 'sw.js'), 'old worker');
	return dir;
}

describe('the service worker list', () => {
	it('lists every file under the base with the hash and size of its bytes, never itself', () => {
		const files = offlineFiles(site(), '/docs/mesh/');
		expect(files.map((f) => f.url)).toEqual([
			'/docs/mesh/_astro/a.1234.css',
			'/docs/mesh/faq/',
			'/docs/mesh/',
			'/docs/mesh/istio/install/',
			'/docs/mesh/pagefind/pagefind-entry.json',
			'/docs/mesh/pagefind/wasm.en.pagefind',
		]);
		const home = files.find((f) => f.url === '/docs/mesh/');
		expect(home?.size).toBe(4);
		expect(home?.hash).toBe(createHash('sha256').update('home').digest('hex').slice(0, 16));
	});

	it('saves the shell, search and the FAQ on the first visit, other pages only when opened', () => {
		const core = offlineFiles(site(), '/')
			.filter((f) => f.core)
			.map((f) => f.url);
		expect(core).toContain('/');
		expect(core).toContain('/faq/');
		expect(core).toContain('/_astro/a.1234.css');
		expect(core).toContain('/pagefind/wasm.en.pagefind');
		expect(core).not.toContain('/istio/install/');
	});

	it('saves code that one page alone loads with that page, not on the first visit', () => {
		const dir = site();
		mkdirSync(join(dir, 'doctor'));
		writeFileSync(join(dir, 'doctor', 'index.html'), 'doctor');
		writeFileSync(join(dir, '_astro', 'doctor-check-AbC_12-x.js'), 'checker');
		const files = offlineFiles(dir, '/docs/mesh/');
		const checker = files.find((f) => f.url === '/docs/mesh/_astro/doctor-check-AbC_12-x.js');
		expect(checker).toMatchObject({ core: false, page: '/docs/mesh/doctor/' });
		expect(files.find((f) => f.url === '/docs/mesh/_astro/a.1234.css')).not.toHaveProperty('page');
		const src = serviceWorkerSource('v', '/docs/mesh/', files);
		expect(src).toContain('"/docs/mesh/_astro/doctor-check-AbC_12-x.js",');
		expect(src).toMatch(/,0,"\/docs\/mesh\/doctor\/"\]/);
	});

	it("leaves out Pagefind's own UI and the WebAssembly of languages the index lacks", () => {
		expect(isUnusedPagefindFile('pagefind/pagefind-component-ui.js', ['en'])).toBe(true);
		expect(isUnusedPagefindFile('pagefind/pagefind-modular-ui.css', ['en'])).toBe(true);
		expect(isUnusedPagefindFile('pagefind/pagefind-highlight.js', ['en'])).toBe(true);
		expect(isUnusedPagefindFile('pagefind/wasm.unknown.pagefind', ['en'])).toBe(true);
		expect(isUnusedPagefindFile('pagefind/wasm.en.pagefind', ['en'])).toBe(false);
		expect(isUnusedPagefindFile('pagefind/pagefind.js', ['en'])).toBe(false);
		expect(isUnusedPagefindFile('pagefind/pagefind-worker.js', ['en'])).toBe(false);
	});

	it('gets a new version whenever any listed file changes, not when the worker is rewritten', () => {
		const dir = site();
		const before = buildVersion(offlineFiles(dir, '/'));
		writeFileSync(join(dir, 'sw.js'), 'another worker');
		expect(buildVersion(offlineFiles(dir, '/'))).toBe(before);
		writeFileSync(join(dir, 'faq', 'index.html'), 'faq, reworded');
		expect(buildVersion(offlineFiles(dir, '/'))).not.toBe(before);
	});

	it('writes the list into the worker and reports what a first visit and the whole guide cost', () => {
		const dir = site();
		const summary = writeServiceWorker(dir, '/');
		expect(summary.count).toBe(6);
		expect(summary.coreCount).toBe(5);
		expect(summary.bytes).toBe(summary.coreBytes + 'install'.length);
		const src = serviceWorkerSource(summary.version, '/', offlineFiles(dir, '/'));
		expect(src).toContain(`const VERSION = "${summary.version}";`);
		expect(src).toContain('["/istio/install/","');
		// The runtime checks every response against the list before caching it.
		expect(src).toContain("crypto.subtle.digest('SHA-256'");
		expect(src).toMatch(/if \(res\.ok && \(await hashOf\(bytes\)\) === hash\)/);
		// The status wording is compiled in as plain functions, and the whole is valid JavaScript.
		expect(src).toContain('function describeStatus(s)');
		expect(src).not.toMatch(/^export /m);
		expect(() => new Script(src)).not.toThrow();
	});
});
