// The file formats members and scores are read from and written to (record-readers.ts,
// table-writer.ts). Apart from record-readers.ts so the command line can name them in its help
// without loading DuckDB.
export type TableFormat = 'jsonl' | 'csv' | 'parquet';
export const TABLE_FORMATS: readonly TableFormat[] = ['jsonl', 'csv', 'parquet'];
