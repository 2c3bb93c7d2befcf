import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('a page with invalid frontmatter', () => {
	it('fails the content sync with the file, the field and what is expected', () => {
		const run = spawnSync('npx', ['astro', 'sync'], {
			cwd: root,
			encoding: 'utf8',
			env: {
				...process.env,
				ASTRO_TELEMETRY_DISABLED: '1',
				KB_CONTENT_ROOT: './src/schemas/fixtures/broken-site',
			},
		});
		const output = run.stdout + run.stderr;
		expect(run.status).not.toBe(0);
		expect(output).toContain('src/schemas/fixtures/broken-site/docs/no-description.mdx');
		expect(output).toContain(
			'description: description is required: one sentence of at most 160 characters'
		);
	});
});
