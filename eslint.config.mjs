// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import astro from 'eslint-plugin-astro';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
	{
		ignores: [
			'dist/',
			'dist-*/',
			'.astro/',
			'node_modules/',
			'test-results/',
			'playwright-report/',
		],
	},
	eslint.configs.recommended,
	...tseslint.configs.strict,
	...astro.configs.recommended,
	prettier,
	{
		languageOptions: {
			globals: {
				// Scripts run in Node (build, tests) or the browser (custom elements); both sets are real.
				process: 'readonly',
				console: 'readonly',
				document: 'readonly',
				window: 'readonly',
				navigator: 'readonly',
				localStorage: 'readonly',
				HTMLElement: 'readonly',
				customElements: 'readonly',
				matchMedia: 'readonly',
				URL: 'readonly',
				URLSearchParams: 'readonly',
			},
		},
		rules: {
			// Unused arguments prefixed with _ document an interface we must accept.
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
		},
	}
);
