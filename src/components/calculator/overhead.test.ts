import { describe, expect, it } from 'vitest';
import { calculatorParams } from '../../lib/url-state';
import {
	calculate,
	defaults,
	formatCpu,
	formatMiB,
	fromQuery,
	inputKeys,
	parseInputs,
	toQuery,
} from './overhead.ts';

describe('overhead calculator', () => {
	it('matches hand-computed figures for the defaults (100 pods, 10 nodes, 3 waypoints)', () => {
		// Requests include istiod (2048 Mi, 500m) and, in ambient, istio-cni (100 Mi, 100m) per node.
		expect(calculate(defaults).map((o) => [o.id, o.usage, o.requests, o.cpu])).toEqual([
			['istio-sidecar', 6000, 100 * 128 + 2048, 100 * 100 + 500],
			['istio-ambient', 120, 10 * (512 + 100) + 2048, 10 * (200 + 100) + 500],
			['istio-ambient-waypoints', 300, 10 * 612 + 3 * 128 + 2048, 10 * 300 + 3 * 100 + 500],
			['linkerd', 2600, 0, 0],
		]);
		expect(formatCpu(10_500)).toBe('10.5 cores');
		expect(formatCpu(500)).toBe('500m');
	});

	it('handles zero and huge clusters without NaN', () => {
		const zero = calculate({
			...defaults,
			pods: 0,
			nodes: 0,
			waypoints: 0,
			istiodRequest: 0,
			istiodCpu: 0,
		});
		expect(zero.every((o) => o.usage === 0 && o.requests === 0 && o.cpu === 0)).toBe(true);
		const huge = calculate({
			...defaults,
			pods: 1_000_000,
			nodes: 100_000,
			waypoints: 100_000,
			load: 100,
		});
		expect(huge.every((o) => Number.isFinite(o.usage) && Number.isFinite(o.requests))).toBe(true);
		expect(huge[0]?.requests).toBe(128_002_048);
		expect(formatMiB(128_000_000)).toBe('125000 GiB');
		expect(formatMiB(640)).toBe('640 MiB');
		expect(formatMiB(12800)).toBe('13 GiB');
		expect(formatMiB(5120)).toBe('5.0 GiB');
	});

	it('refuses invalid input with a clear message and keeps the default', () => {
		const { inputs, errors } = parseInputs({
			pods: '-3',
			nodes: 'ten',
			waypoints: '2.5',
			load: '1000',
			sidecarUsage: 'Infinity',
		});
		expect(errors).toEqual({
			pods: 'Pods cannot be negative.',
			nodes: 'Nodes must be a number in digits, such as 120 or 0.5.',
			waypoints: 'Waypoints must be a whole number.',
			load: 'Load factor must be at most 100.',
			sidecarUsage: 'Istio sidecar usage must be a number in digits, such as 120 or 0.5.',
		});
		expect(inputs).toEqual(defaults);
	});

	it('reads only plain decimal numbers, never hexadecimal, binary or exponents', () => {
		for (const odd of ['0x10', '0b11', '0o17', '1e3', '1_000', '16.0.1', '+', '.']) {
			const { inputs, errors } = parseInputs({ pods: odd });
			expect(errors.pods, odd).toBe('Pods must be a number in digits, such as 120 or 0.5.');
			expect(inputs.pods, odd).toBe(defaults.pods);
		}
		expect(parseInputs({ pods: ' 16 ', load: '1.5', sidecarUsage: '.5' })).toEqual({
			inputs: { ...defaults, pods: 16, load: 1.5, sidecarUsage: 0.5 },
			errors: {},
		});
	});

	it('round-trips through the URL, keeping only changed values', () => {
		const changed = { ...defaults, pods: 250, linkerdRequest: 20 };
		const q = toQuery(changed);
		expect(q).toBe('pods=250&linkerdRequest=20');
		expect(fromQuery(`?${q}`)).toEqual({ inputs: changed, errors: {} });
		expect(fromQuery('?pods=%3Cscript%3E&nodes=')).toEqual({
			inputs: defaults,
			errors: { pods: 'Pods must be a number in digits, such as 120 or 0.5.' },
		});
	});

	it('has exactly the parameters src/lib/url-state.ts lists for it', () => {
		expect([...inputKeys].sort()).toEqual([...calculatorParams].sort());
		expect(fromQuery('?pods=7&tab=linkerd&q=x').inputs.pods).toBe(7);
	});
});
