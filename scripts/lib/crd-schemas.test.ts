import { describe, expect, it } from 'vitest';
import { closeSchema } from './crd-schemas.ts';

describe('closing CRD schemas', () => {
	it('forbids unknown fields unless the schema preserves them', () => {
		expect(
			closeSchema({
				type: 'object',
				properties: {
					a: { type: 'object', properties: { b: { type: 'string' } } },
					free: {
						type: 'object',
						'x-kubernetes-preserve-unknown-fields': true,
						properties: { c: {} },
					},
					port: { 'x-kubernetes-int-or-string': true },
				},
			})
		).toEqual({
			type: 'object',
			additionalProperties: false,
			properties: {
				a: { type: 'object', properties: { b: { type: 'string' } }, additionalProperties: false },
				free: {
					type: 'object',
					'x-kubernetes-preserve-unknown-fields': true,
					properties: { c: {} },
				},
				port: {
					'x-kubernetes-int-or-string': true,
					anyOf: [{ type: 'integer' }, { type: 'string' }],
				},
			},
		});
	});
});
