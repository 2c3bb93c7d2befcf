import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateWithModels } from './validate-models.ts';

const fixture = (name: string) => readFileSync(`scripts/lib/fixtures/manifests/${name}`, 'utf8');

describe('manifests against kubernetes-models', () => {
	it('catches a wrong enum in an Istio resource', async () => {
		const { errors } = await validateWithModels('wrong-enum.yaml', fixture('wrong-enum.yaml'));
		expect(errors).toEqual([
			'wrong-enum.yaml: PeerAuthentication security.istio.io/v1: data/spec/mtls/mode must be equal to one of the allowed values',
		]);
	});
});
