export { base, builtPages, faqSources, sitemapPaths } from '../scripts/lib/built-site';
