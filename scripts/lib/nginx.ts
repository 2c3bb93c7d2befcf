import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Debian's nginx, when installed. */
export function findNginx(): string | undefined {
	return ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
}

/** Starts nginx with the repository's config, serving dist/ on a loopback port. */
export function startNginx(
	bin: string,
	distDir: string,
	port: number
): { url: string; stop(): void } | undefined {
	const dir = mkdtempSync(join(tmpdir(), 'kb-nginx-'));
	const site = readFileSync('deploy/nginx/mesh-field-guide.conf', 'utf8')
		.replace('listen 8080;', `listen 127.0.0.1:${port};`)
		.replace('root /usr/share/nginx/html;', `root ${resolve(distDir)};`);
	writeFileSync(join(dir, 'site.conf'), site);
	const main = readFileSync('deploy/nginx/nginx.conf', 'utf8')
		.replace(
			'include /etc/nginx/conf.d/mesh-field-guide.conf;',
			`include ${join(dir, 'site.conf')};`
		)
		.replace('pid /tmp/nginx.pid;', `pid ${join(dir, 'nginx.pid')};`)
		// The container logs requests to stdout; in a test run that floods the report.
		.replace('access_log /dev/stdout;', `access_log ${join(dir, 'access.log')};`)
		.replace(/\/tmp\/(\w+_temp)/g, `${dir}/$1`);
	// As root, workers would otherwise run as "nobody", who cannot read a private checkout.
	const user = process.getuid?.() === 0 ? 'user root;\n' : '';
	writeFileSync(join(dir, 'nginx.conf'), user + main);
	const r = spawnSync(bin, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'inherit' });
	if (r.status !== 0) return undefined;
	return {
		url: `http://127.0.0.1:${port}/`,
		stop: () => {
			spawnSync(bin, ['-c', join(dir, 'nginx.conf'), '-p', dir, '-s', 'stop'], {
				stdio: 'inherit',
			});
		},
	};
}
