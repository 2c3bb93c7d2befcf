import { readFileSync } from 'node:fs';
import type { APIRoute } from 'astro';
import { parseAnnotated } from '../../lib/annotated-yaml';
import { listFiles } from '../../lib/dist-files';
import { manifestsDir } from '../../components/code/manifest-render';

/** Every manifest as a clean file (annotations removed), for "Download" links. */
export function getStaticPaths() {
	return listFiles(manifestsDir)
		.filter((f) => /\.ya?ml$/.test(f))
		.map((path) => ({ params: { path } }));
}

export const GET: APIRoute = ({ params }) => {
	const source = readFileSync(`${manifestsDir}/${params.path ?? ''}`, 'utf8');
	return new Response(parseAnnotated(source).clean, {
		headers: { 'Content-Type': 'application/yaml; charset=utf-8' },
	});
};
