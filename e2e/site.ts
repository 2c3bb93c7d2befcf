import type { TestInfo } from '@playwright/test';

export { base, builtPages, faqSources, sitemapPaths } from '../scripts/lib/built-site';

/** The test runs against the production nginx (the `nginx` project, or a server named by E2E_BASE_URL). */
export const viaNginx = (info: TestInfo) =>
	info.project.name === 'nginx' || Boolean(process.env['E2E_BASE_URL']);
