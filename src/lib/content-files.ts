/** Content files the Markdown pipeline and config need before collections exist. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFrontmatter } from './frontmatter.ts';
import { parse } from 'yaml';
import { z } from 'astro/zod';
import { glossarySchema, type GlossaryEntry } from '../schemas/glossary.ts';
import { anchorAliasSchema } from '../schemas/anchor-alias.ts';
import type { AnchorAlias } from '../markdown/rehype-anchor-aliases.ts';
import { decisionTreeSchema, type DecisionTree } from '../schemas/decision-tree.ts';
import { comparisonSchema, type Comparison } from '../schemas/comparison.ts';
import { meshSchema, type Mesh } from '../schemas/mesh.ts';
import { invalid } from './schema-error.ts';
import { contentRoot } from '../site.config.ts';

/**
 * Reads the glossary for the Markdown pipeline, which runs before content collections exist.
 * The collection validates the same file with the same schema for the glossary page.
 */
export function loadGlossary(path = `${contentRoot}/data/glossary.yaml`): GlossaryEntry[] {
	const result = z.array(glossarySchema).safeParse(parse(readFileSync(path, 'utf8')));
	if (!result.success) throw invalid(path, result.error);
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

/** Renamed heading anchors, for the Markdown pipeline. */
export function loadAnchorAliases(path = `${contentRoot}/data/anchor-aliases.yaml`): AnchorAlias[] {
	const result = z.array(anchorAliasSchema).safeParse(parse(readFileSync(path, 'utf8')) ?? []);
	if (!result.success) throw invalid(path, result.error);
	return result.data;
}

/** Former FAQ ids (aliases): their forwarding pages stay out of the sitemap. */
export function loadFaqAliases(dir = `${contentRoot}/faq`): string[] {
	// A content tree without answers (a test fixture) has no aliases.
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((f) => f.endsWith('.mdx'))
		.flatMap((f) => {
			const aliases = readFrontmatter(readFileSync(`${dir}/${f}`, 'utf8'))['aliases'];
			return Array.isArray(aliases) ? aliases.map(String) : [];
		});
}

/**
 * The decision tree, validated as data and as a graph. A broken tree stops the build with the
 * file, the node and what is wrong.
 */
export function loadDecisionTree(
	path = `${contentRoot}/data/decision-tree.yaml`,
	meshIds?: string[]
): DecisionTree {
	const result = decisionTreeSchema.safeParse(parse(readFileSync(path, 'utf8')));
	if (!result.success) throw invalid(path, result.error, 'is not a valid decision tree');
	const unknown = result.data.outcomes.filter(
		(o) => o.mesh && meshIds && !meshIds.includes(o.mesh)
	);
	if (unknown.length > 0) {
		throw new Error(
			`${path}: ${unknown.map((o) => `outcome "${o.id}" names mesh "${o.mesh ?? ''}"`).join(', ')}, not an id in content/data/meshes.yaml`
		);
	}
	return result.data;
}

/** The meshes the guide covers, for code that runs before content collections exist. */
export function loadMeshes(path = `${contentRoot}/data/meshes.yaml`): Mesh[] {
	const result = z.array(meshSchema).safeParse(parse(readFileSync(path, 'utf8')));
	if (!result.success) throw invalid(path, result.error);
	return result.data;
}

/**
 * The comparison matrix for the given meshes; a cell without a source or version, or under a key
 * that is not a mesh, stops the build, naming the row.
 */
export function loadComparison(
	path = `${contentRoot}/data/comparison.yaml`,
	meshIds: readonly string[] = loadMeshes().map((m) => m.id)
): Comparison {
	const data: unknown = parse(readFileSync(path, 'utf8'));
	const result = comparisonSchema(meshIds).safeParse(data);
	if (!result.success) {
		const rows = (data as { rows?: { id?: string }[] } | null)?.rows ?? [];
		throw invalid(path, result.error, 'is invalid', ([key, n]) =>
			key === 'rows' && typeof n === 'number' ? ` (row "${rows[n]?.id ?? n}")` : ''
		);
	}
	return result.data;
}
