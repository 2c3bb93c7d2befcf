import entries from './schemas.gen.json' with { type: 'json' };
import type { Json, Segment } from './types.ts';

/**
 * A small interpreter of the CRD schema data in `schemas.gen.json` (generated from the vendored
 * CRDs by `scripts/doctor-schemas.ts`). It checks what the API server checks from the schema:
 * unknown fields (the schemas are closed), types, enums, required fields and one-of choices.
 * Interpreting data, rather than compiling validators, keeps `eval` out of the browser.
 */

interface Schema {
	type?: string;
	properties?: Record<string, Schema>;
	additionalProperties?: boolean | Schema;
	items?: Schema;
	required?: string[];
	enum?: unknown[];
	anyOf?: Schema[];
	oneOf?: Schema[];
	allOf?: Schema[];
	not?: Schema;
	nullable?: boolean;
	'x-kubernetes-preserve-unknown-fields'?: boolean;
}

export interface SchemaEntry {
	group: string;
	kind: string;
	versions: string[];
	source: string;
	schema: Schema;
}

export const schemaEntries = entries as SchemaEntry[];

export interface SchemaProblem {
	kind: 'unknown-field' | 'invalid';
	at: Segment[];
	key?: string;
	message: string;
}

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

function typeOk(type: string, v: unknown): boolean {
	switch (type) {
		case 'object':
			return isObject(v);
		case 'array':
			return Array.isArray(v);
		case 'string':
			return typeof v === 'string';
		case 'integer':
			return typeof v === 'number' && Number.isInteger(v);
		case 'number':
			return typeof v === 'number';
		case 'boolean':
			return typeof v === 'boolean';
		default:
			return true;
	}
}

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

/** Field names a branch of a one-of requires, when the branch is only `required: [...]`. */
function requiredOnly(s: Schema): string[] | undefined {
	const keys = Object.keys(s);
	return keys.length === 1 && s.required ? s.required : undefined;
}

function choiceProblem(s: Schema, branches: Schema[], v: unknown, at: Segment[]): SchemaProblem {
	const types = branches.map((b) => (Object.keys(b).length === 1 ? b.type : undefined));
	if (types.every(Boolean))
		return {
			kind: 'invalid',
			at,
			message: `must be ${types.map((t) => article(String(t))).join(' or ')}`,
		};
	const names = branches.flatMap((b) => requiredOnly(b) ?? []);
	if (names.length > 0 && isObject(v)) {
		const set = names.filter((n) => n in v);
		return {
			kind: 'invalid',
			at,
			message: s.oneOf
				? `sets ${set.map((n) => `\`${n}\``).join(' and ')}, but only one of ${names.map((n) => `\`${n}\``).join(', ')} may be set`
				: `needs one of ${names.map((n) => `\`${n}\``).join(', ')}`,
		};
	}
	return { kind: 'invalid', at, message: 'matches none of the allowed forms' };
}

function check(s: Schema, v: unknown, at: Segment[], out: SchemaProblem[]): void {
	if (v === null && s.nullable) return;
	if (s.type && !typeOk(s.type, v)) {
		out.push({ kind: 'invalid', at, message: `must be ${article(s.type)}, not ${show(v)}` });
		return;
	}
	if (s.enum && !s.enum.includes(v)) {
		out.push({
			kind: 'invalid',
			at,
			message: `is ${show(v)}; allowed: ${s.enum.map(show).join(', ')}`,
		});
		return;
	}
	for (const sub of s.allOf ?? []) check(sub, v, at, out);
	for (const [word, branches] of [
		['anyOf', s.anyOf],
		['oneOf', s.oneOf],
	] as const) {
		if (!branches) continue;
		const passing = branches.filter((b) => matches(b, v, at)).length;
		if (word === 'anyOf' ? passing === 0 : passing !== 1)
			out.push(choiceProblem({ [word]: branches }, branches, v, at));
	}
	if (s.not && matches(s.not, v, at))
		out.push({ kind: 'invalid', at, message: 'is not allowed here' });
	const items = s.items;
	if (Array.isArray(v) && items) v.forEach((item, i) => check(items, item, [...at, i], out));
	if (isObject(v)) {
		for (const name of s.required ?? []) {
			if (!(name in v)) out.push({ kind: 'invalid', at, message: `needs the field \`${name}\`` });
		}
		const props = s.properties ?? {};
		for (const [key, value] of Object.entries(v)) {
			const p = props[key];
			if (p) check(p, value, [...at, key], out);
			else if (typeof s.additionalProperties === 'object')
				check(s.additionalProperties, value, [...at, key], out);
			else if (s.additionalProperties === false && !s['x-kubernetes-preserve-unknown-fields'])
				out.push({ kind: 'unknown-field', at, key, message: `unknown field \`${key}\`` });
		}
	}
}

function matches(s: Schema, v: unknown, at: Segment[]): boolean {
	const out: SchemaProblem[] = [];
	check(s, v, at, out);
	return out.length === 0;
}

/** The schema of `group/version` `kind`, the versions that serve the kind, and where it came from. */
export function schemaFor(
	group: string,
	version: string,
	kind: string
): { entry?: SchemaEntry | undefined; served: string[]; known: boolean } {
	const ofKind = schemaEntries.filter((e) => e.group === group && e.kind === kind);
	return {
		entry: ofKind.find((e) => e.versions.includes(version)),
		served: ofKind.flatMap((e) => e.versions),
		known: ofKind.length > 0,
	};
}

export const schemaGroups = new Set(schemaEntries.map((e) => e.group));

/** Problems of one document against its schema. */
export function validate(entry: SchemaEntry, obj: Json): SchemaProblem[] {
	const out: SchemaProblem[] = [];
	check(entry.schema, obj, [], out);
	return out;
}
