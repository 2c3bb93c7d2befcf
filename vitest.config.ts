import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'deploy/**/*.test.ts'],
		reporters: ['default', ['json', { outputFile: 'test-results/unit.json' }]],
		testTimeout: 60_000,
	},
});
