import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Debian's nginx, when installed. */
export function findNginx(): string | undefined {
	return ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
}

/** The brotli_static module the production config loads (Debian: libnginx-mod-http-brotli-static). */
const brotliModule = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so';

/** Whether this machine's nginx can serve the build's `.br` files. */
export function hasBrotli(): boolean {
	return existsSync(brotliModule);
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
	return new Promise((done, fail) => {
		const probe = createServer();
		probe.once('error', fail);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			probe.close(() => done(port));
		});
	});
}

/**
 * Starts nginx with the repository's config, serving dist/ on a loopback port. Without the brotli
 * module it serves the `.gz` files only, and says so. `precompressed: false` turns the build's
 * `.br` and `.gz` files off, leaving on-the-fly gzip (the benchmark compares the two).
 */
export function startNginx(
	bin: string,
	distDir: string,
	port: number,
	{ precompressed = true }: { precompressed?: boolean } = {}
): { url: string; stop(): void } | undefined {
	const dir = mkdtempSync(join(tmpdir(), 'kb-nginx-'));
	const brotli = hasBrotli() && precompressed;
	if (!hasBrotli())
		console.warn(
			`nginx: ${brotliModule} is missing, so .br files are not served (Debian: apt-get install libnginx-mod-http-brotli-static)`
		);
	let site = readFileSync('deploy/nginx/mesh-field-guide.conf', 'utf8')
		.replace('listen 8080;', `listen 127.0.0.1:${port};`)
		.replace('root /usr/share/nginx/html;', `root ${resolve(distDir)};`);
	if (!brotli) site = site.replace(/^\s*brotli_static on;$/m, '');
	if (!precompressed) site = site.replace(/^\s*gzip_static on;$/m, '');
	writeFileSync(join(dir, 'site.conf'), site);
	let main = readFileSync('deploy/nginx/nginx.conf', 'utf8');
	if (!brotli) main = main.replace(/^load_module .*brotli.*$/m, '');
	main = main
		.replace(
			'include /etc/nginx/conf.d/mesh-field-guide.conf;',
			`include ${join(dir, 'site.conf')};`
		)
		.replace('pid /tmp/nginx.pid;', `pid ${join(dir, 'nginx.pid')};`)
		// The container logs requests to stdout; in a test run that floods the report.
		.replace('access_log /dev/stdout;', `access_log ${join(dir, 'access.log')};`)
		// /dev/stderr cannot be opened when stderr is a socket (as in a test runner's worker).
		.replace('error_log /dev/stderr warn;', `error_log ${join(dir, 'error.log')} warn;`)
		.replace(/\/tmp\/(\w+_temp)/g, `${dir}/$1`);
	// As root, workers would otherwise run as "nobody", who cannot read a private checkout.
	const user = process.getuid?.() === 0 ? 'user root;\n' : '';
	writeFileSync(join(dir, 'nginx.conf'), user + main);
	const r = spawnSync(
		bin,
		['-c', join(dir, 'nginx.conf'), '-p', dir, '-e', join(dir, 'error.log')],
		{
			stdio: 'inherit',
		}
	);
	if (r.status !== 0) {
		console.error(
			`nginx did not start; ${join(dir, 'error.log')} says:\n${readFileSync(join(dir, 'error.log'), 'utf8')}`
		);
		return undefined;
	}
	return {
		url: `http://127.0.0.1:${port}/`,
		stop: () => {
			spawnSync(
				bin,
				['-c', join(dir, 'nginx.conf'), '-p', dir, '-e', join(dir, 'error.log'), '-s', 'stop'],
				{
					stdio: 'inherit',
				}
			);
		},
	};
}
