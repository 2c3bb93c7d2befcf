import {
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	readdirSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { createHash } from 'node:crypto';
import { expect, type Page } from '@playwright/test';
import { finishSite } from '../src/integrations/finish-build';
import { offlineFiles } from '../src/offline/service-worker';

/** A word only the new build has, in the article of `istio/install/`, so search can tell builds apart. */
export const newWord = 'quokkaflux';

/**
 * Two builds of the site for deploy tests: `old` is `dist` as built, `next` the same with a
 * changed page and home page, indexed and given a worker again exactly as the build does.
 *
 * Made once per build of `dist` and shared by every test that reads them (none writes to them):
 * each pair costs about 15 CPU-s (the indexing), and three tests in two workers asked for one.
 * A worker that finds none makes its own and moves it into place whole, so a reader never sees
 * half a pair.
 */
export async function twoBuilds(): Promise<{ old: string; next: string }> {
	const shared = join(
		'test-results',
		'two-builds',
		createHash('sha256').update(readFileSync('dist/sw.js')).digest('hex').slice(0, 16)
	);
	const pair = { old: join(shared, 'old'), next: join(shared, 'next') };
	if (existsSync(shared)) return pair;
	mkdirSync(dirname(shared), { recursive: true });
	// Pairs of earlier builds of `dist` are of no more use.
	for (const stale of readdirSync(dirname(shared)))
		rmSync(join(dirname(shared), stale), { recursive: true, force: true });
	const root = mkdtempSync(join('test-results', 'two-builds-making-'));
	const old = join(root, 'old');
	const next = join(root, 'next');
	cpSync('dist', old, { recursive: true });
	cpSync('dist', next, { recursive: true });
	const edit = (file: string, from: RegExp, to: string) => {
		const path = join(next, file);
		const html = readFileSync(path, 'utf8');
		if (!from.test(html)) throw new Error(`${file} no longer matches ${String(from)}`);
		writeFileSync(path, html.replace(from, to));
	};
	edit('index.html', /Pick the job you came for\./, 'Pick the job you came for. (rebuilt)');
	edit(
		'istio/install/index.html',
		/<div class="content[^"]*">/,
		`$&<p>This release adds the ${newWord} note.</p>`
	);
	rmSync(join(next, 'pagefind'), { recursive: true });
	await finishSite(`${next}/`, '/', () => undefined);
	try {
		renameSync(root, shared);
	} catch {
		// Another worker was quicker: use its pair.
		rmSync(root, { recursive: true, force: true });
	}
	return pair;
}

/** URL → hash of its bytes, as the worker of the build in `dir` checks them. */
export function hashes(dir: string): Map<string, string> {
	return new Map(offlineFiles(dir, '/').map((f) => [f.url, f.hash]));
}

/** The same hash, for bytes read back from the browser's cache. */
export const hashOf = (bytes: Buffer) =>
	createHash('sha256').update(bytes).digest('hex').slice(0, 16);

const types: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json',
	'.svg': 'image/svg+xml',
};

export type Phase = 'old' | 'rolling' | 'new';

/**
 * Two replicas behind one address during a RollingUpdate. In the `rolling` phase the new
 * worker script is served, and every other path is answered by the old replica and the new one
 * in turn, the old one first: exactly what leaves a worker without integrity checks on a mixed
 * build.
 */
export async function startDeployServer(old: string, next: string) {
	let phase: Phase = 'old';
	const seen = new Map<string, number>();
	const served = { old: 0, new: 0 };
	const server = createServer((req, res) => {
		const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
		const n = (seen.get(path) ?? 0) + 1;
		seen.set(path, n);
		const fromOld = phase === 'old' || (phase === 'rolling' && path !== '/sw.js' && n % 2 === 1);
		const dir = fromOld ? old : next;
		served[fromOld ? 'old' : 'new']++;
		let file = normalize(join(dir, path));
		if (!file.startsWith(dir)) return void res.writeHead(403).end();
		if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
		const found = existsSync(file);
		res.writeHead(found ? 200 : 404, {
			'Content-Type': types[extname(file)] ?? 'application/octet-stream',
			'Cache-Control': 'no-cache',
		});
		res.end(readFileSync(found ? file : join(dir, '404.html')));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		url: `http://127.0.0.1:${port}/`,
		served,
		setPhase(p: Phase) {
			phase = p;
			seen.clear();
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

export const label = (page: Page) => page.locator('kb-offline .offline-label');

/** Waits until the worker reports the first-visit files (or `text`) saved and checked. */
export async function waitUntilOffline(page: Page, text: RegExp = /^Available offline/) {
	await expect(label(page)).toHaveText(text, { timeout: 150_000 });
}

export async function searchFirstHit(page: Page, query: string) {
	await page.keyboard.press('/');
	await page.locator('#dialog-search-q').fill(query);
	const first = page.locator('#dialog-search-results a[role="option"]').first();
	await expect(first).toBeVisible({ timeout: 15_000 });
	return first.getAttribute('href');
}

/** Every entry of the page's offline caches: cache name, URL path, and the hash of its bytes. */
export async function cachedEntries(page: Page) {
	const raw = await page.evaluate(async () => {
		const out: { cache: string; path: string; bytes: string }[] = [];
		for (const name of await caches.keys()) {
			const cache = await caches.open(name);
			for (const req of await cache.keys()) {
				const buf = new Uint8Array(await ((await cache.match(req)) as Response).arrayBuffer());
				let bin = '';
				for (const b of buf) bin += String.fromCharCode(b);
				out.push({ cache: name, path: new URL(req.url).pathname, bytes: btoa(bin) });
			}
		}
		return out;
	});
	return raw.map((e) => ({ ...e, hash: hashOf(Buffer.from(e.bytes, 'base64')) }));
}
