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

describe('linkerd-unsupported-route-filter', () => {
	const route = (rules: string, parent = '{group: "", kind: Service, name: ranking, port: 80}') =>
		`apiVersion: v1\nkind: Namespace\nmetadata: {name: ranking, annotations: {linkerd.io/inject: enabled}}\n---\n` +
		`apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: ranking}\n` +
		`spec:\n  parentRefs: [${parent}]\n  rules:\n${rules}`;
	const mirror = '{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 80}}}';
	const found = (text: string) =>
		checkText(text).filter((f) => f.rule === 'linkerd-unsupported-route-filter');

	it('says a filter in a rule makes Linkerd skip the whole route', () => {
		const [f, ...rest] = found(
			route(`    - filters: [${mirror}]\n      backendRefs: [{name: ranking, port: 80}]\n`)
		);
		expect(rest).toEqual([]);
		expect(f?.path).toBe('spec.rules[0].filters[0].type');
		expect(f?.message).toMatch(/RequestMirror filter in a rule: it skips the whole route/);
		expect(f?.message).toMatch(/Accepted: True/);
	});

	it('says a filter on a backendRef fails only that backend, once per backendRef', () => {
		const fs = found(
			route(
				`    - backendRefs:\n        - {name: ranking, port: 80}\n` +
					`        - {name: a, port: 80, filters: [${mirror}, ${mirror}]}\n` +
					`        - {name: b, port: 80, filters: [{type: URLRewrite, urlRewrite: {hostname: b}}]}\n`
			)
		);
		expect(fs.map((f) => f.path)).toEqual([
			'spec.rules[0].backendRefs[1].filters[0].type',
			'spec.rules[0].backendRefs[2].filters[0].type',
		]);
		expect(fs[0]?.message).toMatch(
			/RequestMirror filter on a backendRef: it marks this backend invalid/
		);
		expect(fs[0]?.message).toMatch(/fails with HTTP 500, while the rest of the route applies/);
		expect(fs[1]?.message).toMatch(/URLRewrite filter on a backendRef/);
		expect(fs[0]?.message).not.toMatch(/whole route/);
	});

	it('gives only the whole-route finding when a rule and a backendRef both carry one', () => {
		const fs = found(
			route(
				`    - backendRefs: [{name: a, port: 80, filters: [${mirror}]}]\n` +
					`    - filters: [${mirror}]\n      backendRefs: [{name: ranking, port: 80}]\n`
			)
		);
		expect(fs.map((f) => f.path)).toEqual(['spec.rules[1].filters[0].type']);
	});

	it('leaves backendRef filters of a route on a Server alone: the inbound side does not read backendRefs', () => {
		const text =
			'apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: s, namespace: ranking}\n' +
			'spec: {podSelector: {matchLabels: {app: x}}, port: 8080}\n---\n' +
			route(
				`    - backendRefs: [{name: a, port: 80, filters: [${mirror}]}]\n`,
				'{group: policy.linkerd.io, kind: Server, name: s}'
			);
		expect(found(text)).toEqual([]);
	});
});
