import { describe, expect, it } from 'vitest';
import { buildStepsScript } from './steps.ts';

describe('copy all steps', () => {
	it('builds one script with each step under its heading', () => {
		const script = buildStepsScript('Install Istio', 'http://localhost:4321/istio/install/', [
			{
				title: '1. Add the repository',
				code: 'helm repo add istio https://example\nhelm repo update',
			},
			{
				title: '2. Install base',
				code: 'helm install istio-base istio/base \\\n  -n istio-system',
			},
			{ title: '2. Install base', code: 'kubectl get pods -n istio-system\n' },
		]);
		expect(script).toBe(
			[
				'#!/usr/bin/env bash',
				'# Install Istio',
				'# http://localhost:4321/istio/install/',
				'set -euo pipefail',
				'',
				'# 1. Add the repository',
				'helm repo add istio https://example',
				'helm repo update',
				'',
				'# 2. Install base',
				'helm install istio-base istio/base \\',
				'  -n istio-system',
				'',
				'kubectl get pods -n istio-system',
				'',
			].join('\n')
		);
	});
});
