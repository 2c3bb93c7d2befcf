import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listFiles } from '../../src/lib/dist-files.ts';
import { validateWithModels } from './validate-models.ts';

const manifests = listFiles('content/manifests').filter((f) => /\.ya?ml$/.test(f));

describe("the site's manifests against kubernetes-models", () => {
	it.each(manifests)('%s passes the generated model validation', async (file) => {
		const { errors } = await validateWithModels(
			file,
			readFileSync(`content/manifests/${file}`, 'utf8')
		);
		expect(errors).toEqual([]);
	});
});
