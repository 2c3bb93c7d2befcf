import { describe, expect, it, vi } from 'vitest';
import buildLog from './build-log.mjs';

const shiki =
	'Shiki syntax highlighting uses inline styles that are not compatible with Content Security Policy (CSP). Consider using Prism syntax highlighting instead, or disable CSP if Shiki is required.';

describe('build log', () => {
	it('drops only the known Shiki CSP warning and keeps every other message', () => {
		const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
		const log = buildLog();
		log.write({ level: 'warn', label: 'config', message: shiki });
		expect(out).not.toHaveBeenCalled();
		log.write({ level: 'warn', label: 'config', message: 'Some other config warning' });
		log.write({ level: 'warn', label: 'vite', message: shiki });
		log.write({ level: 'info', label: 'build', message: 'Complete!' });
		expect(out).toHaveBeenCalledTimes(3);
		out.mockRestore();
	});
});
