import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'astro/zod';
import { glossarySchema, type GlossaryEntry } from '../schemas/glossary.ts';

/**
 * Reads the glossary for the Markdown pipeline, which runs before content collections exist.
 * The collection validates the same file with the same schema for the glossary page.
 */
export function loadGlossary(path = 'content/data/glossary.yaml'): GlossaryEntry[] {
	const result = z.array(glossarySchema).safeParse(parse(readFileSync(path, 'utf8')));
	if (!result.success) {
		const issues = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
		throw new Error(`${path} is invalid:\n${issues}`);
	}
	const seen = new Map<string, number>();
	result.data.forEach((e, i) => {
		const first = seen.get(e.id);
		if (first !== undefined)
			throw new Error(
				`${path}: entries ${first} and ${i} both use id "${e.id}"; ids must be unique`
			);
		seen.set(e.id, i);
	});
	return result.data;
}
