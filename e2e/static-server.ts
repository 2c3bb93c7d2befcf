import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

const types: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json',
	'.svg': 'image/svg+xml',
	'.xml': 'application/xml',
	'.yaml': 'application/yaml; charset=utf-8',
	'.wasm': 'application/wasm',
};

/**
 * A plain static server for tests that need a site copy they can change (service-worker
 * updates) or a sub-path mount. Serves `dir` under `mount`, 404.html for anything missing.
 */
export async function startStaticServer(
	dir: string,
	mount = '/',
	/** When given, every response adds to it (the first-visit benchmark reads it). */
	served?: { requests: number; bytes: number }
): Promise<{ url: string; close(): Promise<void> }> {
	const server: Server = createServer((req, res) => {
		const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
		if (!path.startsWith(mount)) {
			res.writeHead(404).end('outside the site');
			return;
		}
		let file = normalize(join(dir, path.slice(mount.length)));
		if (!file.startsWith(normalize(dir))) {
			res.writeHead(403).end();
			return;
		}
		if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
		const found = existsSync(file);
		const body = readFileSync(found ? file : join(dir, '404.html'));
		res.writeHead(found ? 200 : 404, {
			'Content-Type': types[extname(file)] ?? 'application/octet-stream',
			'Cache-Control': 'no-cache',
		});
		if (served) {
			served.requests++;
			served.bytes += body.length;
		}
		res.end(body);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		url: `http://127.0.0.1:${port}${mount}`,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}
