import { describe, expect, it } from 'vitest';
import { checkText, rules } from './index.ts';

describe('checkText', () => {
	it('reports YAML it cannot read, with the document and line', () => {
		const text = 'apiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: [Service\n';
		const [f, ...rest] = checkText(text);
		expect(rest).toEqual([]);
		expect(f).toMatchObject({ doc: 2, severity: 'error', rule: 'yaml-syntax' });
		expect(f?.line).toBeGreaterThanOrEqual(5);
	});

	it('reports an alias bomb instead of expanding it', () => {
		const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
		for (let i = 1; i < 12; i++)
			lines.push(
				`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
					.fill(`*${String.fromCharCode(96 + i)}`)
					.join(', ')}]`
			);
		const [f] = checkText(lines.join('\n'));
		expect(f).toMatchObject({ doc: 1, rule: 'yaml-syntax', severity: 'error' });
	});

	it('counts documents and lines across the whole paste', () => {
		const text =
			'apiVersion: v1\nkind: ConfigMap\n---\n# second\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: x, namespace: istio-system}\nspec:\n  mtls: {mode: STRICT}\n';
		expect(checkText(text)).toMatchObject([
			{ doc: 2, line: 9, rule: 'istio-mesh-wide-strict-mtls', path: 'spec.mtls.mode' },
		]);
	});

	it('links an unserved Linkerd policy version to the page for its kind', () => {
		const doc = (kind: string, version: string) =>
			`apiVersion: policy.linkerd.io/${version}\nkind: ${kind}\nmetadata: {name: x, namespace: y}\nspec: {}\n`;
		const notServed = (text: string) =>
			checkText(text).filter((f) => f.rule === 'api-version-not-served');
		expect(notServed(doc('ServerAuthorization', 'v1beta3'))).toMatchObject([
			{ rule: 'api-version-not-served', see: '/faq/serverauthorization-apiversion/' },
		]);
		expect(notServed(doc('Server', 'v9'))).toMatchObject([
			{ rule: 'api-version-not-served', see: '/linkerd/security/#server' },
		]);
	});

	it('accepts a BackendLBPolicy, served by the Gateway API v1.2.1 experimental CRDs', () => {
		const text =
			'apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: BackendLBPolicy\nmetadata: {name: x}\nspec: {}\n';
		expect(checkText(text)).toEqual([]);
	});

	it('finds nothing in an empty text', () => {
		expect(checkText('')).toEqual([]);
	});

	it('lists every rule once with a link', () => {
		const ids = rules.map((r) => r.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const r of rules) expect(r.see).toMatch(/^\/[a-z0-9/-]*\/(#[a-z0-9-]+)?$/);
	});
});
