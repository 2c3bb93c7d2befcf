import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { findCrdDir, loadCrds } from './crd-schemas.ts';
import { formatError, ManifestValidator } from './validate-manifest.ts';

const crdDir = findCrdDir();

const fixture = (name: string) => readFileSync(`scripts/lib/fixtures/manifests/${name}`, 'utf8');

describe(`manifests against the upstream CRDs in ${crdDir}`, () => {
	let validator: ManifestValidator;
	beforeAll(() => {
		validator = new ManifestValidator(loadCrds(crdDir));
	});

	it('rejects a misspelt field, naming the file, line and path', () => {
		expect(
			validator.validate('misspelt-field.yaml', fixture('misspelt-field.yaml')).map(formatError)
		).toEqual([
			'misspelt-field.yaml:8: spec.mtls.mod: unknown field "mod" (PeerAuthentication security.istio.io/v1)',
		]);
	});

	it('rejects a value outside the enum', () => {
		expect(
			validator.validate('wrong-enum.yaml', fixture('wrong-enum.yaml')).map(formatError)
		).toEqual([
			'wrong-enum.yaml:7: spec.mtls.mode: must be one of "UNSET", "DISABLE", "PERMISSIVE", "STRICT" (PeerAuthentication security.istio.io/v1)',
		]);
	});

	it('rejects an apiVersion the CRDs do not serve for that kind', () => {
		expect(
			validator.validate('unserved-version.yaml', fixture('unserved-version.yaml')).map(formatError)
		).toEqual([
			'unserved-version.yaml:1: apiVersion: policy.linkerd.io/v1beta3 does not serve ServerAuthorization; served versions: policy.linkerd.io/v1alpha1, policy.linkerd.io/v1beta1',
		]);
	});

	it('rejects a missing required field, and finds errors in later documents', () => {
		expect(
			validator.validate('missing-required.yaml', fixture('missing-required.yaml')).map(formatError)
		).toEqual([
			'missing-required.yaml:6: spec: missing required field "targetRef" (AuthorizationPolicy policy.linkerd.io/v1alpha1)',
			'missing-required.yaml:25: spec.rules[0].backendRefs[0].wieght: unknown field "wieght" (HTTPRoute gateway.networking.k8s.io/v1)',
		]);
	});

	it('reports YAML that does not parse', () => {
		expect(
			validator.validate('broken.yaml', 'apiVersion: v1\nkind: [unclosed\n').map(formatError)[0]
		).toMatch(/^broken\.yaml:\d+: \(document\): invalid YAML: /);
	});
});
