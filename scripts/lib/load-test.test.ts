import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTest } from './load-test.ts';

describe('loadTest', () => {
	let server: Server;
	let url = '';
	let seen = 0;
	beforeAll(async () => {
		server = createServer((req, res) => {
			seen++;
			const gzip = req.headers['accept-encoding'] === 'gzip';
			res.writeHead(200, gzip ? { 'Content-Encoding': 'gzip' } : {});
			res.end('x'.repeat(gzip ? 10 : 100));
		});
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		const address = server.address();
		url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
	});
	afterAll(() => new Promise<void>((r) => server.close(() => r())));

	it('stops at the request count, and reports rate, size and encoding', async () => {
		seen = 0;
		const r = await loadTest(url, {
			maxRequests: 50,
			seconds: 10,
			headers: { 'Accept-Encoding': 'gzip' },
		});
		expect(r.requests).toBe(50);
		expect(seen).toBe(50);
		expect(r.bytes).toBe(10);
		expect(r.encodings).toEqual(['gzip']);
		expect(r.errors).toBe(0);
		expect(r.perSecond).toBeCloseTo(50 / r.seconds);
	});

	it('stops at the time limit', async () => {
		const r = await loadTest(url, { maxRequests: 200_000, seconds: 0.3 });
		// Loose: a starved CI machine may take seconds to notice; a limit that never fired would send 200,000.
		expect(r.seconds).toBeGreaterThanOrEqual(0.3);
		expect(r.seconds).toBeLessThan(30);
		expect(r.requests).toBeLessThan(200_000);
		expect(r.bytes).toBe(100);
	});

	it('refuses anything but loopback, and unbounded runs', async () => {
		await expect(loadTest('http://example.com/')).rejects.toThrow(/not a loopback address/);
		await expect(loadTest(url, { seconds: 600 })).rejects.toThrow(/under 30 s/);
		await expect(loadTest(url, { maxRequests: 1e7 })).rejects.toThrow(/200,000 requests/);
	});
});
