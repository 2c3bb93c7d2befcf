import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` needs nothing but the source tree; `dist` reads the built site (`npm run
 * build` first) for what needs no browser: head tags, structured data, page weight, twin files.
 */
export default defineConfig({
	test: {
		reporters: ['default', 'json'],
		outputFile: { json: 'test-results/unit.json' },
		testTimeout: 60_000,
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					include: ['{src,scripts,deploy}/**/*.test.ts'],
					exclude: [...configDefaults.exclude, '**/*.dist.test.ts'],
				},
			},
			{ extends: true, test: { name: 'dist', include: ['{src,scripts}/**/*.dist.test.ts'] } },
		],
	},
});
