/** Copies quoted upstream files from the local git mirrors into vendor/upstream/files, byte for byte. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { vendoredPath, vendorRoot, type LoadedFact } from '../../src/lib/facts.ts';

const mirrors = process.env['KB_MIRRORS'] ?? '/work/.mirror';

function git(repo: string, args: string[]): Buffer {
	const dir = join(mirrors, repo.replace('/', '+'), 'repo');
	if (!existsSync(dir)) throw new Error(`no mirror of ${repo} at ${dir}; vendor the file by hand`);
	return execFileSync('git', ['-C', dir, ...args], { maxBuffer: 64 * 1024 * 1024 });
}

/** Vendors every quoted file that is missing, with its folder's PROVENANCE.yaml; returns what it wrote. */
export function vendorMissing(facts: LoadedFact[], root = vendorRoot): string[] {
	const written: string[] = [];
	for (const e of facts.flatMap((f) => f.evidence)) {
		const to = vendoredPath(e, root);
		if (existsSync(to)) continue;
		const bytes = git(e.repo, ['show', `${e.ref}:${e.path}`]);
		mkdirSync(dirname(to), { recursive: true });
		writeFileSync(to, bytes);
		written.push(to);
		const provenance = join(root, e.repo, e.ref, 'PROVENANCE.yaml');
		if (!existsSync(provenance)) {
			const commit = git(e.repo, ['rev-list', '-n', '1', e.ref]).toString().trim();
			const date = git(e.repo, ['log', '-1', '--format=%cI', commit]).toString().trim();
			writeFileSync(
				provenance,
				`repository: ${e.repo}\nref: ${e.ref}\ncommit: ${commit}\ndate: ${date}\nretrieved: 2026-12-01\nvia: git mirror\n`
			);
			written.push(provenance);
		}
	}
	return written;
}
