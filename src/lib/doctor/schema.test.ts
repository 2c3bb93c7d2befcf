import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSchemas, schemaFile, schemaText } from '../../../scripts/doctor-schemas.ts';
import { schemaFor, validate } from './schema.ts';

describe('schemas.gen.json', () => {
	it('is what scripts/doctor-schemas.ts makes from vendor/upstream/crds (run npm run doctor:schemas)', () => {
		expect(readFileSync(schemaFile, 'utf8') === schemaText(buildSchemas())).toBe(true);
	});

	it('keeps no descriptions (a field named description stays)', () => {
		const text = readFileSync(schemaFile, 'utf8');
		expect(text).not.toMatch(/"description":"/);
		expect(text.length).toBeLessThan(200_000);
	});
});

const entry = (group: string, version: string, kind: string) => {
	const e = schemaFor(group, version, kind).entry;
	if (!e) throw new Error(`no schema for ${group}/${version} ${kind}`);
	return e;
};

describe('validate', () => {
	const pa = entry('security.istio.io', 'v1', 'PeerAuthentication');

	it('reports unknown fields with their parent path and key', () => {
		expect(
			validate(pa, { apiVersion: 'x', kind: 'y', spec: { mtls: { mdoe: 'STRICT' } } })
		).toEqual([
			{ kind: 'unknown-field', at: ['spec', 'mtls'], key: 'mdoe', message: 'unknown field `mdoe`' },
		]);
	});

	it('reports enum and type mismatches', () => {
		expect(validate(pa, { spec: { mtls: { mode: 'ON' } } })[0]?.message).toMatch(
			/^is "ON"; allowed: .*"STRICT"/
		);
		expect(validate(pa, { spec: { mtls: 'STRICT' } })[0]?.message).toBe(
			'must be an object, not "STRICT"'
		);
	});

	it('accepts an integer or a string where the CRD says int-or-string', () => {
		const route = entry('gateway.networking.k8s.io', 'v1', 'HTTPRoute');
		const withPort = (port: unknown) => ({
			spec: { parentRefs: [{ name: 'gw', port }], rules: [] },
		});
		expect(validate(route, withPort(8080))).toEqual([]);
		expect(validate(route, withPort('http')).length).toBeGreaterThan(0);
	});

	it('names the fields of a one-of choice that are set together', () => {
		const vs = entry('networking.istio.io', 'v1', 'VirtualService');
		const [p] = validate(vs, {
			spec: { http: [{ match: [{ uri: { exact: '/a', prefix: '/b' } }] }] },
		});
		expect(p).toMatchObject({ at: ['spec', 'http', 0, 'match', 0, 'uri'] });
		expect(p?.message).toBe(
			'sets `exact` and `prefix`, but only one of `exact`, `prefix`, `regex` may be set'
		);
	});

	it('lists the versions that serve a kind', () => {
		expect(schemaFor('policy.linkerd.io', 'v1beta3', 'ServerAuthorization')).toMatchObject({
			entry: undefined,
			known: true,
			served: ['v1alpha1', 'v1beta1'],
		});
	});
});
