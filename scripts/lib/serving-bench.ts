import { readdirSync } from 'node:fs';
import { freePort, hasBrotli, startNginx } from './nginx.ts';
import { loadTest } from './load-test.ts';

/** Each row's bounds: whichever comes first. */
const seconds = 2;
const maxRequests = 20_000;

const encodings = [
	['none', {}],
	['gzip', { 'Accept-Encoding': 'gzip' }],
	['br', { 'Accept-Encoding': 'gzip, deflate, br' }],
] as const;

/**
 * Requests per second from the repository's nginx configuration on loopback, for a page and for
 * the search index, with the build's precompressed files and, for comparison, with gzip on the fly
 * (the fallback for a file without a `.gz`).
 */
export async function benchServing(nginx: string, dist: string): Promise<void> {
	const chunk = readdirSync(`${dist}/pagefind/index`).find((f) => f.endsWith('.pf_index'));
	const targets = [
		['home page', ''],
		['search vocabulary', 'search-vocabulary.json'],
	] as const;
	console.log(
		`${'what'.padEnd(44)}${'encoding'.padEnd(22)}${'req/s'.padStart(8)}${'KB each'.padStart(9)}  requests`
	);
	const row = (what: string, enc: string, r: Awaited<ReturnType<typeof loadTest>>) =>
		console.log(
			`${what.padEnd(44)}${enc.padEnd(22)}${r.perSecond.toFixed(0).padStart(8)}${(r.bytes / 1024).toFixed(1).padStart(9)}  ${r.requests} in ${r.seconds.toFixed(1)} s${r.errors ? `, ${r.errors} not 200` : ''}`
		);
	for (const precompressed of [true, false]) {
		const server = startNginx(nginx, dist, await freePort(), { precompressed });
		if (!server) throw new Error('nginx did not start');
		try {
			for (const [what, path] of targets)
				for (const [name, headers] of encodings) {
					if (!precompressed && name === 'none') continue;
					if (name === 'br' && !precompressed) continue;
					if (name === 'br' && !hasBrotli()) {
						console.log(`${what.padEnd(44)}br: not measured, nginx has no brotli_static module`);
						continue;
					}
					const r = await loadTest(server.url + path, { headers, seconds, maxRequests });
					row(
						`/${path}`,
						name === 'none'
							? 'none'
							: precompressed
								? `${name} (prebuilt)`
								: `${name} (on the fly)`,
						r
					);
				}
			if (precompressed && chunk) {
				const path = `pagefind/index/${chunk}`;
				const r = await loadTest(server.url + path, {
					headers: encodings[2][1],
					seconds,
					maxRequests,
				});
				row(`/pagefind/index/<chunk>.pf_index`, 'as stored (gzipped)', r);
			}
		} finally {
			server.stop();
		}
	}
	console.log(
		`each row: at most ${seconds} s or ${maxRequests.toLocaleString('en')} requests, 8 kept-alive connections from Node on the same machine`
	);
}
