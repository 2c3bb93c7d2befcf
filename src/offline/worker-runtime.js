/* global self, caches, crypto, fetch, Headers, Response, MessageChannel, setTimeout, VERSION, BASE, FILES,
   describeStatus, describeProgress, describeFailure, updatedElsewhere */
// The service worker's code. The build writes `sw.js` as VERSION, BASE and FILES (every file of
// this build with the hash of its bytes), the status line's wording (status-text.ts), then this
// file; see service-worker.ts.
//
// Rules it keeps, so that a reader never ends up with two builds mixed:
// - A response enters the cache only when its bytes hash to this build's hash for that URL.
//   During a rolling deploy an old server may answer; a mismatch is retried past any cache and,
//   if it persists, never stored: the install fails and the browser tries again later.
// - A cached entry that fails the check (an older worker stored it, the disk changed) is deleted
//   and fetched again.
// - A new build installs into its own cache, copying the files whose hash did not change, and
//   takes over on the reader's next navigation when the guide is open in one tab only.

const CACHE = 'kb-' + VERSION;
const BY_URL = new Map(FILES.map((f) => [f[0], f]));
const CORE = FILES.filter((f) => f[3] === 1).map((f) => f[0]);
// Code that one page alone loads on demand (the doctor's checker), by that page: saved with it.
const WITH_PAGE = new Map();
for (const f of FILES) if (f[4]) WITH_PAGE.set(f[4], [...(WITH_PAGE.get(f[4]) ?? []), f[0]]);
const withPages = (pages) => pages.flatMap((p) => WITH_PAGE.get(p) ?? []);
// A key inside the cache that records "the reader chose to save the whole guide".
const WHOLE = BASE + '__offline/whole-guide';

async function hashOf(bytes) {
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
	return Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function tell(message) {
	const windows = await self.clients.matchAll({ includeUncontrolled: true, type: 'window' });
	for (const w of windows) w.postMessage(message);
}

/** A copy of a response holding exactly these (decoded) bytes. */
function copy(bytes, res) {
	const headers = new Headers(res.headers);
	headers.delete('content-encoding');
	headers.delete('content-length');
	return new Response(bytes, { status: res.status, statusText: res.statusText, headers });
}

/**
 * Fetches a listed URL until its bytes are this build's. Returns { res, ok }: `res` is the last
 * response (or undefined when every try was a server error), `ok` whether it is this build's.
 * Throws when the network is down.
 */
async function fetchVerified(url, tries) {
	const hash = BY_URL.get(url)[1];
	let last;
	for (let i = 0; i < tries; i++) {
		if (i > 0) await wait(150 * 2 ** i);
		// A unique query gets a retry past every HTTP cache between here and the server.
		const target = i === 0 ? url : url + '?kb-build=' + VERSION + '&kb-try=' + i;
		const res = await fetch(target, { cache: 'reload', credentials: 'same-origin' });
		if (res.status >= 500) continue;
		const bytes = await res.arrayBuffer();
		if (res.ok && (await hashOf(bytes)) === hash) return { res: copy(bytes, res), ok: true };
		last = copy(bytes, res);
	}
	return { res: last, ok: false };
}

/** A verified copy of `url` from another cache (an older build), or undefined. */
async function fromOtherCaches(url) {
	for (const name of await caches.keys()) {
		if (!name.startsWith('kb-') || name === CACHE) continue;
		const hit = await (await caches.open(name)).match(url);
		if (!hit) continue;
		const bytes = await hit.arrayBuffer();
		if ((await hashOf(bytes)) === BY_URL.get(url)[1]) return copy(bytes, hit);
	}
	return undefined;
}

/**
 * Saves `urls` into this build's cache, six at a time, reusing unchanged files from older caches.
 * Throws when a file cannot be had with this build's bytes, naming it.
 */
async function save(urls, progress) {
	const cache = await caches.open(CACHE);
	const queue = [...urls];
	let done = 0;
	const worker = async () => {
		for (let url = queue.shift(); url; url = queue.shift()) {
			if (!(await cache.match(url))) {
				let res = await fromOtherCaches(url);
				if (!res) {
					const got = await fetchVerified(url, 5);
					if (!got.ok) throw new Error(url + ' is not from build ' + VERSION);
					res = got.res;
				}
				await cache.put(url, res);
			}
			done++;
			if (progress && (done % 8 === 0 || done === urls.length)) await progress(done, urls.length);
		}
	};
	await Promise.all(Array.from({ length: 6 }, worker));
}

/** True when `name` (a cache) records that the reader saved the whole guide. */
async function wholeGuideIn(name) {
	return !!(await (await caches.open(name)).match(WHOLE));
}

self.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			const others = (await caches.keys()).filter((k) => k.startsWith('kb-') && k !== CACHE);
			let whole = false;
			const keptPages = [];
			for (const name of others) {
				if (await wholeGuideIn(name)) whole = true;
				for (const req of await (await caches.open(name)).keys()) {
					const path = new URL(req.url).pathname;
					if (BY_URL.has(path)) keptPages.push(path);
				}
			}
			// The pages open right now were loaded before any worker: save them too.
			const windows = await self.clients.matchAll({ includeUncontrolled: true, type: 'window' });
			const open = windows.map((w) => new URL(w.url).pathname).filter((p) => BY_URL.has(p));
			const pages = [...open, ...keptPages];
			const urls = whole
				? FILES.map((f) => f[0])
				: [...new Set([...CORE, ...pages, ...withPages(pages)])];
			const update = !!self.registration.active;
			try {
				await save(urls, (done, total) =>
					tell({ type: 'kb-progress', ...describeProgress({ done, total, update }) })
				);
				if (whole) await (await caches.open(CACHE)).put(WHOLE, new Response('1'));
			} catch (error) {
				// Nothing half-saved is kept; the browser installs again on a later visit.
				await caches.delete(CACHE);
				await tell({ type: 'kb-failed', view: describeFailure({ update }) });
				throw error;
			}
		})()
	);
});

self.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const k of await caches.keys())
				if (k.startsWith('kb-') && k !== CACHE) await caches.delete(k);
			await self.clients.claim();
			await check();
		})()
	);
});

let checked;
/**
 * Checks every saved file against this build's hashes once per worker start: a file that fails
 * is deleted and fetched again (when online), a missing first-visit file is fetched again.
 */
function check() {
	checked ??= (async () => {
		const cache = await caches.open(CACHE);
		const bad = [];
		for (const req of await cache.keys()) {
			const path = new URL(req.url).pathname;
			if (path === WHOLE) continue;
			const entry = BY_URL.get(path);
			const hit = entry && (await cache.match(req));
			if (!hit || (await hashOf(await hit.arrayBuffer())) !== entry[1]) {
				await cache.delete(req);
				if (entry) bad.push(path);
			}
		}
		const missing = [];
		for (const url of CORE) if (!(await cache.match(url))) missing.push(url);
		for (const [page, urls] of WITH_PAGE)
			if (await cache.match(page))
				for (const url of urls) if (!(await cache.match(url))) missing.push(url);
		const whole = await wholeGuideIn(CACHE);
		if (whole) for (const f of FILES) if (!(await cache.match(f[0]))) missing.push(f[0]);
		try {
			await save([...new Set([...bad, ...missing])]);
		} catch {
			// Offline or mid-deploy: the next start tries again; what is cached is all verified.
			checked = undefined;
		}
	})();
	return checked;
}

async function status(path) {
	await check();
	const cache = await caches.open(CACHE);
	const keys = new Set((await cache.keys()).map((r) => new URL(r.url).pathname));
	const windows = (await self.clients.matchAll({ type: 'window' })).length;
	return {
		type: 'kb-status',
		version: VERSION,
		windows,
		elsewhere: updatedElsewhere,
		view: describeStatus({
			whole: keys.has(WHOLE),
			core: CORE.every((u) => keys.has(u)),
			page: keys.has(path) && (WITH_PAGE.get(path) ?? []).every((u) => keys.has(u)),
			missingBytes: FILES.filter((f) => !keys.has(f[0])).reduce((n, f) => n + f[2], 0),
			waiting: !!self.registration.waiting,
			windows,
		}),
	};
}

async function saveWholeGuide() {
	const urls = FILES.map((f) => f[0]);
	try {
		await save(urls, (done, total) =>
			tell({ type: 'kb-progress', ...describeProgress({ done, total, whole: true }) })
		);
		await (await caches.open(CACHE)).put(WHOLE, new Response('1'));
	} catch {
		await tell({ type: 'kb-failed', view: describeFailure({ whole: true }) });
	}
}

self.addEventListener('message', (event) => {
	const data = event.data ?? {};
	if (data === 'kb-skip-waiting') self.skipWaiting();
	else if (data === 'kb-cache-name') event.ports[0]?.postMessage(CACHE);
	else if (data.type === 'kb-loaded') holds.get(event.source?.id)?.();
	else if (data.type === 'kb-status')
		event.waitUntil(
			status(data.path).then((s) =>
				// `hold`: this page opened the new build; it says when it has loaded (fromWaitingBuild).
				event.source?.postMessage({ ...s, hold: holds.has(event.source.id) })
			)
		);
	else if (data.type === 'kb-save-whole')
		event.waitUntil(
			saveWholeGuide()
				.then(() => status(data.path))
				.then((s) => tell(s))
		);
});

/** The pages a switch opened, by client id, each with what ends its hold on this worker. */
const holds = new Map();

async function onlyOtherCache() {
	const others = (await caches.keys()).filter((k) => k.startsWith('kb-') && k !== CACHE);
	return others.length === 1 ? others[0] : undefined;
}

/**
 * The new build's page when this navigation may switch to the new build: it is fully saved
 * (waiting) and the guide is open in no other tab (which would then mix builds; there the reader
 * chooses "Update now" or closes the other tabs).
 */
async function fromWaitingBuild(event, path) {
	const waiting = self.registration.waiting;
	if (!waiting || waiting.state !== 'installed') return undefined;
	if ((await self.clients.matchAll({ type: 'window' })).length > 1) return undefined;
	const name =
		(await new Promise((resolve) => {
			const channel = new MessageChannel();
			channel.port1.onmessage = (e) => resolve(e.data);
			waiting.postMessage('kb-cache-name', [channel.port2]);
			setTimeout(() => resolve(undefined), 2000);
		})) ??
		// A waiting worker that was stopped can take longer than that to start on a busy device.
		// Its cache is then the other build's cache, when there is exactly one (`activate`
		// deletes older ones; a second one would be a newer build still downloading).
		(await onlyOtherCache());
	if (!name || !(await caches.has(name))) return undefined;
	// A page the new build has not saved comes from the server, which already runs that build.
	const res =
		(await (await caches.open(name)).match(path)) ??
		(await fetch(event.request).catch(() => undefined));
	if (res) {
		// The new worker activates once this one is idle, and Chrome stops this one to do so. If
		// the page's own CSS and scripts then come through this worker, Chrome starts it again
		// and the new worker never activates (Chromium 156: one switch in four on a busy
		// machine). So this worker stays busy until the page says it has loaded, 10 s at most.
		waiting.postMessage('kb-skip-waiting');
		const id = event.resultingClientId;
		event.waitUntil(
			new Promise((resolve) => {
				holds.set(id, resolve);
				setTimeout(resolve, 10_000);
			}).then(() => holds.delete(id))
		);
	}
	return res;
}

const notSaved = () =>
	new Response(
		'<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
			'<title>Not saved for offline reading</title><main style="max-width:40em;margin:2em auto;padding:0 1em;font:1.1em/1.5 system-ui,sans-serif">' +
			'<h1>This page is not saved on this device</h1><p>You are offline, and this page was not opened here before. ' +
			'The pages you opened, search and the FAQ work offline; to keep every page, choose ' +
			'“Save the whole guide for offline use” at the foot of any page when you are online.</p>' +
			'<p><a href="' +
			BASE +
			'">Home</a> · <a href="' +
			BASE +
			'search/">Search</a> · <a href="' +
			BASE +
			'faq/">FAQ</a></p></main></html>',
		{ status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } }
	);

async function respond(event) {
	const request = event.request;
	const url = new URL(request.url);
	const path = url.pathname;
	const navigate = request.mode === 'navigate';
	// `/istio/install` is `/istio/install/`, online or not.
	if (navigate && !BY_URL.has(path) && BY_URL.has(path + '/'))
		return Response.redirect(path + '/' + url.search, 301);
	const next = navigate ? await fromWaitingBuild(event, path) : undefined;
	if (next) return next;
	const cache = await caches.open(CACHE);
	const hit = await cache.match(path);
	if (hit) return hit;
	if (!BY_URL.has(path)) {
		// Not this build's file (another build's hashed asset, a page opened during a switch):
		// any verified copy, else the network.
		const other = await caches.match(path);
		if (other) return other;
		try {
			return await fetch(request);
		} catch (error) {
			const notFound = navigate && (await cache.match(BASE + '404.html'));
			if (notFound) return new Response(notFound.body, { status: 404, headers: notFound.headers });
			throw error;
		}
	}
	try {
		const got = await fetchVerified(path, 2);
		if (got.ok) {
			event.waitUntil(cache.put(path, got.res.clone()));
			// A page saved for offline use brings the code it alone loads on demand.
			if (WITH_PAGE.has(path)) event.waitUntil(save(WITH_PAGE.get(path)).catch(() => undefined));
			return got.res;
		}
		// The server holds another build: show what it has, keep nothing, look for a new worker.
		event.waitUntil(self.registration.update().catch(() => undefined));
		return got.res ?? fetch(request);
	} catch (error) {
		if (navigate) return notSaved();
		throw error;
	}
}

self.addEventListener('fetch', (event) => {
	const request = event.request;
	const url = new URL(request.url);
	if (request.method !== 'GET' || url.origin !== self.location.origin) return;
	if (!url.pathname.startsWith(BASE) || url.pathname === BASE + 'sw.js') return;
	event.respondWith(respond(event));
});
