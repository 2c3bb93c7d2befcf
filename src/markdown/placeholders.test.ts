import { describe, expect, it } from 'vitest';
import { fillPlaceholders, isSafeValue, placeholdersFromQuery } from './placeholders.ts';

describe('placeholders', () => {
	it('fill commands with safe values only', () => {
		expect(fillPlaceholders('kubectl get pods -n <namespace> <pod>', { namespace: 'shop' })).toBe(
			'kubectl get pods -n shop <pod>'
		);
		expect(fillPlaceholders('kubectl get ns <namespace>', { namespace: 'x; rm -rf /' })).toBe(
			'kubectl get ns <namespace>'
		);
	});

	it('accept Kubernetes-style names and refuse shell metacharacters', () => {
		for (const ok of ['shop', 'api-v2', 'deploy/api', 'app=web', 'registry.local:5000'])
			expect(isSafeValue(ok), ok).toBe(true);
		for (const bad of ['', 'a b', '$(id)', 'a;b', '`x`', 'a|b', '-rf', "a'b", 'x'.repeat(300)])
			expect(isSafeValue(bad), bad).toBe(false);
	});

	it('round-trip through the URL and ignore garbage', () => {
		expect(
			placeholdersFromQuery('?ph.namespace=shop&ph.pod=a%20b&q=mtls&ph.BAD=1&ph.x=%24(id)')
		).toEqual({ namespace: 'shop' });
		expect(placeholdersFromQuery('?%%%')).toEqual({});
	});
});
