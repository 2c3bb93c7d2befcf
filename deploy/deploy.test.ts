import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { listFiles } from '../src/lib/dist-files.ts';
import { findCrdDir, loadCrds } from '../scripts/lib/crd-schemas.ts';
import { formatError, ManifestValidator } from '../scripts/lib/validate-manifest.ts';
import { validateWithModels } from '../scripts/lib/validate-models.ts';
import { themeScriptHash } from '../src/lib/theme-script.ts';

const files = listFiles('deploy/k8s').filter((f) => f.endsWith('.yaml'));

// Compiling every CRD schema takes seconds: build the validator once for all files.
let validator: ManifestValidator | undefined;
const crdValidator = () => (validator ??= new ManifestValidator(loadCrds(findCrdDir())));

describe('deployment manifests', () => {
	it.each(files)('%s is valid for the Kubernetes API it names', async (file) => {
		const source = readFileSync(`deploy/k8s/${file}`, 'utf8');
		const { errors, unchecked } = await validateWithModels(file, source);
		expect(errors).toEqual([]);
		expect(unchecked).toEqual([]);
		expect(crdValidator().validate(file, source).map(formatError)).toEqual([]);
	});

	it('run non-root on a read-only root filesystem with probes, limits and every capability dropped', () => {
		// Read as objects, so a setting under the wrong key (or commented out) fails.
		const d = parse(readFileSync('deploy/k8s/deployment.yaml', 'utf8')) as {
			spec: {
				template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
			};
		};
		const pod = d.spec.template.spec;
		expect(pod['securityContext']).toMatchObject({
			runAsNonRoot: true,
			seccompProfile: { type: 'RuntimeDefault' },
		});
		const [web] = pod.containers;
		expect(web?.['securityContext']).toMatchObject({
			allowPrivilegeEscalation: false,
			readOnlyRootFilesystem: true,
			capabilities: { drop: ['ALL'] },
		});
		expect(web?.['readinessProbe']).toMatchObject({ httpGet: expect.any(Object) as unknown });
		expect(web?.['livenessProbe']).toMatchObject({ httpGet: expect.any(Object) as unknown });
		expect(web?.['resources']).toMatchObject({
			limits: { memory: expect.any(String) as unknown },
			requests: { cpu: expect.any(String) as unknown },
		});
	});

	it('show how to enrol the guide in either mesh', () => {
		const ambient = parse(readFileSync('deploy/k8s/namespace-istio-ambient.yaml', 'utf8')) as {
			metadata: { labels?: Record<string, string> };
		};
		const linkerd = parse(readFileSync('deploy/k8s/namespace-linkerd.yaml', 'utf8')) as {
			metadata: { annotations?: Record<string, string> };
		};
		expect(ambient.metadata.labels?.['istio.io/dataplane-mode']).toBe('ambient');
		expect(linkerd.metadata.annotations?.['linkerd.io/inject']).toBe('enabled');
	});

	it('tell browsers to keep to HTTPS at the Gateway', () => {
		const route = parse(readFileSync('deploy/k8s/httproute.yaml', 'utf8')) as {
			spec: { rules: { filters?: { type: string; responseHeaderModifier?: unknown }[] }[] };
		};
		for (const rule of route.spec.rules)
			expect(rule.filters).toContainEqual({
				type: 'ResponseHeaderModifier',
				responseHeaderModifier: {
					set: [{ name: 'Strict-Transport-Security', value: 'max-age=31536000' }],
				},
			});
	});
});

describe('production image', () => {
	const dockerfile = readFileSync('Dockerfile', 'utf8');
	const check = (url: string) =>
		spawnSync('sh', ['deploy/require-site-url.sh', url], { encoding: 'utf8' });

	it('refuses to build without the address readers use, saying how to give it', () => {
		expect(dockerfile).toMatch(/^ARG SITE_URL$/m);
		expect(dockerfile).toContain('RUN require-site-url "$SITE_URL"');
		expect(dockerfile.indexOf('require-site-url "$SITE_URL"')).toBeLessThan(
			dockerfile.indexOf('npm run build')
		);
		for (const url of ['', 'http://localhost:4321', 'docs.example.internal']) {
			const r = check(url);
			expect(r.status, url).toBe(1);
			expect(r.stderr, url).toMatch(/--build-arg SITE_URL=https:\/\//);
		}
		expect(check('https://docs.example.internal').status).toBe(0);
	});

	it('serves with the nginx and brotli module the configuration is tested with', () => {
		expect(dockerfile).toContain('libnginx-mod-http-brotli-static');
		expect(readFileSync('deploy/nginx/nginx.conf', 'utf8')).toContain(
			'load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;'
		);
		expect(readFileSync('.ci/run', 'utf8')).toContain('libnginx-mod-http-brotli-static');
	});
});

describe('nginx configuration', () => {
	const conf = readFileSync('deploy/nginx/mesh-field-guide.conf', 'utf8');

	it('allows exactly the theme script inline, and never unsafe-inline or unsafe-eval', () => {
		const csp = conf.match(/map \$uri \$kb_csp \{\s*default "([^"]+)";/)?.[1] ?? '';
		expect(csp).toContain(`'${themeScriptHash}'`);
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).not.toMatch(/unsafe-inline|'unsafe-eval'/);
	});

	it('sends the security headers, caches hashed assets and revalidates HTML and the worker', () => {
		for (const h of [
			'add_header Strict-Transport-Security "max-age=31536000" always;',
			'add_header X-Content-Type-Options nosniff always;',
			'add_header Cross-Origin-Opener-Policy same-origin always;',
			'Referrer-Policy',
			'Permissions-Policy',
			'max-age=31536000, immutable',
			'"no-cache"',
			'error_page 400 404 /404.html',
			'webmanifest',
			'pf_fragment',
		]) {
			expect(conf).toContain(h);
		}
	});

	it('adds headers only at the server level, where every response inherits them', () => {
		// A location with an add_header of its own drops every inherited one.
		const locations = conf.split(/^\s*location\b/m).slice(1);
		expect(locations.length).toBeGreaterThan(1);
		for (const body of locations) expect(body).not.toContain('add_header');
		expect(conf).not.toMatch(/^\s*set \$/m);
	});

	it('serves precompressed files, one range at most, and text as UTF-8', () => {
		for (const line of [
			'brotli_static on;',
			'gzip_static on;',
			'max_ranges 1;',
			'charset utf-8;',
			'application/wasm                  wasm pagefind;',
		])
			expect(conf).toContain(line);
		const charsetTypes = conf.match(/charset_types ([^;]+);/)?.[1]?.split(/\s+/) ?? [];
		expect(charsetTypes).toEqual(expect.arrayContaining(['text/markdown', 'text/plain']));
		// Pagefind's files are gzipped already: their types must never be compressed again.
		const gzipTypes = conf.match(/gzip_types ([^;]+);/)?.[1]?.split(/\s+/) ?? [];
		expect(gzipTypes).not.toContain('application/wasm');
		expect(gzipTypes).not.toContain('application/octet-stream');
	});
});
