import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listFiles } from '../../src/lib/dist-files.ts';
import { validateWithModels } from './validate-models.ts';

const manifests = listFiles('content/manifests').filter((f) => /\.ya?ml$/.test(f));

const fixture = (name: string) => readFileSync(`scripts/lib/fixtures/manifests/${name}`, 'utf8');

describe('manifests against kubernetes-models', () => {
	it.each(manifests)('%s passes the generated model validation', async (file) => {
		const { errors } = await validateWithModels(
			file,
			readFileSync(`content/manifests/${file}`, 'utf8')
		);
		expect(errors).toEqual([]);
	});

	it('catches a wrong enum in an Istio resource', async () => {
		const { errors } = await validateWithModels('wrong-enum.yaml', fixture('wrong-enum.yaml'));
		expect(errors).toEqual([
			'wrong-enum.yaml: PeerAuthentication security.istio.io/v1: data/spec/mtls/mode must be equal to one of the allowed values',
		]);
	});
});
