import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { siteConfig } from '../src/site.config.ts';
import { findCrdDir, loadCrds } from './lib/crd-schemas.ts';

/**
 * Writes the CRD schemas the config doctor checks against, `src/lib/doctor/schemas.gen.json`,
 * from `vendor/upstream/crds`: closed (see `closeSchema`), stripped of descriptions and of what
 * the doctor does not check (patterns, lengths, CEL rules), one entry per distinct schema with
 * the versions that serve it. The browser cannot compile schemas (no eval under the CSP), so
 * the doctor interprets this data. `npm run build` regenerates it first (`prebuild`); the
 * doctor's unit test fails when the committed file differs from what this produces.
 */

export const schemaFile = 'src/lib/doctor/schemas.gen.json';

/**
 * Istio's CRDs at the newest release the site names. 1.31 only adds fields to the 1.30.3 CRDs of
 * vendor/upstream/crds (descriptions aside), so checking against it never flags a 1.31 field
 * as unknown; a 1.31-only field in a 1.30 cluster is the one thing it misses.
 */
export const istioCrdDir =
	'vendor/upstream/files/istio/istio/1.31.0-rc.0/manifests/charts/base/files';
const istioSource = 'Istio 1.31.0-rc.0 CRDs';

/** Schema keywords the doctor's interpreter reads; everything else is dropped. */
const keep = new Set([
	'type',
	'properties',
	'additionalProperties',
	'items',
	'required',
	'enum',
	'anyOf',
	'oneOf',
	'allOf',
	'not',
	'nullable',
	'x-kubernetes-preserve-unknown-fields',
]);

function strip(schema: unknown): unknown {
	if (Array.isArray(schema)) return schema.map(strip);
	if (!schema || typeof schema !== 'object') return schema;
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(schema as Record<string, unknown>)) {
		if (!keep.has(k)) continue;
		out[k] =
			k === 'properties'
				? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strip(s)]))
				: k === 'enum' || k === 'required'
					? v
					: strip(v);
	}
	return out;
}

export interface SchemaEntry {
	group: string;
	kind: string;
	versions: string[];
	/** What the schema was taken from, e.g. "Istio 1.30.3 CRDs". */
	source: string;
	schema: unknown;
}

export function buildSchemas(dir = findCrdDir(), istioDir = istioCrdDir): SchemaEntry[] {
	const entries = new Map<string, SchemaEntry>();
	const isIstio = (group: string) => group.endsWith('.istio.io');
	const crds = [
		...loadCrds(dir).filter((c) => !isIstio(c.group)),
		...loadCrds(istioDir).filter((c) => isIstio(c.group)),
	];
	for (const crd of crds) {
		const schema = strip(crd.schema);
		const key = `${crd.group}/${crd.kind}/${JSON.stringify(schema)}`;
		const found = entries.get(key);
		if (found) found.versions.push(crd.version);
		else
			entries.set(key, {
				group: crd.group,
				kind: crd.kind,
				versions: [crd.version],
				source: isIstio(crd.group)
					? istioSource
					: (siteConfig.schemaSources[crd.group] ?? `${crd.group} CRDs`),
				schema,
			});
	}
	return [...entries.values()];
}

export const schemaText = (entries: SchemaEntry[]) => `${JSON.stringify(entries)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const text = schemaText(buildSchemas());
	let old = '';
	try {
		old = readFileSync(schemaFile, 'utf8');
	} catch {
		// first run
	}
	if (old !== text) writeFileSync(schemaFile, text);
	console.log(`${schemaFile}: ${text.length} bytes${old === text ? ', unchanged' : ', written'}`);
}
