export { base, faqSources, sitemapPaths } from '../scripts/lib/built-site';
