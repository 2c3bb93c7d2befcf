import { parse } from 'yaml';

/** The YAML frontmatter of an MDX/Markdown source as a plain object (empty when there is none). */
export function readFrontmatter(source: string): Record<string, unknown> {
	const m = source.match(/^---\r?\n([\s\S]*?)\r?\n---/);
	if (!m?.[1]) return {};
	const data: unknown = parse(m[1]);
	return data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
}
