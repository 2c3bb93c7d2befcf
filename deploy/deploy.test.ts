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
});

describe('nginx configuration', () => {
	const conf = readFileSync('deploy/nginx/mesh-field-guide.conf', 'utf8');

	it('allows exactly the theme script inline, and never unsafe-inline or unsafe-eval', () => {
		const csp = conf.match(/set \$csp "([^"]+)"/)?.[1] ?? '';
		expect(csp).toContain(`'${themeScriptHash}'`);
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).not.toMatch(/unsafe-inline|'unsafe-eval'/);
	});

	it('sends the security headers, caches hashed assets and revalidates HTML and the worker', () => {
		for (const h of [
			'X-Content-Type-Options nosniff',
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
});
