import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** One served version of a CustomResourceDefinition. */
export interface CrdVersion {
	group: string;
	kind: string;
	version: string;
	/** The version's `openAPIV3Schema`, closed (see `closeSchema`). */
	schema: Record<string, unknown>;
	/** CRD file it came from, for messages. */
	source: string;
}

type Json = Record<string, unknown>;

/**
 * The API server prunes unknown fields instead of rejecting them, so a misspelt field vanishes
 * silently. To catch it, every object schema that lists `properties` is closed
 * (`additionalProperties: false`) unless it says `x-kubernetes-preserve-unknown-fields`.
 * `x-kubernetes-int-or-string` becomes an explicit integer-or-string choice.
 */
export function closeSchema(schema: unknown): unknown {
	if (Array.isArray(schema)) return schema.map(closeSchema);
	if (!schema || typeof schema !== 'object') return schema;
	const out: Json = {};
	for (const [k, v] of Object.entries(schema as Json)) {
		if (k === 'x-kubernetes-validations' || k === 'description') continue;
		out[k] =
			k === 'properties' && v && typeof v === 'object'
				? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, closeSchema(s)]))
				: closeSchema(v);
	}
	if (out['x-kubernetes-int-or-string'] === true && !out['type'] && !out['anyOf']) {
		out['anyOf'] = [{ type: 'integer' }, { type: 'string' }];
	}
	if (
		out['properties'] &&
		out['additionalProperties'] === undefined &&
		out['x-kubernetes-preserve-unknown-fields'] !== true
	) {
		out['additionalProperties'] = false;
	}
	return out;
}

/**
 * Istio's and Linkerd's CRD schemas describe only `spec` and `status`; every object also has
 * `apiVersion`, `kind` and `metadata`, which the API server validates itself.
 */
function withObjectMeta(schema: Json): Json {
	const properties = { ...((schema['properties'] as Json | undefined) ?? {}) };
	properties['apiVersion'] ??= { type: 'string' };
	properties['kind'] ??= { type: 'string' };
	properties['metadata'] ??= { type: 'object' };
	return { ...schema, properties };
}

function yamlFiles(dir: string): string[] {
	const out: string[] = [];
	for (const name of readdirSync(dir)) {
		const full = join(dir, name);
		if (statSync(full).isDirectory()) out.push(...yamlFiles(full));
		else if (/\.ya?ml$/.test(name)) out.push(full);
	}
	return out.sort();
}

/** Every served version of every CRD under `dir`. */
export function loadCrds(dir: string): CrdVersion[] {
	const out: CrdVersion[] = [];
	for (const file of yamlFiles(dir)) {
		for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
			const crd = doc.toJSON() as Json | null;
			if (crd?.['kind'] !== 'CustomResourceDefinition') continue;
			const spec = crd['spec'] as { group: string; names: { kind: string }; versions: Json[] };
			for (const v of spec.versions) {
				if (v['served'] === false) continue;
				const schema = (v['schema'] as Json | undefined)?.['openAPIV3Schema'];
				if (!schema) continue;
				out.push({
					group: spec.group,
					kind: spec.names.kind,
					version: String(v['name']),
					schema: withObjectMeta(closeSchema(schema) as Json),
					source: file,
				});
			}
		}
	}
	return out;
}

/**
 * Where the upstream CRDs are: `KB_CRDS_DIR` when set, else the copy vendored in
 * `vendor/upstream/crds` (see its PROVENANCE.md). Missing files are an error, never a skip.
 */
export function findCrdDir(env: Record<string, string | undefined> = process.env): string {
	const chosen = env['KB_CRDS_DIR'] ?? 'vendor/upstream/crds';
	if (!existsSync(chosen))
		throw new Error(
			`No CRD files at ${chosen}: restore vendor/upstream/crds from git, or run npm run vendor:refresh`
		);
	return chosen;
}
