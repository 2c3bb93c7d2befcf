import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('a page with invalid frontmatter', () => {
	it('fails the content sync with the file, the field and what is expected', () => {
		const run = spawnSync('npx', ['astro', 'sync'], {
			cwd: root,
			encoding: 'utf8',
			env: {
				...process.env,
				ASTRO_TELEMETRY_DISABLED: '1',
				FORCE_COLOR: '0',
				NO_COLOR: '1',
				KB_CONTENT_ROOT: './src/schemas/fixtures/broken-site',
			},
		});
		// Colour codes (CI terminals) would split the message; compare the plain text.
		// eslint-disable-next-line no-control-regex -- stripping ANSI escape sequences is the point
		const output = (run.stdout + run.stderr).replace(/\u001b\[[0-9;]*m/g, '');
		expect(run.status).not.toBe(0);
		expect(output).toContain('src/schemas/fixtures/broken-site/docs/no-description.mdx');
		expect(output).toContain(
			'description: description is required: one sentence of at most 160 characters'
		);
	});
});
