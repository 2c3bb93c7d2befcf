import { defineCollection, reference } from 'astro:content';
import { file, glob } from 'astro/loaders';
import { meshSchema } from './schemas/mesh.ts';
import { pageSchema } from './schemas/page.ts';
import { glossarySchema } from './schemas/glossary.ts';
import { faqSchema } from './schemas/faq.ts';
import { contentRoot } from './site.config.ts';

/** Content lives in `contentRoot` (site.config.ts): `content/`, or a test's fixture tree. */
const root = `./${contentRoot}`;

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
