import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseAllDocuments } from 'yaml';
import { lineOf, pathText } from '../../src/lib/doctor/yaml-lines.ts';
import type { CrdVersion } from './crd-schemas.ts';

/** A problem in a manifest, located by line and field path. */
export interface ManifestError {
	file: string;
	line: number;
	/** Dotted field path, e.g. `spec.rules[0].to`. */
	path: string;
	message: string;
}

export function formatError(e: ManifestError): string {
	return `${e.file}:${e.line}: ${e.path || '(document)'}: ${e.message}`;
}

type Segment = string | number;

function segmentsOf(instancePath: string): Segment[] {
	return instancePath
		.split('/')
		.slice(1)
		.map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
		.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(err: ErrorObject): { message: string; key?: string } {
	const p = err.params as Record<string, unknown>;
	switch (err.keyword) {
		case 'additionalProperties':
			return {
				message: `unknown field "${String(p['additionalProperty'])}"`,
				key: String(p['additionalProperty']),
			};
		case 'required':
			return { message: `missing required field "${String(p['missingProperty'])}"` };
		case 'enum':
			return {
				message: `must be one of ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
			};
		case 'type':
			return { message: `must be ${String(p['type'])}` };
		default:
			return { message: err.message ?? err.keyword };
	}
}

/**
 * Validates manifests against upstream CRD schemas, closed so that unknown fields are errors.
 * Kinds whose API group the CRDs define must use a version the CRDs serve.
 */
export class ManifestValidator {
	private readonly ajv = new Ajv({
		strict: false,
		allErrors: true,
		validateFormats: false,
		logger: false,
	});
	private readonly compiled = new Map<string, ValidateFunction>();
	private readonly byKey = new Map<string, CrdVersion>();
	private readonly groups = new Set<string>();

	constructor(crds: CrdVersion[]) {
		for (const c of crds) {
			this.byKey.set(`${c.group}/${c.version}/${c.kind}`, c);
			this.groups.add(c.group);
		}
	}

	/** Whether the CRDs define this API group (so a document in it must match one of them). */
	covers(apiVersion: string): boolean {
		return this.groups.has(apiVersion.split('/')[0] ?? '');
	}

	private validatorFor(crd: CrdVersion): ValidateFunction {
		const key = `${crd.group}/${crd.version}/${crd.kind}`;
		let fn = this.compiled.get(key);
		if (!fn) {
			fn = this.ajv.compile(crd.schema);
			this.compiled.set(key, fn);
		}
		return fn;
	}

	/** All problems in a YAML file of one or more documents; empty when every document is valid. */
	validate(file: string, source: string): ManifestError[] {
		const counter = new LineCounter();
		const errors: ManifestError[] = [];
		for (const doc of parseAllDocuments(source, { lineCounter: counter })) {
			const startLine = doc.contents?.range ? counter.linePos(doc.contents.range[0]).line : 1;
			if (doc.errors.length > 0) {
				for (const e of doc.errors) {
					errors.push({
						file,
						line: e.linePos?.[0].line ?? startLine,
						path: '',
						message: `invalid YAML: ${e.message.split('\n')[0]}`,
					});
				}
				continue;
			}
			const obj = doc.toJSON() as Record<string, unknown> | null;
			if (!obj) continue;
			const apiVersion = typeof obj['apiVersion'] === 'string' ? obj['apiVersion'] : '';
			const kind = typeof obj['kind'] === 'string' ? obj['kind'] : '';
			if (!apiVersion || !kind) {
				errors.push({
					file,
					line: startLine,
					path: '',
					message: 'every document needs apiVersion and kind',
				});
				continue;
			}
			if (!this.covers(apiVersion)) continue;
			const [group, version] = apiVersion.split('/') as [string, string];
			const crd = this.byKey.get(`${group}/${version}/${kind}`);
			if (!crd) {
				const served = [...this.byKey.values()]
					.filter((c) => c.group === group && c.kind === kind)
					.map((c) => c.version);
				errors.push({
					file,
					line: lineOf(doc.contents, ['apiVersion'], counter),
					path: 'apiVersion',
					message: served.length
						? `${apiVersion} does not serve ${kind}; served versions: ${served.map((v) => `${group}/${v}`).join(', ')}`
						: `the ${group} CRDs define no kind "${kind}"`,
				});
				continue;
			}
			const fn = this.validatorFor(crd);
			if (fn(obj)) continue;
			for (const err of fn.errors ?? []) {
				// oneOf/anyOf wrappers repeat what their branches already said.
				if (
					err.keyword === 'oneOf' ||
					err.keyword === 'anyOf' ||
					err.keyword === 'not' ||
					err.keyword === 'if'
				)
					continue;
				const segments = segmentsOf(err.instancePath);
				const { message, key } = describe(err);
				errors.push({
					file,
					line: lineOf(doc.contents, segments, counter, key),
					path: pathText(key ? [...segments, key] : segments),
					message: `${message} (${kind} ${apiVersion})`,
				});
			}
		}
		return errors;
	}
}
