/**
 * The part of PouchDB's API the bench uses. @types/pouchdb is not installed (and the bench adds no
 * dependencies), so these few signatures stand in for it.
 */
declare module 'pouchdb-browser' {
  export interface PouchDocument {
    _id: string;
    _rev?: string;
    [field: string]: unknown;
  }

  export interface BulkDocsResult {
    ok?: boolean;
    id?: string;
    error?: string;
    reason?: string;
  }

  export interface QueryOptions {
    startkey?: unknown;
    endkey?: unknown;
    startkey_docid?: string;
    skip?: number;
    limit?: number;
    include_docs?: boolean;
  }

  export interface QueryRow<Doc> {
    id: string;
    key: unknown;
    value: unknown;
    doc?: Doc & PouchDocument;
  }

  export interface AllDocsRow<Doc> {
    id?: string;
    key: string;
    error?: string;
    doc?: (Doc & PouchDocument) | null;
  }

  export default class PouchDB {
    constructor(name: string, options?: { adapter?: string; auto_compaction?: boolean });
    readonly adapter: string;
    put(doc: PouchDocument): Promise<BulkDocsResult>;
    bulkDocs(docs: PouchDocument[]): Promise<BulkDocsResult[]>;
    query<Doc>(view: string, options?: QueryOptions): Promise<{ total_rows: number; rows: QueryRow<Doc>[] }>;
    allDocs<Doc>(options: { keys: string[]; include_docs: true }): Promise<{ rows: AllDocsRow<Doc>[] }>;
    close(): Promise<void>;
    destroy(): Promise<void>;
  }
}
