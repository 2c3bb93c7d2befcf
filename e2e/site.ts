import type { TestInfo } from '@playwright/test';

export { base, builtPages, faqSources, sitemapPaths } from '../scripts/lib/built-site';

/** The test runs against the production nginx (as in `npm test`), or a server named by E2E_BASE_URL. */
export const viaNginx = (info: TestInfo) =>
	['nginx', 'external'].includes(String(info.project.metadata['server']));
