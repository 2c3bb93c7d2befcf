import type { ShikiTransformer } from 'shiki';

/**
 * Shiki sees a fence's meta string (```bash step), the rest of the pipeline does not: this
 * transformer copies it onto the <pre> so `rehype-code-blocks` can act on it.
 */
export function transformerCodeMeta(): ShikiTransformer {
	return {
		name: 'kb:code-meta',
		pre(node) {
			const raw = (this.options.meta as { __raw?: string } | undefined)?.__raw;
			if (raw) node.properties['dataMeta'] = raw;
		},
	};
}

/** Flags (`step`, `output`) and `title="…"` from a fence's meta string. */
export function parseMeta(raw: unknown): { flags: Set<string>; title: string | undefined } {
	const text = typeof raw === 'string' ? raw : '';
	const title = text.match(/title="([^"]*)"/)?.[1];
	const flags = new Set(
		text
			.replace(/title="[^"]*"/, '')
			.split(/\s+/)
			.filter(Boolean)
	);
	return { flags, title };
}
