import { defineCollection, reference } from 'astro:content';
import { file, glob } from 'astro/loaders';
import { meshSchema } from './schemas/mesh';
import { pageSchema } from './schemas/page';

/** Every collection of the site; content lives at the repository root in `content/`. */
export const collections = {
	docs: defineCollection({
		loader: glob({ base: './content/docs', pattern: '**/[^_]*.mdx' }),
		schema: pageSchema(reference('meshes')),
	}),
	meshes: defineCollection({
		loader: file('content/data/meshes.yaml'),
		schema: meshSchema,
	}),
};
