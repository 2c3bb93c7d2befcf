import type { Document, LineCounter } from 'yaml';

export type Severity = 'error' | 'warning';

/** One thing the doctor found in a pasted text. */
export interface Finding {
	/** 1-based document index in the pasted text. */
	doc: number;
	/** 1-based line in the whole text (of the offending field where known). */
	line: number;
	/** error: the API server rejects it or traffic breaks; warning: it will not do what it seems to. */
	severity: Severity;
	/** Kebab-case rule id, e.g. `linkerd-server-no-authorization`. */
	rule: string;
	/** One sentence: what happens. */
	message: string;
	/** Field path, e.g. `spec.mtls.mode`. */
	path?: string;
	/** Site path of the explanation without base or rev: `/faq/<id>/` or `/istio/ambient/#waypoints`. */
	see: string;
}

export interface RuleInfo {
	id: string;
	severity: Severity;
	meshes: string[];
	releases: string[];
	title: string;
	see: string;
	/** Fact ids (content/facts) the rule rests on. */
	facts?: string[];
}

export type Segment = string | number;
export type Json = Record<string, unknown>;

/** One parsed YAML document of the pasted text. */
export interface Doc {
	/** 1-based position in the text. */
	index: number;
	/** Line of the document's first content. */
	line: number;
	yaml: Document;
	counter: LineCounter;
	/** The document as plain data; null when it is empty or not a mapping. */
	obj: Json | null;
	apiVersion: string;
	kind: string;
	name: string;
	/** `metadata.namespace`, or '' when the document names none. */
	namespace: string;
}

/** What a rule reports; the engine adds the document, line, severity, rule id and link. */
export interface Hit {
	message: string;
	/** Field path as segments; its line is looked up in the document. */
	at?: Segment[];
	/** Report the line of this key under `at` (an unknown field) rather than of `at` itself. */
	key?: string | undefined;
	/** Overrides the rule's severity for this hit. */
	severity?: Severity;
	/** Overrides the rule's link for this hit. */
	see?: string;
}

/** Every document of the paste, so a rule can look across documents (a Server and its policies). */
export interface Paste {
	docs: Doc[];
}

export interface Rule extends RuleInfo {
	check(doc: Doc, paste: Paste): Hit[];
}
