import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles } from '../lib/dist-files.ts';

/** URLs a built site precaches: every file except the worker itself, with `index.html` as its folder URL. */
export function precacheList(distDir: string, base: string): string[] {
	return listFiles(distDir)
		.filter((f) => f !== 'sw.js')
		.map((f) => base + f.replace(/(^|\/)index\.html$/, '$1'));
}

/** One hash over every file's path and bytes: any change to the site gives a new cache. */
export function buildVersion(distDir: string): string {
	const h = createHash('sha256');
	for (const f of listFiles(distDir)) {
		if (f === 'sw.js') continue;
		h.update(f);
		h.update(readFileSync(join(distDir, f)));
	}
	return h.digest('hex').slice(0, 16);
}

/**
 * The service worker. It precaches the whole site into one cache named after the build, serves
 * from that cache first, and only deletes older caches once it takes over, so a page and the
 * search index always come from the same build. A new build waits until the reader chooses to
 * update (or closes every tab), instead of swapping files under an open page.
 */
export function serviceWorkerSource(version: string, base: string, urls: string[]): string {
	return `// Generated at build time by src/offline/service-worker.ts. Do not edit.
const VERSION = ${JSON.stringify(version)};
const BASE = ${JSON.stringify(base)};
const CACHE = 'kb-' + VERSION;
const URLS = ${JSON.stringify(urls)};

self.addEventListener('install', (event) => {
	event.waitUntil(
		caches.open(CACHE).then(async (cache) => {
			let done = 0;
			// In batches, so a slow link does not open hundreds of requests at once.
			for (let i = 0; i < URLS.length; i += 16) {
				await cache.addAll(URLS.slice(i, i + 16).map((u) => new Request(u, { cache: 'reload' })));
				done = Math.min(URLS.length, i + 16);
				const clients = await self.clients.matchAll({ includeUncontrolled: true });
				for (const c of clients) c.postMessage({ type: 'kb-progress', done, total: URLS.length });
			}
		})
	);
});

self.addEventListener('activate', (event) => {
	event.waitUntil(
		caches
			.keys()
			.then((keys) => Promise.all(keys.filter((k) => k.startsWith('kb-') && k !== CACHE).map((k) => caches.delete(k))))
			.then(() => self.clients.claim())
	);
});

self.addEventListener('message', (event) => {
	if (event.data === 'kb-skip-waiting') self.skipWaiting();
	if (event.data === 'kb-version' && event.source) event.source.postMessage({ type: 'kb-version', version: VERSION, total: URLS.length });
});

self.addEventListener('fetch', (event) => {
	const request = event.request;
	const url = new URL(request.url);
	if (request.method !== 'GET' || url.origin !== self.location.origin || !url.pathname.startsWith(BASE)) return;
	event.respondWith(
		caches.open(CACHE).then(async (cache) => {
			const hit = await cache.match(url.pathname, { ignoreSearch: true });
			if (hit) return hit;
			try {
				return await fetch(request);
			} catch (error) {
				if (request.mode === 'navigate') {
					const notFound = await cache.match(BASE + '404.html');
					if (notFound) return new Response(notFound.body, { status: 404, headers: notFound.headers });
				}
				throw error;
			}
		})
	);
});
`;
}

/** Writes `sw.js` into a built site. Returns the version and the number of precached URLs. */
export function writeServiceWorker(
	distDir: string,
	base: string
): { version: string; count: number } {
	const urls = precacheList(distDir, base);
	const version = buildVersion(distDir);
	writeFileSync(join(distDir, 'sw.js'), serviceWorkerSource(version, base, urls));
	return { version, count: urls.length };
}
