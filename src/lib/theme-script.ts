import { createHash } from 'node:crypto';

/**
 * Applies the reader's saved theme before first paint. It is the only inline script on the site:
 * loading it any later would flash the wrong theme. Its hash goes into the CSP in astro.config.mjs.
 */
export const themeScript = `(()=>{try{var c=localStorage.getItem('kb-theme');if(c==='light'||c==='dark')document.documentElement.dataset.theme=c}catch(e){}})()`;

export const themeScriptHash: `sha256-${string}` = `sha256-${createHash('sha256').update(themeScript).digest('base64')}`;
