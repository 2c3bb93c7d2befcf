import type { z } from 'astro/zod';

/**
 * A data file that fails its schema: the file, then each field path and what is wrong. `where`
 * adds to a path what names it for the author (a comparison row's id for `rows.3`).
 */
export function invalid(
	path: string,
	error: z.ZodError,
	what = 'is invalid',
	where: (path: PropertyKey[]) => string = () => ''
): Error {
	const issues = error.issues
		.map((i) => `  ${i.path.length ? `${i.path.join('.')}${where(i.path)}: ` : ''}${i.message}`)
		.join('\n');
	return new Error(`${path} ${what}:\n${issues}`);
}
