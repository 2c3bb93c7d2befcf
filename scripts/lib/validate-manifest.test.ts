import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAnnotated, kindsOf } from '../../src/components/code/annotated-yaml.ts';
import { findCrdDir, loadCrds, closeSchema } from './crd-schemas.ts';
import { listFiles } from '../../src/lib/dist-files.ts';
import { addCallouts, manifestSlug, noteHtml } from '../../src/components/code/manifest-render.ts';
import { formatError, ManifestValidator } from './validate-manifest.ts';
import { validateWithModels } from './validate-models.ts';
import { highlightToHast } from '../../src/components/code/highlight-code.ts';
import { toHtml } from 'hast-util-to-html';

const manifests = listFiles('content/manifests').filter((f) => /\.ya?ml$/.test(f));
const crdDir = findCrdDir();
const fixture = (name: string) => readFileSync(`scripts/lib/fixtures/manifests/${name}`, 'utf8');

describe('annotated manifests', () => {
	it('strip #> notes into a clean manifest and a numbered list', () => {
		const { clean, notes } = parseAnnotated(
			'a: 1 #> First note.\nb: "x #> kept" # plain comment\nc:   3   #> Second `note`.\nd: don\'t #> Third.\n'
		);
		expect(clean).toBe('a: 1\nb: "x #> kept" # plain comment\nc:   3\nd: don\'t\n');
		expect(notes).toEqual([
			{ n: 1, line: 1, text: 'First note.' },
			{ n: 2, line: 3, text: 'Second `note`.' },
			{ n: 3, line: 4, text: 'Third.' },
		]);
		expect(noteHtml('Use `<b>` & co')).toBe('Use <code>&lt;b&gt;</code> &amp; co');
	});

	it('put a callout on each annotated line, outside the copied text', async () => {
		const tree = await highlightToHast('a: 1\nb: 2', 'yaml');
		addCallouts(tree, [{ n: 1, line: 2, text: 'x', id: 'f-note-1' }]);
		const html = toHtml(tree);
		expect(html).toContain(
			'<a class="callout" href="#f-note-1" data-note="1" aria-label="Note 1">1</a></span></code></pre>'
		);
		expect(html).not.toContain('style=');
	});

	it('name note anchors after the file', () => {
		expect(manifestSlug('istio/peerauthentication-strict.yaml')).toBe(
			'istio-peerauthentication-strict'
		);
		expect(
			kindsOf('apiVersion: v1\nkind: Service\n---\napiVersion: apps/v1\nkind: Deployment\n')
		).toEqual([
			{ apiVersion: 'v1', kind: 'Service' },
			{ apiVersion: 'apps/v1', kind: 'Deployment' },
		]);
	});

	it.each(manifests)('%s: every note sits on the YAML line it explains', (file) => {
		const source = readFileSync(`content/manifests/${file}`, 'utf8').split('\n');
		const { clean, notes } = parseAnnotated(source.join('\n'));
		const cleanLines = clean.split('\n');
		for (const n of notes) {
			const original = source[n.line - 1] ?? '';
			// The callout goes on the line that carried the marker, and that line keeps its YAML.
			expect(original, `${file}:${n.line}`).toContain(`#> ${n.text}`);
			expect(cleanLines[n.line - 1], `${file}:${n.line}`).toBe(
				original.slice(0, original.indexOf('#>')).trimEnd()
			);
			expect(cleanLines[n.line - 1]?.trim(), `${file}:${n.line}`).not.toBe('');
		}
	});
});

describe('closing CRD schemas', () => {
	it('forbids unknown fields unless the schema preserves them', () => {
		expect(
			closeSchema({
				type: 'object',
				properties: {
					a: { type: 'object', properties: { b: { type: 'string' } } },
					free: {
						type: 'object',
						'x-kubernetes-preserve-unknown-fields': true,
						properties: { c: {} },
					},
					port: { 'x-kubernetes-int-or-string': true },
				},
			})
		).toEqual({
			type: 'object',
			additionalProperties: false,
			properties: {
				a: { type: 'object', properties: { b: { type: 'string' } }, additionalProperties: false },
				free: {
					type: 'object',
					'x-kubernetes-preserve-unknown-fields': true,
					properties: { c: {} },
				},
				port: {
					'x-kubernetes-int-or-string': true,
					anyOf: [{ type: 'integer' }, { type: 'string' }],
				},
			},
		});
	});
});

describe(`manifests against the upstream CRDs in ${crdDir}`, () => {
	let validator: ManifestValidator;
	beforeAll(() => {
		validator = new ManifestValidator(loadCrds(crdDir));
	});

	it.each(manifests)('%s is valid for the API version it names', (file) => {
		const errors = validator.validate(
			`content/manifests/${file}`,
			readFileSync(`content/manifests/${file}`, 'utf8')
		);
		expect(errors.map(formatError)).toEqual([]);
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

describe('manifests against kubernetes-models', () => {
	it.each(manifests)('%s passes the generated model validation', async (file) => {
		const { errors } = await validateWithModels(
			file,
			readFileSync(`content/manifests/${file}`, 'utf8')
		);
		expect(errors).toEqual([]);
	});

	it('catches a wrong enum in an Istio resource', async () => {
		const { errors } = await validateWithModels('wrong-enum.yaml', fixture('wrong-enum.yaml'));
		expect(errors).toEqual([
			'wrong-enum.yaml: PeerAuthentication security.istio.io/v1: data/spec/mtls/mode must be equal to one of the allowed values',
		]);
	});
});
