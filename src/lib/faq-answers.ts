import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readFrontmatter } from './frontmatter.ts';
import { contentRoot as defaultContentRoot } from '../site.config.ts';

/** Faq answers in a content tree, read from their frontmatter (for tools that run outside Astro). */
export function faqAnswers(
	contentRoot = defaultContentRoot
): { id: string; question: string; summary: string; category: string; order: number }[] {
	const dir = join(contentRoot, 'faq');
	return readdirSync(dir)
		.filter((f) => f.endsWith('.mdx') && !f.startsWith('_'))
		.map((f) => {
			const fm = readFrontmatter(readFileSync(join(dir, f), 'utf8'));
			return {
				id: String(fm['id']),
				question: String(fm['question']),
				summary: String(fm['summary']),
				category: String(fm['category']),
				order: Number(fm['order'] ?? 0),
			};
		});
}
