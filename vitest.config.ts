import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` tests code on fixtures and needs nothing but the source tree; `content`
 * checks the repository's content and deploy files; `dist` reads the built site (`npm run build`
 * first) for what needs no browser: head tags, structured data, page weight, twin files.
 */
export default defineConfig({
	test: {
		reporters: ['default', 'json'],
		outputFile: { json: 'test-results/unit.json' },
		testTimeout: 60_000,
		// Hooks too: beside the browsers in `npm test` these run at low CPU priority.
		hookTimeout: 60_000,
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
