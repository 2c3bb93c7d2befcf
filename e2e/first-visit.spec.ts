import { expect, test } from '@playwright/test';
import { normaliseBase } from '../src/site.config';
import { firstVisitBudget, measureFirstVisit } from './first-visit';

test('a first visit stays within its budget of requests and bytes, and does not save the whole guide', async ({
	browser,
}) => {
	test.setTimeout(400_000);
	for (const page of ['', 'istio/install/']) {
		const visit = await measureFirstVisit(
			browser,
			'dist',
			normaliseBase(process.env['SITE_BASE']),
			page
		);
		expect(visit.status, page).toBe('Available offline: this page, search and the FAQ');
		expect(visit.requests, `requests of a first visit to /${page}`).toBeLessThanOrEqual(
			firstVisitBudget.requests
		);
		expect(visit.bytes, `bytes of a first visit to /${page}`).toBeLessThanOrEqual(
			firstVisitBudget.bytes
		);
	}
});
