import { Agent, request } from 'node:http';

export interface LoadResult {
	requests: number;
	seconds: number;
	perSecond: number;
	/** Mean bytes of a response body, as sent (compressed when the response was). */
	bytes: number;
	/** Content-Encoding of the responses ('' when none); only one is expected per run. */
	encodings: string[];
	/** Responses whose status was not 200. */
	errors: number;
}

export interface LoadOptions {
	headers?: Record<string, string>;
	/** Stop after this many seconds... */
	seconds?: number;
	/** ...or this many requests, whichever comes first. */
	maxRequests?: number;
	/** Requests in flight at once, each on its own kept-alive connection. */
	concurrency?: number;
}

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Requests one URL over and over on a few kept-alive connections, for at most `seconds` and at
 * most `maxRequests`, and reports requests per second. Only ever against a loopback address: it
 * is a measurement of this machine's server, never a load on anyone else's.
 */
export async function loadTest(url: string, opts: LoadOptions = {}): Promise<LoadResult> {
	const { headers = {}, seconds = 3, maxRequests = 20_000, concurrency = 8 } = opts;
	const target = new URL(url);
	if (!loopback.has(target.hostname))
		throw new Error(`load test refused: ${url} is not a loopback address (127.0.0.1, localhost)`);
	if (!(seconds > 0 && seconds <= 30 && maxRequests > 0 && maxRequests <= 200_000))
		throw new Error('load test refused: keep it under 30 s and 200,000 requests');
	const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
	const encodings = new Set<string>();
	let sent = 0;
	let done = 0;
	let bytes = 0;
	let errors = 0;
	const start = performance.now();
	const deadline = start + seconds * 1000;
	const one = () =>
		new Promise<void>((ok, fail) => {
			const req = request(target, { agent, headers }, (res) => {
				encodings.add(String(res.headers['content-encoding'] ?? ''));
				if (res.statusCode !== 200) errors++;
				res.on('data', (c: Buffer) => (bytes += c.length));
				res.on('end', () => {
					done++;
					ok();
				});
			});
			req.on('error', fail);
			req.end();
		});
	const worker = async () => {
		while (sent < maxRequests && performance.now() < deadline) {
			sent++;
			await one();
		}
	};
	try {
		await Promise.all(Array.from({ length: concurrency }, worker));
	} finally {
		agent.destroy();
	}
	const elapsed = (performance.now() - start) / 1000;
	return {
		requests: done,
		seconds: elapsed,
		perSecond: done / elapsed,
		bytes: done ? bytes / done : 0,
		encodings: [...encodings],
		errors,
	};
}
