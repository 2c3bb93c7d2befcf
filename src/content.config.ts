import { defineCollection, reference } from 'astro:content';
import { file, glob } from 'astro/loaders';
import { meshSchema } from './schemas/mesh.ts';
import { pageSchema } from './schemas/page.ts';
import { glossarySchema } from './schemas/glossary.ts';
import { faqSchema } from './schemas/faq.ts';

/**
 * Content lives at the repository root in `content/`. KB_CONTENT_ROOT points the build at another
 * tree; the tests use it to prove that a broken page fails the build with a useful message.
 */
const root = process.env['KB_CONTENT_ROOT'] ?? './content';

/** Every collection of the site. */
export const collections = {
	docs: defineCollection({
		loader: glob({ base: `${root}/docs`, pattern: '**/[^_]*.mdx' }),
		schema: pageSchema(reference('meshes')),
	}),
	faq: defineCollection({
		loader: glob({ base: `${root}/faq`, pattern: '**/[^_]*.mdx' }),
		schema: faqSchema(reference('meshes')),
	}),
	glossary: defineCollection({
		loader: file(`${root}/data/glossary.yaml`),
		schema: glossarySchema,
	}),
	meshes: defineCollection({
		loader: file(`${root}/data/meshes.yaml`),
		schema: meshSchema,
	}),
};
