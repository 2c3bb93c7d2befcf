import { isMap, LineCounter, parseAllDocuments } from 'yaml';
import type { Doc, Json } from './types.ts';

/** A YAML syntax problem, located by line. */
export interface SyntaxProblem {
	doc: number;
	line: number;
	message: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Splits a pasted text into documents; a document with a syntax error is left out and reported. */
export function parseDocs(text: string): { docs: Doc[]; problems: SyntaxProblem[] } {
	const counter = new LineCounter();
	const docs: Doc[] = [];
	const problems: SyntaxProblem[] = [];
	// maxAliasCount bounds the work a pasted "billion laughs" document can cause.
	const all = parseAllDocuments(text, { lineCounter: counter, prettyErrors: false });
	const list = Array.isArray(all) ? all : [];
	list.forEach((yaml, i) => {
		const index = i + 1;
		const line = yaml.contents?.range ? counter.linePos(yaml.contents.range[0]).line : 1;
		if (yaml.errors.length > 0) {
			for (const e of yaml.errors.slice(0, 1)) {
				problems.push({
					doc: index,
					line: counter.linePos(e.pos[0]).line,
					message: e.message.split('\n')[0] ?? e.message,
				});
			}
			return;
		}
		let obj: Json | null = null;
		if (isMap(yaml.contents)) {
			try {
				obj = yaml.toJS({ maxAliasCount: 100 }) as Json;
			} catch (e) {
				problems.push({ doc: index, line, message: (e as Error).message });
				return;
			}
		}
		const meta = (obj?.['metadata'] ?? {}) as Json;
		docs.push({
			index,
			line,
			yaml,
			counter,
			obj,
			apiVersion: str(obj?.['apiVersion']),
			kind: str(obj?.['kind']),
			name: str(meta['name']),
			namespace: str(meta['namespace']),
		});
	});
	return { docs, problems };
}
