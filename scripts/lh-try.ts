import { findNginx, startNginx } from './nginx.ts';
import { runLighthouse } from './lighthouse.ts';
const s = startNginx(findNginx() ?? '', 'dist', 8091);
if (s) {
	const t = Date.now();
	try { console.log(JSON.stringify(await runLighthouse(s.url))); } catch (e) { console.log('ERR', e); }
	console.log('took', Date.now() - t);
	s.stop();
}
