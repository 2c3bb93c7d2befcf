import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` tests code on fixtures and needs nothing but the source tree; `content`
 * checks the repository's content and deploy files; `dist` reads the built site (`npm run build`
 * first) for what needs no browser: head tags, structured data, page weight, twin files.
 */
/**
 * `npm test` runs the content and dist projects beside the browsers at low CPU priority, where a
 * test may take 20 to 50 times longer than alone (it sets KB_LOW_PRIORITY): there a time limit
 * only has to catch a hang. Set here because a `--testTimeout` flag does not reach the projects.
 */
const limit = process.env['KB_LOW_PRIORITY'] ? 600_000 : 60_000;

export default defineConfig({
	test: {
		reporters: ['default', 'json'],
		outputFile: { json: 'test-results/unit.json' },
		testTimeout: limit,
		hookTimeout: limit,
		// Test files share their worker's module cache instead of each importing the whole tree
		// again: the unit project took 46 CPU-s isolated and 12 shared, the dist project 12 and 7,
		// with the same 566 and 313 tests passing. No test file mocks modules or sets globals that
		// another reads; one that must, sets `isolate: true` for its project.
		isolate: false,
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					include: ['{src,scripts}/**/*.test.ts'],
					exclude: [
						...configDefaults.exclude,
						'**/*.dist.test.ts',
						'**/*.content.test.ts',
						'src/content.config.test.ts',
					],
				},
			},
			{
				// Checks of the repository's own content and configuration: every page, answer,
				// manifest and deploy file, and a build of a broken content tree. Slower than the
				// code tests, so `npm run test:unit` stays quick while writing code.
				extends: true,
				test: {
					name: 'content',
					include: [
						'{src,scripts}/**/*.content.test.ts',
						'src/content.config.test.ts',
						'deploy/**/*.test.ts',
					],
				},
			},
			{ extends: true, test: { name: 'dist', include: ['{src,scripts}/**/*.dist.test.ts'] } },
		],
	},
});
