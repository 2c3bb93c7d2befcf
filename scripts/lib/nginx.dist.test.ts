import { request } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distDir } from './built-site.ts';
import { findNginx, freePort, hasBrotli, startNginx } from './nginx.ts';

/**
 * Every kind of response the production nginx configuration gives, errors included (also those
 * nginx raises while still reading the request), requested from a real nginx serving the build.
 */

interface Reply {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}

let origin = '';
function get(path: string, opts: { method?: string; headers?: Record<string, string> } = {}) {
	return new Promise<Reply>((done, fail) => {
		const req = request(`${origin}${path}`, {
			method: opts.method ?? 'GET',
			headers: opts.headers,
		});
		req.on('response', (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () =>
				done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })
			);
		});
		req.on('error', fail);
		req.end();
	});
}

const first = (dir: string, ext: string) =>
	readdirSync(`${distDir}/${dir}`).find((f) => f.endsWith(ext)) ?? `missing${ext}`;

/** The headers every response carries, whatever it is. */
function expectSecurityHeaders(r: Reply, what: string) {
	const h = r.headers;
	expect(h['content-security-policy'], what).toMatch(
		/^default-src 'self';.*frame-ancestors 'none'$/
	);
	expect(h['content-security-policy'], what).not.toMatch(/unsafe-inline|'unsafe-eval'/);
	expect(h['strict-transport-security'], what).toBe('max-age=31536000');
	expect(h['x-content-type-options'], what).toBe('nosniff');
	expect(h['referrer-policy'], what).toBe('strict-origin-when-cross-origin');
	expect(h['permissions-policy'], what).toMatch(/^camera=\(\), microphone=\(\)/);
	expect(h['cross-origin-opener-policy'], what).toBe('same-origin');
	expect(h['cache-control'], what).toMatch(/^(no-cache|public, max-age=31536000, immutable)$/);
	expect(h['server'], what).toBe('nginx');
}

const nginx = findNginx();
let stop = () => {};

describe.skipIf(!nginx)('the production nginx configuration', () => {
	beforeAll(async () => {
		const port = await freePort();
		const server = startNginx(nginx ?? '', distDir, port);
		if (!server) throw new Error('nginx did not start with deploy/nginx/mesh-field-guide.conf');
		origin = server.url.replace(/\/$/, '');
		stop = server.stop;
	});
	afterAll(() => stop());

	const css = `/_astro/${first('_astro', '.css')}`;
	const chunk = `/pagefind/index/${first('pagefind/index', '.pf_index')}`;
	const kinds: [what: string, path: string, status: number, type: RegExp, cache: string][] = [
		['home page', '/', 200, /^text\/html; charset=utf-8$/, 'no-cache'],
		['guide page', '/istio/install/', 200, /^text\/html; charset=utf-8$/, 'no-cache'],
		['section index', '/istio/', 200, /^text\/html; charset=utf-8$/, 'no-cache'],
		['hashed asset', css, 200, /^text\/css; charset=utf-8$/, 'public, max-age=31536000, immutable'],
		['service worker', '/sw.js', 200, /^text\/javascript; charset=utf-8$/, 'no-cache'],
		['Pagefind entry', '/pagefind/pagefind-entry.json', 200, /^application\/json/, 'no-cache'],
		[
			'Pagefind chunk',
			chunk,
			200,
			/^application\/octet-stream$/,
			'public, max-age=31536000, immutable',
		],
		['Pagefind WebAssembly', '/pagefind/wasm.en.pagefind', 200, /^application\/wasm$/, 'no-cache'],
		['Markdown twin', '/istio/install.md', 200, /^text\/markdown; charset=utf-8$/, 'no-cache'],
		['llms.txt', '/llms.txt', 200, /^text\/plain; charset=utf-8$/, 'no-cache'],
		['llms-full.txt', '/llms-full.txt', 200, /^text\/plain; charset=utf-8$/, 'no-cache'],
		[
			'manifest download',
			'/manifests/istio/peerauthentication-strict.yaml',
			200,
			/^application\/yaml; charset=utf-8$/,
			'no-cache',
		],
		['404 page at its own address', '/404.html', 200, /^text\/html; charset=utf-8$/, 'no-cache'],
		['missing page', '/no-such-page/', 404, /^text\/html; charset=utf-8$/, 'no-cache'],
		['missing file', '/no-such-file.js', 404, /^text\/html; charset=utf-8$/, 'no-cache'],
		['folder without a page', '/pagefind/', 404, /^text\/html; charset=utf-8$/, 'no-cache'],
		['folder of files', '/manifests/istio/', 404, /^text\/html; charset=utf-8$/, 'no-cache'],
		['garbled escape', '/%zz', 400, /^text\/html; charset=utf-8$/, 'no-cache'],
	];

	it.each(kinds)('%s (%s) has every header', async (what, path, status, type, cache) => {
		const r = await get(path);
		expect(r.status, what).toBe(status);
		expect(r.headers['content-type'], what).toMatch(type);
		expect(r.headers['cache-control'], what).toBe(cache);
		expectSecurityHeaders(r, what);
	});

	it('misses get the site’s 404 page, which asks not to be indexed', async () => {
		for (const path of ['/no-such-page/', '/pagefind/', '/%zz']) {
			const html = (await get(path)).body.toString();
			expect(html, path).toMatch(/<h1[^>]*>Page not found<\/h1>/);
			expect(html, path).toContain('<meta name="robots" content="noindex">');
		}
	});

	it('sends a page’s address without its slash to the page, keeping the query', async () => {
		const r = await get('/istio/install?ph.namespace=shop');
		expect(r.status).toBe(301);
		expect(r.headers['location']).toBe('/istio/install/?ph.namespace=shop');
		expectSecurityHeaders(r, 'redirect');
		expect((await get('/istio')).headers['location']).toBe('/istio/');
		expect((await get('/no-such-page')).status).toBe(404);
	});

	it('marks the service worker as allowed to control the whole site, and nothing else', async () => {
		expect((await get('/sw.js')).headers['service-worker-allowed']).toBe('/');
		expect((await get('/')).headers['service-worker-allowed']).toBeUndefined();
	});

	it('has every header on errors nginx raises before any location', async () => {
		const tooLong = await get(`/${'a'.repeat(9000)}`);
		expect(tooLong.status).toBe(414);
		expectSecurityHeaders(tooLong, '414');
		const bigHeader = await get('/', { headers: { Cookie: 'x'.repeat(100_000) } });
		expect(bigHeader.status).toBe(400);
		expectSecurityHeaders(bigHeader, '400 for an oversized header');
		const trace = await get('/', { method: 'TRACE' });
		expect(trace.status).toBe(405);
		expectSecurityHeaders(trace, '405 for TRACE');
		const post = await get('/', { method: 'POST' });
		expect(post.status).toBe(405);
		expectSecurityHeaders(post, '405 for POST');
	});

	it('has every header on conditional, HEAD and range responses', async () => {
		const etag = String((await get('/istio/install/')).headers['etag']);
		const notModified = await get('/istio/install/', { headers: { 'If-None-Match': etag } });
		expect(notModified.status).toBe(304);
		expectSecurityHeaders(notModified, '304');
		const head = await get('/', { method: 'HEAD' });
		expect(head.status).toBe(200);
		expectSecurityHeaders(head, 'HEAD');
		const range = await get('/llms-full.txt', { headers: { Range: 'bytes=0-99' } });
		expect(range.status).toBe(206);
		expect(range.body.length).toBe(100);
		expectSecurityHeaders(range, '206');
	});

	it('answers a request for several ranges with the whole file (max_ranges 1)', async () => {
		const r = await get('/llms-full.txt', { headers: { Range: 'bytes=0-9,20-29,40-49' } });
		expect(r.status).toBe(200);
		expect(r.body.equals(readFileSync(`${distDir}/llms-full.txt`))).toBe(true);
	});

	it('serves the build’s brotli and gzip files, and each decodes to the page', async () => {
		const page = readFileSync(`${distDir}/istio/install/index.html`);
		const gz = await get('/istio/install/', { headers: { 'Accept-Encoding': 'gzip' } });
		expect(gz.headers['content-encoding']).toBe('gzip');
		expect(gz.headers['vary']).toBe('Accept-Encoding');
		// The bytes of the file the build wrote, not a fresh compression.
		expect(gz.body.equals(readFileSync(`${distDir}/istio/install/index.html.gz`))).toBe(true);
		expect(gunzipSync(gz.body).equals(page)).toBe(true);
		if (hasBrotli()) {
			const br = await get('/istio/install/', { headers: { 'Accept-Encoding': 'gzip, br' } });
			expect(br.headers['content-encoding']).toBe('br');
			expect(br.headers['vary']).toBe('Accept-Encoding');
			expect(br.body.equals(readFileSync(`${distDir}/istio/install/index.html.br`))).toBe(true);
			expect(brotliDecompressSync(br.body).equals(page)).toBe(true);
		}
		const plain = await get('/istio/install/');
		expect(plain.headers['content-encoding']).toBeUndefined();
		expect(plain.body.equals(page)).toBe(true);
	});

	it('never compresses Pagefind’s files again: they are gzipped already', async () => {
		for (const path of [chunk, '/pagefind/wasm.en.pagefind']) {
			const r = await get(path, { headers: { 'Accept-Encoding': 'gzip, br' } });
			expect(r.headers['content-encoding'], path).toBeUndefined();
			expect(r.body.subarray(0, 2).toString('hex'), path).toBe('1f8b');
		}
	});
});
