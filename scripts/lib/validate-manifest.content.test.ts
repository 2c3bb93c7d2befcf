import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { findCrdDir, loadCrds } from './crd-schemas.ts';
import { listFiles } from '../../src/lib/dist-files.ts';
import { formatError, ManifestValidator } from './validate-manifest.ts';

const manifests = listFiles('content/manifests').filter((f) => /\.ya?ml$/.test(f));
const crdDir = findCrdDir();

describe(`the site's manifests against the upstream CRDs in ${crdDir}`, () => {
	let validator: ManifestValidator;
	beforeAll(() => {
		validator = new ManifestValidator(loadCrds(crdDir));
	});

	it.each(manifests)('%s is valid for the API version it names', (file) => {
		const errors = validator.validate(
			`content/manifests/${file}`,
			readFileSync(`content/manifests/${file}`, 'utf8')
		);
		expect(errors.map(formatError)).toEqual([]);
	});
});
